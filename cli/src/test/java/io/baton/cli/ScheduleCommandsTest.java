package io.baton.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The schedule commands against a canned HTTP server on loopback: what they send (method, path, body) and what they
 * print. The REST side itself is tested in web's SchedulesRoutesTest.
 */
class ScheduleCommandsTest {
  @TempDir Path dir;
  private HttpServer server;
  private final List<String> requests = new ArrayList<>();
  private final Map<String, String[]> answers = new ConcurrentHashMap<>(); // "METHOD path" -> {status, body}
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      String key = exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath();
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      synchronized (requests) {
        requests.add(key + (body.isEmpty() ? "" : " " + body));
      }
      String[] answer = answers.getOrDefault(key, new String[] {"404",
          "{\"type\":\"t\",\"title\":\"Not found\",\"status\":404,\"detail\":\"no schedule named 'x'\"}"});
      int status = Integer.parseInt(answer[0]);
      exchange.getResponseHeaders().add("Content-Type", status >= 400 ? "application/problem+json" : "application/json");
      byte[] bytes = answer[1].getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private void answer(String request, int status, String body) {
    answers.put(request, new String[] {String.valueOf(status), body.replace('\'', '"')});
  }

  private int baton(String... args) {
    CommandLine cli = CliMain.commandLine(new CliMain());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--url";
    all[args.length + 1] = "http://127.0.0.1:" + server.getAddress().getPort();
    return cli.execute(all);
  }

  private String out() {
    return out.toString();
  }

  private String err() {
    return err.toString();
  }

  @Test
  void schedulesPrintsATable() {
    answer("GET /api/v1/schedules", 200, "{'schedules': ["
        + "{'name': 'every-minute', 'cron': '* * * * *', 'timezone': 'UTC', 'paused': false,"
        + " 'nextFires': ['2026-03-01T10:01:00Z'], 'lastFires': [{'id': 'every-minute@2026-03-01T10:00:00Z',"
        + " 'scheduledAt': '2026-03-01T10:00:00Z', 'jobId': 'job-000007', 'state': 'SUCCEEDED'}]},"
        + "{'name': 'nightly', 'cron': '0 2 * * *', 'timezone': 'Europe/Berlin', 'paused': true,"
        + " 'nextFires': [], 'lastFires': []}]}");
    assertEquals(0, baton("schedules"), err());
    List<String> lines = out().lines().toList();
    assertEquals(3, lines.size(), out());
    assertEquals(List.of("NAME", "CRON", "TZ", "PAUSED", "NEXT", "FIRE", "LAST", "FIRE", "->", "JOB", "STATE"),
        List.of(lines.get(0).trim().split("\\s+")));
    assertEquals(List.of("every-minute", "*", "*", "*", "*", "*", "UTC", "no", "2026-03-01T10:01:00Z",
        "2026-03-01T10:00:00Z", "->", "job-000007", "SUCCEEDED"), List.of(lines.get(1).trim().split("\\s+")));
    assertEquals(List.of("nightly", "0", "2", "*", "*", "*", "Europe/Berlin", "yes", "-", "-"),
        List.of(lines.get(2).trim().split("\\s+")));
  }

  @Test
  void createPostsTheFileAndReplacePutsItUnderItsName() throws Exception {
    Path file = dir.resolve("s.json");
    String json = "{\"name\": \"nightly\", \"cron\": \"0 2 * * *\", \"job\": {}}";
    Files.writeString(file, json);
    answer("POST /api/v1/schedules", 201, "{'name': 'nightly'}");
    answer("PUT /api/v1/schedules/nightly", 200, "{'name': 'nightly'}");
    assertEquals(0, baton("schedule", "create", "-f", file.toString()), err());
    assertEquals(0, baton("schedule", "replace", "-f", file.toString()), err());
    assertEquals(List.of("POST /api/v1/schedules " + json, "PUT /api/v1/schedules/nightly " + json), requests);
    assertTrue(out().contains("\"name\" : \"nightly\""), out());
  }

  @Test
  void replaceNeedsANameInTheFile() throws Exception {
    Path file = dir.resolve("s.json");
    Files.writeString(file, "{\"cron\": \"0 2 * * *\"}");
    assertEquals(2, baton("schedule", "replace", "-f", file.toString()));
    assertTrue(err().contains("names no schedule"), err());
    assertEquals(List.of(), requests);
  }

  @Test
  void aMissingFileIsOneLine() {
    assertEquals(2, baton("schedule", "create", "-f", dir.resolve("nope.json").toString()));
    assertEquals("baton: no such file: " + dir.resolve("nope.json") + "\n", err());
  }

  @Test
  void pauseResumeTriggerDeleteAndShow() {
    answer("POST /api/v1/schedules/nightly/pause", 200, "{'name': 'nightly', 'paused': true}");
    answer("POST /api/v1/schedules/nightly/resume", 200, "{'name': 'nightly', 'nextFires': ['2026-03-02T01:00:00Z']}");
    answer("POST /api/v1/schedules/nightly/trigger", 202, "{'jobId': 'job-000042'}");
    answer("DELETE /api/v1/schedules/nightly", 204, "");
    answer("GET /api/v1/schedules/nightly", 200, "{'name': 'nightly'}");
    assertEquals(0, baton("schedule", "pause", "nightly"), err());
    assertEquals(0, baton("schedule", "resume", "nightly"), err());
    assertEquals(0, baton("schedule", "trigger", "nightly"), err());
    assertEquals(0, baton("schedule", "delete", "nightly"), err());
    assertEquals(String.join("\n", "paused nightly", "resumed nightly; next fire 2026-03-02T01:00:00Z",
        "job-000042", "deleted schedule nightly") + "\n", out());
    out.getBuffer().setLength(0);
    assertEquals(0, baton("schedule", "show", "nightly"), err());
    assertTrue(out().contains("\"name\" : \"nightly\""), out());
    assertEquals(List.of("POST /api/v1/schedules/nightly/pause", "POST /api/v1/schedules/nightly/resume",
        "POST /api/v1/schedules/nightly/trigger", "DELETE /api/v1/schedules/nightly", "GET /api/v1/schedules/nightly"),
        requests);
  }

  @Test
  void anErrorIsOneLineWithExitCode1() {
    assertEquals(1, baton("schedule", "trigger", "x"));
    assertEquals("baton: 404 Not found: no schedule named 'x'\n", err());
    assertEquals("", out());
  }
}
