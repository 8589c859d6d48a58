package io.baton.app.security;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.baton.scheduler.resourcemanager.WorkerIdentities;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.BootstrapSetup;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.setup.ActorSystemSetup;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.remote.artery.tcp.SSLEngineProviderSetup;

/** How a Baton ActorSystem speaks Artery: mutual TLS with {@link BatonSslEngineProvider}, or plaintext TCP. */
public final class ArteryTls {
  /**
   * In-memory handshakes run at start. Measured on this 2-core machine under load: a cold first mutual handshake
   * took 160-230 ms (both ends), about 20 ms after 30 warm-up handshakes, which cost 0.6-0.75 s per node.
   */
  static final int WARM_UP_HANDSHAKES = 20;
  /** The JDK's switch for the key-exchange groups a TLS client offers and a server accepts, process-wide. */
  static final String NAMED_GROUPS = "jdk.tls.namedGroups";
  private static final AtomicBoolean KEY_EXCHANGE_CHOSEN = new AtomicBoolean();
  private ArteryTls() {}

  /**
   * The setup of an ActorSystem with {@code config}: with a TLS directory, transport {@code tls-tcp} with this
   * node's certificate; without one, plaintext {@code tcp}.
   */
  public static ActorSystemSetup setup(Config config, Optional<Path> tlsDir) {
    if (tlsDir.isEmpty()) {
      return ActorSystemSetup.create(BootstrapSetup.create(
          ConfigFactory.parseMap(Map.of("pekko.remote.artery.transport", "tcp")).withFallback(config)));
    }
    AtomicReference<ExtendedActorSystem> system = new AtomicReference<>();
    BatonSslEngineProvider provider;
    try {
      provider = BatonSslEngineProvider.load(tlsDir.get(),
          () -> WorkerIdentities.get(Adapter.toTyped(system.get())));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the TLS files in " + tlsDir.get(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("the TLS files in " + tlsDir.get() + " are not usable: " + e.getMessage(), e);
    }
    try {
      // a standby's first handshakes come at a failover: compile them now
      provider.warmUp(WARM_UP_HANDSHAKES);
    } catch (javax.net.ssl.SSLException e) {
      throw new IllegalArgumentException("the TLS files in " + tlsDir.get() + " cannot complete a handshake: "
          + e.getMessage(), e);
    }
    Config tls = ConfigFactory.parseMap(Map.of("pekko.remote.artery.transport", "tls-tcp")).withFallback(config);
    return ActorSystemSetup.create(BootstrapSetup.create(tls), SSLEngineProviderSetup.create(s -> {
      system.set(s);
      return provider;
    }));
  }

  /**
   * Chooses, once per process and before its first TLS handshake, the key exchange of every TLS connection it
   * makes or takes: X25519 only, unless the process serves REST over HTTPS or the operator chose otherwise
   * ({@code -Djdk.tls.namedGroups=...} in {@code BATON_JAVA_OPTS}). By default a JDK client sends two key shares
   * in every hello, X25519 and P-256, so each handshake paid for a P-256 key it never used, and the JDK's P-256
   * is slow until compiled: at a failover the workers spent about a second each compiling it while they
   * re-connected (BENCHMARKS "Failover"); X25519 alone made a mutual handshake about 40 % cheaper here. A REST
   * server keeps the JDK's groups because a TLS 1.2 client of an EC (P-256) certificate needs P-256 among them.
   * The first call decides (a standalone starts its master first); the JDK reads the property once.
   */
  public static void chooseKeyExchange(boolean servesHttps) {
    if (KEY_EXCHANGE_CHOSEN.compareAndSet(false, true) && !servesHttps) {
      System.getProperties().putIfAbsent(NAMED_GROUPS, "x25519");
    }
  }

  /** The role the node certificate in {@code tlsDir} names. */
  public static NodeRole roleIn(Path tlsDir) throws IOException, GeneralSecurityException {
    char[] password = TlsFiles.readPassword(tlsDir);
    KeyStore ks = TlsFiles.load(tlsDir.resolve(TlsFiles.NODE_STORE), password);
    X509Certificate cert = (X509Certificate) ks.getCertificate(TlsFiles.NODE_ALIAS);
    if (cert == null) {
      throw new GeneralSecurityException(tlsDir.resolve(TlsFiles.NODE_STORE) + " has no '" + TlsFiles.NODE_ALIAS + "' entry");
    }
    return NodeRole.of(cert).orElseThrow(() -> new GeneralSecurityException(
        "the certificate in " + tlsDir + " names no Baton role"));
  }

  /** Whether {@code tlsDir} holds a node's TLS files. */
  public static boolean isNodeDirectory(Path tlsDir) {
    return Files.exists(tlsDir.resolve(TlsFiles.NODE_STORE)) && Files.exists(tlsDir.resolve(TlsFiles.TRUST_STORE))
        && Files.exists(tlsDir.resolve(TlsFiles.PASSWORD));
  }

  /** The TLS directories of a standalone process: its master's and its worker's. */
  public record Standalone(Path master, Path worker) {}

  /**
   * A standalone process's certificates under {@code dir}: {@code ca/} (a CA of its own), {@code master/} and
   * {@code worker/}, created on first start; the worker's certificate is issued again when its id changed.
   */
  public static Standalone ensureStandalone(Path dir, String clusterId, String host, String workerId)
      throws IOException, GeneralSecurityException {
    Path caDir = dir.resolve("ca");
    CertificateAuthority ca;
    if (CertificateAuthority.existsIn(caDir)) {
      ca = CertificateAuthority.load(caDir);
    } else {
      ca = CertificateAuthority.create(clusterId);
      ca.save(caDir);
    }
    List<String> hosts = hosts(host);
    Standalone s = new Standalone(dir.resolve("master"), dir.resolve("worker"));
    if (!isNodeDirectory(s.master())) {
      ca.writeNode(s.master(), NodeRole.master("standalone"), hosts);
    }
    if (!isNodeDirectory(s.worker()) || !roleIn(s.worker()).equals(NodeRole.worker(workerId))) {
      ca.writeNode(s.worker(), NodeRole.worker(workerId), hosts);
    }
    return s;
  }

  /** The names a node certificate for {@code host} carries: it, and loopback's. */
  public static List<String> hosts(String host) {
    java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>(List.of(host, "localhost", "127.0.0.1"));
    return List.copyOf(names);
  }
}
