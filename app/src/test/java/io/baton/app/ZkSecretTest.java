package io.baton.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.ha.zookeeper.ZooKeeperSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The ZooKeeper secret: standalone's file, reading an operator's file, and a master's refusal to run open. */
class ZkSecretTest {
  @TempDir Path dir;

  private static Settings master(Map<String, String> env, String... args) {
    ServerCommands.Master master = new ServerCommands.Master();
    new CommandLine(master).parseArgs(args);
    return new Settings(master.options.load(Map.of(), env));
  }

  @Test
  void standaloneCreatesAnOwnerOnlySecretOnceAndKeepsIt() throws Exception {
    Path file = dir.resolve("data").resolve(ZkSecret.STANDALONE_FILE);
    String secret = ZkSecret.loadOrCreate(file);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertTrue(secret.matches("[A-Za-z0-9_-]{43}"), "256 random bits, base64url: " + secret);
    assertEquals(secret, ZkSecret.loadOrCreate(file), "a restart reuses the secret");
    assertEquals(secret, ZkSecret.read(file));
    assertEquals(List.of(ZkSecret.STANDALONE_FILE), Files.list(file.getParent()).map(p -> p.getFileName().toString())
        .toList(), "no temporary file left behind");
    assertNotEquals(secret, ZkSecret.loadOrCreate(dir.resolve("other").resolve(ZkSecret.STANDALONE_FILE)));
  }

  @Test
  void aMissingOrBlankSecretFileIsAnError() throws Exception {
    assertThrows(IllegalArgumentException.class, () -> ZkSecret.read(dir.resolve("absent")));
    Path blank = Files.writeString(dir.resolve("blank"), " \n");
    assertThrows(IllegalArgumentException.class, () -> ZkSecret.read(blank));
    Path file = Files.writeString(dir.resolve("secret"), "  s3cret\n");
    assertEquals("s3cret", ZkSecret.read(file));
  }

  @Test
  void aMasterTakesTheSecretFromItsFileOrTheEnvironmentButNotBoth() throws Exception {
    Path file = Files.writeString(dir.resolve("zk-secret"), "from-file\n");
    assertEquals(Optional.of("from-file"), master(Map.of(), "--zk-secret-file", file.toString()).zookeeperSecret());
    assertEquals(Optional.of("from-file"), master(Map.of("BATON_ZK_SECRET_FILE", file.toString())).zookeeperSecret());
    assertEquals(Optional.of("from-env"), master(Map.of("BATON_ZK_SECRET", "from-env")).zookeeperSecret());
    assertEquals(Optional.empty(), master(Map.of()).zookeeperSecret());
    assertThrows(IllegalArgumentException.class,
        () -> master(Map.of("BATON_ZK_SECRET", "x"), "--zk-secret-file", file.toString()).zookeeperSecret());
  }

  @Test
  void aMasterWithoutASecretRefusesToStartUnlessInsecure() throws Exception {
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> ServerCommands.masterZooKeeper(master(Map.of())));
    assertTrue(refused.getMessage().contains("--zk-secret-file") && refused.getMessage().contains("--insecure"),
        refused.getMessage());
    assertEquals(Optional.empty(), ServerCommands.masterZooKeeper(master(Map.of(), "--insecure")).secret());
    assertEquals(Optional.empty(), ServerCommands.masterZooKeeper(master(Map.of("BATON_INSECURE", "true"))).secret());
    ZooKeeperSettings secured = ServerCommands.masterZooKeeper(master(Map.of("BATON_ZK_SECRET", "s")));
    assertEquals(Optional.of("s"), secured.secret());
    assertFalse(secured.toString().contains("s]") || secured.toString().contains("=s,"), secured.toString());
  }
}
