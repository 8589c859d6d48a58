package io.baton.app.security;

import io.baton.scheduler.resourcemanager.WorkerIdentities;
import io.baton.wire.RejectionLog;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.apache.pekko.remote.artery.tcp.SSLEngineProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * Artery's TLS for Baton: TLS 1.3, mutual authentication against the cluster CA only, and the roles of
 * {@link NodeRole} enforced on every connection once its handshake is done, before a byte of it reaches Artery:
 * <ul>
 *   <li>a worker talks to masters only: it accepts inbound connections from master certificates only (so no worker
 *       certificate can command it as a master) and connects out only to masters;</li>
 *   <li>a master accepts masters and workers; when it connects out to a worker address the leader registered a
 *       worker at, the certificate there must name that worker ({@link WorkerIdentities}), and it records what
 *       every outbound certificate names, which is how a registration's id is proven.</li>
 * </ul>
 * A certificate from another CA fails the handshake in the trust manager. Every rejection is logged with the
 * peer's certificate subject (and address when known), rate-limited. Artery calls this from its stream threads;
 * thread-safe.
 */
public final class BatonSslEngineProvider implements SSLEngineProvider {
  private static final Logger LOG = LoggerFactory.getLogger(BatonSslEngineProvider.class);
  private static final String[] PROTOCOLS = {"TLSv1.3"};
  private static final String[] SUITES = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"};

  private final SSLContext context;
  private final NodeRole self;
  private final Supplier<WorkerIdentities> identities;
  /** One rate limit per refused peer (a peer retrying cannot hide another); bounded. */
  private final ConcurrentMap<String, RejectionLog> rejections = new ConcurrentHashMap<>();

  /**
   * The provider of the node whose TLS directory is {@code tlsDir}; {@code identities} (read only by a master, on
   * its first outbound connection) is its ActorSystem's {@link WorkerIdentities}.
   */
  public static BatonSslEngineProvider load(Path tlsDir, Supplier<WorkerIdentities> identities)
      throws IOException, GeneralSecurityException {
    char[] password = TlsFiles.readPassword(tlsDir);
    KeyStore node = TlsFiles.load(tlsDir.resolve(TlsFiles.NODE_STORE), password);
    KeyStore trust = TlsFiles.load(tlsDir.resolve(TlsFiles.TRUST_STORE), password);
    return new BatonSslEngineProvider(node, trust, password, identities);
  }

  BatonSslEngineProvider(KeyStore node, KeyStore trust, char[] password, Supplier<WorkerIdentities> identities)
      throws GeneralSecurityException {
    X509Certificate own = (X509Certificate) node.getCertificate(TlsFiles.NODE_ALIAS);
    if (own == null) {
      throw new GeneralSecurityException("the node key store has no '" + TlsFiles.NODE_ALIAS + "' entry");
    }
    this.self = NodeRole.of(own).orElseThrow(() -> new GeneralSecurityException(
        "the node certificate " + own.getSubjectX500Principal() + " names no Baton role (baton:role:...)"));
    own.checkValidity();
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(node, password);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    TrustManager[] trustManagers = Arrays.stream(tmf.getTrustManagers())
        .map(tm -> tm instanceof X509ExtendedTrustManager x ? new LoggingTrustManager(x) : tm)
        .toArray(TrustManager[]::new);
    this.context = SSLContext.getInstance("TLSv1.3");
    context.init(kmf.getKeyManagers(), trustManagers, new SecureRandom());
    this.identities = identities;
  }

  /**
   * Runs {@code handshakes} TLS handshakes of this node with itself in memory (no socket, no verification), so
   * that the JIT has compiled the handshake path before a failover needs it: a cold first handshake costs
   * several times a warm one. Returns the last one's duration in nanos.
   */
  public long warmUp(int handshakes) throws javax.net.ssl.SSLException {
    long last = 0;
    for (int i = 0; i < handshakes; i++) {
      long t0 = System.nanoTime();
      InMemoryHandshake.run(createClientSSLEngine("warm-up", i), createServerSSLEngine("warm-up", i));
      last = System.nanoTime() - t0;
    }
    return last;
  }

