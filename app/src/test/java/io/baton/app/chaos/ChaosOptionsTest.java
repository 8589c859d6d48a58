package io.baton.app.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** A bad range for {@code baton chaos} is a usage error (exit 2, one line naming the option) before anything starts. */
class ChaosOptionsTest {
  private final StringWriter err = new StringWriter();

  private int chaos(String... args) {
    CommandLine cli = new CommandLine(new ChaosCommand());
    cli.setOut(new PrintWriter(new StringWriter(), true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void aFaultGapThatIsNotARangeOfSecondsIsAUsageError() {
    for (String bad : new String[] {"x", "5-2", "-1", "1-2-3", "2-"}) {
      err.getBuffer().setLength(0);
      assertEquals(2, chaos("--fault-gap", bad), bad);
      assertTrue(err.toString().startsWith("--fault-gap takes a range of seconds like 2-5 (MIN-MAX, MIN <= MAX, or "
          + "one number), not '" + bad + "'"), err.toString());
    }
  }

  @Test
  void aLongSecondsRangeIsCheckedTheSameWay() {
    assertEquals(2, chaos("--long-seconds", "ten"));
    assertTrue(err.toString().startsWith("--long-seconds takes a range of seconds"), err.toString());
  }
}
