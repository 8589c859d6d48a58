package io.baton.worker.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.protocol.AttemptKey;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class AttemptPathsTest {
  @Test
  void layoutFollowsTheKey() {
    AttemptPaths p = new AttemptPaths(Path.of("/data"));
    AttemptKey k = new AttemptKey("job-1", "extract", 2);
    assertEquals(Path.of("/data/work/job-1/extract/2"), p.workDir(k));
    assertEquals(Path.of("/data/logs/job-1/extract/2.log"), p.logFile(k));
  }

  @Test
  void idsCannotEscapeTheDataDir() {
    AttemptPaths p = new AttemptPaths(Path.of("/data"));
    for (String evil : new String[] {"..", ".", "../../etc", "a/b", "", "x\0y"}) {
      Path log = p.logFile(new AttemptKey(evil, evil, 1)).normalize();
      assertTrue(log.startsWith(Path.of("/data/logs")), evil + " -> " + log);
      assertEquals(5, log.getNameCount(), evil + " -> " + log);
    }
  }
}
