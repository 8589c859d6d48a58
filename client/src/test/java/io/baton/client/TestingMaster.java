package io.baton.client;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A master's REST API faked on loopback with the JDK's HttpServer: each request is answered by the test's function
 * and recorded (method, path with query, headers, body). Threading: requests are served on the server's thread and
 * recorded under a lock; {@link #requests} returns a copy.
 */
final class TestingMaster implements AutoCloseable {
  record Request(String method, String pathAndQuery, Map<String, List<String>> headers, String body) {
    String header(String name) {
      return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().isEmpty() ? null : e.getValue().get(0)).findFirst().orElse(null);
    }
  }

  record Reply(int status, String contentType, String body, Map<String, String> headers) {
    static Reply json(int status, String body) {
      return new Reply(status, status >= 400 ? "application/problem+json" : "application/json",
          body.replace('\'', '"'), Map.of());
    }

    static Reply text(String body) {
      return new Reply(200, "text/plain; charset=UTF-8", body, Map.of());
    }

    /** 503 as a standby answers when no leader can take a request, naming {@code leader} when not null. */
    static Reply noLeader(String slug, String leader) {
      String body = "{'type': 'https://baton.dev/problems/" + slug + "', 'title': 'No leader', 'status': 503,"
          + " 'detail': '" + slug + " detail'" + (leader == null ? "" : ", 'leader': '" + leader + "'") + "}";
      return new Reply(503, "application/problem+json", body.replace('\'', '"'), Map.of("Retry-After", "1"));
    }
  }

  private final HttpServer server;
  private final List<Request> requests = new ArrayList<>();
  private volatile Function<Request, Reply> answer;

  TestingMaster(Function<Request, Reply> answer) throws IOException {
    this.answer = answer;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
          Map.copyOf(exchange.getRequestHeaders()), body);
      synchronized (requests) {
        requests.add(request);
      }
      Reply reply = this.answer.apply(request);
      exchange.getResponseHeaders().add("Content-Type", reply.contentType());
      reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
      byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    });
    server.start();
  }

  void answer(Function<Request, Reply> answer) {
    this.answer = answer;
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
