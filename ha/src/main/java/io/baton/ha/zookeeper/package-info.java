/**
 * The ZooKeeper (Curator) implementation of Baton's HA services. Entry point: {@link
 * io.baton.ha.zookeeper.ZooKeeperHaServices}. Every path is in {@link io.baton.ha.zookeeper.ZkPaths}; the layout,
 * the fencing rules and a diagram are in {@code ha/README.md}.
 */
package io.baton.ha.zookeeper;
