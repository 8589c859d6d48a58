package io.baton.scheduler.resourcemanager;

import io.baton.scheduler.model.ClusterBook;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The link between worker ids and the certificates at worker addresses ({@code host:port} of a worker's
 * ActorSystem), shared by a master's TLS layer and its ResourceManager. Actors cannot see which certificate
 * delivered a message, so a worker's id is bound on the way out: the TLS layer records the node each outbound
 * connection's certificate names ({@link #verified}) and refuses a connection to an address whose certificate is
 * not the worker the leader registered there ({@link #expected}); the ResourceManager asks for the {@link #proof}
 * of a registration and, once the book accepts it, {@link #expect}s the id at the address it will talk to.
 *
 * <p>Without TLS nothing is ever verified or enforced: every proof is {@code UNPROVEN}. Thread-safe: the TLS layer
 * calls from stream threads, the ResourceManager from its actor.
 */
public final class WorkerIdentities implements Extension {
  public static final ExtensionId<WorkerIdentities> ID = new ExtensionId<>() {
    @Override
    public WorkerIdentities createExtension(ActorSystem<?> system) {
      return new WorkerIdentities();
    }
  };

  /** More addresses than this and the oldest knowledge is dropped (a bound on what peers can make us keep). */
  public WorkerIdentities() {}

  static final int MAX_ADDRESSES = 100_000;
  private static final String MASTER = "master:";
  private static final String WORKER = "worker:";

  private final ConcurrentMap<String, String> verified = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, String> expected = new ConcurrentHashMap<>();

  public static WorkerIdentities get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  /** {@code host:port} of the ActorSystem {@code ref} lives in, as the TLS layer names its outbound connections. */
  public static String addressOf(ActorRef<?> ref) {
    Address a = ref.path().address();
    return a.getHost().orElse("") + ":" + a.getPort().map(String::valueOf).orElse("");
  }

  /** The TLS layer verified the certificate at {@code address}: a worker's ({@code workerId}) or a master's. */
  public void verified(String address, boolean master, String id) {
    bounded(verified).put(address, (master ? MASTER : WORKER) + id);
  }

  /** The worker id the leader registered at {@code address}, if any: the certificate there must carry it. */
  public Optional<String> expected(String address) {
    return Optional.ofNullable(expected.get(address));
  }

  /** What is known about a registration of {@code workerId} from {@code address}. */
  public ClusterBook.IdProof proof(String address, String workerId) {
    String seen = verified.get(address);
    if (seen == null) {
      return ClusterBook.IdProof.UNPROVEN;
    }
    return seen.equals(WORKER + workerId) ? ClusterBook.IdProof.CERTIFIED : ClusterBook.IdProof.CONFLICT;
  }

  /** From now on the certificate at {@code address} must name worker {@code workerId}. */
  public void expect(String address, String workerId) {
    bounded(expected).put(address, workerId);
  }

  private static ConcurrentMap<String, String> bounded(ConcurrentMap<String, String> map) {
    if (map.size() >= MAX_ADDRESSES) {
      map.clear();
    }
    return map;
  }
}
