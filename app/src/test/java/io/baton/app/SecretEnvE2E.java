package io.baton.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task's secretEnv reaches its process, and its value appears in no REST answer, no CLI output and no line the
 * master or worker logs (the standalone process's whole output and every file under its data dir but task logs).
 */
class SecretEnvE2E {
  static final String SECRET = "hunter2-e2e-Secret";
  @TempDir Path dir;

  @Test
  void theSecretReachesTheTaskAndNothingElse() throws Exception {
    int rest = BatonProcess.freePort();
    String url = "http://127.0.0.1:" + rest;
    try (BatonProcess standalone = BatonProcess.start(dir, "standalone", "standalone", "--zk-port", "0",
        "--rest-port", String.valueOf(rest), "--data-dir", dir.resolve("data").toString())) {
      standalone.awaitOutput("Baton standalone is up", Duration.ofSeconds(60));
      Http http = new Http(url);
      http.awaitReady(Duration.ofSeconds(30));
      // the task proves it got the value without printing it, and without the value in its command: by its digest
      String id = http.submit("""
          {"name": "secret", "tasks": [
            {"id": "check", "command": ["/bin/sh", "-c",
              "test \\"$(printf %%s \\"$PASSWORD\\" | sha256sum | cut -c1-64)\\" = %s && echo matched"],
             "secretEnv": {"PASSWORD": "%s"}}
          ]}""".formatted(sha256(SECRET), SECRET));
      JsonNode job = http.awaitState(id, "SUCCEEDED", Duration.ofSeconds(30));
      assertEquals("***", job.path("tasks").get(0).path("secretEnv").path("PASSWORD").asText(), job.toString());
      assertEquals("matched\n", http.send("GET", "/api/v1/jobs/" + id + "/tasks/check/log", null).body());

      for (String path : new String[] {"/api/v1/jobs/" + id, "/api/v1/jobs", "/api/v1/jobs?name=secret"}) {
        String body = http.send("GET", path, null).body();
        assertFalse(body.contains(SECRET), path + ": " + body);
      }
      BatonProcess.Result cli = BatonProcess.run(dir, "job", "--url", url, id);
      assertEquals(0, cli.exitCode(), cli.output());
      assertFalse(cli.output().contains(SECRET), cli.output());
      assertFalse(standalone.output().contains(SECRET), "the master/worker output holds the secret");
      try (Stream<Path> files = Files.walk(dir.resolve("data"))) {
        for (Path f : files.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(".log")).toList()) {
          assertFalse(Files.readString(f).contains(SECRET), f + " holds the secret");
        }
      }
    }
  }

  private static String sha256(String text) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }
}
