package io.baton.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.HttpURLConnection;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Baton's REST API ({@code /api/v1}) for programs and the CLI: the JDK's HTTP client and Jackson, no Pekko.
 *
 * <p>The transport is the JDK's {@link HttpURLConnection}, not {@code java.net.http.HttpClient}: for a CLI that
 * makes one request and exits, HttpClient's start-up (its selector thread, the default TLS context and some thousand
 * classes) cost more than everything else together (BENCHMARKS.md, "CLI start-up"); HttpURLConnection needs none of
 * it, and HTTP/1.1 with one request at a time is all this client does.
 *
 * <p>Failover-aware. It is given one or more masters' URLs. A master that answers 503 naming the leader
 * ({@code leader} in the problem) is left for that leader, which is remembered for later calls. When the leader it
 * knows refuses connections, or a master answers that no leader can take the request (503 {@code not-leader} or
 * {@code leader-unreachable}, with {@code Retry-After}), an election is under way: an idempotent call (every GET,
 * DELETE, cancel, a submission with an Idempotency-Key) is retried on the masters it was given, pausing as
 * {@code Retry-After} says, for at most the election wait (default 15 s), then fails with {@link NoLeaderException}.
 * A call that is not idempotent is not retried once the server may have acted on it.
 *
 * <p>Failures are unchecked: {@link ProblemException} when a server refused (its problem+json, every validation
 * error included), {@link UnreachableException} when no master answered or no leader was elected in time.
 *
 * <p>Thread-safe: calls may run concurrently; the remembered leader is the one piece of shared state (volatile).
 */
public final class BatonClient {
  /** The masters' reply shape and the client's; exposed so that callers print what they get with the same mapper. */
  public static final ObjectMapper JSON = new ObjectMapper();
  public static final Duration DEFAULT_ELECTION_WAIT = Duration.ofSeconds(15);
  private static final Duration MIN_PAUSE = Duration.ofMillis(100);
  private static final Duration MAX_PAUSE = Duration.ofSeconds(2);

  private final List<URI> masters;
  private final Optional<String> token;
  private final Duration electionWait;
  private final Duration requestTimeout;
  private final Duration connectTimeout;
  private final Consumer<String> onElection;
  private volatile URI leader;

  private BatonClient(Builder b) {
    this.masters = List.copyOf(b.masters);
    this.token = b.token;
    this.electionWait = b.electionWait;
    this.requestTimeout = b.requestTimeout;
    this.connectTimeout = b.connectTimeout;
    this.onElection = b.onElection;
  }

  /** A client for the masters at {@code urls}: a comma-separated list of {@code http(s)://host:port} URLs. */
  public static Builder builder(String urls) {
    return new Builder(parseUrls(urls));
  }

  public static final class Builder {
    private final List<URI> masters;
    private Optional<String> token = Optional.empty();
    private Duration electionWait = DEFAULT_ELECTION_WAIT;
    private Duration requestTimeout = Duration.ofSeconds(30);
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Consumer<String> onElection = why -> { };

    private Builder(List<URI> masters) {
      this.masters = masters;
    }

    /** The bearer token sent with every request (none when null or empty). */
    public Builder token(String token) {
      this.token = Optional.ofNullable(token).filter(t -> !t.isEmpty());
      return this;
    }

    /** How long an idempotent call waits through an election before {@link NoLeaderException}. */
    public Builder electionWait(Duration wait) {
      this.electionWait = wait;
      return this;
    }

