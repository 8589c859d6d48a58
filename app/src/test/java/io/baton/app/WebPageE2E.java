package io.baton.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.baton.app.security.LocalClusterCerts;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.ElementNotInteractableException;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The live web page in a real headless Chromium against a real {@code bin/baton standalone} plus one extra
 * {@code bin/baton worker} and a standby {@code bin/baton master}: jobs submitted over REST appear and turn SUCCEEDED
 * without a reload, a job's DAG and a task's log open, a running job's duration ticks, a timed-out task says why, a
 * waiting task says what it waits for, a running job is cancelled from the page, the standby's page says it is the
 * standby, a killed master shows as down, a killed worker turns DEAD, and the page turns dark when the system asks.
 * The last hour's charts show the jobs finished and failed, attempt durations and the placement queue; the event
 * timeline shows the master and the worker that died; the workers filter narrows by label; the jobs list narrows by worker and by label. Saves screenshots of the overview, a job and the dark overview into {@code target/screenshots}.
 */
class WebPageE2E {
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String HEARTBEAT = "--heartbeat-interval-ms=200";
  private static final String HEARTBEAT_TIMEOUT = "--heartbeat-timeout-ms=2000";

  /** Every edge of the drawn DAG that passes through a box other than its two ends, as "from->to under id". */
  private static final String EDGES_UNDER_BOXES = """
      const boxes = [...document.querySelectorAll('#dag g.node')].map((g) => {
        const [x, y] = g.getAttribute('transform').match(/-?[0-9.]+/g).map(Number);
        const r = g.querySelector('rect');
        return { id: g.dataset.taskId, x, y, w: Number(r.getAttribute('width')), h: Number(r.getAttribute('height')) };
      });
      const hits = [];
      for (const e of document.querySelectorAll('#dag path.edge')) {
        const pts = e.dataset.points.split(' ').map((p) => p.split(',').map(Number));
        for (const b of boxes) {
          if (b.id === e.dataset.from || b.id === e.dataset.to) continue;
          for (let i = 0; i + 1 < pts.length; i++) {
            for (let k = 0; k <= 20; k++) {
              const x = pts[i][0] + (pts[i + 1][0] - pts[i][0]) * k / 20;
              const y = pts[i][1] + (pts[i + 1][1] - pts[i][1]) * k / 20;
              if (x > b.x && x < b.x + b.w && y > b.y && y < b.y + b.h) hits.push(`${e.dataset.from}->${e.dataset.to} under ${b.id}`);
            }
          }
        }
      }
      return [...new Set(hits)].join('; ');
      """;

  @TempDir Path dir;

