package io.steuermann.engine.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * kube's {@code validateHorizontalPodAutoscalerSpec} (autoscaling/v2, after defaulting):
 * minReplicas at least 1, maxReplicas at least 1 and at least minReplicas, a scaleTargetRef
 * with kind and name, each metric with a known source type and a target of a known type
 * (a Resource metric with exactly one of averageUtilization and averageValue), and behavior
 * rules within kube's bounds (windows 0..3600 s, policies' periods 1..1800 s).
 */
public final class HpaValidation {
  static final List<String> METRIC_SOURCE_TYPES = List.of("ContainerResource", "External", "Object", "Pods",
      "Resource");
  static final List<String> SELECT_POLICIES = List.of("Disabled", "Max", "Min");
  static final List<String> POLICY_TYPES = List.of("Percent", "Pods");
  static final int MAX_STABILIZATION_WINDOW_SECONDS = 3600;
  static final int MAX_PERIOD_SECONDS = 1800;

  private HpaValidation() {}

  public static List<FieldError> spec(JsonNode spec) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode min = spec.get("minReplicas");
    if (min != null && min.isIntegralNumber() && min.asLong() < 1) {
      errors.add(FieldError.invalid("spec.minReplicas", min.asLong(), "must be greater than or equal to 1"));
    }
    long max = spec.path("maxReplicas").asLong(0);
    if (max < 1) {
      errors.add(FieldError.invalid("spec.maxReplicas", max, "must be greater than 0"));
    }
    if (min != null && min.isIntegralNumber() && max < min.asLong()) {
      errors.add(FieldError.invalid("spec.maxReplicas", max, "must be greater than or equal to `minReplicas`"));
    }
    reference("spec.scaleTargetRef", spec.path("scaleTargetRef"), errors);
    JsonNode metrics = spec.path("metrics");
    for (int i = 0; i < metrics.size(); i++) {
      metric("spec.metrics[" + i + "]", metrics.get(i), errors);
    }
    JsonNode behavior = spec.path("behavior");
    if (behavior.isObject()) {
      rules("spec.behavior.scaleUp", behavior.path("scaleUp"), errors);
      rules("spec.behavior.scaleDown", behavior.path("scaleDown"), errors);
    }
    return errors;
  }

  private static void reference(String path, JsonNode ref, List<FieldError> errors) {
    for (String field : List.of("kind", "name")) {
      String value = ref.path(field).asText("");
      if (value.isEmpty()) {
        errors.add(FieldError.required(path + "." + field, ""));
      } else {
        Names.pathSegmentName(value, false).forEach(problem -> errors.add(FieldError.invalid(path + "." + field, value,
            problem)));
      }
    }
  }

  private static void metric(String path, JsonNode metric, List<FieldError> errors) {
    String type = metric.path("type").asText("");
    if (type.isEmpty()) {
      errors.add(FieldError.required(path + ".type", "must specify a metric source type"));
      return;
    }
    if (!METRIC_SOURCE_TYPES.contains(type)) {
      errors.add(FieldError.notSupported(path + ".type", type, METRIC_SOURCE_TYPES));
      return;
    }
    // the source's field is the type's name with a small first letter: resource, containerResource, ...
    String field = Character.toLowerCase(type.charAt(0)) + type.substring(1);
    JsonNode source = metric.path(field);
    if (!source.isObject()) {
      errors.add(FieldError.required(path + "." + field, "must populate information for the given metric source"));
      return;
    }
    if (type.equals("Resource") || type.equals("ContainerResource")) {
      if (source.path("name").asText("").isEmpty()) {
        errors.add(FieldError.required(path + "." + field + ".name", "must specify a resource name"));
      }
      if (type.equals("ContainerResource") && source.path("container").asText("").isEmpty()) {
        errors.add(FieldError.required(path + "." + field + ".container", "must specify a container"));
      }
      JsonNode target = source.path("target");
      boolean utilization = target.hasNonNull("averageUtilization");
      boolean average = target.hasNonNull("averageValue");
      if (!utilization && !average) {
        errors.add(FieldError.required(path + "." + field + ".target.averageUtilization",
            "must set either a target raw value or a target utilization"));
      } else if (utilization && average) {
        errors.add(FieldError.invalid(path + "." + field + ".target.averageValue", target.path("averageValue").asText(),
            "may not set both a target raw value and a target utilization"));
      }
    } else if (!source.path("metric").path("name").asText("").isEmpty() || type.equals("External")
        || type.equals("Pods") || type.equals("Object")) {
      if (source.path("metric").path("name").asText("").isEmpty()) {
        errors.add(FieldError.required(path + "." + field + ".metric.name", "must specify a metric name"));
      }
    }
    target(path + "." + field + ".target", source.path("target"), errors);
  }

  private static void target(String path, JsonNode target, List<FieldError> errors) {
    String type = target.path("type").asText("");
    if (type.isEmpty()) {
      errors.add(FieldError.required(path + ".type", "must specify a metric target type"));
    } else if (!List.of("Utilization", "Value", "AverageValue").contains(type)) {
      errors.add(FieldError.invalid(path + ".type", type, "must be either Utilization, Value, or AverageValue"));
    }
    JsonNode utilization = target.get("averageUtilization");
    if (utilization != null && utilization.isIntegralNumber() && utilization.asLong() < 1) {
      errors.add(FieldError.invalid(path + ".averageUtilization", utilization.asLong(), "must be greater than 0"));
    }
    for (String field : List.of("value", "averageValue")) {
      JsonNode q = target.get(field);
      if (q != null && !q.isNull() && !positive(q.asText())) {
        errors.add(FieldError.invalid(path + "." + field, q.asText(), "must be positive"));
      }
    }
  }

  private static boolean positive(String quantity) {
    try {
      return io.steuermann.engine.scheduling.Quantity.parse(quantity).signum() > 0;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static void rules(String path, JsonNode rules, List<FieldError> errors) {
    if (!rules.isObject()) {
      return;
    }
    JsonNode window = rules.get("stabilizationWindowSeconds");
    if (window != null && window.isIntegralNumber()) {
      if (window.asLong() < 0) {
        errors.add(FieldError.invalid(path + ".stabilizationWindowSeconds", window.asLong(),
            "must be greater than or equal to zero"));
      } else if (window.asLong() > MAX_STABILIZATION_WINDOW_SECONDS) {
        errors.add(FieldError.invalid(path + ".stabilizationWindowSeconds", window.asLong(),
            "must be less than or equal to " + MAX_STABILIZATION_WINDOW_SECONDS));
      }
    }
    String select = rules.path("selectPolicy").asText("");
    if (!select.isEmpty() && !SELECT_POLICIES.contains(select)) {
      errors.add(FieldError.notSupported(path + ".selectPolicy", select, SELECT_POLICIES));
    }
    JsonNode policies = rules.path("policies");
    if (policies.isEmpty()) {
      errors.add(FieldError.required(path + ".policies", "must specify at least one Policy"));
    }
    for (int i = 0; i < policies.size(); i++) {
      String p = path + ".policies[" + i + "]";
      JsonNode policy = policies.get(i);
      String type = policy.path("type").asText("");
      if (!POLICY_TYPES.contains(type)) {
        errors.add(FieldError.notSupported(p + ".type", type, POLICY_TYPES));
      }
      if (policy.path("value").asLong(0) <= 0) {
        errors.add(FieldError.invalid(p + ".value", policy.path("value").asLong(0), "must be greater than zero"));
      }
      long period = policy.path("periodSeconds").asLong(0);
      if (period <= 0) {
        errors.add(FieldError.invalid(p + ".periodSeconds", period, "must be greater than zero"));
      } else if (period > MAX_PERIOD_SECONDS) {
        errors.add(FieldError.invalid(p + ".periodSeconds", period, "must be less than or equal to "
            + MAX_PERIOD_SECONDS));
      }
    }
  }
}
