package io.steuermann.engine.autoscaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import java.io.IOException;
import java.util.List;

/**
 * HorizontalPodAutoscaler between autoscaling/v1 (served) and autoscaling/v2 (stored), as
 * kube-apiserver converts it: v1's {@code targetCPUUtilizationPercentage} is v2's CPU
 * utilisation metric and {@code currentCPUUtilizationPercentage} its current value; what v1
 * cannot say (other metrics, their current values, behavior, conditions) travels in kube's
 * round-trip annotations {@code autoscaling.alpha.kubernetes.io/*}, in v1's older metric
 * format, so a v1 client that writes back what it read loses nothing.
 */
public final class AutoscalerConversion {
  public static final String METRICS = "autoscaling.alpha.kubernetes.io/metrics";
  public static final String CURRENT_METRICS = "autoscaling.alpha.kubernetes.io/current-metrics";
  public static final String CONDITIONS = "autoscaling.alpha.kubernetes.io/conditions";
  public static final String BEHAVIOR = "autoscaling.alpha.kubernetes.io/behavior";
  private static final List<String> ROUND_TRIP = List.of(METRICS, CURRENT_METRICS, CONDITIONS, BEHAVIOR);

  private AutoscalerConversion() {}

  /** A v2 object (or list item) as v1 shows it; the input is not changed. */
  public static ObjectNode toV1(JsonNode v2) {
    ObjectNode out = v2.deepCopy();
    out.put("apiVersion", "autoscaling/v1");
    ObjectNode annotations = annotationsWithoutRoundTrip(out);
    JsonNode spec = v2.path("spec");
    ObjectNode v1Spec = Json.object();
    copy(spec, v1Spec, "scaleTargetRef", "minReplicas", "maxReplicas");
    ArrayNode others = Json.MAPPER.createArrayNode();
    for (JsonNode metric : spec.path("metrics")) {
      JsonNode target = metric.path("resource").path("target");
      if (metric.path("type").asText().equals("Resource") && metric.path("resource").path("name").asText().equals("cpu")
          && target.hasNonNull("averageUtilization")) {
        v1Spec.set("targetCPUUtilizationPercentage", target.get("averageUtilization"));
        continue;
      }
      others.add(V1Metrics.specToV1(metric));
    }
    out.set("spec", v1Spec);
    JsonNode status = v2.path("status");
    if (status.isObject()) {
      ObjectNode v1Status = Json.object();
      copy(status, v1Status, "observedGeneration", "lastScaleTime", "currentReplicas", "desiredReplicas");
      ArrayNode current = Json.MAPPER.createArrayNode();
      for (JsonNode metric : status.path("currentMetrics")) {
        JsonNode now = metric.path("resource").path("current");
        if (metric.path("type").asText().equals("Resource") && metric.path("resource").path("name").asText().equals("cpu")
            && now.hasNonNull("averageUtilization")) {
          v1Status.set("currentCPUUtilizationPercentage", now.get("averageUtilization"));
        }
        current.add(V1Metrics.statusToV1(metric));
      }
      if (!v1Status.has("desiredReplicas")) {
        v1Status.put("desiredReplicas", 0);
      }
      if (!v1Status.has("currentReplicas")) {
        v1Status.put("currentReplicas", 0);
      }
      out.set("status", v1Status);
      if (!current.isEmpty()) {
        annotations.put(CURRENT_METRICS, current.toString());
      }
      if (status.path("conditions").isArray() && !status.path("conditions").isEmpty()) {
        annotations.put(CONDITIONS, status.path("conditions").toString());
      }
    }
    if (!others.isEmpty()) {
      annotations.put(METRICS, others.toString());
    }
    if (spec.path("behavior").isObject()) {
      annotations.put(BEHAVIOR, spec.path("behavior").toString());
    }
    setAnnotations(out, annotations);
    return out;
  }

  /** A v1 object as v2 stores it; the input is not changed. */
  public static ObjectNode toV2(JsonNode v1) {
    ObjectNode out = v1.deepCopy();
    out.put("apiVersion", "autoscaling/v2");
    JsonNode given = v1.path("metadata").path("annotations");
    ObjectNode annotations = annotationsWithoutRoundTrip(out);
    JsonNode spec = v1.path("spec");
    ObjectNode v2Spec = Json.object();
    copy(spec, v2Spec, "scaleTargetRef", "minReplicas", "maxReplicas");
    ArrayNode metrics = Json.MAPPER.createArrayNode();
    for (JsonNode other : parsed(given.path(METRICS))) {
      metrics.add(V1Metrics.specToV2(other));
    }
    if (spec.hasNonNull("targetCPUUtilizationPercentage")) {
      metrics.add(AutoscalerDefaults.cpuUtilization(spec.path("targetCPUUtilizationPercentage").asInt()));
    }
    if (!metrics.isEmpty()) {
      v2Spec.set("metrics", metrics);
    }
    JsonNode behavior = parsed(given.path(BEHAVIOR));
    if (behavior.isObject()) {
      v2Spec.set("behavior", behavior);
    }
    out.set("spec", v2Spec);
    JsonNode status = v1.path("status");
    if (status.isObject()) {
      ObjectNode v2Status = Json.object();
      copy(status, v2Status, "observedGeneration", "lastScaleTime", "currentReplicas", "desiredReplicas");
      ArrayNode current = Json.MAPPER.createArrayNode();
      JsonNode saved = parsed(given.path(CURRENT_METRICS));
      if (saved.isArray() && !saved.isEmpty()) {
        saved.forEach(m -> current.add(V1Metrics.statusToV2(m)));
      } else if (status.hasNonNull("currentCPUUtilizationPercentage")) {
        ObjectNode m = current.addObject();
        m.put("type", "Resource");
        ObjectNode resource = m.putObject("resource");
        resource.put("name", "cpu");
        resource.putObject("current").set("averageUtilization", status.get("currentCPUUtilizationPercentage"));
      }
      if (!current.isEmpty()) {
        v2Status.set("currentMetrics", current);
      }
      JsonNode conditions = parsed(given.path(CONDITIONS));
      if (conditions.isArray()) {
        v2Status.set("conditions", conditions);
      }
      out.set("status", v2Status);
    }
    setAnnotations(out, annotations);
    return out;
  }

  private static ObjectNode annotationsWithoutRoundTrip(ObjectNode object) {
    ObjectNode annotations = object.path("metadata").path("annotations") instanceof ObjectNode a
        ? a.deepCopy() : Json.object();
    ROUND_TRIP.forEach(annotations::remove);
    return annotations;
  }

  private static void setAnnotations(ObjectNode object, ObjectNode annotations) {
    if (!(object.get("metadata") instanceof ObjectNode meta)) {
      return;
    }
    if (annotations.isEmpty()) {
      meta.remove("annotations");
    } else {
      meta.set("annotations", annotations);
    }
  }

  /** An annotation's JSON; missing, or not JSON, reads as missing (kube ignores what it cannot decode). */
  private static JsonNode parsed(JsonNode annotation) {
    if (!annotation.isTextual()) {
      return Json.MAPPER.missingNode();
    }
    try {
      return Json.MAPPER.readTree(annotation.asText());
    } catch (IOException e) {
      return Json.MAPPER.missingNode();
    }
  }

  static void copy(JsonNode from, ObjectNode to, String... fields) {
    for (String f : fields) {
      if (from.has(f)) {
        to.set(f, from.get(f));
      }
    }
  }
}
