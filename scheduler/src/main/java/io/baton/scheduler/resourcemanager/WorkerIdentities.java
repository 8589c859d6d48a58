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
  static final int MAX_ADDRESSES = 100_000;
  private static final String MASTER = "master:";
  private static final String WORKER = "worker:";

  /** What is known of one address: the worker id registered there, the node its certificate names. */
  private record Binding(String expected, String verified) {}

  private final ConcurrentMap<String, Binding> bindings = new ConcurrentHashMap<>();

  public WorkerIdentities() {}

  public static WorkerIdentities get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  /** {@code host:port} of the ActorSystem {@code ref} lives in, as the TLS layer names its outbound connections. */
  public static String addressOf(ActorRef<?> ref) {
    Address a = ref.path().address();
    return a.getHost().orElse("") + ":" + a.getPort().map(String::valueOf).orElse("");
  }

  /**
   * The TLS layer verified the certificate at {@code address}: a master's or worker {@code id}'s. Returns the
   * worker id registered there when the certificate is not that worker's (the connection must be refused).
   */
  public Optional<String> verified(String address, boolean master, String id) {
    String node = (master ? MASTER : WORKER) + id;
    Binding b = bounded().compute(address, (a, old) -> new Binding(old == null ? null : old.expected(), node));
    return b.expected() != null && !node.equals(WORKER + b.expected()) ? Optional.of(b.expected()) : Optional.empty();
  }

  /**
   * A registration of {@code workerId} from {@code address}: {@code CERTIFIED} when the certificate there was
   * verified as that worker's, {@code CONFLICT} when it was verified as another node's, else {@code UNPROVEN}
   * (the newest claim of an unverified address holds it). Unless {@code CONFLICT}, from now on the certificate there must
   * name {@code workerId} (atomically with the TLS layer's {@link #verified}: no connection verified before can
   * slip past the claim).
   */
  public ClusterBook.IdProof claim(String address, String workerId) {
    ClusterBook.IdProof[] proof = new ClusterBook.IdProof[1];
    bounded().compute(address, (a, old) -> {
      if (old != null && old.verified() != null) {
        proof[0] = old.verified().equals(WORKER + workerId) ? ClusterBook.IdProof.CERTIFIED : ClusterBook.IdProof.CONFLICT;
      } else {
        proof[0] = ClusterBook.IdProof.UNPROVEN;
      }
      return proof[0] == ClusterBook.IdProof.CONFLICT ? old : new Binding(workerId, old == null ? null : old.verified());
    });
    return proof[0];
  }

  private ConcurrentMap<String, Binding> bounded() {
    if (bindings.size() >= MAX_ADDRESSES) {
      bindings.clear();
    }
    return bindings;
  }
}