  @Test
  void showsTheClusterLiveAndCancelsFromThePage() throws Exception {
    assumeTrue(Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM),
        "no Chromium: run .ci/run, or apt-get install chromium chromium-driver");
    int rest = BatonProcess.freePort();
    String url = "http://127.0.0.1:" + rest;
    // the standalone's ZooKeeper secret is the one every test master gets, so the standby below can join it
    Path secret = Files.createDirectories(dir.resolve("data")).resolve("zookeeper-secret");
    Files.writeString(secret, BatonProcess.ZK_SECRET + "\n");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
    try (BatonProcess standalone = BatonProcess.start(dir, "standalone", "standalone", "--zk-port", "0",
        "--rest-port", String.valueOf(rest), "--data-dir", dir.resolve("data").toString(), HEARTBEAT,
        HEARTBEAT_TIMEOUT)) {
      standalone.awaitOutput("Baton standalone is up", Duration.ofSeconds(60));
      Matcher zk = Pattern.compile("\\(ZooKeeper ([^,\\s]+)").matcher(standalone.output());
      assertTrue(zk.find(), standalone.output());
      Http http = new Http(url);
      http.awaitReady(Duration.ofSeconds(30));
      try (BatonProcess worker = BatonProcess.start(dir, "worker", "worker", "--zk", zk.group(1),
          "--worker-id", "extra-worker", "--cpus", "2", "--memory-mb", "2048", "--labels", "pool=extra,zone=b",
          "--data-dir", dir.resolve("worker").toString(), HEARTBEAT, HEARTBEAT_TIMEOUT,
          // joins the standalone's cluster with a certificate of the standalone's own CA
          "--tls-dir", new LocalClusterCerts(dir.resolve("data").resolve("tls")).worker("extra-worker").toString());
          BatonProcess standby = startStandby(zk.group(1))) {
        WebDriver driver = chrome();
        try {
          run(driver, http, url, worker, standby);
        } finally {
          driver.quit();
        }
      }
    }
  }

  private int standbyRest;

  /** A second master on the standalone's ZooKeeper, with a certificate of the standalone's CA: a standby. */
  private BatonProcess startStandby(String zk) throws Exception {
    standbyRest = BatonProcess.freePort();
    return BatonProcess.start(dir, "standby", "master", "--zk", zk, "--rest-port", String.valueOf(standbyRest),
        "--port", "0", "--data-dir", dir.resolve("standby").toString(), HEARTBEAT, HEARTBEAT_TIMEOUT,
        "--tls-dir", new LocalClusterCerts(dir.resolve("data").resolve("tls")).master("standby").toString());
  }

  private void run(WebDriver driver, Http http, String url, BatonProcess worker, BatonProcess standby)
      throws Exception {
    // the page re-renders rows on live updates: an element found a moment ago may be replaced; look again
    WebDriverWait wait = new WebDriverWait(driver, WAIT, Duration.ofMillis(100));
    wait.ignoring(StaleElementReferenceException.class);
    driver.get(url + "/");
    wait.until(ExpectedConditions.attributeToBe(By.id("live"), "data-state", "open"));
    ((JavascriptExecutor) driver).executeScript("window.__sameDocument = true;");

    // the extra worker registers and shows up as ALIVE
    wait.until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("tr[data-worker-id='extra-worker'][data-state='ALIVE']")));

    // jobs submitted over REST appear and turn SUCCEEDED without a reload
    String dag = http.submit("""
        {"name": "nightly-etl", "labels": {"team": "data"}, "tasks": [
          {"id": "extract", "command": ["/bin/sh", "-c", "echo extracting rows; echo 1200 rows read >&2"]},
          {"id": "warmup", "handler": "sleep", "args": {"millis": 300}, "cpus": 0.5},
          {"id": "transform", "command": ["/bin/echo", "transformed"], "dependsOn": ["extract"]},
          {"id": "validate", "command": ["/bin/echo", "validated"], "dependsOn": ["extract"]},
          {"id": "load", "command": ["/bin/echo", "loaded"], "dependsOn": ["transform", "validate", "warmup"]}
        ]}""");
    String small = http.submit("""
        {"name": "hello", "tasks": [{"id": "say", "command": ["/bin/echo", "hello"]}]}""");
    String tooSlow = http.submit("""
        {"name": "too-slow", "tasks": [{"id": "nap", "command": ["/bin/sleep", "30"], "timeoutSeconds": 1}]}""");
    // runs on the extra worker only (its label), for the jobs list's worker filter below
    String pinned = http.submit("""
        {"name": "pinned", "tasks": [{"id": "there", "handler": "noop", "constraints": {"pool": "extra"}}]}""");
    for (String id : List.of(dag, small, pinned)) {
      wait.until(ExpectedConditions.presenceOfElementLocated(
          By.cssSelector("tr[data-job-id='" + id + "'][data-state='SUCCEEDED']")));
    }
    // a failed job's progress bar is in the failure colour
    wait.until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("tr[data-job-id='" + tooSlow + "'][data-state='FAILED'] .bar.st-FAILED")));
    // and the list says why it failed
    wait.until(ExpectedConditions.textToBePresentInElementLocated(
        By.cssSelector("tr[data-job-id='" + tooSlow + "'] .reason"), "task nap timed out: timed out after 1s"));
    // the last hour's charts draw what happened: 3 jobs finished, 1 failed, their attempts' durations
    wait.until(d -> number(d, "chart-jobs", "finished") >= 3 && number(d, "chart-jobs", "failed") >= 1);
    wait.until(d -> number(d, "chart-durations", "points") >= 1);
    assertEquals(3, driver.findElements(By.cssSelector(".chart canvas")).size(), "three uPlot charts");
    assertEquals(Boolean.TRUE, ((JavascriptExecutor) driver).executeScript("return window.__sameDocument;"),
        "the page reloaded");

    // a long job to cancel later, submitted now so the overview shows a running job
    String slow = http.submit("""
        {"name": "long-report", "tasks": [{"id": "crunch", "command": ["/bin/sh", "-c", "echo started; sleep 120"]}]}""");
    wait.until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("tr[data-job-id='" + slow + "'][data-state='RUNNING']")));
    // its duration ticks while it runs, without an event
    By slowDuration = By.cssSelector("tr[data-job-id='" + slow + "'] td.duration.ticking");
    String first = wait.until(d -> d.findElement(slowDuration).getText());
    wait.until(d -> !d.findElement(slowDuration).getText().equals(first));
    // the standby shows among the masters, up
    String standbyUrl = "http://127.0.0.1:" + standbyRest;
    By standbyMaster = By.cssSelector("#masters [data-master='" + standbyUrl + "']");
    new WebDriverWait(driver, Duration.ofSeconds(90), Duration.ofMillis(200))
        .ignoring(StaleElementReferenceException.class)
        .until(ExpectedConditions.attributeToBe(standbyMaster, "data-up", "true"));
    wait.until(ExpectedConditions.attributeToBe(By.id("self"), "data-role", "leader"));
    screenshot(driver, "overview.png");

    // the DAG opens, every task SUCCEEDED; a task's log opens
    click(wait, By.cssSelector("tr[data-job-id='" + dag + "'] a"));
    wait.until(d -> d.findElements(By.cssSelector("#dag g.node[data-state='SUCCEEDED']")).size() == 5);
    // dagre lays it out: one edge per dependency, and none drawn under a box it does not join
    assertEquals(5, driver.findElements(By.cssSelector("#dag path.edge")).size());
    assertEquals("", ((JavascriptExecutor) driver).executeScript(EDGES_UNDER_BOXES));
    click(wait, By.cssSelector("#dag g.node[data-task-id='extract']"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("log"), "1200 rows read"));
    assertTrue(driver.findElement(By.id("log")).getText().contains("extracting rows"));
    wait.until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#attempts tr[data-task-id='extract'][data-state='SUCCEEDED']")));
    screenshot(driver, "job.png");

    // a timed-out task says why: in the job's facts, its attempt and its (empty) log
    driver.findElement(By.cssSelector("a[href='#/']")).click();
    click(wait, By.cssSelector("tr[data-job-id='" + tooSlow + "'] a"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#job-summary .reason"),
        "task nap timed out: timed out after 1s"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(
        By.cssSelector("#attempts tr[data-task-id='nap'][data-state='TIMED_OUT'] td.reason"), "timed out after 1s"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("log"), "timed out after 1s"));
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#job-summary .bar.st-FAILED")));

    // waiting tasks say what they wait for: capacity no worker has, and a dependency
    String waits = http.submit("""
        {"name": "waits", "tasks": [{"id": "hog", "handler": "noop", "cpus": 64},
          {"id": "after", "handler": "noop", "dependsOn": ["hog"]}]}""");
    driver.findElement(By.cssSelector("a[href='#/']")).click();
    click(wait, By.cssSelector("tr[data-job-id='" + waits + "'] a"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(
        By.cssSelector("#task-reasons li[data-task-id='hog'][data-kind='capacity']"),
        "waiting for capacity: needs 64 cpus"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(
        By.cssSelector("#task-reasons li[data-task-id='after'][data-kind='dependency']"), "waiting for hog"));
    // the leader's placement queue holds the task no worker can take, and the queue chart shows it
    wait.until(d -> number(d, "chart-queue", "max") >= 1);
    screenshot(driver, "job-waiting.png");
    // a retry's backoff is said with its end and the failure before it (the page's own module, on a task as the
    // REST API shows one: a real retry's backoff is a second here, too short to catch)
    Object backoff = ((JavascriptExecutor) driver).executeAsyncScript("""
        const done = arguments[arguments.length - 1];
        import('/assets/why.js').then((why) => {
          const task = { id: 'flaky', state: 'PENDING', retryAt: new Date(Date.now() + 60000).toISOString(),
            dependsOn: [], cpus: 1, memoryMb: 256, attempts: [{ attempt: 1, state: 'FAILED', exitCode: 3 }] };
          done(why.taskReason(task, { state: 'RUNNING', tasks: [task] }, []));
        }, (e) => done(String(e)));""");
    assertEquals("backoff", ((Map<?, ?>) backoff).get("kind"), String.valueOf(backoff));
    assertTrue(String.valueOf(((Map<?, ?>) backoff).get("text"))
        .matches("retry backoff until .+ \\(attempt 1: exit code 3\\)"), String.valueOf(backoff));
    assertEquals(202, http.send("POST", "/api/v1/jobs/" + waits + "/cancel", null).statusCode());

    // a running job is cancelled from the page
    driver.findElement(By.cssSelector("a[href='#/']")).click();
    click(wait, By.cssSelector("tr[data-job-id='" + slow + "'] a"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("log"), "started"));
    WebElement cancel = wait.until(ExpectedConditions.elementToBeClickable(By.id("cancel")));
    cancel.click();
    wait.until(ExpectedConditions.attributeToBe(By.id("job-summary"), "data-state", "CANCELLED"));
    assertEquals("CANCELLED", http.get("/api/v1/jobs/" + slow).path("state").asText());

    // a schedule shows with its fires (linked to their jobs) and pauses from the page
    driver.findElement(By.cssSelector("a[href='#/']")).click();
    assertEquals(201, http.send("POST", "/api/v1/schedules", """
        {"name": "page-tick", "cron": "* * * * * ?", "syntax": "quartz",
         "job": {"name": "page-tick", "tasks": [{"id": "t", "handler": "noop"}]}}""").statusCode());
    wait.until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#schedules tr[data-schedule='page-tick'][data-paused='false'] a.fire")));
    click(wait, By.cssSelector("#schedules tr[data-schedule='page-tick'] button[data-action='pause']"));
    wait.until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#schedules tr[data-schedule='page-tick'][data-paused='true']")));
    assertTrue(http.get("/api/v1/schedules/page-tick").path("paused").asBoolean(), "paused from the page");

    // the standby's own page says it is the standby, not the leader it forwards to
    driver.get(standbyUrl + "/");
    wait.until(ExpectedConditions.attributeToBe(By.id("live"), "data-state", "open"));
    wait.until(ExpectedConditions.attributeToBe(By.id("self"), "data-role", "standby"));
    assertEquals(standbyUrl + " (standby)", driver.findElement(By.id("self")).getText());
    driver.get(url + "/");
    wait.until(ExpectedConditions.attributeToBe(By.id("live"), "data-state", "open"));
    ((JavascriptExecutor) driver).executeScript("window.__sameDocument = true;");
    // a killed master stays listed, as down
    wait.until(ExpectedConditions.attributeToBe(standbyMaster, "data-up", "true"));
    standby.kill9();
    wait.until(ExpectedConditions.attributeToBe(standbyMaster, "data-up", "false"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(standbyMaster, "(down)"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(
        By.cssSelector("#timeline li[data-kind='master-down']"), standbyUrl));

    // the jobs list's filters: by worker (the jobs with an attempt there, as REST lists them), by label, cleared
    List<String> all = wait.until(d -> jobRows(d));
    List<String> onExtra = ids(http.get("/api/v1/jobs?worker=extra-worker"));
    assertTrue(onExtra.contains(pinned) && !onExtra.contains(waits), onExtra.toString());
    driver.findElement(By.id("job-worker-filter")).sendKeys("extra-worker");
    wait.until(d -> jobRows(d).equals(onExtra));
    assertTrue(onExtra.size() < all.size(), all + " narrowed to " + onExtra);
    setInput(driver, "job-worker-filter", "");
    wait.until(d -> jobRows(d).equals(all));
    driver.findElement(By.id("label-filter")).sendKeys("team");
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("label-filter-error"), "is not key=value"));
    driver.findElement(By.id("label-filter")).sendKeys("=data");
    wait.until(d -> jobRows(d).equals(List.of(dag)));
    assertTrue(!driver.findElement(By.id("label-filter-error")).isDisplayed(), "the error is gone once it is valid");
    setInput(driver, "label-filter", "");
    wait.until(d -> jobRows(d).equals(all));

    // the workers filter: by label, then cleared
    driver.findElement(By.id("worker-filter")).sendKeys("pool=extra");
    wait.until(d -> d.findElements(By.cssSelector("#workers tr[data-worker-id]")).size() == 1
        && !d.findElements(By.cssSelector("#workers tr[data-worker-id='extra-worker']")).isEmpty());
    driver.findElement(By.id("worker-filter")).clear();
    ((JavascriptExecutor) driver).executeScript(
        "document.getElementById('worker-filter').dispatchEvent(new Event('input'));");
    wait.until(d -> d.findElements(By.cssSelector("#workers tr[data-worker-id]")).size() == 2);

    // a stopped worker turns DEAD on the page
    wait.until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#workers tr[data-worker-id='extra-worker'][data-state='ALIVE']")));
    worker.kill9();
    wait.until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#dead-workers tr[data-worker-id='extra-worker'][data-state='DEAD']")));
    wait.until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#timeline li[data-kind='worker-dead'][data-worker='extra-worker']")));
    assertEquals(Boolean.TRUE, ((JavascriptExecutor) driver).executeScript("return window.__sameDocument;"),
        "the page reloaded");

    // dark mode follows the system setting (prefers-color-scheme, emulated as Chromium's DevTools do)
    assertEquals("rgb(246, 247, 249)", background(driver));
    ((ChromeDriver) driver).executeCdpCommand("Emulation.setEmulatedMedia",
        Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
    wait.until(d -> "rgb(13, 17, 23)".equals(background(d)));
    screenshot(driver, "overview-dark.png");
    ((ChromeDriver) driver).executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features", List.of()));
  }

  /** The ids of the jobs list's rows, top to bottom. */
  private static List<String> jobRows(WebDriver driver) {
    return driver.findElements(By.cssSelector("#jobs tr[data-job-id]")).stream()
        .map(r -> r.getAttribute("data-job-id")).toList();
  }

  private static List<String> ids(com.fasterxml.jackson.databind.JsonNode page) {
    List<String> ids = new java.util.ArrayList<>();
    page.path("jobs").forEach(j -> ids.add(j.path("id").asText()));
    return ids;
  }

  /** Sets a filter input's text and tells the page, as typing does. */
  private static void setInput(WebDriver driver, String id, String text) {
    ((JavascriptExecutor) driver).executeScript("const e = document.getElementById(arguments[0]);"
        + " e.value = arguments[1]; e.dispatchEvent(new Event('input'));", id, text);
  }

  /** Clicks what {@code by} finds, finding it again when a live update replaced it in between. */
  private static void click(WebDriverWait wait, By by) {
    wait.until(d -> {
      try {
        d.findElement(by).click();
        return true;
      } catch (StaleElementReferenceException | ElementNotInteractableException e) {
        return false;
      }
    });
  }

  /** A number a chart states about its data (its data-* attribute), -1 while it has none. */
  private static long number(WebDriver driver, String chart, String name) {
    String v = driver.findElement(By.id(chart)).getAttribute("data-" + name);
    return v == null ? -1 : Long.parseLong(v);
  }

  private static Object background(WebDriver driver) {
    return ((JavascriptExecutor) driver).executeScript("return getComputedStyle(document.body).backgroundColor;");
  }

  private WebDriver chrome() throws Exception {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--window-size=1440,1000", "--user-data-dir=" + Files.createDirectories(dir.resolve("chrome-profile")));
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .build();
    return new ChromeDriver(service, options);
  }

  private static void screenshot(WebDriver driver, String name) throws Exception {
    File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
    Path out = Path.of("target", "screenshots");
    Files.createDirectories(out);
    Files.copy(shot.toPath(), out.resolve(name), StandardCopyOption.REPLACE_EXISTING);
  }
}
