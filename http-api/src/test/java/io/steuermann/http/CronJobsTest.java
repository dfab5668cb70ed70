package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CronJobs through the real API on a hollow node, with the controllers' clock driven by the
 * test ({@link OffsetClock}): a minute passes when the test says so. Every-minute schedules
 * run, Forbid skips while a run is active, Replace replaces it, history limits delete old
 * Jobs, and a bad schedule is refused naming {@code spec.schedule}.
 */
class CronJobsTest {
  private static final String NS = "cron";
  private static final String CRONJOBS = "/apis/batch/v1/namespaces/" + NS + "/cronjobs";
  private static final String JOBS = "/apis/batch/v1/namespaces/" + NS + "/jobs";
  private static final OffsetClock clock = new OffsetClock();

  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.startWithNodes("CronJobsTest", TestServer.h2(dataDir).withFallback(ConfigFactory.parseString("""
        steuermann.controllers.enabled = true
        steuermann.controllers.cronjob.resync-interval = 200ms
        steuermann.node.hollow-nodes = 1
        steuermann.node.name-prefix = "cron-"
        """)), clock);
    server.namespace(NS);
  }

  @BeforeEach
  void realTime() {
    // each test's CronJobs are created at the system time and then moved past; the CronJobs of
    // earlier tests see time go back, which only delays their next run
    clock.reset();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static String cronJob(String name, String spec, String command) {
    return """
        {"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"%s"},
         "spec":{"schedule":"* * * * *",%s"jobTemplate":{"metadata":{"labels":{"cron":"%s"}},
           "spec":{"template":{"spec":{"restartPolicy":"Never",
             "containers":[{"name":"main","image":"busybox:1.36"%s}]}}}}}}"""
        .formatted(name, spec, name, command == null ? "" : ",\"command\":" + command);
  }

  private static List<JsonNode> jobs(String cronJob) {
    List<JsonNode> out = new ArrayList<>();
    expect(200, server.get(JOBS + "?labelSelector=cron%3D" + cronJob)).path("items").forEach(j -> {
      if (!j.path("metadata").has("deletionTimestamp")) {
        out.add(j);
      }
    });
    return out;
  }

  private static List<String> names(List<JsonNode> jobs) {
    return jobs.stream().map(j -> j.path("metadata").path("name").asText()).sorted().toList();
  }

  /** The Job name of the minute the controllers' clock is in now. */
  private static String jobNow(String cronJob) {
    return cronJob + "-" + Instant.now(clock).getEpochSecond() / 60;
  }

  @Test
  void everyMinuteRunsOnceAMinuteAndForbidSkipsWhileOneRuns() {
    // no command: the hollow container, and so the Job, runs until it is stopped
    JsonNode created = expect(201, server.post(CRONJOBS, cronJob("forbid", "\"concurrencyPolicy\":\"Forbid\",", null)));
    assertEquals(3, created.path("spec").path("successfulJobsHistoryLimit").asInt());
    assertEquals(1, created.path("spec").path("failedJobsHistoryLimit").asInt());
    assertEquals(false, created.path("spec").path("suspend").asBoolean(true));
    await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(5)).until(() -> jobs("forbid").isEmpty());

    clock.advance(Duration.ofMinutes(1));
    String first = jobNow("forbid");
    await().atMost(Duration.ofSeconds(10)).until(() -> names(jobs("forbid")).equals(List.of(first)));
    JsonNode job = expect(200, server.get(JOBS + "/" + first));
    Instant scheduled = Instant.now(clock).truncatedTo(ChronoUnit.MINUTES);
    assertEquals(scheduled, Instant.parse(job.path("metadata").path("annotations")
        .path("batch.kubernetes.io/cronjob-scheduled-timestamp").asText()));
    assertEquals("CronJob", job.path("metadata").path("ownerReferences").get(0).path("kind").asText());
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      JsonNode status = expect(200, server.get(CRONJOBS + "/forbid")).path("status");
      return status.path("lastScheduleTime").asText().equals(scheduled.toString())
          && status.path("active").size() == 1
          && status.path("active").get(0).path("name").asText().equals(first);
    });

    // a minute on, the first still runs: Forbid starts nothing
    clock.advance(Duration.ofMinutes(1));
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
        .until(() -> names(jobs("forbid")).equals(List.of(first)));

    // Replace: the running Job goes, the due one starts
    expect(200, server.patch(CRONJOBS + "/forbid", "application/merge-patch+json",
        "{\"spec\":{\"concurrencyPolicy\":\"Replace\"}}"));
    String second = jobNow("forbid");
    await().atMost(Duration.ofSeconds(10)).until(() -> names(jobs("forbid")).equals(List.of(second)));
  }

  @Test
  void allowRunsBesideTheActiveOneAndHistoryLimitsDeleteFinishedJobs() {
    expect(201, server.post(CRONJOBS, cronJob("history", "\"successfulJobsHistoryLimit\":1,", "[\"true\"]")));
    List<String> started = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      clock.advance(Duration.ofMinutes(1));
      String name = jobNow("history");
      started.add(name);
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        JsonNode job = server.get(JOBS + "/" + name).statusCode() == 200
            ? expect(200, server.get(JOBS + "/" + name)) : null;
        return job != null && job.path("status").path("succeeded").asInt() == 1;
      });
    }
    // one successful Job is kept: the newest
    await().atMost(Duration.ofSeconds(20)).until(() -> names(jobs("history")).equals(List.of(started.get(2))));
    await().atMost(Duration.ofSeconds(10)).until(() -> expect(200, server.get(CRONJOBS + "/history"))
        .path("status").has("lastSuccessfulTime"));
  }

  @Test
  void afterTenMissedMinutesOneCatchUpRunStarts() {
    expect(201, server.post(CRONJOBS, cronJob("downtime", "", null)));
    // ten scheduled times pass while nothing looks (as a stopped controller would see it); the
    // clock lands 5 s into a minute, so that no new minute begins while the test looks
    long second = Instant.now(clock).getEpochSecond() % 60;
    clock.advance(Duration.ofMinutes(10).plusSeconds((65 - second) % 60));
    String due = jobNow("downtime");
    await().atMost(Duration.ofSeconds(10)).until(() -> !jobs("downtime").isEmpty());
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
        .until(() -> names(jobs("downtime")).equals(List.of(due)));
  }

  @Test
  void aSuspendedCronJobStartsNothing() {
    expect(201, server.post(CRONJOBS, cronJob("paused", "\"suspend\":true,", "[\"true\"]")));
    clock.advance(Duration.ofMinutes(1));
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> jobs("paused").isEmpty());
    // resumed within the minute: the missed run starts (no startingDeadlineSeconds)
    expect(200, server.patch(CRONJOBS + "/paused", "application/merge-patch+json", "{\"spec\":{\"suspend\":false}}"));
    String due = jobNow("paused");
    await().atMost(Duration.ofSeconds(10)).until(() -> names(jobs("paused")).contains(due));
  }

  @Test
  void badSchedulesAndTimeZonesAreRefusedNamingTheField() {
    JsonNode bad = expect(422, server.post(CRONJOBS, cronJob("bad", "", "[\"true\"]")
        .replace("\"* * * * *\"", "\"every minute\"")));
    assertEquals("spec.schedule", bad.path("details").path("causes").get(0).path("field").asText(), bad.toString());
    assertEquals(404, server.get(CRONJOBS + "/bad").statusCode());
    JsonNode zone = expect(422, server.post(CRONJOBS, cronJob("zone", "\"timeZone\":\"Mars/Olympus\",", "[\"true\"]")));
    assertEquals("spec.timeZone", zone.path("details").path("causes").get(0).path("field").asText(), zone.toString());
    JsonNode tz = expect(422, server.post(CRONJOBS, cronJob("tz", "", "[\"true\"]")
        .replace("\"* * * * *\"", "\"TZ=Europe/Berlin * * * * *\"")));
    assertTrue(tz.toString().contains("use timeZone field instead"), tz.toString());
    JsonNode always = expect(422, server.post(CRONJOBS, cronJob("always", "", "[\"true\"]")
        .replace("\"Never\"", "\"Always\"")));
    assertEquals("spec.jobTemplate.spec.template.spec.restartPolicy",
        always.path("details").path("causes").get(0).path("field").asText(), always.toString());
  }
}
