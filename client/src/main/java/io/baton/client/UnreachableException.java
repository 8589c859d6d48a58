package io.baton.client;

/**
 * No master answered, or none could lead the request to the end: connection refused, unknown host, no answer in
 * time, or (see {@link NoLeaderException}) an election that did not finish within the client's election wait.
 */
public class UnreachableException extends BatonException {
  public UnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
