package io.steuermann.engine.controllers.cronjob;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Meta;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A CronJob's Jobs: what a scheduled Job looks like, and which finished ones the history limits remove. */
class CronJobsTest {
  private static final ObjectMapper M = new ObjectMapper();

  private static JsonNode job(String name, String start, String finished) throws Exception {
    String conditions = finished.isEmpty() ? "[]" : "[{\"type\":\"" + finished + "\",\"status\":\"True\"}]";
    return M.readTree("{\"metadata\":{\"name\":\"" + name + "\"},\"status\":{\"startTime\":\"" + start
        + "\",\"conditions\":" + conditions + "}}");
  }

  @Test
  void historyLimitsKeepTheNewestOfEachOutcome() throws Exception {
    List<JsonNode> jobs = List.of(
        job("ok-1", "2026-12-07T10:01:00Z", "Complete"), job("ok-3", "2026-12-07T10:03:00Z", "Complete"),
        job("ok-2", "2026-12-07T10:02:00Z", "Complete"), job("bad-1", "2026-12-07T10:04:00Z", "Failed"),
        job("bad-2", "2026-12-07T10:05:00Z", "Failed"), job("running", "2026-12-07T10:00:00Z", ""));
    assertEquals(List.of("ok-1", "ok-2", "bad-1"),
        CronJobs.beyondHistory(jobs, 1, 1).stream().map(Meta::name).toList());
    assertEquals(List.of("ok-1", "ok-2", "ok-3", "bad-1", "bad-2"),
        CronJobs.beyondHistory(jobs, 0, 0).stream().map(Meta::name).toList());
    assertEquals(List.of(), CronJobs.beyondHistory(jobs, 3, 2));
    assertEquals(List.of("running"), List.of(CronJobs.active(jobs).get(0).path("name").asText()));
  }

  @Test
  void aScheduledJobIsNamedAndAnnotatedByItsTime() throws Exception {
    ObjectNode cronJob = (ObjectNode) M.readTree("""
        {"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"nightly","namespace":"ops","uid":"u-1"},
         "spec":{"jobTemplate":{"metadata":{"labels":{"team":"ops"},"annotations":{"note":"n"}},
           "spec":{"backoffLimit":2,"template":{"spec":{"restartPolicy":"Never","containers":[]}}}}}}""");
    ObjectNode job = CronJobs.jobFor(cronJob, Instant.parse("2026-12-07T02:00:00Z"), ZoneId.of("Europe/Berlin"));
    assertEquals("nightly-" + Instant.parse("2026-12-07T02:00:00Z").getEpochSecond() / 60, Meta.name(job));
    assertEquals("ops", Meta.namespace(job));
    assertEquals("2026-12-07T03:00:00+01:00",
        job.path("metadata").path("annotations").path(CronJobs.SCHEDULED_TIMESTAMP).asText());
    assertEquals("n", job.path("metadata").path("annotations").path("note").asText());
    assertEquals("ops", job.path("metadata").path("labels").path("team").asText());
    assertEquals("u-1", job.path("metadata").path("ownerReferences").get(0).path("uid").asText());
    assertEquals(true, job.path("metadata").path("ownerReferences").get(0).path("controller").asBoolean());
    assertEquals(2, job.path("spec").path("backoffLimit").asInt());
  }
}
