package io.baton.client;

/** The server answered and refused: its problem+json detail, every validation error included. */
public final class ProblemException extends BatonException {
  private final Problem problem;

  public ProblemException(Problem problem) {
    super(problem.status() + " " + problem.title() + ": " + problem.detail(), null);
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }
}
