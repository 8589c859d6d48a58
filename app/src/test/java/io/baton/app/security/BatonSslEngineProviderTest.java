package io.baton.app.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.scheduler.model.ClusterBook;
import io.baton.scheduler.resourcemanager.WorkerIdentities;
import java.nio.file.Path;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provider's role checks, on real JDK engines handshaking in memory: the client engine is what a node uses
 * when it connects out, the server engine what the node it connects to uses.
 */
class BatonSslEngineProviderTest {
  private static final String HOST = "127.0.0.1";
  private static final int PORT = 25601;

  @TempDir Path dir;
  private CertificateAuthority ca;
  private final WorkerIdentities masterIdentities = new WorkerIdentities();

  @BeforeEach
  void ca() throws Exception {
    ca = CertificateAuthority.create("c1");
  }

  private BatonSslEngineProvider node(CertificateAuthority by, NodeRole role) throws Exception {
    Path nodeDir = dir.resolve(role.id() + "-" + System.identityHashCode(by));
    by.writeNode(nodeDir, role, List.of(HOST));
    return BatonSslEngineProvider.load(nodeDir, () -> masterIdentities);
  }

  /** Connects {@code client} to {@code server}: both verifications' verdicts (null = accepted). */
  private static Verdicts connect(BatonSslEngineProvider client, BatonSslEngineProvider server) throws SSLException {
    SSLEngine c = client.createClientSSLEngine(HOST, PORT);
    SSLEngine s = server.createServerSSLEngine(HOST, PORT);
    handshake(c, s);
    return new Verdicts(client.verifyClientSession(HOST, c.getSession()).getOrElse(() -> null),
        server.verifyServerSession(HOST, s.getSession()).getOrElse(() -> null));
  }

  private record Verdicts(Throwable client, Throwable server) {
    boolean bothAccept() {
      return client == null && server == null;
    }
  }

  @Test
  void mastersAndWorkersTalkBothWays() throws Exception {
    BatonSslEngineProvider m1 = node(ca, NodeRole.master("m1"));
    BatonSslEngineProvider m2 = node(ca, NodeRole.master("m2"));
    BatonSslEngineProvider w1 = node(ca, NodeRole.worker("w1"));
    assertTrue(connect(m1, w1).bothAccept(), "the leader commands a worker");
    assertTrue(connect(w1, m1).bothAccept(), "a worker reports to a master");
    assertTrue(connect(m1, m2).bothAccept(), "masters talk to masters");
  }

  @Test
  void aWorkerAcceptsNoOtherWorkerSoNoWorkerCertificateCanActAsAMaster() throws Exception {
    BatonSslEngineProvider w1 = node(ca, NodeRole.worker("w1"));
    BatonSslEngineProvider w2 = node(ca, NodeRole.worker("w2"));
    Verdicts v = connect(w2, w1);
    assertTrue(v.server() != null, "w1 refuses a worker dialling in");
    assertTrue(v.server().getMessage().contains("worker w2"), v.server().getMessage());
    assertTrue(v.client() != null, "and w2 refuses to talk to a worker itself");
  }

  @Test
  void aCertificateOfAnotherCaOrNoneFailsTheHandshake() throws Exception {
    BatonSslEngineProvider w1 = node(ca, NodeRole.worker("w1"));
    BatonSslEngineProvider m1 = node(ca, NodeRole.master("m1"));
    CertificateAuthority foreign = CertificateAuthority.create("c1");
    BatonSslEngineProvider rogueMaster = node(foreign, NodeRole.master("m1"));
    assertThrows(SSLException.class, () -> connect(rogueMaster, w1), "a master of another CA");
    assertThrows(SSLException.class, () -> connect(m1, rogueMaster), "a worker address answered by another CA");

    // a client with no certificate at all (it trusts the cluster CA, so only the server can refuse)
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca.certificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext anonymous = SSLContext.getInstance("TLSv1.3");
    anonymous.init(null, tmf.getTrustManagers(), null);
    SSLEngine c = anonymous.createSSLEngine(HOST, PORT);
    c.setUseClientMode(true);
    assertThrows(SSLException.class, () -> handshake(c, w1.createServerSSLEngine(HOST, PORT)));
  }

  @Test
  void theLeaderTalksToARegisteredWorkerAddressOnlyIfItsCertificateNamesThatWorker() throws Exception {
    BatonSslEngineProvider m1 = node(ca, NodeRole.master("m1"));
    BatonSslEngineProvider w1 = node(ca, NodeRole.worker("w1"));
    BatonSslEngineProvider w2 = node(ca, NodeRole.worker("w2"));
    String address = HOST + ":" + PORT;
    // the leader registered w1 at this address before any connection there was verified
    assertEquals(ClusterBook.IdProof.UNPROVEN, masterIdentities.claim(address, "w1"));
    Verdicts hijack = connect(m1, w2);         // but w2's certificate answers there
    assertTrue(hijack.client() != null, "the leader refuses to talk to w2 as w1");
    assertTrue(hijack.client().getMessage().contains("worker w1 registered at this address"),
        hijack.client().getMessage());
    assertEquals(ClusterBook.IdProof.CONFLICT, masterIdentities.claim(address, "w1"), "w2's certificate was seen there");
    assertEquals(ClusterBook.IdProof.CERTIFIED, masterIdentities.claim(address, "w2"), "w2 registering there is w2");
    assertTrue(connect(m1, w2).bothAccept(), "and is then talked to");

    String other = HOST + ":" + (PORT + 1);
    assertEquals(ClusterBook.IdProof.UNPROVEN, masterIdentities.claim(other, "w1"));
    assertEquals(ClusterBook.IdProof.UNPROVEN, masterIdentities.claim(other, "w9"), "the newest claim holds it");
    BatonSslEngineProvider m2 = node(ca, NodeRole.master("m2"));
    SSLEngine c = m1.createClientSSLEngine(HOST, PORT + 1);
    SSLEngine s = m2.createServerSSLEngine(HOST, PORT + 1);
    handshake(c, s);
    assertTrue(m1.verifyClientSession(HOST, c.getSession()).isDefined(), "nor is a master certificate a registered worker");
  }

  static void handshake(SSLEngine client, SSLEngine server) throws SSLException {
    InMemoryHandshake.run(client, server);
  }

  @Test
  void aCaMadeWithAP256KeyBeforeEd25519StillIssuesCertificatesThatConnect() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair key = g.generateKeyPair();
    X500Name name = new X500Name("CN=baton-ca-old,O=Baton");
    X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name,
        BigInteger.ONE, new Date(System.currentTimeMillis() - 60_000), new Date(System.currentTimeMillis() + 86_400_000L),
        name, key.getPublic()).addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
    Path caDir = dir.resolve("old-ca");
    TlsFiles.createPrivateDirectory(caDir);
    char[] password = TlsFiles.newPassword();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry(TlsFiles.CA_ALIAS, key.getPrivate(), password, new Certificate[] {cert});
    TlsFiles.store(ks, caDir.resolve(TlsFiles.CA_STORE), password);
    TlsFiles.writePassword(caDir, password);

    CertificateAuthority old = CertificateAuthority.load(caDir);
    assertTrue(connect(node(old, NodeRole.master("m1")), node(old, NodeRole.worker("w1"))).bothAccept());
  }

  @Test
  void warmsUpItsHandshakeInMemory() throws Exception {
    assertTrue(node(ca, NodeRole.worker("w1")).warmUp(3) > 0);
  }
}
