package io.baton.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code GET /api/v1/openapi.json} true: every path and method it documents reaches a real route (no routing
 * 404 or 405) and answers one of the statuses documented for it; what the routes answer for a stored job and
 * schedule has no field the document does not declare.
 */
class OpenApiTest extends RestTestSupport {
  private static final String JOB = "{\"name\": \"doc\", \"tasks\": [{\"id\": \"t\", \"handler\": \"noop\"}]}";
  private static final String SCHEDULE = "{\"name\": \"nightly\", \"cron\": \"0 2 * * *\", \"job\": " + JOB + "}";

  private JsonNode document() {
    Response r = get("/api/v1/openapi.json");
    assertEquals(200, r.status(), r.body());
    assertTrue(r.contentType().startsWith("application/json"), r.contentType());
    return r.json();
  }

  /** One request; the body is read unless it is an event stream (which does not end). */
  private Response call(String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    HttpResponse<InputStream> r = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    String text;
    try (InputStream in = r.body()) {
      text = r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream") ? ""
          : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    return new Response(r.statusCode(), r.headers(), text);
  }

  private static String concrete(String template, String jobId) {
    return "/api/v1" + template.replace("{id}", jobId).replace("{taskId}", "t").replace("{name}", "nightly");
  }

  @Test
  void theDocumentIsOpenApi3AndEveryOperationHasResponses() {
    JsonNode doc = document();
    assertTrue(doc.path("openapi").asText().startsWith("3.0."), doc.path("openapi").asText());
    assertEquals("/api/v1", doc.path("servers").path(0).path("url").asText());
    int operations = 0;
    for (Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields(); paths.hasNext(); ) {
      Map.Entry<String, JsonNode> p = paths.next();
      for (Iterator<Map.Entry<String, JsonNode>> ops = p.getValue().fields(); ops.hasNext(); ) {
        Map.Entry<String, JsonNode> op = ops.next();
        if (op.getKey().equals("parameters")) {
          continue;
        }
        operations++;
        assertTrue(op.getValue().path("responses").size() > 0, p.getKey() + " " + op.getKey());
        assertTrue(op.getValue().path("summary").isTextual(), p.getKey() + " " + op.getKey());
      }
    }
    assertEquals(26, operations, "the operations documented (a new route needs its entry)");
    for (String ref : refs(doc, new ArrayList<>())) {
      String name = ref.substring("#/components/schemas/".length());
      assertTrue(doc.path("components").path("schemas").has(name), "dangling " + ref);
    }
  }

  private static List<String> refs(JsonNode node, List<String> into) {
    if (node.has("$ref")) {
      into.add(node.get("$ref").asText());
    }
    node.forEach(child -> refs(child, into));
    return into;
  }

  @Test
  void everyDocumentedOperationReachesARealRouteAndAnswersADocumentedStatus() throws Exception {
    JsonNode doc = document();
    // what a path without a route answers: a documented operation must never answer the same
    Response noRoute = call("GET", "/api/v1/jobs/00000000000000ff/no-such-route", null);
    assertEquals(404, noRoute.status(), noRoute.body());
    String noRouteDetail = noRoute.json().path("detail").asText();
    List<String> checked = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields(); paths.hasNext(); ) {
      Map.Entry<String, JsonNode> p = paths.next();
      for (Iterator<Map.Entry<String, JsonNode>> ops = p.getValue().fields(); ops.hasNext(); ) {
        Map.Entry<String, JsonNode> op = ops.next();
        if (op.getKey().equals("parameters")) {
          continue;
        }
        String method = op.getKey().toUpperCase(java.util.Locale.ROOT);
        String body = op.getValue().has("requestBody") ? "{}" : null;
        Response r = call(method, concrete(p.getKey(), "00000000000000ff"), body);
        String what = method + " " + p.getKey() + " -> " + r.status() + " " + r.body();
        assertNotEquals(405, r.status(), what);
        if (r.status() == 404) {
          assertNotEquals(noRouteDetail, r.json().path("detail").asText(), "no route: " + what);
        }
        assertTrue(op.getValue().path("responses").has(String.valueOf(r.status())), "undocumented status: " + what);
        checked.add(method + " " + p.getKey());
      }
    }
    assertEquals(26, checked.size(), checked.toString());
  }

