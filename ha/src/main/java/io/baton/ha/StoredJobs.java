package io.baton.ha;

import io.baton.protocol.codec.JobCodec;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.Units;

/** Reads a stored job record and checks it belongs where it was found. Stateless. */
public final class StoredJobs {
  private StoredJobs() {}

  /**
   * The record stored under {@code name}, or IllegalArgumentException saying why it cannot be served: bytes that
   * do not decode (garbage, truncation, an unknown format version, lengths beyond the codec's bounds), or a record
   * that fails basic validation (its id is not {@code name}, a required field is missing).
   */
  public static JobRecord read(String name, byte[] bytes) {
    JobRecord job = JobCodec.decode(bytes);
    if (!name.equals(job.id())) {
      throw new IllegalArgumentException("record id '" + job.id() + "' does not match its name '" + name + "'");
    }
    if (job.spec() == null || job.state() == null || job.submittedAt() == null) {
      throw new IllegalArgumentException("record " + name + " lacks its spec, state or submission time");
    }
    Units.mismatch(job.spec(), job.tasks()).ifPresent(why -> {
      throw new IllegalArgumentException("record " + name + ": " + why);
    });
    return job;
  }
}
