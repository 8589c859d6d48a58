package io.baton.app;

import io.baton.worker.WorkerAgent;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM on a worker process: a drain ({@link WorkerAgent.Drain}) instead of the JVM's default (shutdown hooks,
 * exit 143, running attempts killed). The worker takes no new attempts, lets its running ones finish for the
 * drain timeout, hands the rest back, and then {@code exit} runs (the command then returns 0). A second SIGTERM
 * changes nothing; SIGINT and SIGKILL stop at once as before.
 *
 * <p>Threading: the signal handler runs on the JVM's signal thread and only sends a message; {@code exit} runs on
 * a thread of its own once the drain is over (or could not be asked).
 */
final class WorkerDrain {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerDrain.class);

  private WorkerDrain() {}

  static void onSigterm(ActorSystem<WorkerAgent.Command> worker, Duration deadline, Duration ackGrace, Runnable exit) {
    AtomicBoolean asked = new AtomicBoolean();
    Signal.handle(new Signal("TERM"), signal -> {
      if (!asked.compareAndSet(false, true)) {
        LOG.info("SIGTERM again: the worker is draining already (SIGINT or SIGKILL stop it at once)");
        return;
      }
      LOG.info("SIGTERM: draining (no new attempts; the running ones have {} s to finish)", deadline.toSeconds());
      // the agent answers after its deadline and at most ackGrace more; the margin covers the checks between
      Duration patience = deadline.plus(ackGrace).plusSeconds(30);
      AskPattern.<WorkerAgent.Command, WorkerAgent.Drained>ask(worker,
              replyTo -> new WorkerAgent.Drain(deadline, replyTo), patience, worker.scheduler())
          .whenComplete((drained, failure) -> {
            if (failure != null) {
              LOG.warn("the drain did not finish ({}); stopping now", failure.toString());
            } else {
              LOG.info("drained: {} attempts handed back, {} reports unacknowledged; exiting", drained.handedBack(),
                  drained.unacknowledged());
            }
            new Thread(exit, "baton-drained").start();   // it waits for the ActorSystem: not on its threads
          });
    });
  }

  /** {@code action}, run at most once whoever calls it. */
  static Runnable once(Runnable action) {
    AtomicBoolean done = new AtomicBoolean();
    return () -> {
      if (done.compareAndSet(false, true)) {
        action.run();
      }
    };
  }
}
