package io.steuermann.engine.controllers.autoscaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.autoscaling.ReplicaCalculator;
import io.steuermann.engine.model.Json;

/**
 * One entry of {@code spec.metrics} as the controller computes it: Resource and
 * ContainerResource metrics (CPU and memory from the resource metrics the nodes report);
 * Pods, Object and External metrics need a custom or external metrics API, which Steuermann
 * does not serve, so they fail as kube's do without such an adapter.
 */
record Metric(String resource, String container, ReplicaCalculator.Target target, String error,
    String failedReason) {

  static Metric of(JsonNode metric) {
    String type = metric.path("type").asText();
    if (!type.equals("Resource") && !type.equals("ContainerResource")) {
      String source = Character.toLowerCase(type.charAt(0)) + type.substring(1);
      return new Metric("", null, null, "unable to get " + source + " metric "
          + metric.path(source).path("metric").path("name").asText() + ": no custom or external metrics API is served",
          "FailedGet" + type + "Metric");
    }
    boolean containerResource = type.equals("ContainerResource");
    JsonNode source = metric.path(containerResource ? "containerResource" : "resource");
    String resource = source.path("name").asText();
    String container = containerResource ? source.path("container").asText() : null;
    String reason = containerResource ? "FailedGetContainerResourceMetric" : "FailedGetResourceMetric";
    if (!resource.equals("cpu") && !resource.equals("memory")) {
      return new Metric(resource, container, null, "unable to get metrics for resource " + resource
          + ": no metrics returned from resource metrics API", reason);
    }
    JsonNode target = source.path("target");
    if (target.hasNonNull("averageUtilization")) {
      return new Metric(resource, container, new ReplicaCalculator.Utilization(target.path("averageUtilization").asInt()),
          null, reason);
    }
    return new Metric(resource, container, new ReplicaCalculator.AverageValue(
        ReplicaCalculator.amount(resource, target.path("averageValue").asText("0"))), null, reason);
  }

  /** How kube names the metric in conditions and events. */
  String description() {
    String what = container != null ? resource + " container resource" : resource + " resource";
    return target instanceof ReplicaCalculator.Utilization ? what + " utilization (percentage of request)" : what;
  }

  /** The entry of {@code status.currentMetrics} for what was measured. */
  ObjectNode status(ReplicaCalculator.Replicas measured) {
    ObjectNode status = Json.object();
    boolean containerResource = container != null;
    status.put("type", containerResource ? "ContainerResource" : "Resource");
    ObjectNode source = status.putObject(containerResource ? "containerResource" : "resource");
    source.put("name", resource);
    if (containerResource) {
      source.put("container", container);
    }
    ObjectNode current = source.putObject("current");
    current.put("averageValue", resource.equals("cpu") ? measured.averageValue() + "m"
        : Long.toString(measured.averageValue()));
    if (measured.utilization() != null) {
      current.put("averageUtilization", measured.utilization());
    }
    return status;
  }
}
