package io.baton.app.security;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The files of a node's TLS directory ({@code --tls-dir}): {@code node.p12} (its key and certificate chain, alias
 * {@value #NODE_ALIAS}), {@code truststore.p12} (the cluster CA's certificate) and {@code password} (of both
 * stores). A CA directory holds {@code ca.p12} (the CA key, alias {@value #CA_ALIAS}) and its {@code password}.
 * Every file is written owner-only (0600), every directory 0700.
 */
public final class TlsFiles {
  public static final String NODE_STORE = "node.p12";
  public static final String TRUST_STORE = "truststore.p12";
  public static final String CA_STORE = "ca.p12";
  public static final String PASSWORD = "password";
  static final String NODE_ALIAS = "node";
  static final String CA_ALIAS = "ca";
  static final String TRUSTED_CA_ALIAS = "baton-ca";

  private TlsFiles() {}

  static char[] newPassword() {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b).toCharArray();
  }

  static char[] readPassword(Path dir) throws IOException {
    return Files.readString(dir.resolve(PASSWORD), StandardCharsets.UTF_8).strip().toCharArray();
  }

  static KeyStore load(Path file, char[] password) throws IOException, GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      ks.load(in, password);
    }
    return ks;
  }

  static void store(KeyStore ks, Path file, char[] password) throws IOException, GeneralSecurityException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ks.store(out, password);
    writePrivate(file, out.toByteArray());
  }

  static void createPrivateDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    if (posix(dir)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } else {
      Files.createDirectories(dir);
    }
  }

  /** Writes {@code bytes} to a file only its owner can read or write, replacing any file there. */
  static void writePrivate(Path file, byte[] bytes) throws IOException {
    Files.deleteIfExists(file);
    if (posix(file)) {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.createFile(file);
    }
    Files.write(file, bytes, StandardOpenOption.TRUNCATE_EXISTING);
  }

  static void writePassword(Path dir, char[] password) throws IOException {
    writePrivate(dir.resolve(PASSWORD), (new String(password) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private static boolean posix(Path p) {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }
}
