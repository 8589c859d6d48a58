package io.baton.web;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequestEntity;
import static org.apache.pekko.http.javadsl.server.Directives.extractStrictEntity;
import static org.apache.pekko.http.javadsl.server.Directives.withSizeLimit;

import java.time.Duration;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/** Reading a JSON request body the same way for every resource that takes one. Stateless. */
final class JsonBody {
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(15);

  private JsonBody() {}

  /**
   * Reads a JSON body of at most {@code maxBytes} and hands its bytes to {@code inner}: 415 for another content
   * type (naming {@code what} was expected), 413 beyond the limit, also for a chunked body.
   */
  static Route read(long maxBytes, String what, Function<byte[], Route> inner) {
    return extractRequestEntity(entity -> {
      if (!isJson(entity.getContentType())) {
        return complete(Problem.of(StatusCodes.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type",
            "Unsupported Media Type",
            what + " must be sent as 'Content-Type: application/json', not '" + entity.getContentType() + "'")
            .toResponse());
      }
      if (entity.getContentLengthOption().orElse(0L) > maxBytes) {
        return complete(Problem.tooLarge(maxBytes).toResponse());
      }
      // a chunked body over the limit fails the stream with EntityStreamSizeException, mapped to 413
      return withSizeLimit(maxBytes, () -> extractStrictEntity(READ_TIMEOUT,
          strict -> inner.apply(strict.getData().toArray())));
    });
  }

  static boolean isJson(ContentType type) {
    var media = type.mediaType();
    return media.isApplication() && (media.subType().equals("json") || media.subType().endsWith("+json"));
  }
}
