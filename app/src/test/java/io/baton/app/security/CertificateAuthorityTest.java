package io.baton.app.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SignatureException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateAuthorityTest {
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

  @TempDir Path dir;

  @Test
  void issuesNodeCertificatesWithHostsBothUsagesAndTheRoleSignedByTheCa() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("c1");
    X509Certificate caCert = ca.certificate();
    assertEquals(0, caCert.getBasicConstraints(), "a CA that signs node certificates only");
    caCert.verify(caCert.getPublicKey());

    CertificateAuthority.Issued w1 = ca.issue(NodeRole.worker("w1"), List.of("node-1.example", "10.1.2.3", "::1"),
        CertificateAuthority.NODE_VALIDITY);
    X509Certificate cert = w1.certificate();
    cert.verify(caCert.getPublicKey());
    cert.checkValidity();
    assertEquals(caCert.getSubjectX500Principal(), cert.getIssuerX500Principal());
    assertEquals(-1, cert.getBasicConstraints(), "not a CA");
    assertEquals("EdDSA", cert.getPublicKey().getAlgorithm(), "Ed25519: cheap handshakes while cold");
    assertEquals(Set.of(SERVER_AUTH, CLIENT_AUTH), Set.copyOf(cert.getExtendedKeyUsage()));
    Set<String> sans = cert.getSubjectAlternativeNames().stream().map(s -> s.get(0) + "=" + s.get(1))
        .collect(Collectors.toSet());
    assertEquals(Set.of("2=node-1.example", "7=10.1.2.3", "7=0:0:0:0:0:0:0:1", "6=baton:role:worker:w1"), sans);
    assertEquals(Optional.of(NodeRole.worker("w1")), NodeRole.of(cert));

    CertificateAuthority other = CertificateAuthority.create("c1");
    assertThrows(SignatureException.class, () -> cert.verify(other.certificate().getPublicKey()),
        "another CA (even of the same name) did not sign it");
  }

  @Test
  void writesOwnerOnlyStoresThatTheJdkLoadsAndACaThatLoadsBack() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("c1");
    ca.save(dir.resolve("ca"));
    CertificateAuthority loaded = CertificateAuthority.load(dir.resolve("ca"));
    assertEquals(ca.certificate(), loaded.certificate());

    Path m1 = dir.resolve("m1");
    loaded.writeNode(m1, NodeRole.master("m1"), List.of("127.0.0.1"));
    for (Path f : List.of(dir.resolve("ca/ca.p12"), dir.resolve("ca/password"), m1.resolve("node.p12"),
        m1.resolve("truststore.p12"), m1.resolve("password"))) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
    }
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(m1)));

    char[] password = Files.readString(m1.resolve("password")).strip().toCharArray();
    KeyStore node = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(m1.resolve("node.p12"))) {
      node.load(in, password);
    }
    X509Certificate cert = (X509Certificate) node.getCertificate("node");
    assertTrue(node.getKey("node", password) instanceof PrivateKey);
    cert.verify(ca.certificate().getPublicKey());
    assertEquals(NodeRole.master("m1"), ArteryTls.roleIn(m1));
    KeyStore trust = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(m1.resolve("truststore.p12"))) {
      trust.load(in, password);
    }
    assertEquals(ca.certificate(), trust.getCertificate("baton-ca"));
    assertEquals(1, trust.size(), "only the CA certificate, never a key");
  }

  @Test
  void rolesParseOnlyFromWellFormedUris() {
    assertEquals(Optional.of(NodeRole.master("m1")), NodeRole.parse("baton:role:master:m1"));
    assertEquals(Optional.of(NodeRole.worker("worker-1a.b")), NodeRole.parse("baton:role:worker:worker-1a.b"));
    assertEquals(Optional.empty(), NodeRole.parse("baton:role:admin:x"));
    assertEquals(Optional.empty(), NodeRole.parse("baton:role:worker"));
    assertThrows(IllegalArgumentException.class, () -> NodeRole.worker("a/b"));
    assertThrows(IllegalArgumentException.class, () -> NodeRole.worker(""));
  }
}
