package io.baton.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code baton jobs} with its filters against a canned HTTP server on loopback: the query it sends and what it prints.
 * The filtering itself is tested in web's JobsRoutesTest and scheduler's JobIndexTest.
 */
class JobsCommandTest {
  private static final String PAGE = "{\"jobs\": [{\"id\": \"01a222c2a99c0000\", \"name\": \"tour-etl\","
      + " \"state\": \"SUCCEEDED\", \"tasksTotal\": 3, \"tasksSucceeded\": 3,"
      + " \"submittedAt\": \"2026-11-28T15:25:12.476Z\", \"finishedAt\": \"2026-11-28T15:25:16.033Z\"}],"
      + " \"nextBefore\": null}";

  private HttpServer server;
  private final List<String> requests = new ArrayList<>();
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      synchronized (requests) {
        requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath()
            + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery()));
      }
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      byte[] bytes = PAGE.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private int baton(String... args) {
    CommandLine cli = CliMain.commandLine(new CliMain());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--url", "http://127.0.0.1:" + server.getAddress().getPort()));
    return cli.execute(all.toArray(String[]::new));
  }

  @Test
  void workerAndLabelsGoIntoTheQueryAndTheTableIsTheSame() {
    assertEquals(0, baton("jobs", "--worker", "worker-91890a8b", "--label", "team=data", "--label", "expr=a=b",
        "--state", "SUCCEEDED"), err.toString());
    assertEquals(List.of("GET /api/v1/jobs?state=SUCCEEDED&worker=worker-91890a8b&label=expr%3Da%3Db"
        + "&label=team%3Ddata"), requests);
    List<String> lines = out.toString().lines().toList();
    assertEquals(List.of("ID", "STATE", "TASKS", "SUBMITTED", "NAME"), List.of(lines.get(0).trim().split(" {2,}")));
    assertEquals(List.of("01a222c2a99c0000", "SUCCEEDED", "3/3", "2026-11-28T15:25:12.476Z", "tour-etl"),
        List.of(lines.get(1).trim().split(" {2,}")));
    assertEquals("", err.toString());
  }

  @Test
  void jsonOutputIsTheRestAnswer() {
    assertEquals(0, baton("jobs", "--worker", "w1", "-o", "json"), err.toString());
    assertEquals(List.of("GET /api/v1/jobs?worker=w1"), requests);
    assertTrue(out.toString().contains("\"name\" : \"tour-etl\""), out.toString());
  }

  @Test
  void aLabelWithoutAValueIsAOneLineUsageError() {
    assertEquals(2, baton("jobs", "--label", "team"));
    assertEquals("baton: --label: 'team' is not KEY=VALUE (e.g. --label team=data)\n", err.toString());
    assertEquals(2, baton("jobs", "--label", "=data"));
    assertEquals("", out.toString());
    assertEquals(List.of(), requests, "nothing is asked of the master");
  }
}
