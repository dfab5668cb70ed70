package io.steuermann.engine.controllers.autoscaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.autoscaling.PodMetrics;
import io.steuermann.engine.autoscaling.ReplicaCalculator;
import io.steuermann.engine.autoscaling.ScalingBehavior;
import io.steuermann.engine.autoscaling.ScalingBehavior.Condition;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Meta;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One pass of kube's reconcileAutoscaler over what the controller measured, as a pure
 * function: the replica count wanted (the largest over the metrics, then normalised), whether
 * to write it, the new status with its conditions and the warnings to record as events.
 */
final class Recommendation {
  private Recommendation() {}

  record Warning(String reason, String message) {}

  record Outcome(boolean rescale, int currentReplicas, int desiredReplicas, String reason, ObjectNode status,
      List<Warning> warnings) {}

  static Outcome reconcile(ObjectNode hpa, JsonNode target, List<? extends JsonNode> pods,
      Map<String, PodMetrics.PodUsage> usage, ScalingBehavior.History history, Instant now) {
    JsonNode spec = hpa.path("spec");
    int current = target.path("spec").path("replicas").asInt(1);
    int min = spec.path("minReplicas").asInt(1);
    int max = spec.path("maxReplicas").asInt(1);
    Map<String, Condition> conditions = new LinkedHashMap<>();
    conditions.put("AbleToScale", new Condition("AbleToScale", true, "SucceededGetScale",
        "the HPA controller was able to get the target's current scale"));
    List<Warning> warnings = new ArrayList<>();
    ArrayNode currentMetrics = Json.MAPPER.createArrayNode();
    int desired = 0;
    String reason = "";
    boolean rescale;
    if (current == 0 && min != 0) {
      conditions.put("ScalingActive", new Condition("ScalingActive", false, "ScalingDisabled",
          "scaling is disabled since the replica count of the target is zero"));
      rescale = false;
    } else if (current > max) {
      reason = "Current number of replicas above Spec.MaxReplicas";
      desired = max;
      rescale = true;
    } else if (current < min) {
      reason = "Current number of replicas below Spec.MinReplicas";
      desired = min;
      rescale = true;
    } else {
      int best = -1;
      String bestName = "";
      int invalid = 0;
      String firstError = null;
      Condition failed = null;
      JsonNode metrics = spec.path("metrics");
      for (JsonNode metric : metrics) {
        Metric m = Metric.of(metric);
        if (m.error() != null) {
          invalid++;
          firstError = firstError == null ? m.error() : firstError;
          failed = failed != null ? failed : new Condition("ScalingActive", false, m.failedReason(),
              "the HPA was unable to compute the replica count: " + m.error());
          warnings.add(new Warning(m.failedReason(), m.error()));
          continue;
        }
        ReplicaCalculator.Result result = selectedUsage(pods, usage).isEmpty()
            ? new ReplicaCalculator.Failed("unable to get metrics for resource " + m.resource()
                + ": no metrics returned from resource metrics API")
            : ReplicaCalculator.compute(current, m.resource(), m.container(), m.target(), pods, usage, now);
        if (result instanceof ReplicaCalculator.Failed f) {
          String error = "failed to get " + m.resource() + " utilization: " + f.reason();
          invalid++;
          firstError = firstError == null ? error : firstError;
          failed = failed != null ? failed : new Condition("ScalingActive", false, m.failedReason(),
              "the HPA was unable to compute the replica count: " + error);
          warnings.add(new Warning(m.failedReason(), error));
          continue;
        }
        ReplicaCalculator.Replicas r = (ReplicaCalculator.Replicas) result;
        currentMetrics.add(m.status(r));
        if (r.replicas() > best) {
          best = r.replicas();
          bestName = m.description();
        }
      }
      if (best == -1) {
        conditions.put("ScalingActive", failed != null ? failed : new Condition("ScalingActive", false,
            "InvalidMetricSourceType", "the HPA was unable to compute the replica count: no metrics"));
        warnings.add(new Warning("FailedComputeMetricsReplicas", "invalid metrics (" + invalid + " invalid out of "
            + metrics.size() + "), first error is: " + firstError));
        return new Outcome(false, current, hpa.path("status").path("desiredReplicas").asInt(0), "",
            status(hpa, current, hpa.path("status").path("desiredReplicas").asInt(0), currentMetrics, conditions,
                false, now), warnings);
      }
      conditions.put("ScalingActive", new Condition("ScalingActive", true, "ValidMetricFound",
          "the HPA was able to successfully calculate a replica count from " + bestName));
      desired = best;
      if (desired > current) {
        reason = bestName + " above target";
      } else if (desired < current) {
        reason = "All metrics below target";
      }
      ScalingBehavior.Normalized normalized = ScalingBehavior.normalize(spec.get("behavior"), history, min, max,
          current, desired, now);
      conditions.put("AbleToScale", normalized.ableToScale());
      conditions.put("ScalingLimited", normalized.scalingLimited());
      desired = normalized.replicas();
      rescale = desired != current;
    }
    if (rescale) {
      conditions.put("AbleToScale", new Condition("AbleToScale", true, "SucceededRescale",
          "the HPA controller was able to update the target scale to " + desired));
    }
    return new Outcome(rescale, current, desired, reason,
        status(hpa, current, desired, currentMetrics, conditions, rescale, now), warnings);
  }

