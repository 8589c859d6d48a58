package io.baton.app.security;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A cluster's certificate authority: an Ed25519 key and a self-signed CA certificate, and the node certificates
 * it issues (Ed25519, SAN DNS/IP names of the node's hosts, EKU serverAuth + clientAuth, the {@link NodeRole}
 * URI). BouncyCastle builds the certificates only; keys, key stores and TLS use the JDK's providers.
 *
 * <p>Ed25519 rather than EC P-256 because the JDK's P-256 is slow while cold: a standby's first handshakes come
 * at a failover, and a cold mutual P-256 handshake cost about 140 ms (then 20–30 ms for the next ten) against
 * 15–25 ms (then 3–5 ms) with Ed25519 (BENCHMARKS "Failover"). A CA made earlier with a P-256 key still loads and
 * signs (its signature algorithm follows its key).
 */
public final class CertificateAuthority {
  public static final Duration CA_VALIDITY = Duration.ofDays(3650);
  public static final Duration NODE_VALIDITY = Duration.ofDays(825);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final PrivateKey key;
  private final X509Certificate certificate;

  private CertificateAuthority(PrivateKey key, X509Certificate certificate) {
    this.key = key;
    this.certificate = certificate;
  }

  /** A new CA for cluster {@code clusterId}. */
  public static CertificateAuthority create(String clusterId) throws GeneralSecurityException {
    KeyPair pair = newKeyPair();
    X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, "baton-ca-" + clusterId)
        .addRDN(BCStyle.O, "Baton").build();
    Instant now = Instant.now();
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minusSeconds(300)),
          Date.from(now.plus(CA_VALIDITY)), name, pair.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
      return new CertificateAuthority(pair.getPrivate(), sign(b, pair.getPrivate()));
    } catch (CertIOException e) {
      throw new GeneralSecurityException(e);
    }
  }

  /** The CA in {@code caDir} ({@link TlsFiles#CA_STORE} and its password). */
  public static CertificateAuthority load(Path caDir) throws IOException, GeneralSecurityException {
    char[] password = TlsFiles.readPassword(caDir);
    KeyStore ks = TlsFiles.load(caDir.resolve(TlsFiles.CA_STORE), password);
    return new CertificateAuthority((PrivateKey) ks.getKey(TlsFiles.CA_ALIAS, password),
        (X509Certificate) ks.getCertificate(TlsFiles.CA_ALIAS));
  }

  public static boolean existsIn(Path caDir) {
    return Files.exists(caDir.resolve(TlsFiles.CA_STORE)) && Files.exists(caDir.resolve(TlsFiles.PASSWORD));
  }

  /** Writes the CA's key and certificate to {@code caDir} (0700), owner-only. */
  public void save(Path caDir) throws IOException, GeneralSecurityException {
    TlsFiles.createPrivateDirectory(caDir);
    char[] password = TlsFiles.newPassword();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry(TlsFiles.CA_ALIAS, key, password, new Certificate[] {certificate});
    TlsFiles.store(ks, caDir.resolve(TlsFiles.CA_STORE), password);
    TlsFiles.writePassword(caDir, password);
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /** A node key and certificate for {@code role}, valid for the given host names and IP addresses. */
  public Issued issue(NodeRole role, List<String> hosts, Duration validity) throws GeneralSecurityException {
    KeyPair pair = newKeyPair();
    List<GeneralName> names = new ArrayList<>();
    for (String host : hosts) {
      names.add(isIpAddress(host) ? new GeneralName(GeneralName.iPAddress, host) : new GeneralName(GeneralName.dNSName, host));
    }
    names.add(new GeneralName(GeneralName.uniformResourceIdentifier, role.uri()));
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, role.id())
        .addRDN(BCStyle.OU, role.kind().name().toLowerCase(Locale.ROOT)).addRDN(BCStyle.O, "Baton").build();
    Instant now = Instant.now();
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate, serial(),
          Date.from(now.minusSeconds(300)), Date.from(now.plus(validity)), subject, pair.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(Extension.extendedKeyUsage, false,
              new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
          .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()))
          .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
      return new Issued(pair.getPrivate(), sign(b, key), certificate);
    } catch (CertIOException e) {
      throw new GeneralSecurityException(e);
    }
  }

  /**
   * Issues a certificate for {@code role} and writes a node TLS directory ({@link TlsFiles}): {@code node.p12},
   * {@code truststore.p12} with this CA, and their password, all owner-only.
   */
  public void writeNode(Path nodeDir, NodeRole role, List<String> hosts) throws IOException, GeneralSecurityException {
    Issued issued = issue(role, hosts, NODE_VALIDITY);
    TlsFiles.createPrivateDirectory(nodeDir);
    char[] password = TlsFiles.newPassword();
    KeyStore node = KeyStore.getInstance("PKCS12");
    node.load(null, null);
    node.setKeyEntry(TlsFiles.NODE_ALIAS, issued.key(), password, new Certificate[] {issued.certificate(), certificate});
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry(TlsFiles.TRUSTED_CA_ALIAS, certificate);
    TlsFiles.store(node, nodeDir.resolve(TlsFiles.NODE_STORE), password);
    TlsFiles.store(trust, nodeDir.resolve(TlsFiles.TRUST_STORE), password);
    TlsFiles.writePassword(nodeDir, password);
  }

  /** A node's key and certificate, and the CA certificate that signed it. */
  public record Issued(PrivateKey key, X509Certificate certificate, X509Certificate ca) {}

  private static KeyPair newKeyPair() throws GeneralSecurityException {
    return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(signatureOf(signer)).build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static String signatureOf(PrivateKey signer) {
    return signer.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "Ed25519";
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  static boolean isIpAddress(String host) {
    if (host.contains(":")) {
      return true;
    }
    if (!host.matches("[0-9.]+")) {
      return false;
    }
    try {
      InetAddress.getByName(host);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
