package io.baton.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.client.TestingMaster.Reply;
import io.baton.client.TestingMaster.Request;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link BatonClient} against {@link TestingMaster}s on loopback: what it sends, reads and how it fails over. */
class BatonClientIT {
  private static final String JOBS_PAGE = "{'jobs': [{'id': 'job-2', 'name': 'b', 'state': 'RUNNING'},"
      + " {'id': 'job-1', 'name': 'a', 'state': 'SUCCEEDED'}], 'nextBefore': 'job-1'}";

  private static String deadUrl() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return "http://127.0.0.1:" + s.getLocalPort();
    }
  }

  @Test
  void submitSendsTheSpecAndItsKeyAndTellsARepeatFromANewJob() throws Exception {
    AtomicInteger n = new AtomicInteger();
    try (TestingMaster master = new TestingMaster(r -> Reply.json(n.getAndIncrement() == 0 ? 201 : 200,
        "{'id': 'job-7', 'state': 'PENDING'}"))) {
      BatonClient client = BatonClient.builder(master.url()).token("s3cret").build();
      assertEquals(new Submitted("job-7", "PENDING", true), client.submit("{\"name\":\"x\"}", Optional.of("k-1")));
      assertEquals(new Submitted("job-7", "PENDING", false), client.submit("{\"name\":\"x\"}", Optional.of("k-1")));
      Request sent = master.requests().get(0);
      assertEquals("POST /api/v1/jobs {\"name\":\"x\"}", sent.method() + " " + sent.pathAndQuery() + " " + sent.body());
      assertEquals("k-1", sent.header("Idempotency-Key"));
      assertEquals("Bearer s3cret", sent.header("Authorization"));
      assertEquals("application/json", sent.header("Content-Type"));
    }
  }

  @Test
  void jobsSendsFiltersAndPagingAndReadsTheNextPage() throws Exception {
    try (TestingMaster master = new TestingMaster(r -> Reply.json(200, JOBS_PAGE))) {
      BatonClient client = BatonClient.builder(master.url()).build();
      JobPage page = client.jobs(JobQuery.all().withState("RUNNING").withName("nightly etl").withLimit(2)
          .withBefore("job-9"));
      assertEquals(List.of("job-2", "job-1"), page.jobs().stream().map(j -> j.path("id").asText()).toList());
      assertEquals(Optional.of("job-1"), page.nextBefore());
      assertEquals("/api/v1/jobs?state=RUNNING&name=nightly%20etl&limit=2&before=job-9",
          master.requests().get(0).pathAndQuery());
      client.jobs(JobQuery.all());
      assertEquals("/api/v1/jobs", master.requests().get(1).pathAndQuery());
      client.jobs(JobQuery.all().withWorker("worker 1").withLabel("team", "data").withLabel("expr", "a=b&c"));
      assertEquals("/api/v1/jobs?worker=worker%201&label=expr%3Da%3Db%26c&label=team%3Ddata",
          master.requests().get(2).pathAndQuery());
    }
  }

  @Test
  void aRefusalCarriesEveryValidationError() throws Exception {
    try (TestingMaster master = new TestingMaster(r -> Reply.json(400, "{'type': 'https://baton.dev/problems/invalid-job',"
        + " 'title': 'Invalid job spec', 'status': 400, 'detail': 'the job spec has 2 problems; first: name: is required',"
        + " 'errors': [{'path': 'name', 'message': 'is required'}, {'path': 'tasks', 'message': 'must not be empty'}]}"))) {
      BatonClient client = BatonClient.builder(master.url()).build();
      ProblemException e = assertThrows(ProblemException.class, () -> client.submit("{}", Optional.empty()));
      assertEquals(400, e.problem().status());
      assertEquals(List.of("name: is required", "tasks: must not be empty"),
          e.problem().errors().stream().map(Problem.Violation::toString).toList());
      assertEquals(1, master.requests().size(), "a refusal is not retried");
    }
  }

  @Test
  void followsTheLeaderAStandbyNamesAndRemembersIt() throws Exception {
    try (TestingMaster leader = new TestingMaster(r -> Reply.json(200, JOBS_PAGE));
         TestingMaster standby = new TestingMaster(r -> Reply.noLeader("not-leader", leader.url()))) {
      BatonClient client = BatonClient.builder(standby.url()).build();
      assertEquals(2, client.jobs(JobQuery.all()).jobs().size());
      assertEquals(Optional.of(URI.create(leader.url())), client.knownLeader());
      client.job("job-2");
      assertEquals(1, standby.requests().size(), "the second call went to the leader it knew");
      assertEquals(2, leader.requests().size());
    }
  }

  @Test
  void waitsThroughAnElectionWhenTheLeaderItKnewIsGone() throws Exception {
    String dead = deadUrl();
    AtomicInteger asked = new AtomicInteger();
    // the standby still names the dead leader for three answers, then has been elected and answers itself
    try (TestingMaster standby = new TestingMaster(r -> asked.incrementAndGet() <= 3
        ? Reply.noLeader("leader-unreachable", dead) : Reply.json(200, JOBS_PAGE))) {
      List<String> told = new ArrayList<>();
      BatonClient client = BatonClient.builder(standby.url()).electionWait(Duration.ofSeconds(15))
          .onElection(told::add).build();
      long start = System.nanoTime();
      assertEquals(2, client.jobs(JobQuery.all()).jobs().size());
      assertEquals(List.of("the leader at " + dead + " refused the connection (is a master running there?)"), told,
          "told once why it waits");
      assertTrue(System.nanoTime() - start >= Duration.ofMillis(1900).toNanos(),
          "it paused as Retry-After said between the standby's answers");
      assertEquals(4, standby.requests().size());
    }
  }

  @Test
  void givesUpAfterTheElectionWaitSayingAnElectionIsUnderWay() throws Exception {
    String dead = deadUrl();
    try (TestingMaster standby = new TestingMaster(r -> Reply.noLeader("leader-unreachable", dead))) {
      BatonClient client = BatonClient.builder(standby.url()).electionWait(Duration.ofSeconds(2)).build();
      NoLeaderException e = assertThrows(NoLeaderException.class, () -> client.workers());
      assertTrue(e.getMessage().startsWith("no leader yet: an election is under way (waited 2 s)"), e.getMessage());
      assertTrue(standby.requests().size() >= 2, "it retried: " + standby.requests().size());
    }
  }

  @Test
  void aSubmissionWithoutAKeyIsNotRetriedButOneWithAKeyIs() throws Exception {
    AtomicInteger asked = new AtomicInteger();
    try (TestingMaster standby = new TestingMaster(r -> asked.incrementAndGet() == 1
        ? Reply.noLeader("not-leader", null) : Reply.json(201, "{'id': 'job-1', 'state': 'PENDING'}"))) {
      BatonClient client = BatonClient.builder(standby.url()).build();
      NoLeaderException e = assertThrows(NoLeaderException.class, () -> client.submit("{}", Optional.empty()));
      assertTrue(e.getMessage().contains("not retried: the request is not idempotent"), e.getMessage());
      asked.set(0);
      assertEquals("job-1", client.submit("{}", Optional.of("key-1")).id());
      assertEquals(3, standby.requests().size());
    }
  }

  @Test
  void triesTheNextMasterWhenOneRefusesConnections() throws Exception {
    try (TestingMaster second = new TestingMaster(r -> Reply.json(200, "{'workers': []}"))) {
      BatonClient client = BatonClient.builder(deadUrl() + "," + second.url()).build();
      assertTrue(client.workers().path("workers").isArray());
    }
  }

  @Test
  void unreachableMastersAreNamedWithTheReason() throws Exception {
    String dead = deadUrl();
    UnreachableException refused = assertThrows(UnreachableException.class,
        () -> BatonClient.builder(dead).build().cluster());
    assertEquals("cannot reach " + dead + ": refused the connection (is a master running there?)",
        refused.getMessage());
    assertFalse(refused instanceof NoLeaderException);
    UnreachableException dns = assertThrows(UnreachableException.class,
        () -> BatonClient.builder("http://no-such-host.invalid:8080").build().cluster());
    assertEquals("cannot reach http://no-such-host.invalid:8080: has a host name that does not resolve (DNS)",
        dns.getMessage());
  }

  @Test
  void logsAndFollowingALogUntilTheJobFinishes() throws Exception {
    AtomicInteger polls = new AtomicInteger();
    try (TestingMaster master = new TestingMaster(r -> {
      if (r.pathAndQuery().startsWith("/api/v1/jobs/j1/tasks/t/log")) {
        return Reply.text(polls.get() < 2 ? "one\n" : "one\ntwo\n");
      }
      int n = polls.incrementAndGet();
      return Reply.json(200, "{'id': 'j1', 'state': '" + (n < 3 ? "RUNNING" : "SUCCEEDED") + "',"
          + " 'tasks': [{'id': 't', 'attempts': [{'attempt': 1, 'state': 'RUNNING'}]}]}");
    })) {
      BatonClient client = BatonClient.builder(master.url()).build();
      assertEquals("one\n", client.log("j1", "t", OptionalInt.empty()));
      List<String> printed = new ArrayList<>();
      List<Integer> attempts = new ArrayList<>();
      polls.set(0);
      var job = client.followLog("j1", "t", Duration.ofMillis(10), attempts::add, printed::add);
      assertEquals("SUCCEEDED", job.path("state").asText());
      assertEquals(List.of(1), attempts);
      assertEquals("one\ntwo\n", String.join("", printed));
      assertTrue(master.requests().stream().anyMatch(r -> r.pathAndQuery().equals("/api/v1/jobs/j1/tasks/t/log?attempt=1")));
    }
  }

  @Test
  void readsTheEventStream() throws Exception {
    String stream = "event: hello\ndata: {\"leader\": null}\n\n: keep-alive\n\nevent: job\ndata: {\"id\": \"j1\"}\n\n"
        + "event: worker\ndata: {\"id\": \"w1\"}\n\n";
    try (TestingMaster master = new TestingMaster(r -> new Reply(200, "text/event-stream", stream, java.util.Map.of()))) {
      List<Event> events = new ArrayList<>();
      BatonClient.builder(master.url()).build().events(e -> events.add(e) && events.size() < 2);
      assertEquals(List.of("hello", "job"), events.stream().map(Event::type).toList());
      assertEquals("j1", events.get(1).data().path("id").asText());
    }
  }
}
