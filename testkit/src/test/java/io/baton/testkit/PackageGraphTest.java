package io.baton.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PackageGraphTest {
  private static final String JDEPS = String.join("\n",
      "classes -> java.base",
      "   a.core                 -> a.core                 classes",
      "   a.core                 -> java.lang              java.base",
      "   a.web                  -> a.core                 classes",
      "   a.core.model           -> a.web                  classes",
      "   a.core                 -> a.core.model           classes",
      "   a.core.model           -> org.apache.pekko.actor not found",
      "   a.other                -> a.core                 classes");

  @Test
  void findsEveryCircleAndOnlyThose() {
    PackageGraph graph = PackageGraph.parse(JDEPS);
    assertEquals(List.of(Set.of("a.core", "a.core.model", "a.web")), graph.cycles("a"));
    assertEquals(List.of(), graph.cycles("a.other"));
  }

  @Test
  void findsBannedUsesByWholeSegments() {
    PackageGraph graph = PackageGraph.parse(JDEPS);
    assertEquals(List.of("a.core.model -> org.apache.pekko.actor"), graph.violations("a.core", "org.apache.pekko"));
    assertEquals(List.of(), graph.violations("a.core", "org.apache.pek"));
    assertEquals(Set.of("a.core.model", "java.lang"), graph.uses("a.core"));
  }
}
