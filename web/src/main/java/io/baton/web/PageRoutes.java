package io.baton.web;

import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.getFromResource;
import static org.apache.pekko.http.javadsl.server.Directives.getFromResourceDirectory;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.pathSingleSlash;
import static org.apache.pekko.http.javadsl.server.Directives.respondWithHeaders;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Properties;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The plain status page: {@code /} serves {@code web/index.html}, {@code /assets/*} the script and style
 * next to it, {@code /vendor/uplot/*} the charting library's {@code dist} folder from its WebJar, all from the
 * classpath, with a same-origin-only Content-Security-Policy. Stateless.
 */
final class PageRoutes {
  /** Where the uPlot WebJar keeps its files: its version is the root pom's, written into web-versions.properties. */
  static final String UPLOT = "META-INF/resources/webjars/uplot/" + version("uplot.version") + "/dist";

  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
      + "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private static final List<HttpHeader> HEADERS = List.of(
      RawHeader.create("Content-Security-Policy", CSP),
      RawHeader.create("X-Content-Type-Options", "nosniff"),
      RawHeader.create("Referrer-Policy", "no-referrer"),
      RawHeader.create("Cache-Control", "no-cache"));

  Route route() {
    // the method directive sits inside the path: a GET here must not cancel another route's 405
    return respondWithHeaders(HEADERS, () -> concat(
        pathSingleSlash(() -> get(() -> getFromResource("web/index.html", ContentTypes.TEXT_HTML_UTF8))),
        pathPrefix("assets", () -> get(() -> getFromResourceDirectory("web/assets"))),
        pathPrefix("vendor", () -> pathPrefix("uplot", () -> get(() -> getFromResourceDirectory(UPLOT))))));
  }

  private static String version(String key) {
    String file = "io/baton/web/web-versions.properties";
    try (InputStream in = PageRoutes.class.getClassLoader().getResourceAsStream(file)) {
      if (in == null) {
        throw new IllegalStateException(file + " is not on the classpath");
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty(key);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
