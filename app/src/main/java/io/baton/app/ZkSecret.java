package io.baton.app;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's ZooKeeper digest secret (the password of digest user {@code baton}): read from a file given by
 * the operator, or created once in standalone's data directory. Not thread-safe against another process
 * creating the same file at the same moment (standalone holds its data directory).
 */
final class ZkSecret {
  /** Standalone's secret, in its data directory. */
  static final String STANDALONE_FILE = "zookeeper-secret";
  private static final Logger LOG = LoggerFactory.getLogger(ZkSecret.class);
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  private static final SecureRandom RANDOM = new SecureRandom();

  private ZkSecret() {}

  /**
   * The secret in {@code file}: its content without surrounding white space. Fails when the file is missing or
   * blank; warns when other users may read it.
   */
  static String read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("ZooKeeper secret file " + file + " does not exist");
    }
    String secret = Files.readString(file).strip();
    if (secret.isEmpty()) {
      throw new IllegalArgumentException("ZooKeeper secret file " + file + " is empty");
    }
    if (posix() && !OWNER_ONLY.containsAll(Files.getPosixFilePermissions(file))) {
      LOG.warn("ZooKeeper secret file {} can be read by other users ({}); chmod 600 it", file,
          PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }
    return secret;
  }

  /**
   * The secret in {@code file}, created first if absent: 256 random bits, base64url, written to a file of mode
   * 0600 (where the file system has POSIX permissions) and then moved into place, so a crash never leaves an
   * empty or half-written secret behind.
   */
  static String loadOrCreate(Path file) throws IOException {
    if (Files.exists(file)) {
      return read(file);
    }
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    byte[] bits = new byte[32];
    RANDOM.nextBytes(bits);
    String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
    FileAttribute<?>[] ownerOnly = posix()
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)} : new FileAttribute<?>[0];
    Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp", ownerOnly);
    try {
      Files.writeString(tmp, secret + "\n");
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    LOG.info("created the cluster's ZooKeeper secret in {}", file);
    return secret;
  }

  private static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }
}
