package io.baton.cli;

/** The client commands' exit codes (README "CLI exit codes"). */
public final class ExitCode {
  /** Done: the server accepted the request (with {@code --wait}: the job succeeded). */
  public static final int OK = 0;
  /** The server refused: a validation problem, an unknown job, a conflict, a missing token. */
  public static final int REFUSED = 1;
  /** Usage: an unknown option, a bad URL, a file that cannot be read. */
  public static final int USAGE = 2;
  /** No master could be reached, or no leader was elected within the election wait. */
  public static final int UNREACHABLE = 3;
  /** {@code submit --wait}: the job finished FAILED or CANCELLED. */
  public static final int JOB_FAILED = 4;

  private ExitCode() {}
}
