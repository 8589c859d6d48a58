package io.baton.scheduler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.scheduler.policy.Placement.Shape;
import io.baton.scheduler.policy.Placement.Worker;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PlacementTest {
  private static final Map<String, String> NONE = Map.of();

  private static Worker w(String id, long cpus, long mem, Map<String, String> labels) {
    return new Worker(id, true, cpus, mem, labels);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("no workers: nothing placed", List.of(), new Shape(1000, 128, NONE), 1, List.of()),
        Arguments.of("spreads onto the worker with most free cpu",
            List.of(w("a", 2000, 1024, NONE), w("b", 4000, 1024, NONE)), new Shape(1000, 128, NONE), 3,
            List.of("b", "b", "a")),
        Arguments.of("ties go to the smaller id",
            List.of(w("b", 1000, 128, NONE), w("a", 1000, 128, NONE)), new Shape(1000, 128, NONE), 1, List.of("a")),
        Arguments.of("then to the most free memory",
            List.of(w("a", 1000, 128, NONE), w("b", 1000, 512, NONE)), new Shape(1000, 128, NONE), 1, List.of("b")),
        Arguments.of("memory is a hard limit", List.of(w("a", 8000, 100, NONE)), new Shape(1000, 128, NONE), 1, List.of()),
        Arguments.of("constraints must equal labels",
            List.of(w("a", 4000, 1024, Map.of("zone", "a")), w("b", 4000, 1024, Map.of("zone", "b"))),
            new Shape(1000, 128, Map.of("zone", "b")), 2, List.of("b", "b")),
        Arguments.of("a constraint no worker has places nothing",
            List.of(w("a", 4000, 1024, Map.of("zone", "a"))), new Shape(1000, 128, Map.of("zone", "c")), 2, List.of()),
        Arguments.of("capacity is used up and placing stops at the first miss",
            List.of(w("a", 2000, 1024, NONE)), new Shape(1000, 128, NONE), 3, List.of("a", "a")),
        Arguments.of("dead workers get nothing",
            List.of(new Worker("a", false, 4000, 1024, NONE)), new Shape(1000, 128, NONE), 1, List.of()),
        Arguments.of("fractional cpus pack many tasks",
            List.of(w("a", 1000, 1024, NONE)), new Shape(250, 1, NONE), 5, List.of("a", "a", "a", "a")),
        Arguments.of("never more than asked",
            List.of(w("a", 8000, 8192, NONE)), new Shape(1000, 128, NONE), 2, List.of("a", "a")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void places(String name, List<Worker> workers, Shape shape, int count, List<String> expected) {
    assertEquals(expected, Placement.placeUniform(workers, shape, count));
  }
}
