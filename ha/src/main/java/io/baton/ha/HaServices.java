package io.baton.ha;

/**
 * The HA services of one process: leader election, leader retrieval, the job and schedule stores, all of one cluster.
 * ZooKeeper-backed in production ({@code zookeeper/}), in-memory for tests ({@code inmemory/}).
 */
public interface HaServices extends AutoCloseable {
  /** The election this master contends in; {@code participantId} is the master's REST URL. */
  LeaderElection leaderElection(String participantId);

  LeaderRetrieval leaderRetrieval();

  JobStore jobStore();

  ScheduleStore scheduleStore();

  /** The coordination service's connection state as SPEC.md shows it: CONNECTED, SUSPENDED, LOST or NONE. */
  String connectionState();

  @Override
  void close();
}
