package io.baton.scheduler.api;

import io.baton.protocol.LeaderInfo;
import java.util.List;
import java.util.Optional;

/** {@code GET /cluster}: the leader as published, this master, every master contending, ZooKeeper's state. */
public record ClusterView(
    Optional<LeaderInfo> leader, String selfRestUrl, boolean selfIsLeader, List<String> masters, String zookeeper) {}
