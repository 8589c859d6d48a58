package io.baton.web;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractHost;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * A master listening on loopback only (the standalone default) serves only requests addressed to a loopback
 * name. A web page elsewhere can point its own DNS name at 127.0.0.1 (DNS rebinding) and so become, for the
 * browser, the same origin as Baton's port; its requests still carry its own name in {@code Host}, and get 403
 * here. A master bound to another address is reached by whatever names its operators give it: no check.
 */
final class LoopbackHosts {
  private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "::1", "[::1]");
  /** An IPv4 literal in 127/8 (not a DNS name that merely starts with "127."). */
  private static final Pattern LOOPBACK_V4 = Pattern.compile("127(\\.\\d{1,3}){3}");

  private LoopbackHosts() {}

  static Route guard(String boundHost, Supplier<Route> inner) {
    if (!isLoopback(boundHost)) {
      return inner.get();
    }
    return extractHost(host -> allowed(host) ? inner.get() : complete(Problem.of(StatusCodes.FORBIDDEN,
        "host-not-allowed", "Host not allowed", "this master listens on loopback only and answers requests "
            + "addressed to localhost or 127.0.0.1, not to '" + host + "'").toResponse()));
  }

  static boolean allowed(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return LOOPBACK_NAMES.contains(h) || h.endsWith(".localhost") || LOOPBACK_V4.matcher(h).matches();
  }

  static boolean isLoopback(String boundHost) {
    try {
      return InetAddress.getByName(boundHost).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
