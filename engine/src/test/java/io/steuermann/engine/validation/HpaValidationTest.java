package io.steuermann.engine.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.autoscaling.AutoscalerDefaults;
import io.steuermann.engine.model.Json;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** kube's HPA spec validation, after defaulting, with kube's field paths and words. */
class HpaValidationTest {

  private static List<String> errors(String spec) throws IOException {
    ObjectNode hpa = Json.object();
    hpa.set("spec", Json.MAPPER.readTree(spec));
    AutoscalerDefaults.apply(hpa);
    return HpaValidation.spec(hpa.path("spec")).stream().map(e -> e.field() + ": " + e.message()).toList();
  }

  @Test
  void aDefaultedMinimalAutoscalerIsValid() throws IOException {
    assertEquals(List.of(), errors("{\"scaleTargetRef\":{\"kind\":\"Deployment\",\"name\":\"web\"},\"maxReplicas\":3,"
        + "\"behavior\":{}}"));
  }

  @Test
  void replicaBoundsAndTheTargetAreChecked() throws IOException {
    assertEquals(List.of(
        "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1",
        "spec.maxReplicas: Invalid value: 0: must be greater than 0",
        "spec.scaleTargetRef.kind: Required value",
        "spec.scaleTargetRef.name: Required value"),
        errors("{\"minReplicas\":0,\"maxReplicas\":0,\"scaleTargetRef\":{}}"));
    assertEquals(List.of("spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`"),
        errors("{\"minReplicas\":3,\"maxReplicas\":2,\"scaleTargetRef\":{\"kind\":\"Deployment\",\"name\":\"w\"}}"));
  }

  @Test
  void metricsAndBehaviorAreChecked() throws IOException {
    assertEquals(List.of(
        "spec.metrics[0].type: Unsupported value: \"Cpu\": supported values: \"ContainerResource\", \"External\", "
            + "\"Object\", \"Pods\", \"Resource\"",
        "spec.metrics[1].resource.target.averageUtilization: Required value: must set either a target raw value or "
            + "a target utilization",
        "spec.metrics[1].resource.target.type: Required value: must specify a metric target type",
        "spec.behavior.scaleUp.selectPolicy: Unsupported value: \"Fastest\": supported values: \"Disabled\", "
            + "\"Max\", \"Min\"",
        "spec.behavior.scaleDown.stabilizationWindowSeconds: Invalid value: -1: must be greater than or equal to zero",
        "spec.behavior.scaleDown.policies[0].type: Unsupported value: \"Nodes\": supported values: \"Percent\", "
            + "\"Pods\"",
        "spec.behavior.scaleDown.policies[0].periodSeconds: Invalid value: 1801: must be less than or equal to 1800"),
        errors("""
            {"scaleTargetRef":{"kind":"Deployment","name":"web"},"maxReplicas":3,
             "metrics":[{"type":"Cpu"},{"type":"Resource","resource":{"name":"cpu","target":{}}}],
             "behavior":{"scaleUp":{"selectPolicy":"Fastest"},
               "scaleDown":{"stabilizationWindowSeconds":-1,
                 "policies":[{"type":"Nodes","value":1,"periodSeconds":1801}]}}}"""));
  }
}
