package io.baton.testkit;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;

/**
 * Which package uses which, read from compiled classes by the JDK's {@code jdeps} (so it sees every reference a
 * class file makes, imports or not). Architecture tests ask it for import circles and forbidden dependencies.
 * Immutable once built.
 */
public final class PackageGraph {
  private final Map<String, Set<String>> edges;

  private PackageGraph(Map<String, Set<String>> edges) {
    this.edges = edges;
  }

  /** The package graph of the classes under {@code classDirs} (each a {@code target/classes} directory). */
  public static PackageGraph of(List<Path> classDirs) {
    List<String> args = new ArrayList<>(List.of("-verbose:package", "-filter:package"));
    for (Path dir : classDirs) {
      if (!Files.isDirectory(dir)) {
        throw new IllegalStateException(dir + " does not exist: build the modules first (mvn verify from the root)");
      }
      args.add(dir.toString());
    }
    ToolProvider jdeps = ToolProvider.findFirst("jdeps")
        .orElseThrow(() -> new IllegalStateException("jdeps is not in this JDK"));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = jdeps.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
    if (code != 0) {
      throw new IllegalStateException("jdeps failed (" + code + "): " + err);
    }
    return parse(out.toString());
  }

  static PackageGraph parse(String jdepsOutput) {
    Map<String, Set<String>> edges = new TreeMap<>();
    for (String line : jdepsOutput.split("\n")) {
      String[] parts = line.trim().split("\\s+");
      if (parts.length >= 3 && parts[1].equals("->")) {
        if (!parts[0].equals(parts[2])) {
          edges.computeIfAbsent(parts[0], k -> new TreeSet<>()).add(parts[2]);
        }
      }
    }
    return new PackageGraph(edges);
  }

  /** Every package the classes belong to. */
  public Set<String> packages() {
    return edges.keySet();
  }

  /** The packages {@code pkg} uses directly. */
  public Set<String> uses(String pkg) {
    return edges.getOrDefault(pkg, Set.of());
  }

  /**
   * Every "package -> used package" pair where a package under {@code fromPrefix} uses one under a banned prefix
   * (prefixes match whole name segments: {@code io.baton.scheduler.model} matches itself and its subpackages).
   */
  public List<String> violations(String fromPrefix, String... bannedPrefixes) {
    List<String> found = new ArrayList<>();
    edges.forEach((from, tos) -> {
      if (under(from, fromPrefix)) {
        for (String to : tos) {
          for (String banned : bannedPrefixes) {
            if (under(to, banned)) {
              found.add(from + " -> " + to);
            }
          }
        }
      }
    });
    return found;
  }

  /** The import circles among packages under {@code prefix}: each a strongly connected set of two or more. */
  public List<Set<String>> cycles(String prefix) {
    Map<String, Set<String>> graph = new TreeMap<>();
    edges.forEach((from, tos) -> {
      if (under(from, prefix)) {
        graph.put(from, tos.stream().filter(t -> under(t, prefix)).collect(Collectors.toCollection(TreeSet::new)));
      }
    });
    return new Tarjan(graph).components().stream().filter(c -> c.size() > 1).toList();
  }

  private static boolean under(String pkg, String prefix) {
    return pkg.equals(prefix) || pkg.startsWith(prefix + ".");
  }

  /** Tarjan's strongly connected components, iterative enough for a few hundred packages. */
  private static final class Tarjan {
    private final Map<String, Set<String>> graph;
    private final Map<String, Integer> index = new HashMap<>();
    private final Map<String, Integer> low = new HashMap<>();
    private final Deque<String> stack = new ArrayDeque<>();
    private final Set<String> onStack = new TreeSet<>();
    private final List<Set<String>> components = new ArrayList<>();
    private int next;

    Tarjan(Map<String, Set<String>> graph) {
      this.graph = graph;
    }

    List<Set<String>> components() {
      for (String v : graph.keySet()) {
        if (!index.containsKey(v)) {
          visit(v);
        }
      }
      return components;
    }

    private void visit(String v) {
      index.put(v, next);
      low.put(v, next);
      next++;
      stack.push(v);
      onStack.add(v);
      for (String w : graph.getOrDefault(v, Set.of())) {
        if (!index.containsKey(w)) {
          visit(w);
          low.put(v, Math.min(low.get(v), low.get(w)));
        } else if (onStack.contains(w)) {
          low.put(v, Math.min(low.get(v), index.get(w)));
        }
      }
      if (low.get(v).equals(index.get(v))) {
        Set<String> component = new TreeSet<>();
        String w;
        do {
          w = stack.pop();
          onStack.remove(w);
          component.add(w);
        } while (!w.equals(v));
        components.add(component);
      }
    }
  }
}