    /** How long one request waits for its answer's headers (not for a streamed body). */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = timeout;
      return this;
    }

    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = timeout;
      return this;
    }

    /**
     * Told once per call, on the calling thread, when the call starts waiting through an election: why (the last
     * answer), so that a human sees what the wait is for.
     */
    public Builder onElection(Consumer<String> listener) {
      this.onElection = listener;
      return this;
    }

    public BatonClient build() {
      return new BatonClient(this);
    }
  }

  /**
   * Parses {@code http://a:8080,http://b:8080}; fails with a message that says what is wrong (a missing scheme, no
   * host, an unknown scheme).
   */
  public static List<URI> parseUrls(String urls) {
    if (urls == null || urls.isBlank()) {
      throw new IllegalArgumentException("no master URL given (e.g. --url http://localhost:8080)");
    }
    List<URI> parsed = new ArrayList<>();
    for (String raw : urls.split(",")) {
      String url = raw.strip();
      if (url.isEmpty()) {
        continue;
      }
      String hint = "'" + url + "' is not a master URL: ";
      if (!url.contains("://")) {
        throw new IllegalArgumentException(hint + "it lacks the scheme (try http://" + url + ")");
      }
      URI uri;
      try {
        uri = new URI(url);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(hint + e.getReason());
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw new IllegalArgumentException(hint + "the scheme must be http or https, not " + uri.getScheme());
      }
      if (uri.getHost() == null || uri.getHost().isEmpty()) {
        throw new IllegalArgumentException(hint + "it names no host");
      }
      parsed.add(withoutTrailingSlash(uri));
    }
    if (parsed.isEmpty()) {
      throw new IllegalArgumentException("no master URL given (e.g. --url http://localhost:8080)");
    }
    return List.copyOf(parsed);
  }

  public List<URI> masters() {
    return masters;
  }

  /** The leader this client last followed a master to, if any. */
  public Optional<URI> knownLeader() {
    return Optional.ofNullable(leader);
  }

  // ---- jobs

  /**
   * {@code POST /jobs}. With an Idempotency-Key the submission is retried through an election (a repeat returns the
   * first job, {@code created} false); without one it is not retried once it may have reached a leader.
   */
  public Submitted submit(String specJson, Optional<String> idempotencyKey) {
    Answer<String> answer = call(new Call("POST", "/api/v1/jobs", specJson, idempotencyKey, idempotencyKey.isPresent()));
    JsonNode body = json(answer);
    return new Submitted(body.path("id").asText(), body.path("state").asText(), answer.status == 201);
  }

  /** {@code GET /jobs/{id}}: the job with its tasks and their attempts. */
  public JsonNode job(String id) {
    return json(get("/api/v1/jobs/" + enc(id)));
  }

  /** {@code GET /jobs}: one page, newest first. */
  public JobPage jobs(JobQuery query) {
    StringBuilder q = new StringBuilder();
    query.state().ifPresent(s -> q.append("&state=").append(enc(s)));
    query.name().ifPresent(n -> q.append("&name=").append(enc(n)));
    query.limit().ifPresent(n -> q.append("&limit=").append(n));
    query.before().ifPresent(b -> q.append("&before=").append(enc(b)));
    query.worker().ifPresent(w -> q.append("&worker=").append(enc(w)));
    query.labels().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(l -> q.append("&label=").append(enc(l.getKey() + "=" + l.getValue())));
    JsonNode body = json(get("/api/v1/jobs" + (q.length() == 0 ? "" : "?" + q.substring(1))));
    List<JsonNode> jobs = new ArrayList<>();
    body.path("jobs").forEach(jobs::add);
    JsonNode next = body.path("nextBefore");
    return new JobPage(jobs, next.isTextual() ? Optional.of(next.asText()) : Optional.empty(), body);
  }

  /** {@code POST /jobs/{id}/cancel}: running attempts are killed, pending ones never start. */
  public void cancel(String id) {
    call(new Call("POST", "/api/v1/jobs/" + enc(id) + "/cancel", null, Optional.empty(), true));
  }

  /** {@code DELETE /jobs/{id}}: a finished job and its logs. */
  public void delete(String id) {
    call(new Call("DELETE", "/api/v1/jobs/" + enc(id), null, Optional.empty(), true));
  }

  /** {@code GET /jobs/{id}/tasks/{task}/log}: an attempt's stdout and stderr (the latest attempt when empty). */
  public String log(String jobId, String taskId, OptionalInt attempt) {
    String q = attempt.isPresent() ? "?attempt=" + attempt.getAsInt() : "";
    return get("/api/v1/jobs/" + enc(jobId) + "/tasks/" + enc(taskId) + "/log" + q).body;
  }

  /**
   * Follows a task's log until its job has finished: prints (to {@code sink}) what each poll adds, starting over with
   * {@code onAttempt} when a new attempt starts; returns the finished job. Polls every {@code every}.
   */
  public JsonNode followLog(String jobId, String taskId, Duration every, Consumer<Integer> onAttempt,
      Consumer<String> sink) throws InterruptedException {
    int attempt = 0;
    int printed = 0;
    while (true) {
      JsonNode job = job(jobId);
      JsonNode task = null;
      for (JsonNode t : job.path("tasks")) {
        if (t.path("id").asText().equals(taskId)) {
          task = t;
        }
      }
      if (task == null) {
        throw new ProblemException(new Problem(404, "about:blank", "Not found",
            "job '" + jobId + "' has no task '" + taskId + "'", List.of(), Optional.empty()));
      }
      boolean finished = isFinished(job.path("state").asText());
      int latest = task.path("attempts").size();
      if (latest > 0) {
        if (latest != attempt) {
          attempt = latest;
          printed = 0;
          onAttempt.accept(attempt);
        }
        String text;
        try {
          text = log(jobId, taskId, OptionalInt.of(attempt));
        } catch (ProblemException e) {
          text = null; // not written yet, or its worker is unreachable for a moment: the next poll tries again
          if (finished) {
            throw e;
          }
        }
        if (text != null && text.length() > printed) {
          sink.accept(text.substring(printed));
          printed = text.length();
        }
      }
      if (finished) {
        return job;
      }
      Thread.sleep(every.toMillis());
    }
  }

  /** Polls the job every {@code every} until it has finished; returns it. */
  public JsonNode awaitFinished(String jobId, Duration every) throws InterruptedException {
    while (true) {
      JsonNode job = job(jobId);
      if (isFinished(job.path("state").asText())) {
        return job;
      }
      Thread.sleep(every.toMillis());
    }
  }

  public static boolean isFinished(String jobState) {
    return jobState.equals("SUCCEEDED") || jobState.equals("FAILED") || jobState.equals("CANCELLED");
  }

  // ---- events

  /**
   * {@code GET /events}: calls {@code sink} with each event, the first one {@code hello}, until the stream ends or
   * {@code sink} returns false. Opening the stream is retried through an election; its end is not.
   */
  public void events(Predicate<Event> sink) {
    Answer<InputStream> answer = exchange(new Call("GET", "/api/v1/events", null, Optional.empty(), true),
        Duration.ZERO);
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(answer.body, StandardCharsets.UTF_8))) {
      String type = "message";
      StringBuilder data = new StringBuilder();
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (line.isEmpty()) {
          if (data.length() > 0) {
            if (!sink.test(new Event(type, JSON.readTree(data.toString())))) {
              return;
            }
          }
          type = "message";
          data.setLength(0);
        } else if (line.startsWith("event:")) {
          type = line.substring(6).strip();
        } else if (line.startsWith("data:")) {
          if (data.length() > 0) {
            data.append('\n');
          }
          data.append(line.substring(5).strip());
        }
      }
    } catch (IOException e) {
      throw new UnreachableException("the event stream from " + answer.from + " broke: " + describe(e), e);
    }
  }

  // ---- workers, cluster

  /** {@code GET /workers}: {@code {"workers": [...]}}. */
  public JsonNode workers() {
    return json(get("/api/v1/workers"));
  }

  /** {@code POST /workers/{id}/drain}: the worker takes no new attempts; its running ones finish. The worker. */
  public JsonNode drain(String workerId) {
    return json(call(new Call("POST", "/api/v1/workers/" + enc(workerId) + "/drain", null, Optional.empty(), true)));
  }

  /** {@code POST /workers/{id}/undrain}: the worker takes new attempts again. The worker. */
  public JsonNode undrain(String workerId) {
    return json(call(new Call("POST", "/api/v1/workers/" + enc(workerId) + "/undrain", null, Optional.empty(), true)));
  }

  /**
   * {@code POST /jobs/{id}/rerun}: a new job of a finished, not succeeded job's spec that reuses its succeeded tasks.
   * The new job ({@code id}, {@code state}, {@code rerunOf}). Not retried through an election (each call makes a job).
   */
  public JsonNode rerun(String jobId) {
    return json(call(new Call("POST", "/api/v1/jobs/" + enc(jobId) + "/rerun", null, Optional.empty(), false)));
  }

  /** {@code GET /cluster}: the leader, this master, the masters, ZooKeeper's state (any master answers it). */
  public JsonNode cluster() {
    return json(get("/api/v1/cluster"));
  }

  /** {@code POST /cluster/step-down}: planned handover; not retried. */
  public JsonNode stepDown() {
    return json(call(new Call("POST", "/api/v1/cluster/step-down", null, Optional.empty(), false)));
  }

  // ---- schedules

  public JsonNode schedules() {
    return json(get("/api/v1/schedules"));
  }

  public JsonNode schedule(String name) {
    return json(get("/api/v1/schedules/" + enc(name)));
  }

  /** {@code POST /schedules}: 409 when the name is taken. */
  public JsonNode createSchedule(String json) {
    return json(call(new Call("POST", "/api/v1/schedules", json, Optional.empty(), false)));
  }

  /** {@code PUT /schedules/{name}}: create or replace (idempotent). */
  public JsonNode replaceSchedule(String name, String json) {
    return json(call(new Call("PUT", "/api/v1/schedules/" + enc(name), json, Optional.empty(), true)));
  }

  public JsonNode pauseSchedule(String name) {
    return json(call(new Call("POST", "/api/v1/schedules/" + enc(name) + "/pause", null, Optional.empty(), true)));
  }

  public JsonNode resumeSchedule(String name) {
    return json(call(new Call("POST", "/api/v1/schedules/" + enc(name) + "/resume", null, Optional.empty(), true)));
  }

  /** Submits the schedule's job once now; not retried (a repeat would submit twice). */
  public JsonNode triggerSchedule(String name) {
    return json(call(new Call("POST", "/api/v1/schedules/" + enc(name) + "/trigger", null, Optional.empty(), false)));
  }

  public void deleteSchedule(String name) {
    call(new Call("DELETE", "/api/v1/schedules/" + enc(name), null, Optional.empty(), true));
  }

  // ---- the exchange

  /** One request: {@code retryable} when repeating it cannot do twice what once would. */
  private record Call(String method, String path, String body, Optional<String> idempotencyKey, boolean retryable) {}

  private record Answer<T>(int status, T body, URI from) {}

  private Answer<String> get(String path) {
    return call(new Call("GET", path, null, Optional.empty(), true));
  }

  private Answer<String> call(Call call) {
    Answer<InputStream> a = exchange(call, requestTimeout);
    return new Answer<>(a.status, readString(a.body, a.from), a.from);
  }

  private static JsonNode json(Answer<String> answer) {
    if (answer.body == null || answer.body.isEmpty()) {
      return JSON.createObjectNode();
    }
    try {
      return JSON.readTree(answer.body);
    } catch (JsonProcessingException e) {
      throw new UnreachableException(answer.from + " answered " + answer.status + " with a body that is not JSON: "
          + e.getOriginalMessage(), e);
    }
  }

  /**
   * Sends {@code call} where it should go: the known leader, else the masters in order. Returns a 2xx-3xx answer;
   * throws {@link ProblemException} for a refusal, {@link UnreachableException} / {@link NoLeaderException} as the
   * class Javadoc says.
   */
  private Answer<InputStream> exchange(Call call, Duration timeout) {
    long start = System.nanoTime();
    long deadline = start + electionWait.toNanos();
    boolean electionSeen = false;
    boolean told = false;
    String lastAnswer = null;
    Set<URI> followed = new LinkedHashSet<>();
    int next = 0; // the next master to try when there is no leader to go to
    URI target = leader != null ? leader : masters.get(next++);
    List<String> unreachable = new ArrayList<>();
    while (true) {
      Response response;
      try {
        response = send(target, call, timeout);
      } catch (IOException e) {
        String why = describe(e);
        boolean notSent = notSent(e);
        if (target.equals(leader) || followed.contains(target)) {
          leader = null;
          // the leader we knew is gone: the masters will elect another
          electionSeen |= notSent;
          lastAnswer = "the leader at " + target + " " + why;
        } else {
          unreachable.add(target + ": " + why);
        }
        if (!notSent && !call.retryable) {
          throw new UnreachableException(target + " " + why + " after the request was sent; it may or may not have"
              + " been carried out", e);
        }
        if (next < masters.size()) {
          target = masters.get(next++);
          continue;
        }
        if (!electionSeen || !call.retryable) {
          if (electionSeen) {
            throw new NoLeaderException(Duration.ofNanos(System.nanoTime() - start), lastAnswer);
          }
          throw new UnreachableException("cannot reach " + (unreachable.size() == 1 ? unreachable.get(0)
              : "any master: " + String.join("; ", unreachable)), e);
        }
        if (!told) {
          told = true;
          onElection.accept(lastAnswer);
        }
        pauseOrGiveUp(Duration.ofSeconds(1), deadline, start, lastAnswer);
        next = 0;
        unreachable.clear();
        target = masters.get(next++);
        continue;
      }
      int status = response.status();
      if (status < 400) {
        if (!masters.contains(target)) {
          leader = target;
        }
        return new Answer<>(status, response.body(), target);
      }
      String text = readString(response.body(), target);
      JsonNode json = null;
      try {
        json = text.isEmpty() ? null : JSON.readTree(text);
      } catch (JsonProcessingException e) {
        json = null;
      }
      Problem problem = Problem.from(status, json, text);
      if (status != 503) {
        throw new ProblemException(problem);
      }
      Optional<URI> named = problem.leader().flatMap(BatonClient::uri);
      if (named.isPresent() && !named.get().equals(target) && followed.add(named.get())) {
        target = named.get(); // a master that is not the leader names it: go there
        continue;
      }
      String slug = problem.slug();
      boolean noLeader = slug.equals("not-leader") || slug.equals("leader-unreachable");
      boolean maybeDone = slug.equals("leader-timeout");
      if (!(noLeader || maybeDone) || !call.retryable) {
        if (noLeader) {
          throw new NoLeaderException(Duration.ofNanos(System.nanoTime() - start),
              problem.detail() + " (not retried: the request is not idempotent)");
        }
        throw new ProblemException(problem);
      }
      electionSeen = true;
      lastAnswer = problem.detail();
      if (target.equals(leader)) {
        leader = null;
      }
      Duration retryAfter = Optional.ofNullable(response.retryAfter()).flatMap(BatonClient::seconds)
          .orElse(Duration.ofSeconds(1));
      if (!told) {
        told = true;
        onElection.accept(lastAnswer);
      }
      pauseOrGiveUp(retryAfter, deadline, start, lastAnswer);
      followed.clear();
      next = 0;
      unreachable.clear();
      target = masters.get(next++);
    }
  }

  private void pauseOrGiveUp(Duration wanted, long deadline, long start, String lastAnswer) {
    long pause = Math.max(MIN_PAUSE.toNanos(), Math.min(MAX_PAUSE.toNanos(), wanted.toNanos()));
    long now = System.nanoTime();
    if (now >= deadline) {
      throw new NoLeaderException(electionWait, lastAnswer);
    }
    pause = Math.min(pause, deadline - now);
    try {
      Thread.sleep(pause / 1_000_000, (int) (pause % 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NoLeaderException(Duration.ofNanos(System.nanoTime() - start), lastAnswer);
    }
  }

  /** An answer's status, its Retry-After header and its body (the error stream for 4xx and 5xx). */
  private record Response(int status, String retryAfter, InputStream body) {}

  /** One HTTP/1.1 request; a body is sent with a fixed length, so the JDK never repeats a POST by itself. */
  private Response send(URI base, Call call, Duration timeout) throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create(base + call.path).toURL().openConnection();
    c.setRequestMethod(call.method);
    c.setInstanceFollowRedirects(false);
    c.setUseCaches(false);
    c.setConnectTimeout((int) connectTimeout.toMillis());
    c.setReadTimeout((int) timeout.toMillis()); // 0 (a stream): no timeout
    c.setRequestProperty("Accept", "application/json, application/problem+json, text/plain, text/event-stream");
    token.ifPresent(t -> c.setRequestProperty("Authorization", "Bearer " + t));
    call.idempotencyKey.ifPresent(k -> c.setRequestProperty("Idempotency-Key", k));
    if (call.body != null || call.method.equals("POST") || call.method.equals("PUT")) {
      byte[] bytes = call.body == null ? new byte[0] : call.body.getBytes(StandardCharsets.UTF_8);
      if (call.body != null) {
        c.setRequestProperty("Content-Type", "application/json");
      }
      c.setDoOutput(true);
      c.setFixedLengthStreamingMode(bytes.length);
      try (var out = c.getOutputStream()) {
        out.write(bytes);
      }
    }
    int status = c.getResponseCode();
    InputStream body = status >= 400 ? c.getErrorStream() : c.getInputStream();
    return new Response(status, c.getHeaderField("Retry-After"),
        body == null ? InputStream.nullInputStream() : body);
  }

  private static String readString(InputStream body, URI from) {
    try (InputStream in = body) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UnreachableException("the answer from " + from + " broke off: " + describe(e), e);
    }
  }

  /** True when the request cannot have reached a server: no connection was made. */
  private static boolean notSent(IOException e) {
    return e instanceof ConnectException || e instanceof NoRouteToHostException || e instanceof UnknownHostException
        || e instanceof SocketTimeoutException && String.valueOf(e.getMessage()).contains("connect");
  }

  /** What went wrong, in words: connection refused, unknown host, no answer in time. */
  static String describe(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof UnknownHostException) {
        return "has a host name that does not resolve (DNS)";
      }
      if (c instanceof SocketTimeoutException) {
        return String.valueOf(c.getMessage()).contains("connect") ? "did not accept a connection in time"
            : "did not answer in time";
      }
      if (c instanceof NoRouteToHostException) {
        return "cannot be reached (no route to host)";
      }
      if (c instanceof ConnectException) {
        return "refused the connection (is a master running there?)";
      }
    }
    return "failed: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
  }

  private static Optional<URI> uri(String url) {
    try {
      return Optional.of(withoutTrailingSlash(new URI(url)));
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
  }

  private static Optional<Duration> seconds(String retryAfter) {
    try {
      return Optional.of(Duration.ofSeconds(Long.parseLong(retryAfter.strip())));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static URI withoutTrailingSlash(URI uri) {
    String s = uri.toString();
    return s.endsWith("/") ? URI.create(s.replaceAll("/+$", "")) : uri;
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
