/**
 * Artery's mutual TLS and the cluster's certificates.
 *
 * <pre>
 *   baton certs / LocalClusterCerts / standalone
 *        │  CertificateAuthority (BouncyCastle builds X.509; JDK keys, PKCS12 stores, files 0600)
 *        ▼
 *   &lt;tls-dir&gt;: node.p12 + truststore.p12 + password ──▶ ArteryTls.setup ──▶ ActorSystem (transport tls-tcp)
 *                                                                   │ SSLEngineProviderSetup
 *                                                                   ▼
 *                        BatonSslEngineProvider: TLS 1.3, client auth required, NodeRole checks per connection
 *                                   │ outbound (masters): verified(address, cert)   ▲ claim(address, id)
 *                                   ▼                                             │
 *                        WorkerIdentities (scheduler; one per ActorSystem) ◀── ResourceManager (registrations)
 * </pre>
 *
 * <p>A certificate's role is its URI SAN {@code baton:role:master:<name>} or {@code baton:role:worker:<id>}
 * ({@link io.baton.app.security.NodeRole}). Workers accept masters only; masters accept masters and workers, and
 * talk to a registered worker's address only if the certificate there names that worker. Actors never see
 * certificates: whatever must be tied to one is enforced here, on the connection.
 */
package io.baton.app.security;
