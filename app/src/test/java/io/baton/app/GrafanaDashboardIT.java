package io.baton.app;

import static io.baton.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.ha.HaServices;
import io.baton.ha.inmemory.InMemoryHaServices;
import io.baton.protocol.Epoch;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskSpec;
import io.baton.scheduler.api.SchedulerSettings;
import io.baton.scheduler.leader.DefaultMasterApi;
import io.baton.scheduler.policy.Backoff;
import io.baton.testkit.PrometheusText;
import io.baton.web.metrics.MasterMetrics;
import io.baton.worker.WorkerAgent;
import io.baton.worker.WorkerSettings;
import io.baton.worker.metrics.WorkerMetricsServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code docs/grafana-dashboard.json} queries only metrics Baton emits: every metric name in its expressions is a
 * sample name in a real master's or worker's scrape (parsed with the Prometheus parser).
 */
class GrafanaDashboardIT {
  private static final Path DASHBOARD = Path.of("..", "docs", "grafana-dashboard.json");
  private static final Pattern METRIC = Pattern.compile("\\b((?:baton|jvm|process)_[a-z0-9_]+)\\b");
  private static final SchedulerSettings SETTINGS = new SchedulerSettings(Duration.ofMillis(100),
      Duration.ofMillis(600), new Backoff(Duration.ofMillis(20), Duration.ofMillis(100), 0.1), Duration.ofSeconds(3));

  @TempDir Path dir;

  @Test
  void everyQueriedMetricIsEmitted() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(Files.readString(DASHBOARD));
    Set<String> queried = new TreeSet<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        Matcher m = METRIC.matcher(target.path("expr").asText());
        while (m.find()) {
          queried.add(m.group(1));
        }
      }
    }
    assertTrue(queried.size() > 20, "the dashboard's queries were read: " + queried);

    ActorSystem<Void> masterSystem = ActorSystem.create(Behaviors.empty(), "dashboard-master");
    InMemoryHaServices ha = new InMemoryHaServices();
    MasterMetrics master = new MasterMetrics();
    ActorSystem<WorkerAgent.Command> worker = ActorSystem.create(
        WorkerAgent.create(WorkerSettings.defaults("w1", dir), ha.leaderRetrieval()), "w1");
    WorkerMetricsServer workerMetrics = WorkerMetricsServer.start("127.0.0.1", 0, worker);
    try {
      HaServices metered = master.meter(ha);
      master.listen(masterSystem, new DefaultMasterApi(masterSystem, SETTINGS, metered));
      // meters that appear with their first use: a store write (fenced here: no leader), a request, a GC
      JobSpec spec = new JobSpec("n", Map.of(), List.of(TaskSpec.handler("a", "noop", null, null)));
      metered.jobStore().put(new Epoch(1), JobRecord.submitted("j1", spec, null, Instant.now()))
          .handle((ok, failure) -> null).get(10, TimeUnit.SECONDS);
      master.request("/api/v1/jobs", "GET", 200, 1_000_000);
      System.gc();
      Set<String> emitted = eventually("every queried metric emitted", Duration.ofSeconds(20), () -> {
        Set<String> names = new TreeSet<>(names(master.scrape().toCompletableFuture().get(10, TimeUnit.SECONDS)));
        names.addAll(names(workerMetrics.registry().scrape()));
        return names;
      }, names -> names.containsAll(queried));
      assertEquals(Set.of(), queried.stream().filter(q -> !emitted.contains(q)).collect(Collectors.toSet()));
    } finally {
      workerMetrics.close();
      worker.terminate();
      worker.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
      master.close();
      masterSystem.terminate();
      masterSystem.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
      ha.close();
    }
  }

  private static Set<String> names(String text) throws Exception {
    return PrometheusText.parse(text).samples().stream().map(PrometheusText.Sample::name)
        .collect(Collectors.toCollection(TreeSet::new));
  }
}
