package io.baton.client;

/** Every failure {@link BatonClient} reports: the server refused ({@link ProblemException}) or could not be reached. */
public abstract class BatonException extends RuntimeException {
  BatonException(String message, Throwable cause) {
    super(message, cause);
  }
}
