package io.baton.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.baton.app.security.LocalClusterCerts;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
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
 * {@code bin/baton worker}: jobs submitted over REST appear and turn SUCCEEDED without a reload, a job's DAG and a
 * task's log open, a running job is cancelled from the page, a killed worker turns DEAD. Saves screenshots of the
 * overview and a job into {@code target/screenshots}.
 */
class WebPageE2E {
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String HEARTBEAT = "--heartbeat-interval-ms=200";
  private static final String HEARTBEAT_TIMEOUT = "--heartbeat-timeout-ms=2000";

  @TempDir Path dir;

  @Test
  void showsTheClusterLiveAndCancelsFromThePage() throws Exception {
    assumeTrue(Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM),
        "no Chromium: run .ci/run, or apt-get install chromium chromium-driver");
    int rest = BatonProcess.freePort();
    String url = "http://127.0.0.1:" + rest;
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
          "--tls-dir", new LocalClusterCerts(dir.resolve("data").resolve("tls")).worker("extra-worker").toString())) {
        WebDriver driver = chrome();
        try {
          run(driver, http, url, worker);
        } finally {
          driver.quit();
        }
      }
    }
  }

  private void run(WebDriver driver, Http http, String url, BatonProcess worker) throws Exception {
    WebDriverWait wait = new WebDriverWait(driver, WAIT, Duration.ofMillis(100));
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
    for (String id : List.of(dag, small)) {
      wait.until(ExpectedConditions.presenceOfElementLocated(
          By.cssSelector("tr[data-job-id='" + id + "'][data-state='SUCCEEDED']")));
    }
    assertEquals(Boolean.TRUE, ((JavascriptExecutor) driver).executeScript("return window.__sameDocument;"),
        "the page reloaded");

    // a long job to cancel later, submitted now so the overview shows a running job
    String slow = http.submit("""
        {"name": "long-report", "tasks": [{"id": "crunch", "command": ["/bin/sh", "-c", "echo started; sleep 120"]}]}""");
    wait.until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("tr[data-job-id='" + slow + "'][data-state='RUNNING']")));
    screenshot(driver, "overview.png");

    // the DAG opens, every task SUCCEEDED; a task's log opens
    driver.findElement(By.cssSelector("tr[data-job-id='" + dag + "'] a")).click();
    wait.until(d -> d.findElements(By.cssSelector("#dag g.node[data-state='SUCCEEDED']")).size() == 5);
    driver.findElement(By.cssSelector("#dag g.node[data-task-id='extract']")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("log"), "1200 rows read"));
    assertTrue(driver.findElement(By.id("log")).getText().contains("extracting rows"));
    wait.until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#attempts tr[data-task-id='extract'][data-state='SUCCEEDED']")));
    screenshot(driver, "job.png");

    // a running job is cancelled from the page
    driver.findElement(By.cssSelector("a[href='#/']")).click();
    wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("tr[data-job-id='" + slow + "'] a"))).click();
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
    driver.findElement(By.cssSelector("#schedules tr[data-schedule='page-tick'] button[data-action='pause']")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#schedules tr[data-schedule='page-tick'][data-paused='true']")));
    assertTrue(http.get("/api/v1/schedules/page-tick").path("paused").asBoolean(), "paused from the page");

    // a stopped worker turns DEAD on the page
    wait.until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#workers tr[data-worker-id='extra-worker'][data-state='ALIVE']")));
    worker.kill9();
    wait.until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#dead-workers tr[data-worker-id='extra-worker'][data-state='DEAD']")));
    assertEquals(Boolean.TRUE, ((JavascriptExecutor) driver).executeScript("return window.__sameDocument;"),
        "the page reloaded");
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
