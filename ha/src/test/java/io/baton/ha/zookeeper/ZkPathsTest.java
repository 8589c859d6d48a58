package io.baton.ha.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ZkPathsTest {
  @Test
  void layoutIsRootedAtTheClusterId() {
    ZkPaths paths = new ZkPaths("prod");
    assertEquals("/baton/prod", paths.root());
    assertEquals("/baton/prod/leaderlatch", paths.leaderLatch());
    assertEquals("/baton/prod/leader", paths.leader());
    assertEquals("/baton/prod/epoch", paths.epoch());
    assertEquals("/baton/prod/jobs", paths.jobs());
    assertEquals("/baton/prod/jobs/" + ZkPaths.bucketOf("job-1") + "/job-1", paths.job("job-1"));
  }

  @Test
  void bucketIsStableTwoLowercaseHexChars() {
    // CRC-32("job-1") = 0x5ab1e7e0 would give "e0"; pin the real value so a change of hash is noticed
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update("abc".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertEquals(0x352441c2L, crc.getValue());
    assertEquals("c2", ZkPaths.bucketOf("abc"));
    for (int i = 0; i < 1000; i++) {
      String b = ZkPaths.bucketOf(UUID.randomUUID().toString());
      assertTrue(b.matches("[0-9a-f]{2}"), b);
    }
  }

  @Test
  void bucketsSpreadJobs() {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 25_600; i++) {
      counts.merge(ZkPaths.bucketOf("job-" + i), 1, Integer::sum);
    }
    assertEquals(256, counts.size());
    assertTrue(counts.values().stream().allMatch(c -> c < 200), counts.toString());
  }

  @Test
  void rejectsIdsThatAreNotZnodeNames() {
    assertThrows(IllegalArgumentException.class, () -> new ZkPaths("a/b"));
    assertThrows(IllegalArgumentException.class, () -> new ZkPaths(""));
    assertThrows(IllegalArgumentException.class, () -> ZkPaths.bucketOf("x/y"));
    assertThrows(IllegalArgumentException.class, () -> ZkPaths.bucketOf(".."));
  }
}
