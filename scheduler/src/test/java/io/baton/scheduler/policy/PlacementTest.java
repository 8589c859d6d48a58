package io.baton.scheduler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.scheduler.policy.Placement.Assignment;
import io.baton.scheduler.policy.Placement.Request;
import io.baton.scheduler.policy.Placement.Worker;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PlacementTest {
  private static Worker w(String id, long cpus, long mem, Map<String, String> labels) {
    return new Worker(id, true, cpus, mem, labels);
  }

  private static Request<String> r(String key, long cpus, long mem, Map<String, String> constraints) {
    return new Request<>(key, cpus, mem, constraints);
  }

  private static List<String> placed(List<Assignment<String>> as) {
    return as.stream().map(a -> a.key() + "@" + a.workerId()).toList();
  }

  static Stream<Arguments> cases() {
    Map<String, String> none = Map.of();
    return Stream.of(
        Arguments.of("no workers: nothing placed",
            List.of(), List.of(r("t1", 1000, 128, none)), List.of()),
        Arguments.of("spreads onto the worker with most free cpu",
            List.of(w("a", 2000, 1024, none), w("b", 4000, 1024, none)),
            List.of(r("t1", 1000, 128, none), r("t2", 1000, 128, none), r("t3", 1000, 128, none)),
            List.of("t1@b", "t2@b", "t3@a")),
        Arguments.of("ties go to the smaller id",
            List.of(w("b", 1000, 128, none), w("a", 1000, 128, none)),
            List.of(r("t1", 1000, 128, none)), List.of("t1@a")),
        Arguments.of("memory is a hard limit",
            List.of(w("a", 8000, 100, none)), List.of(r("t1", 1000, 128, none)), List.of()),
        Arguments.of("constraints must equal labels",
            List.of(w("a", 4000, 1024, Map.of("zone", "a")), w("b", 4000, 1024, Map.of("zone", "b"))),
            List.of(r("t1", 1000, 128, Map.of("zone", "b")), r("t2", 1000, 128, Map.of("zone", "c"))),
            List.of("t1@b")),
        Arguments.of("a request that fits nowhere does not block later ones",
            List.of(w("a", 2000, 1024, none)),
            List.of(r("big", 4000, 128, none), r("small", 1000, 128, none)), List.of("small@a")),
        Arguments.of("capacity is used up within one round",
            List.of(w("a", 2000, 1024, none)),
            List.of(r("t1", 1000, 128, none), r("t2", 1000, 128, none), r("t3", 1000, 128, none)),
            List.of("t1@a", "t2@a")),
        Arguments.of("dead workers get nothing",
            List.of(new Worker("a", false, 4000, 1024, none)), List.of(r("t1", 1000, 128, none)), List.of()),
        Arguments.of("fractional cpus pack many tasks",
            List.of(w("a", 1000, 1024, none)),
            List.of(r("t1", 250, 1, none), r("t2", 250, 1, none), r("t3", 250, 1, none), r("t4", 250, 1, none),
                r("t5", 250, 1, none)),
            List.of("t1@a", "t2@a", "t3@a", "t4@a")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void places(String name, List<Worker> workers, List<Request<String>> requests, List<String> expected) {
    assertEquals(expected, placed(Placement.place(workers, requests)));
  }
}
