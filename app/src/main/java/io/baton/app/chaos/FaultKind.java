package io.baton.app.chaos;

/** The faults the chaos test injects. */
public enum FaultKind {
  /** kill -9 of the leader, restarted after a few seconds. */
  KILL_LEADER("kill-leader", false),
  /** kill -9 of a standby master, restarted after a few seconds. */
  KILL_STANDBY("kill-standby", false),
  /** kill -9 of a worker, restarted on its data directory after a random delay. */
  KILL_WORKER_RESTART("kill-worker", true),
  /** kill -9 of a worker that never comes back; a new worker with a fresh id and directory replaces it. */
  KILL_WORKER_REPLACE("kill-worker-replace", true),
  /** SIGSTOP of the leader past its ZooKeeper session timeout, then SIGCONT. */
  STOP_LEADER("stop-leader", false),
  /** SIGSTOP of a worker past the heartbeat timeout, then SIGCONT. */
  STOP_WORKER("stop-worker", true),
  /** kill -9 of ZooKeeper, restarted on its data directory. */
  KILL_ZOOKEEPER("kill-zookeeper", false),
  /**
   * The leader's remoting port cut off on loopback (iptables) past the heartbeat timeout: no worker reaches it,
   * while it keeps its ZooKeeper session and stays leader.
   */
  PARTITION_LEADER("partition-leader", false),
  /**
   * One worker's remoting port cut off past the heartbeat timeout: nothing the leader sends reaches it, while its
   * own messages (heartbeats, reports) still reach the leader.
   */
  PARTITION_WORKER("partition-worker", true);

  private final String label;
  private final boolean hitsOneWorker;

  FaultKind(String label, boolean hitsOneWorker) {
    this.label = label;
    this.hitsOneWorker = hitsOneWorker;
  }

  String label() {
    return label;
  }

  /** True for faults on one worker process; the others (masters, ZooKeeper) can disturb every worker. */
  boolean hitsOneWorker() {
    return hitsOneWorker;
  }

  /** True for the partitions, which need root and iptables. */
  boolean isPartition() {
    return this == PARTITION_LEADER || this == PARTITION_WORKER;
  }

  /** True when the worker process was killed with SIGKILL: nothing of its attempts may outlive it. */
  boolean killsWorker() {
    return this == KILL_WORKER_RESTART || this == KILL_WORKER_REPLACE;
  }
}