  private static Map<String, PodMetrics.PodUsage> selectedUsage(List<? extends JsonNode> pods,
      Map<String, PodMetrics.PodUsage> usage) {
    Map<String, PodMetrics.PodUsage> selected = new LinkedHashMap<>();
    for (JsonNode pod : pods) {
      PodMetrics.PodUsage u = usage.get(Meta.name(pod));
      if (u != null) {
        selected.put(Meta.name(pod), u);
      }
    }
    return selected;
  }

  /** The status after the target's scale could not be read: AbleToScale False, the rest kept. */
  static ObjectNode failedGetScale(ObjectNode hpa, Instant now, String error) {
    Map<String, Condition> conditions = new LinkedHashMap<>();
    conditions.put("AbleToScale", new Condition("AbleToScale", false, "FailedGetScale",
        "the HPA controller was unable to get the target's current scale: " + error));
    JsonNode status = hpa.path("status");
    return status(hpa, status.path("currentReplicas").asInt(0), status.path("desiredReplicas").asInt(0),
        status.path("currentMetrics").isArray() ? (ArrayNode) status.path("currentMetrics")
            : Json.MAPPER.createArrayNode(), conditions, false, now);
  }

  /** The status after the scale write was refused: AbleToScale False. */
  static ObjectNode failedRescale(ObjectNode computed, Instant now, String error) {
    ObjectNode status = computed.deepCopy();
    for (JsonNode c : status.path("conditions")) {
      if (c.path("type").asText().equals("AbleToScale")) {
        ObjectNode o = (ObjectNode) c;
        o.put("status", "False");
        o.put("reason", "FailedUpdateScale");
        o.put("message", "the HPA controller was unable to update the target scale: " + error);
        o.put("lastTransitionTime", now.truncatedTo(ChronoUnit.SECONDS).toString());
      }
    }
    return status;
  }

  /** kube's setStatus with setCondition: a condition keeps its lastTransitionTime while its status stays. */
  private static ObjectNode status(ObjectNode hpa, int current, int desired, ArrayNode metrics,
      Map<String, Condition> changed, boolean rescale, Instant now) {
    JsonNode old = hpa.path("status");
    ObjectNode status = Json.object();
    if (hpa.path("metadata").has("generation")) {
      status.put("observedGeneration", hpa.path("metadata").path("generation").asLong());
    }
    String time = now.truncatedTo(ChronoUnit.SECONDS).toString();
    if (rescale) {
      status.put("lastScaleTime", time);
    } else if (old.hasNonNull("lastScaleTime")) {
      status.set("lastScaleTime", old.get("lastScaleTime"));
    }
    status.put("currentReplicas", current);
    status.put("desiredReplicas", desired);
    if (!metrics.isEmpty()) {
      status.set("currentMetrics", metrics);
    }
    Map<String, ObjectNode> conditions = new LinkedHashMap<>();
    for (JsonNode c : old.path("conditions")) {
      conditions.put(c.path("type").asText(), (ObjectNode) c.deepCopy());
    }
    for (Condition c : changed.values()) {
      ObjectNode existing = conditions.get(c.type());
      String wanted = c.status() ? "True" : "False";
      ObjectNode condition = Json.object();
      condition.put("type", c.type());
      condition.put("status", wanted);
      condition.put("lastTransitionTime", existing != null && existing.path("status").asText().equals(wanted)
          ? existing.path("lastTransitionTime").asText(time) : time);
      condition.put("reason", c.reason());
      condition.put("message", c.message());
      conditions.put(c.type(), condition);
    }
    ArrayNode list = status.putArray("conditions");
    conditions.values().forEach(list::add);
    return status;
  }
}
