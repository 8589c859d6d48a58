package io.baton.ha.zookeeper;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Baton's ZooKeeper ACLs for one cluster, the {@link ACLProvider} of a master's Curator client (which
 * authenticates as digest {@code baton:<secret>}):
 * <ul>
 *   <li>everything under {@link ZkPaths#root()}, the root included: creator-only ({@code auth} ALL, which the
 *       server stores as the creating session's digest id, so any client with the same secret has every right
 *       and every other client none, not even read or exists);</li>
 *   <li>{@link ZkPaths#leader()}: creator-only plus world READ, so workers and other programs find the leader
 *       without credentials (its content, the leader's addresses, is not a secret);</li>
 *   <li>{@link ZkPaths#BASE}, shared by every cluster on the ensemble: creator ALL plus world READ and CREATE,
 *       so clusters with other secrets can add their own root (anyone can squat a cluster id: a denial of
 *       service, not a leak; {@link #secureExisting} then reports the root as not ours).</li>
 * </ul>
 * Lists returned are fresh mutable {@link ArrayList}s: ZooKeeper's {@code validateACL} calls
 * {@code contains(null)}, which throws on {@code List.of}. Immutable and thread-safe.
 */
public final class ZkAcls implements ACLProvider {
  /** The digest user of every Baton master; the password is the cluster's secret. */
  public static final String DIGEST_USER = "baton";
  private static final Logger log = LoggerFactory.getLogger(ZkAcls.class);

  private final ZkPaths paths;

  public ZkAcls(ZkPaths paths) {
    this.paths = Objects.requireNonNull(paths);
  }

  /** The bytes for Curator's {@code authorization("digest", ...)}: {@code baton:<secret>}. */
  public static byte[] digestAuth(String secret) {
    return (DIGEST_USER + ":" + secret).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public List<ACL> getDefaultAcl() {
    return aclFor("");
  }

  @Override
  public List<ACL> getAclForPath(String path) {
    return aclFor(path);
  }

  /** The ACL Baton gives {@code path}. */
  List<ACL> aclFor(String path) {
    List<ACL> acl = new ArrayList<>();
    acl.add(new ACL(ZooDefs.Perms.ALL, ZooDefs.Ids.AUTH_IDS));
    int world = worldPermsFor(path);
    if (world != 0) {
      acl.add(new ACL(world, ZooDefs.Ids.ANYONE_ID_UNSAFE));
    }
    return acl;
  }

  /** What anyone, without credentials, may do on {@code path}. */
  int worldPermsFor(String path) {
    if (path.equals(paths.leader())) {
      return ZooDefs.Perms.READ;
    }
    if (path.equals(ZkPaths.BASE)) {
      return ZooDefs.Perms.READ | ZooDefs.Perms.CREATE;
    }
    return 0;
  }

  /**
   * Gives Baton's ACL to every node of {@link ZkPaths#BASE} and of the cluster's tree that grants anyone more
   * than {@link #worldPermsFor} allows: nodes written by a Baton before ACLs, or by a master run without a
   * secret. Children come before their parent, so the root is secured last. A node this client may not touch
   * below the root is logged and skipped. Blocking; call it on a client that authenticates with the cluster's
   * secret and uses this provider. A root that does not exist yet is created here, so that of two masters with
   * different secrets started at once the second is told at start that the cluster is not its own.
   *
   * @return how many nodes were changed
   * @throws IllegalStateException when the cluster's root exists but this client has no right on it: it was
   *     created with another secret
   */
  public static int secureExisting(CuratorFramework client, ZkPaths paths) throws Exception {
    ZkAcls acls = new ZkAcls(paths);
    int secured = acls.secure(client, ZkPaths.BASE) ? 1 : 0;
    try {
      client.create().creatingParentsIfNeeded().forPath(paths.root(), new byte[0]);
      return secured;
    } catch (KeeperException.NodeExistsException e) {
      // an existing cluster: check it below
    }
    try {
      client.getACL().forPath(paths.root());
    } catch (KeeperException.NoAuthException e) {
      throw new IllegalStateException("ZooKeeper node " + paths.root() + " is protected by other credentials: this "
          + "master's ZooKeeper secret is not the one the cluster was created with", e);
    }
    return secured + acls.secureTree(client, paths.root());
  }

  private int secureTree(CuratorFramework client, String path) throws Exception {
    List<String> children;
    try {
      children = client.getChildren().forPath(path);
    } catch (KeeperException.NoNodeException e) {
      return 0;
    } catch (KeeperException.NoAuthException e) {
      log.warn("ZooKeeper node {} is protected by other credentials; its ACL was left as it is", path);
      return 0;
    }
    int secured = 0;
    for (String child : children) {
      secured += secureTree(client, ZKPaths.makePath(path, child));
    }
    return secured + (secure(client, path) ? 1 : 0);
  }

  private boolean secure(CuratorFramework client, String path) throws Exception {
    try {
      if (!tooOpen(client.getACL().forPath(path), worldPermsFor(path))) {
        return false;
      }
      client.setACL().withACL(aclFor(path)).forPath(path);
      return true;
    } catch (KeeperException.NoNodeException e) {
      return false;
    } catch (KeeperException.NoAuthException e) {
      log.warn("ZooKeeper node {} is protected by other credentials; its ACL was left as it is", path);
      return false;
    }
  }

  static boolean tooOpen(List<ACL> acl, int allowedWorldPerms) {
    return acl.stream().anyMatch(a -> a.getId().equals(ZooDefs.Ids.ANYONE_ID_UNSAFE)
        && (a.getPerms() & ~allowedWorldPerms) != 0);
  }
}
