package io.baton.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.testkit.PackageGraph;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The house rules of STYLE.md, read from the compiled classes of every module: dependencies point inward, no
 * import circle between packages, and the pure core knows nothing of Pekko or Curator. (The Maven Enforcer
 * keeps the same out of protocol/ and ha/ at the dependency level; this sees every class reference.)
 */
class ArchitectureTest {
  private static final List<String> MODULES =
      List.of("protocol", "client", "cli", "wire", "ha", "scheduler", "worker", "web", "app");
  private static final String PEKKO = "org.apache.pekko";
  private static final String CURATOR = "org.apache.curator";
  private static final String ZOOKEEPER = "org.apache.zookeeper";

  private static PackageGraph graph;

  @BeforeAll
  static void readClasses() {
    graph = PackageGraph.of(MODULES.stream().map(m -> Path.of("..", m, "target", "classes")).toList());
  }

  @Test
  void noImportCircleBetweenPackages() {
    assertEquals(List.of(), graph.cycles("io.baton"));
  }

  @Test
  void protocolIsPlainJava() {
    assertEquals(List.of(), graph.violations("io.baton.protocol", PEKKO, CURATOR, ZOOKEEPER,
        "com.fasterxml.jackson", "io.baton.wire", "io.baton.ha", "io.baton.scheduler", "io.baton.worker",
        "io.baton.web", "io.baton.app"));
  }

  @Test
  void wireKnowsOnlyProtocolAndPekko() {
    assertEquals(List.of(), graph.violations("io.baton.wire", CURATOR, ZOOKEEPER, "io.baton.ha",
        "io.baton.scheduler", "io.baton.worker", "io.baton.web", "io.baton.app"));
  }

  @Test
  void haKnowsNoPekkoAndNothingAboveIt() {
    assertEquals(List.of(), graph.violations("io.baton.ha", PEKKO, "io.baton.wire", "io.baton.scheduler",
        "io.baton.worker", "io.baton.web", "io.baton.app"));
  }

  @Test
  void theSchedulersPureCoreKnowsNoPekkoNorCurator() {
    for (String pure : List.of("io.baton.scheduler.model", "io.baton.scheduler.policy")) {
      assertEquals(List.of(), graph.violations(pure, PEKKO, CURATOR, ZOOKEEPER, "io.baton.ha"), pure);
    }
  }

  @Test
  void theClientAndTheCliKnowNoPekkoAndNoServerCode() {
    List<String> server = List.of(PEKKO, "scala", CURATOR, ZOOKEEPER, "io.baton.protocol", "io.baton.wire",
        "io.baton.ha", "io.baton.scheduler", "io.baton.worker", "io.baton.web", "io.baton.app");
    assertEquals(List.of(), graph.violations("io.baton.client", server.toArray(String[]::new)));
    assertEquals(List.of(), graph.violations("io.baton.cli", server.toArray(String[]::new)));
    assertEquals(true, graph.uses("io.baton.cli").contains("io.baton.client"));
  }

  @Test
  void dependenciesPointInward() {
    assertEquals(List.of(), Stream.of(
            graph.violations("io.baton.scheduler", "io.baton.worker", "io.baton.web", "io.baton.app"),
            graph.violations("io.baton.worker", "io.baton.scheduler", "io.baton.web", "io.baton.app"),
            graph.violations("io.baton.web", "io.baton.worker", "io.baton.app"))
        .flatMap(List::stream).toList());
  }

  @Test
  void theGraphIsReallyRead() {
    // a check that reads nothing passes everything: make sure the classes were there to be read
    assertEquals(true, graph.uses("io.baton.scheduler.leader").contains("io.baton.protocol"));
    assertEquals(true, graph.packages().containsAll(List.of("io.baton.protocol", "io.baton.wire", "io.baton.ha",
        "io.baton.worker", "io.baton.web", "io.baton.app")));
  }
}
