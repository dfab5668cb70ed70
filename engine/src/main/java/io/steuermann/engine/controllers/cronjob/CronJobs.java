package io.steuermann.engine.controllers.cronjob;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.Owners;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Meta;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A CronJob's Jobs: made from its {@code jobTemplate}, sorted for the history limits, and referenced in status. */
public final class CronJobs {
  public static final String SCHEDULED_TIMESTAMP = "batch.kubernetes.io/cronjob-scheduled-timestamp";

  private CronJobs() {}

  /**
   * The Job for {@code scheduled}: {@code <cronjob>-<minutes since the epoch>}, the template's
   * labels and annotations, the scheduled time (RFC 3339 in the CronJob's zone) as
   * annotation, and a controller reference to the CronJob.
   */
  public static ObjectNode jobFor(ObjectNode cronJob, Instant scheduled, ZoneId zone) {
    JsonNode template = cronJob.path("spec").path("jobTemplate");
    ObjectNode job = Json.object();
    job.put("apiVersion", "batch/v1");
    job.put("kind", "Job");
    ObjectNode meta = job.putObject("metadata");
    meta.put("name", CronJobPlan.jobName(Meta.name(cronJob), scheduled));
    meta.put("namespace", Meta.namespace(cronJob));
    if (template.path("metadata").path("labels").isObject()) {
      meta.set("labels", template.path("metadata").path("labels").deepCopy());
    }
    ObjectNode annotations = meta.putObject("annotations");
    if (template.path("metadata").path("annotations").isObject()) {
      annotations.setAll((ObjectNode) template.path("metadata").path("annotations").deepCopy());
    }
    annotations.put(SCHEDULED_TIMESTAMP,
        ZonedDateTime.ofInstant(scheduled, zone).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    Owners.setController(meta, cronJob);
    job.set("spec", template.path("spec").deepCopy());
    return job;
  }

  /** Whether the Job has finished: a Complete or Failed condition that is True. */
  public static boolean finished(JsonNode job) {
    return !finishedType(job).isEmpty();
  }

  /** "Complete", "Failed", or "" while it runs. */
  public static String finishedType(JsonNode job) {
    for (JsonNode c : job.path("status").path("conditions")) {
      String type = c.path("type").asText();
      if (("Complete".equals(type) || "Failed".equals(type)) && "True".equals(c.path("status").asText())) {
        return type;
      }
    }
    return "";
  }

  /**
   * The finished Jobs beyond the history limits, oldest first: of the successful ones all but
   * the newest {@code successfulLimit}, of the failed all but the newest {@code failedLimit}.
   */
  public static List<JsonNode> beyondHistory(List<? extends JsonNode> jobs, int successfulLimit, int failedLimit) {
    List<JsonNode> out = new ArrayList<>();
    out.addAll(oldest(jobs, "Complete", successfulLimit));
    out.addAll(oldest(jobs, "Failed", failedLimit));
    return out;
  }

  private static List<JsonNode> oldest(List<? extends JsonNode> jobs, String type, int keep) {
    List<JsonNode> finished = new ArrayList<>(jobs.stream().filter(j -> type.equals(finishedType(j))).toList());
    finished.sort(Comparator.comparing(CronJobs::startedAt));
    return finished.size() <= keep ? List.of() : List.copyOf(finished.subList(0, finished.size() - keep));
  }

  /** When a Job started (status.startTime, else its creation): what Kubernetes orders the history by. */
  static Instant startedAt(JsonNode job) {
    for (String text : new String[] {job.path("status").path("startTime").asText(""),
        job.path("metadata").path("creationTimestamp").asText("")}) {
      try {
        return Instant.parse(text);
      } catch (RuntimeException e) {
        // try the next
      }
    }
    return Instant.EPOCH;
  }

  /** The ObjectReference that {@code status.active} lists. */
  public static ObjectNode reference(JsonNode job) {
    ObjectNode ref = Json.object();
    ref.put("kind", "Job");
    ref.put("namespace", Meta.namespace(job));
    ref.put("name", Meta.name(job));
    ref.put("uid", Meta.uid(job));
    ref.put("apiVersion", "batch/v1");
    return ref;
  }

  /** The references of the running Jobs, by name. */
  public static ArrayNode active(List<? extends JsonNode> jobs) {
    ArrayNode refs = Json.object().arrayNode();
    jobs.stream().filter(j -> !finished(j)).sorted(Comparator.comparing(Meta::name))
        .forEach(j -> refs.add(reference(j)));
    return refs;
  }
}
