package io.steuermann.engine.autoscaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;

/**
 * kube's autoscaling/v2 defaults ({@code SetDefaults_HorizontalPodAutoscaler}): minReplicas 1,
 * CPU at 80% average utilisation when no metric is named, and, only when {@code behavior} is
 * given, its missing parts filled as {@code SetDefaults_HorizontalPodAutoscalerBehavior} does
 * (scale up: no window, the larger of 4 pods or 100% per 15 s; scale down: a 300 s window,
 * 100% per 15 s; both selectPolicy Max). An absent behavior stays absent, as in kube; the
 * controller then uses the same values.
 */
public final class AutoscalerDefaults {
  public static final int DEFAULT_CPU_UTILIZATION = 80;

  private AutoscalerDefaults() {}

  public static void apply(ObjectNode hpa) {
    ObjectNode spec = object(hpa, "spec");
    if (!spec.hasNonNull("minReplicas")) {
      spec.put("minReplicas", 1);
    }
    if (!(spec.get("metrics") instanceof ArrayNode metrics) || metrics.isEmpty()) {
      spec.putArray("metrics").add(cpuUtilization(DEFAULT_CPU_UTILIZATION));
    }
    if (spec.get("behavior") instanceof ObjectNode behavior) {
      rules(object(behavior, "scaleUp"), scaleUp());
      rules(object(behavior, "scaleDown"), scaleDown());
    }
  }

  /** A v2 metric: the pods' average CPU utilisation of their requests at {@code percent}. */
  public static ObjectNode cpuUtilization(int percent) {
    ObjectNode metric = Json.object();
    metric.put("type", "Resource");
    ObjectNode resource = metric.putObject("resource");
    resource.put("name", "cpu");
    ObjectNode target = resource.putObject("target");
    target.put("type", "Utilization");
    target.put("averageUtilization", percent);
    return metric;
  }

  /** kube's GenerateHPAScaleUpRules with nothing given. */
  public static ObjectNode scaleUp() {
    ObjectNode rules = Json.object();
    rules.put("stabilizationWindowSeconds", 0);
    rules.put("selectPolicy", "Max");
    ArrayNode policies = rules.putArray("policies");
    policies.add(policy("Pods", 4, 15));
    policies.add(policy("Percent", 100, 15));
    return rules;
  }

  /** kube's GenerateHPAScaleDownRules with nothing given. */
  public static ObjectNode scaleDown() {
    ObjectNode rules = Json.object();
    rules.put("stabilizationWindowSeconds", 300);
    rules.put("selectPolicy", "Max");
    rules.putArray("policies").add(policy("Percent", 100, 15));
    return rules;
  }

  private static ObjectNode policy(String type, int value, int periodSeconds) {
    ObjectNode p = Json.object();
    p.put("type", type);
    p.put("value", value);
    p.put("periodSeconds", periodSeconds);
    return p;
  }

  /** The given rules with what is missing taken from {@code defaults}, field by field. */
  private static void rules(ObjectNode given, ObjectNode defaults) {
    JsonNode policies = given.get("policies");
    if (!(policies instanceof ArrayNode a) || a.isEmpty()) {
      given.set("policies", defaults.get("policies"));
    }
    if (!given.hasNonNull("selectPolicy") || given.get("selectPolicy").asText().isEmpty()) {
      given.set("selectPolicy", defaults.get("selectPolicy"));
    }
    if (!given.hasNonNull("stabilizationWindowSeconds")) {
      given.set("stabilizationWindowSeconds", defaults.get("stabilizationWindowSeconds"));
    }
  }

  private static ObjectNode object(ObjectNode parent, String field) {
    if (parent.get(field) instanceof ObjectNode o) {
      return o;
    }
    return parent.putObject(field);
  }
}