  /** Who this node is, as its certificate says. */
  public NodeRole self() {
    return self;
  }

  @Override
  public SSLEngine createServerSSLEngine(String hostname, int port) {
    SSLEngine engine = engine(hostname, port, false);
    engine.setNeedClientAuth(true);
    return engine;
  }

  @Override
  public SSLEngine createClientSSLEngine(String hostname, int port) {
    return engine(hostname, port, true);
  }

  private SSLEngine engine(String hostname, int port, boolean client) {
    SSLEngine engine = context.createSSLEngine(hostname, port);
    engine.setUseClientMode(client);
    engine.setEnabledProtocols(PROTOCOLS);
    engine.setEnabledCipherSuites(SUITES);
    return engine;
  }

  /** A connection this node opened to {@code hostname} (the peer's canonical address) was established. */
  @Override
  public Option<Throwable> verifyClientSession(String hostname, SSLSession session) {
    return verify(session, Optional.of(hostname + ":" + session.getPeerPort()));
  }

  /** A peer connected to this node ({@code hostname} is this node's own bind address). */
  @Override
  public Option<Throwable> verifyServerSession(String hostname, SSLSession session) {
    return verify(session, Optional.empty());
  }

  private Option<Throwable> verify(SSLSession session, Optional<String> outboundTo) {
    X509Certificate cert;
    try {
      cert = (X509Certificate) session.getPeerCertificates()[0];
    } catch (SSLPeerUnverifiedException e) {
      return reject("a peer without a certificate", outboundTo, "no certificate");
    }
    String who = cert.getSubjectX500Principal().getName();
    Optional<NodeRole> role;
    try {
      role = NodeRole.of(cert);
    } catch (java.security.cert.CertificateParsingException e) {
      role = Optional.empty();
    }
    if (role.isEmpty()) {
      return reject(who, outboundTo, "its certificate names no Baton role");
    }
    NodeRole peer = role.get();
    if (!self.isMaster() && !peer.isMaster()) {
      return reject(who, outboundTo, "a worker talks to masters only, and this is a " + peer);
    }
    if (self.isMaster() && outboundTo.isPresent()) {
      Optional<String> expected = identities.get().verified(outboundTo.get(), peer.isMaster(), peer.id());
      if (expected.isPresent()) {
        return reject(who, outboundTo, "worker " + expected.get() + " registered at this address, but its "
            + "certificate is a " + peer + "'s");
      }
    }
    return Option.empty();
  }

  private Option<Throwable> reject(String who, Optional<String> outboundTo, String why) {
    String peer = who + outboundTo.map(a -> " at " + a).orElse(" (inbound)");
    logRejection(peer, why);
    return Option.apply(new SSLPeerUnverifiedException("refused " + peer + ": " + why));
  }

  private void logRejection(String peer, String why) {
    if (rejections.size() > 1000) {
      rejections.clear();
    }
    rejections.computeIfAbsent(peer, p -> new RejectionLog(Duration.ofSeconds(10))).admit(System.nanoTime())
        .ifPresent(left -> LOG.warn(
        "TLS ({}): refused {}: {} ({} more refused since the last of these lines)", self, peer, why, left));
  }

  /** The JDK's trust manager, logging the peers it refuses (a certificate of another CA, an expired one). */
  private final class LoggingTrustManager extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;

    LoggingTrustManager(X509ExtendedTrustManager delegate) {
      this.delegate = delegate;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
      try {
        delegate.checkClientTrusted(chain, authType, engine);
      } catch (CertificateException e) {
        throw logged(chain, "(inbound)", e);
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
      try {
        delegate.checkServerTrusted(chain, authType, engine);
      } catch (CertificateException e) {
        throw logged(chain, "at " + engine.getPeerHost() + ":" + engine.getPeerPort(), e);
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      delegate.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      delegate.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      delegate.checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return delegate.getAcceptedIssuers();
    }

    private CertificateException logged(X509Certificate[] chain, String where, CertificateException e) {
      String who = chain.length == 0 ? "a peer without a certificate" : chain[0].getSubjectX500Principal().getName();
      logRejection(who + " " + where, "not trusted: " + e.getMessage());
      return e;
    }
  }
}
