package io.steuermann.engine.autoscaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.Json;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** autoscaling/v1 and v2 converted as kube-apiserver converts them, round trips included. */
class AutoscalerConversionTest {

  @Test
  void v1sCpuTargetIsV2sUtilizationMetric() throws IOException {
    JsonNode v1 = Json.MAPPER.readTree("""
        {"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler","metadata":{"name":"web"},
         "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},
           "minReplicas":1,"maxReplicas":5,"targetCPUUtilizationPercentage":50}}""");
    JsonNode v2 = AutoscalerConversion.toV2(v1);
    assertEquals(Json.MAPPER.readTree("""
        {"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"web"},
         "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},
           "minReplicas":1,"maxReplicas":5,"metrics":[{"type":"Resource","resource":{"name":"cpu",
             "target":{"type":"Utilization","averageUtilization":50}}}]}}"""), v2);
    assertEquals(v1, AutoscalerConversion.toV1(v2));
  }

  @Test
  void whatV1CannotSayTravelsInTheRoundTripAnnotations() throws IOException {
    JsonNode v2 = Json.MAPPER.readTree("""
        {"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"web",
           "annotations":{"team":"a"}},
         "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},
           "minReplicas":2,"maxReplicas":9,"metrics":[
             {"type":"Resource","resource":{"name":"memory","target":{"type":"AverageValue","averageValue":"100Mi"}}},
             {"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":60}}},
             {"type":"Pods","pods":{"metric":{"name":"qps"},"target":{"type":"AverageValue","averageValue":"10"}}}],
           "behavior":{"scaleDown":{"stabilizationWindowSeconds":30,"selectPolicy":"Max",
             "policies":[{"type":"Pods","value":1,"periodSeconds":60}]}}},
         "status":{"currentReplicas":3,"desiredReplicas":4,"currentMetrics":[
             {"type":"Resource","resource":{"name":"cpu","current":{"averageValue":"120m","averageUtilization":80}}}],
           "conditions":[{"type":"AbleToScale","status":"True","lastTransitionTime":"2026-12-07T12:00:00Z",
             "reason":"SucceededRescale","message":"the HPA controller was able to update the target scale to 4"}]}}""");
    JsonNode v1 = AutoscalerConversion.toV1(v2);
    assertEquals(60, v1.path("spec").path("targetCPUUtilizationPercentage").asInt());
    assertFalse(v1.path("spec").has("metrics"));
    assertEquals(80, v1.path("status").path("currentCPUUtilizationPercentage").asInt());
    JsonNode annotations = v1.path("metadata").path("annotations");
    assertEquals("a", annotations.path("team").asText());
    assertEquals(Json.MAPPER.readTree("""
        [{"type":"Resource","resource":{"name":"memory","targetAverageValue":"100Mi"}},
         {"type":"Pods","pods":{"metricName":"qps","targetAverageValue":"10"}}]"""),
        Json.MAPPER.readTree(annotations.path(AutoscalerConversion.METRICS).asText()));
    assertEquals(Json.MAPPER.readTree("""
        [{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":80,"currentAverageValue":"120m"}}]"""),
        Json.MAPPER.readTree(annotations.path(AutoscalerConversion.CURRENT_METRICS).asText()));

    JsonNode back = AutoscalerConversion.toV2(v1);
    // kube puts the metrics v1 keeps in annotations first, then the CPU target
    assertEquals(Json.MAPPER.readTree("""
        [{"type":"Resource","resource":{"name":"memory","target":{"type":"AverageValue","averageValue":"100Mi"}}},
         {"type":"Pods","pods":{"metric":{"name":"qps"},"target":{"type":"AverageValue","averageValue":"10"}}},
         {"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":60}}}]"""),
        back.path("spec").path("metrics"));
    assertEquals(v2.path("spec").path("behavior"), back.path("spec").path("behavior"));
    assertEquals(v2.path("status"), back.path("status"));
    assertEquals(v2.path("metadata"), back.path("metadata"));
  }
}
