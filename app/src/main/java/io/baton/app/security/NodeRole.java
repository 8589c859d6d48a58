package io.baton.app.security;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a node certificate says its holder is: a master (named) or a worker (by worker id), written as the URI
 * subject alternative name {@code baton:role:master:<name>} or {@code baton:role:worker:<id>}.
 */
public record NodeRole(Kind kind, String id) {
  public enum Kind { MASTER, WORKER }

  static final String PREFIX = "baton:role:";
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final int SAN_URI = 6;

  public NodeRole {
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("a node name or worker id is 1-128 of [A-Za-z0-9._-], starting with a letter "
          + "or digit; got '" + id + "'");
    }
  }

  public static NodeRole master(String name) {
    return new NodeRole(Kind.MASTER, name);
  }

  public static NodeRole worker(String id) {
    return new NodeRole(Kind.WORKER, id);
  }

  public boolean isMaster() {
    return kind == Kind.MASTER;
  }

  public String uri() {
    return PREFIX + kind.name().toLowerCase(Locale.ROOT) + ":" + id;
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase(Locale.ROOT) + " " + id;
  }

  /** The role in {@code cert}; empty when it names none or more than one. */
  public static Optional<NodeRole> of(X509Certificate cert) throws CertificateParsingException {
    Collection<List<?>> sans = cert.getSubjectAlternativeNames();
    if (sans == null) {
      return Optional.empty();
    }
    List<NodeRole> roles = sans.stream()
        .filter(san -> ((Integer) san.get(0)) == SAN_URI && ((String) san.get(1)).startsWith(PREFIX))
        .map(san -> parse((String) san.get(1))).flatMap(Optional::stream).toList();
    return roles.size() == 1 ? Optional.of(roles.get(0)) : Optional.empty();
  }

  static Optional<NodeRole> parse(String uri) {
    String rest = uri.substring(PREFIX.length());
    int colon = rest.indexOf(':');
    if (colon < 0) {
      return Optional.empty();
    }
    try {
      Kind kind = Kind.valueOf(rest.substring(0, colon).toUpperCase(Locale.ROOT));
      return Optional.of(new NodeRole(kind, rest.substring(colon + 1)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
