package io.steuermann.engine.controllers.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import java.time.Instant;
import java.util.Optional;

/**
 * A Job's status as Kubernetes 1.32 writes it, from a {@link JobPlan.Plan}: the counts, the
 * start and completion times, and the conditions. A success is {@code SuccessCriteriaMet}
 * then {@code Complete}, a failure {@code FailureTarget} then {@code Failed} (1.31 and later
 * write the first of each pair as soon as the outcome is known); {@code Suspended} is True
 * while suspended and False after a resume.
 */
public final class JobStatus {
  private JobStatus() {}

  /** The terminal condition already in {@code status}, if any. */
  public static Optional<JobPlan.Finished> finished(JsonNode status) {
    for (JsonNode c : status.path("conditions")) {
      String type = c.path("type").asText();
      if (("Complete".equals(type) || "Failed".equals(type)) && "True".equals(c.path("status").asText())) {
        return Optional.of(new JobPlan.Finished(type, c.path("reason").asText(""), c.path("message").asText("")));
      }
    }
    return Optional.empty();
  }

  /** When the Job finished: its terminal condition's transition time. */
  public static Optional<Instant> finishedAt(JsonNode status) {
    for (JsonNode c : status.path("conditions")) {
      String type = c.path("type").asText();
      if (("Complete".equals(type) || "Failed".equals(type)) && "True".equals(c.path("status").asText())) {
        return Optional.ofNullable(JobPods.instant(c.path("lastTransitionTime").asText(null)));
      }
    }
    return Optional.empty();
  }

  /** The counts of the plan, read back from a status, for {@link JobPlan.Counted}. */
  public static JobPlan.Counted counted(JsonNode status) {
    return new JobPlan.Counted(status.path("succeeded").asInt(0), status.path("failed").asInt(0),
        status.path("completedIndexes").asText(""), JobPods.instant(status.path("startTime").asText(null)),
        finished(status));
  }

  /** The new status: {@code current} with the plan's counts and conditions; {@code now} in whole seconds. */
  public static ObjectNode next(JsonNode current, JobPlan.Plan plan, boolean suspended, boolean indexed, Instant now) {
    String at = now.toString();
    ObjectNode status = Json.object();
    ArrayNode conditions = current.path("conditions").isArray()
        ? ((ArrayNode) current.path("conditions")).deepCopy() : Json.object().arrayNode();
    if (plan.startTime() != null) {
      status.put("startTime", plan.startTime().toString());
    }
    if (plan.active() > 0) {
      status.put("active", plan.active());
    }
    if (plan.succeeded() > 0) {
      status.put("succeeded", plan.succeeded());
    }
    if (plan.failed() > 0) {
      status.put("failed", plan.failed());
    }
    status.put("terminating", plan.terminating());
    status.put("ready", plan.ready());
    if (indexed && plan.completedIndexes() != null && !plan.completedIndexes().isEmpty()) {
      status.put("completedIndexes", plan.completedIndexes());
    }
    status.putObject("uncountedTerminatedPods");
    boolean finished = finished(current).isPresent();
    if (!finished) {
      // Suspended only changes while the Job runs
      boolean wasSuspended = hasTrue(conditions, "Suspended");
      if (suspended && !wasSuspended) {
        set(conditions, "Suspended", "True", "JobSuspended", "Job suspended", at);
      } else if (!suspended && wasSuspended) {
        set(conditions, "Suspended", "False", "JobResumed", "Job resumed", at);
      }
    }
    if (plan.finished().isPresent() && !finished) {
      JobPlan.Finished f = plan.finished().get();
      if ("Complete".equals(f.type())) {
        set(conditions, "SuccessCriteriaMet", "True", f.reason(), f.message(), at);
        set(conditions, "Complete", "True", f.reason(), f.message(), at);
        status.put("completionTime", at);
      } else {
        set(conditions, "FailureTarget", "True", f.reason(), f.message(), at);
        set(conditions, "Failed", "True", f.reason(), f.message(), at);
      }
    } else if (current.has("completionTime")) {
      status.set("completionTime", current.get("completionTime").deepCopy());
    }
    if (!conditions.isEmpty()) {
      status.set("conditions", conditions);
    }
    return status;
  }

  private static boolean hasTrue(ArrayNode conditions, String type) {
    for (JsonNode c : conditions) {
      if (type.equals(c.path("type").asText()) && "True".equals(c.path("status").asText())) {
        return true;
      }
    }
    return false;
  }

  private static void set(ArrayNode conditions, String type, String value, String reason, String message, String at) {
    for (JsonNode c : conditions) {
      if (type.equals(c.path("type").asText()) && c instanceof ObjectNode o) {
        o.put("status", value).put("reason", reason).put("message", message)
            .put("lastProbeTime", at).put("lastTransitionTime", at);
        return;
      }
    }
    conditions.addObject().put("type", type).put("status", value).put("lastProbeTime", at)
        .put("lastTransitionTime", at).put("reason", reason).put("message", message);
  }
}
