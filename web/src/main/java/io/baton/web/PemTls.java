package io.baton.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Builds the REST server's TLS context from PEM files: a certificate chain (leaf first) and an unencrypted PKCS#8
 * private key ({@code -----BEGIN PRIVATE KEY-----}, EC or RSA; {@code openssl pkcs8 -topk8 -nocrypt} converts
 * others). TLS 1.3 and 1.2 only. Stateless.
 */
final class PemTls {
  private static final Pattern KEY = Pattern.compile(
      "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
  private static final char[] NO_PASSWORD = new char[0];
  static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private PemTls() {}

  static SSLContext serverContext(Path certPem, Path keyPem) {
    try {
      List<? extends Certificate> chain;
      try (var in = Files.newInputStream(certPem)) {
        chain = List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
      }
      if (chain.isEmpty()) {
        throw new IllegalArgumentException(certPem + " holds no PEM certificate");
      }
      PrivateKey key = privateKey(Files.readString(keyPem, StandardCharsets.US_ASCII), keyPem);
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("rest", key, NO_PASSWORD, chain.toArray(new Certificate[0]));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(store, NO_PASSWORD);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), null, new SecureRandom());
      return context;
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the REST TLS files: " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot use the REST TLS certificate and key: " + e.getMessage(), e);
    }
  }

  private static PrivateKey privateKey(String pem, Path file) throws GeneralSecurityException {
    Matcher m = KEY.matcher(pem);
    if (!m.find()) {
      throw new IllegalArgumentException(file + " holds no '-----BEGIN PRIVATE KEY-----' (unencrypted PKCS#8) key");
    }
    byte[] der = Base64.getMimeDecoder().decode(m.group(1));
    for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (InvalidKeySpecException wrongAlgorithm) {
        // try the next
      }
    }
    throw new IllegalArgumentException(file + " holds a key that is neither EC, RSA nor Ed25519");
  }
}
