package io.steuermann.engine.autoscaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;

/**
 * v2 metric specs and statuses in autoscaling/v1's older shape (the shape of kube's round-trip
 * annotations: {@code targetAverageUtilization}, {@code metricName}, ... instead of v2's
 * {@code target} and {@code metric} objects), and back.
 */
final class V1Metrics {
  private V1Metrics() {}

  static ObjectNode specToV1(JsonNode v2) {
    ObjectNode out = Json.object();
    String type = v2.path("type").asText();
    out.put("type", type);
    switch (type) {
      case "Resource", "ContainerResource" -> {
        String field = type.equals("Resource") ? "resource" : "containerResource";
        JsonNode src = v2.path(field);
        ObjectNode r = out.putObject(field);
        AutoscalerConversion.copy(src, r, "name", "container");
        rename(src.path("target"), r, "averageUtilization", "targetAverageUtilization");
        rename(src.path("target"), r, "averageValue", "targetAverageValue");
      }
      case "Pods" -> {
        JsonNode src = v2.path("pods");
        ObjectNode p = out.putObject("pods");
        metric(src, p, "metricName", "selector");
        rename(src.path("target"), p, "averageValue", "targetAverageValue");
      }
      case "Object" -> {
        JsonNode src = v2.path("object");
        ObjectNode o = out.putObject("object");
        rename(src, o, "describedObject", "target");
        metric(src, o, "metricName", "selector");
        rename(src.path("target"), o, "value", "targetValue");
        rename(src.path("target"), o, "averageValue", "averageValue");
      }
      case "External" -> {
        JsonNode src = v2.path("external");
        ObjectNode e = out.putObject("external");
        metric(src, e, "metricName", "metricSelector");
        rename(src.path("target"), e, "value", "targetValue");
        rename(src.path("target"), e, "averageValue", "targetAverageValue");
      }
      default -> { }
    }
    return out;
  }

  static ObjectNode specToV2(JsonNode v1) {
    ObjectNode out = Json.object();
    String type = v1.path("type").asText();
    out.put("type", type);
    switch (type) {
      case "Resource", "ContainerResource" -> {
        String field = type.equals("Resource") ? "resource" : "containerResource";
        JsonNode src = v1.path(field);
        ObjectNode r = out.putObject(field);
        AutoscalerConversion.copy(src, r, "name", "container");
        ObjectNode target = r.putObject("target");
        if (src.hasNonNull("targetAverageUtilization")) {
          target.put("type", "Utilization");
          target.set("averageUtilization", src.get("targetAverageUtilization"));
        } else {
          target.put("type", "AverageValue");
          rename(src, target, "targetAverageValue", "averageValue");
        }
      }
      case "Pods" -> {
        JsonNode src = v1.path("pods");
        ObjectNode p = out.putObject("pods");
        unmetric(src, p, "metricName", "selector");
        ObjectNode target = p.putObject("target");
        target.put("type", "AverageValue");
        rename(src, target, "targetAverageValue", "averageValue");
      }
      case "Object" -> {
        JsonNode src = v1.path("object");
        ObjectNode o = out.putObject("object");
        rename(src, o, "target", "describedObject");
        unmetric(src, o, "metricName", "selector");
        ObjectNode target = o.putObject("target");
        target.put("type", src.hasNonNull("averageValue") ? "AverageValue" : "Value");
        rename(src, target, "targetValue", "value");
        rename(src, target, "averageValue", "averageValue");
      }
      case "External" -> {
        JsonNode src = v1.path("external");
        ObjectNode e = out.putObject("external");
        unmetric(src, e, "metricName", "metricSelector");
        ObjectNode target = e.putObject("target");
        target.put("type", src.hasNonNull("targetAverageValue") ? "AverageValue" : "Value");
        rename(src, target, "targetValue", "value");
        rename(src, target, "targetAverageValue", "averageValue");
      }
      default -> { }
    }
    return out;
  }

  static ObjectNode statusToV1(JsonNode v2) {
    ObjectNode out = Json.object();
    String type = v2.path("type").asText();
    out.put("type", type);
    String field = field(type);
    if (field == null) {
      return out;
    }
    JsonNode src = v2.path(field);
    ObjectNode s = out.putObject(field);
    JsonNode current = src.path("current");
    switch (type) {
      case "Resource", "ContainerResource" -> {
        AutoscalerConversion.copy(src, s, "name", "container");
        rename(current, s, "averageUtilization", "currentAverageUtilization");
        rename(current, s, "averageValue", "currentAverageValue");
      }
      case "Pods" -> {
        metric(src, s, "metricName", "selector");
        rename(current, s, "averageValue", "currentAverageValue");
      }
      case "Object" -> {
        rename(src, s, "describedObject", "target");
        metric(src, s, "metricName", "selector");
        rename(current, s, "value", "currentValue");
        rename(current, s, "averageValue", "averageValue");
      }
      default -> {
        metric(src, s, "metricName", "metricSelector");
        rename(current, s, "value", "currentValue");
        rename(current, s, "averageValue", "currentAverageValue");
      }
    }
    return out;
  }

  static ObjectNode statusToV2(JsonNode v1) {
    ObjectNode out = Json.object();
    String type = v1.path("type").asText();
    out.put("type", type);
    String field = field(type);
    if (field == null) {
      return out;
    }
    JsonNode src = v1.path(field);
    ObjectNode s = out.putObject(field);
    ObjectNode current = Json.object();
    switch (type) {
      case "Resource", "ContainerResource" -> {
        AutoscalerConversion.copy(src, s, "name", "container");
        rename(src, current, "currentAverageUtilization", "averageUtilization");
        rename(src, current, "currentAverageValue", "averageValue");
      }
      case "Pods" -> {
        unmetric(src, s, "metricName", "selector");
        rename(src, current, "currentAverageValue", "averageValue");
      }
      case "Object" -> {
        rename(src, s, "target", "describedObject");
        unmetric(src, s, "metricName", "selector");
        rename(src, current, "currentValue", "value");
        rename(src, current, "averageValue", "averageValue");
      }
      default -> {
        unmetric(src, s, "metricName", "metricSelector");
        rename(src, current, "currentValue", "value");
        rename(src, current, "currentAverageValue", "averageValue");
      }
    }
    s.set("current", current);
    return out;
  }

  private static String field(String type) {
    return switch (type) {
      case "Resource" -> "resource";
      case "ContainerResource" -> "containerResource";
      case "Pods" -> "pods";
      case "Object" -> "object";
      case "External" -> "external";
      default -> null;
    };
  }

  /** v2's {@code metric: {name, selector}} as v1's flat fields. */
  private static void metric(JsonNode v2Source, ObjectNode v1, String nameField, String selectorField) {
    rename(v2Source.path("metric"), v1, "name", nameField);
    rename(v2Source.path("metric"), v1, "selector", selectorField);
  }

  private static void unmetric(JsonNode v1Source, ObjectNode v2, String nameField, String selectorField) {
    ObjectNode metric = v2.putObject("metric");
    rename(v1Source, metric, nameField, "name");
    rename(v1Source, metric, selectorField, "selector");
  }

  private static void rename(JsonNode from, ObjectNode to, String fromField, String toField) {
    if (from.hasNonNull(fromField)) {
      to.set(toField, from.get(fromField));
    }
  }
}
