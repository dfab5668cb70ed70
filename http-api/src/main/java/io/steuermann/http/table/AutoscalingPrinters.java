package io.steuermann.http.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.steuermann.http.table.Printers.Column;
import java.util.ArrayList;
import java.util.List;

/**
 * The HorizontalPodAutoscaler columns and cells, as kube-apiserver 1.32's
 * printHorizontalPodAutoscaler: TARGETS shows each metric as {@code current/target} (at most
 * two, then {@code + N more...}), a resource metric named ({@code cpu: 40%/50%}), an unmeasured
 * one as {@code <unknown>}.
 */
final class AutoscalingPrinters {
  private static final String D_NAME = "Name must be unique within a namespace.";
  private static final String D_AGE = "CreationTimestamp is a timestamp representing the server time when this object was created.";
  private static final int MAX_SHOWN = 2;

  private AutoscalingPrinters() {}

  static List<Column> autoscalerColumns() {
    return List.of(new Column("Name", "string", "name", 0, D_NAME),
        new Column("Reference", "string", "", 0, "scaleTargetRef points to the target resource to scale, and is used "
            + "to the pods for which metrics should be collected, as well as to actually change the replica count."),
        new Column("Targets", "string", "", 0, "metrics contains the specifications for which to use to calculate the "
            + "desired replica count (the maximum replica count across all metrics will be used)."),
        new Column("MinPods", "string", "", 0, "minReplicas is the lower limit for the number of replicas to which "
            + "the autoscaler can scale down."),
        new Column("MaxPods", "integer", "", 0, "maxReplicas is the upper limit for the number of replicas to which "
            + "the autoscaler can scale up. It cannot be less that minReplicas."),
        new Column("Replicas", "integer", "", 0, "currentReplicas is current number of replicas of pods managed by "
            + "this autoscaler, as last seen by the autoscaler."),
        new Column("Age", "string", "", 0, D_AGE));
  }

  static void autoscaler(ArrayNode c, String name, String age, JsonNode hpa) {
    JsonNode spec = hpa.path("spec");
    JsonNode ref = spec.path("scaleTargetRef");
    c.add(name)
        .add(ref.path("kind").asText() + "/" + ref.path("name").asText())
        .add(targets(spec.path("metrics"), hpa.path("status").path("currentMetrics")))
        .add(spec.hasNonNull("minReplicas") ? spec.get("minReplicas").asText() : "<unset>")
        .add(spec.path("maxReplicas").asLong(0))
        .add(hpa.path("status").path("currentReplicas").asLong(0))
        .add(age);
  }

  /** kubectl's formatHPAMetrics over the stored (v2) metrics; tables at v1 are printed from them too. */
  static String targets(JsonNode specs, JsonNode statuses) {
    if (specs.isEmpty()) {
      return "<none>";
    }
    List<String> shown = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      JsonNode spec = specs.get(i);
      JsonNode status = statuses.path(i);
      String type = spec.path("type").asText();
      shown.add(switch (type) {
        case "Resource", "ContainerResource" -> {
          String field = type.equals("Resource") ? "resource" : "containerResource";
          JsonNode target = spec.path(field).path("target");
          JsonNode current = status.path(field).path("current");
          String value;
          if (target.hasNonNull("averageValue")) {
            value = text(current.path("averageValue")) + "/" + target.path("averageValue").asText();
          } else {
            value = (current.hasNonNull("averageUtilization") ? current.path("averageUtilization").asText() + "%"
                : "<unknown>") + "/" + (target.hasNonNull("averageUtilization")
                ? target.path("averageUtilization").asText() + "%" : "<auto>");
          }
          yield spec.path(field).path("name").asText() + ": " + value;
        }
        case "Pods" -> text(status.path("pods").path("current").path("averageValue")) + "/"
            + spec.path("pods").path("target").path("averageValue").asText();
        case "Object", "External" -> {
          String field = type.equals("Object") ? "object" : "external";
          JsonNode target = spec.path(field).path("target");
          JsonNode current = status.path(field).path("current");
          yield target.hasNonNull("averageValue")
              ? text(current.path("averageValue")) + "/" + target.path("averageValue").asText() + " (avg)"
              : text(current.path("value")) + "/" + target.path("value").asText();
        }
        default -> "<unknown type>";
      });
    }
    if (shown.size() > MAX_SHOWN) {
      return String.join(", ", shown.subList(0, MAX_SHOWN)) + " + " + (shown.size() - MAX_SHOWN) + " more...";
    }
    return String.join(", ", shown);
  }

  private static String text(JsonNode value) {
    return value.isMissingNode() || value.isNull() ? "<unknown>" : value.asText();
  }
}
