package io.baton.worker.execution;

import io.baton.protocol.AttemptKey;
import java.nio.file.Path;

/**
 * Where an attempt's files live under the worker's data dir: the working directory
 * {@code <dataDir>/work/<jobId>/<taskId>/<attempt>/} and the log {@code <dataDir>/logs/<jobId>/<taskId>/<attempt>.log}.
 * Ids are reduced to a safe file name (anything but letters, digits, '.', '_' and '-' becomes '_', and "." / ".."
 * are escaped), so a key can never point outside the data dir. Pure and thread-safe.
 */
public record AttemptPaths(Path dataDir) {

  public Path workDir(AttemptKey key) {
    return dataDir.resolve("work").resolve(safe(key.jobId())).resolve(safe(key.taskId())).resolve(Integer.toString(key.attempt()));
  }

  public Path logFile(AttemptKey key) {
    return dataDir.resolve("logs").resolve(safe(key.jobId())).resolve(safe(key.taskId())).resolve(key.attempt() + ".log");
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
