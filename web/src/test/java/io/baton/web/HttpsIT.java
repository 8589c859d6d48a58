package io.baton.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With a PEM certificate and key the REST server speaks HTTPS only, and the session cookie is Secure. */
class HttpsIT extends RestTestSupport {
  static final String TOKEN = "https-token";
  @TempDir
  static Path dir;
  static X509Certificate cert;

  @BeforeAll
  static void selfSignedCertificate() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair pair = g.generateKeyPair();
    X500Name name = new X500Name("CN=localhost,O=Baton test");
    Instant now = Instant.now();
    cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name, BigInteger.TEN,
        Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(1))), name, pair.getPublic())
        .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}))
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
    Files.writeString(dir.resolve("rest.crt"), pem("CERTIFICATE", cert.getEncoded()), StandardCharsets.US_ASCII);
    Files.writeString(dir.resolve("rest.key"), pem("PRIVATE KEY", pair.getPrivate().getEncoded()),
        StandardCharsets.US_ASCII);
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der) + "\n-----END " + type + "-----\n";
  }

  @Override
  RestSettings settings() {
    return new RestSettings("127.0.0.1", 0, Optional.of(TOKEN), 1024 * 1024, Duration.ofSeconds(5))
        .withTls(dir.resolve("rest.crt"), dir.resolve("rest.key"));
  }

  private static HttpClient trusting() throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("rest", cert);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
  }

  @Test
  void servesHttpsWithTheGivenCertificateAndNoPlainHttp() throws Exception {
    HttpClient https = trusting();
    String base = "https://127.0.0.1:" + server.port();
    HttpResponse<String> health = https.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, health.statusCode(), health.body());
    assertEquals(200, https.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/jobs"))
        .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString()).statusCode());

    HttpResponse<String> session = https.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/session"))
        .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(204, session.statusCode());
    assertTrue(session.headers().firstValue("Set-Cookie").orElse("").contains("; Secure"), session.headers().toString());

    // plain HTTP on the same port gets no HTTP answer
    assertThrows(IOException.class, () -> HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
        .send(HttpRequest.newBuilder(uri("/healthz")).timeout(Duration.ofSeconds(3)).build(),
            HttpResponse.BodyHandlers.ofString()));
  }

  @Test
  void aCertificateWithoutAKeyIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new RestSettings("127.0.0.1", 0, Optional.empty(), 1, Duration
        .ofSeconds(1), Optional.empty(), 1, 1, Duration.ofSeconds(1), Optional.of(dir.resolve("rest.crt")),
        Optional.empty()));
    assertThrows(IllegalArgumentException.class,
        () -> PemTls.serverContext(dir.resolve("rest.crt"), dir.resolve("rest.crt")));
  }
}
