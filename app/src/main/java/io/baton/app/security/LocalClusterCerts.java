package io.baton.app.security;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;

/**
 * Certificates for a cluster whose processes this program starts on this machine (the chaos test, the
 * failover benchmark, end-to-end tests): a CA in {@code <dir>/ca}, made on first use, and a node directory
 * {@code <dir>/<name>} per master or worker, made the first time it is asked for and reused on restarts. The
 * layout {@code baton certs} writes; a standalone's {@code <data-dir>/tls} has it too, so a worker can join one.
 * Thread-safe.
 */
public final class LocalClusterCerts {
  private static final List<String> LOOPBACK = List.of("127.0.0.1", "localhost");
  private final Path dir;
  private CertificateAuthority ca;

  public LocalClusterCerts(Path dir) {
    this.dir = dir;
  }

  /** The TLS directory of master {@code name}. */
  public synchronized Path master(String name) throws IOException {
    return node(NodeRole.master(name));
  }

  /** The TLS directory of worker {@code id}. */
  public synchronized Path worker(String id) throws IOException {
    return node(NodeRole.worker(id));
  }

  private Path node(NodeRole role) throws IOException {
    Path nodeDir = dir.resolve(role.id());
    try {
      if (ArteryTls.isNodeDirectory(nodeDir) && ArteryTls.roleIn(nodeDir).equals(role)) {
        return nodeDir;
      }
      authority().writeNode(nodeDir, role, LOOPBACK);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot make the certificate of " + role + " in " + nodeDir, e);
    }
    return nodeDir;
  }

  private CertificateAuthority authority() throws IOException, GeneralSecurityException {
    if (ca == null) {
      Path caDir = dir.resolve("ca");
      if (CertificateAuthority.existsIn(caDir)) {
        ca = CertificateAuthority.load(caDir);
      } else {
        ca = CertificateAuthority.create("local");
        ca.save(caDir);
      }
    }
    return ca;
  }
}
