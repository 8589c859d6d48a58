package io.baton.worker.execution;

import io.baton.protocol.AttemptKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * Where an attempt's files live under the worker's data dir: the working directory
 * {@code <dataDir>/work/<jobId>/<taskId>/<attempt>/}, the log {@code <dataDir>/logs/<jobId>/<taskId>/<attempt>.log}
 * and the run record {@code <dataDir>/running/<jobId>.<taskId>.<attempt>-<hash>.json} (see {@link RunRecords}; the
 * hash of the exact key keeps two keys that reduce to the same safe name apart). Ids are reduced to a safe file name (anything but letters, digits, '.', '_' and '-' becomes '_', and "." / ".."
 * are escaped), so a key can never point outside the data dir. Pure and thread-safe.
 */
public record AttemptPaths(Path dataDir) {

  public Path workDir(AttemptKey key) {
    return dataDir.resolve("work").resolve(safe(key.jobId())).resolve(safe(key.taskId())).resolve(Integer.toString(key.attempt()));
  }

  /**
   * The attempt's exchange directory, next to its working directory ({@code <attempt>.io/}): its result file
   * ({@code result}, {@code $BATON_RESULT}) and its inputs ({@code inputs/}, {@code $BATON_INPUTS}). Under
   * {@code work/<jobId>/}, it goes when the job's files go.
   */
  public Path ioDir(AttemptKey key) {
    return workDir(key).resolveSibling(key.attempt() + ".io");
  }

  public Path resultFile(AttemptKey key) {
    return ioDir(key).resolve("result");
  }

  public Path inputsDir(AttemptKey key) {
    return ioDir(key).resolve("inputs");
  }

  public Path logFile(AttemptKey key) {
    return dataDir.resolve("logs").resolve(safe(key.jobId())).resolve(safe(key.taskId())).resolve(key.attempt() + ".log");
  }

  public Path runRecordsDir() {
    return dataDir.resolve("running");
  }

  public Path runRecord(AttemptKey key) {
    return runRecordsDir().resolve(runRecordName(key));
  }

  static String runRecordName(AttemptKey key) {
    String exact = key.jobId() + '\0' + key.taskId() + '\0' + key.attempt();
    byte[] hash;
    try {
      hash = java.security.MessageDigest.getInstance("SHA-256").digest(exact.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return shorten(safe(key.jobId())) + '.' + shorten(safe(key.taskId())) + '.' + key.attempt() + '-'
        + HexFormat.of().formatHex(hash, 0, 8) + RunRecords.SUFFIX;
  }

  private static String shorten(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64);
  }

  private static final java.util.regex.Pattern UNSAFE = java.util.regex.Pattern.compile("[^A-Za-z0-9._-]");

  static String safe(String id) {
    if (id == null || id.isEmpty()) {
      return "_";
    }
    String s = UNSAFE.matcher(id).replaceAll("_");
    if (s.equals(".") || s.equals("..")) {
      return s.replace('.', '_');
    }
    return s;
  }
}
