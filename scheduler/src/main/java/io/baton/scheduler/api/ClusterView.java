package io.baton.scheduler.api;

import io.baton.ha.JobStore;
import io.baton.protocol.LeaderInfo;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /cluster}: the leader as published, this master, every master contending, ZooKeeper's state, and (on
 * the leader) the job records its session quarantined because they could not be read.
 */
public record ClusterView(
    Optional<LeaderInfo> leader, String selfRestUrl, boolean selfIsLeader, List<String> masters, String zookeeper,
    List<JobStore.Quarantined> quarantined) {

  public ClusterView {
    quarantined = List.copyOf(quarantined);
  }

  /** A view with no quarantined records (a standby's, or a leader whose jobs all loaded). */
  public ClusterView(
      Optional<LeaderInfo> leader, String selfRestUrl, boolean selfIsLeader, List<String> masters, String zookeeper) {
    this(leader, selfRestUrl, selfIsLeader, masters, zookeeper, List.of());
  }

  /** The leader's REST URL, unless that is this master (a deposed master may still see its own stale entry). */
  public Optional<String> otherLeaderRestUrl() {
    return leader.map(LeaderInfo::restUrl).filter(url -> !sameUrl(url, selfRestUrl));
  }

  /** Whether two REST URLs name the same master (a trailing slash aside). */
  public static boolean sameUrl(String a, String b) {
    return withoutTrailingSlash(a).equals(withoutTrailingSlash(b));
  }

  private static String withoutTrailingSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