  /** A value each query parameter of {@code GET /jobs} refuses: the route reads every parameter documented. */
  private static final Map<String, String> BAD_JOBS_PARAMETERS = Map.of(
      "state", "nope", "name", "n".repeat(201), "worker", "", "label", "novalue", "limit", "0", "before", "");

  @Test
  void everyDocumentedParameterOfTheJobListIsReadByTheRoute() throws Exception {
    JsonNode parameters = document().path("paths").path("/jobs").path("get").path("parameters");
    Set<String> documented = new LinkedHashSet<>();
    parameters.forEach(p -> documented.add(p.path("name").asText()));
    assertEquals(BAD_JOBS_PARAMETERS.keySet(), documented);
    for (Map.Entry<String, String> bad : BAD_JOBS_PARAMETERS.entrySet()) {
      Response r = call("GET", "/api/v1/jobs?" + bad.getKey() + "=" + bad.getValue(), null);
      assertEquals(400, r.status(), bad.getKey() + ": " + r.body());
      assertEquals(bad.getKey(), r.json().path("errors").path(0).path("path").asText(), r.body());
    }
    Response filtered = call("GET", "/api/v1/jobs?worker=w1&label=team=data&label=env=prod", null);
    assertEquals(200, filtered.status(), filtered.body());
  }

  @Test
  void theAnswersForAStoredJobAndScheduleDeclareEveryField() throws Exception {
    JsonNode doc = document();
    Response submitted = call("POST", "/api/v1/jobs", JOB);
    assertEquals(201, submitted.status(), submitted.body());
    String id = submitted.json().path("id").asText();
    assertEquals(201, call("POST", "/api/v1/schedules", SCHEDULE).status());
    assertFields(doc, "POST", "/jobs", submitted);
    for (String template : List.of("/jobs", "/jobs/{id}", "/schedules", "/schedules/{name}", "/workers", "/cluster",
        "/healthz")) {
      Response r = call("GET", concrete(template, id), null);
      assertEquals(200, r.status(), template + ": " + r.body());
      assertFields(doc, "GET", template, r);
    }
    Response problem = call("GET", concrete("/jobs/{id}", "00000000000000ff"), null);
    assertFields(doc, "GET", "/jobs/{id}", problem);
  }

  /** Every field of {@code r}'s JSON body is declared by the schema documented for its status, recursively. */
  private static void assertFields(JsonNode doc, String method, String template, Response r) {
    JsonNode response = doc.path("paths").path(template).path(method.toLowerCase(java.util.Locale.ROOT))
        .path("responses").path(String.valueOf(r.status()));
    JsonNode content = response.path("content");
    assertTrue(content.size() > 0, method + " " + template + " " + r.status() + " documents no body");
    JsonNode schema = content.elements().next().path("schema");
    List<String> undeclared = new ArrayList<>();
    walk(doc, r.json(), schema, method + " " + template, undeclared);
    assertEquals(List.of(), undeclared, r.body());
  }

  private static void walk(JsonNode doc, JsonNode value, JsonNode schema, String at, List<String> undeclared) {
    schema = resolve(doc, schema);
    if (value.isArray() && schema.has("items")) {
      for (JsonNode item : value) {
        walk(doc, item, schema.get("items"), at + "[]", undeclared);
      }
      return;
    }
    if (!value.isObject()) {
      return;
    }
    Map<String, JsonNode> properties = new java.util.LinkedHashMap<>();
    collect(doc, schema, properties);
    if (properties.isEmpty()) {
      return; // a free-form object (labels, env, args)
    }
    for (Iterator<String> names = value.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!properties.containsKey(name)) {
        undeclared.add(at + "." + name);
      } else {
        walk(doc, value.get(name), properties.get(name), at + "." + name, undeclared);
      }
    }
  }

  private static void collect(JsonNode doc, JsonNode schema, Map<String, JsonNode> into) {
    schema = resolve(doc, schema);
    schema.path("properties").fields().forEachRemaining(e -> into.put(e.getKey(), e.getValue()));
    schema.path("allOf").forEach(part -> collect(doc, part, into));
  }

  private static JsonNode resolve(JsonNode doc, JsonNode schema) {
    Set<String> seen = new LinkedHashSet<>();
    while (schema.has("$ref") && seen.add(schema.get("$ref").asText())) {
      schema = doc.path("components").path("schemas")
          .path(schema.get("$ref").asText().substring("#/components/schemas/".length()));
    }
    return schema;
  }
}
