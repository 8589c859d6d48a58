package io.baton.web;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/v1/openapi.json}: the OpenAPI 3 document of this API, the resource {@code openapi.json} next to
 * this class (OpenApiTest checks every path and method it names against these routes). Any master answers it
 * itself. Immutable; read once.
 */
final class OpenApiRoutes {
  static final String RESOURCE = "openapi.json";
  private final byte[] document;

  OpenApiRoutes() {
    try (InputStream in = OpenApiRoutes.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the classpath");
      }
      document = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Route route() {
    return path("openapi.json", () -> get(() ->
        complete(HttpResponse.create().withEntity(ContentTypes.APPLICATION_JSON, document))));
  }
}
