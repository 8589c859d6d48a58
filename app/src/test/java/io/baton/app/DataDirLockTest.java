package io.baton.app;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirLockTest {
  @TempDir Path dir;

  @Test
  void aSecondWorkerOnTheSameDirectoryIsRefusedUntilTheFirstLetsGo() throws Exception {
    DataDirLock first = DataDirLock.acquire(dir);
    IllegalStateException refused = assertThrows(IllegalStateException.class, () -> DataDirLock.acquire(dir));
    assertTrue(refused.getMessage().contains("own --data-dir"), refused.getMessage());
    first.close();
    DataDirLock.acquire(dir).close();
  }
}
