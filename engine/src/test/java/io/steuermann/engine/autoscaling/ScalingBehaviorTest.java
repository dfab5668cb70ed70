package io.steuermann.engine.autoscaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.autoscaling.ScalingBehavior.History;
import io.steuermann.engine.autoscaling.ScalingBehavior.Normalized;
import io.steuermann.engine.model.Json;
import java.io.IOException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** kube's stabilisation windows, scaling policies and selectPolicy, with and without behavior. */
class ScalingBehaviorTest {
  private static final Instant T0 = Instant.parse("2026-12-07T12:00:00Z");

  private static JsonNode behavior(String json) throws IOException {
    ObjectNode hpa = Json.object();
    hpa.putObject("spec").set("behavior", Json.MAPPER.readTree(json));
    AutoscalerDefaults.apply(hpa);
    return hpa.path("spec").path("behavior");
  }

  @Test
  void defaultsAreKubesWhenBehaviorIsGiven() throws IOException {
    JsonNode b = behavior("{}");
    assertEquals(Json.MAPPER.readTree("""
        {"scaleUp":{"stabilizationWindowSeconds":0,"selectPolicy":"Max","policies":[
          {"type":"Pods","value":4,"periodSeconds":15},{"type":"Percent","value":100,"periodSeconds":15}]},
         "scaleDown":{"stabilizationWindowSeconds":300,"selectPolicy":"Max","policies":[
          {"type":"Percent","value":100,"periodSeconds":15}]}}"""), b);
    JsonNode partial = behavior("{\"scaleDown\":{\"stabilizationWindowSeconds\":10}}");
    assertEquals(10, partial.path("scaleDown").path("stabilizationWindowSeconds").asInt());
    assertEquals("Max", partial.path("scaleDown").path("selectPolicy").asText());
    assertEquals(1, partial.path("scaleDown").path("policies").size());
  }

  @Test
  void scaleDownWaitsForTheWindowAndTakesTheHighestRecentRecommendation() throws IOException {
    JsonNode b = behavior("{\"scaleDown\":{\"stabilizationWindowSeconds\":60}}");
    History h = new History();
    assertEquals(8, ScalingBehavior.normalize(b, h, 1, 10, 4, 8, T0).replicas());
    Normalized down = ScalingBehavior.normalize(b, h, 1, 10, 8, 2, T0.plusSeconds(30));
    assertEquals(8, down.replicas());
    assertEquals("ScaleDownStabilized", down.ableToScale().reason());
    // the 8 has left the window; the 2 of 30 s ago is the highest now
    assertEquals(2, ScalingBehavior.normalize(b, h, 1, 10, 8, 2, T0.plusSeconds(61)).replicas());
  }

  @Test
  void podsAndPercentPoliciesLimitScaleUpAndSelectPolicyChooses() throws IOException {
    JsonNode max = behavior("""
        {"scaleUp":{"policies":[{"type":"Pods","value":2,"periodSeconds":60},
          {"type":"Percent","value":50,"periodSeconds":60}]}}""");
    History h = new History();
    // from 10: Pods allows 12, Percent allows 15; Max takes 15
    Normalized n = ScalingBehavior.normalize(max, h, 1, 100, 10, 40, T0);
    assertEquals(15, n.replicas());
    assertTrue(n.scalingLimited().status());
    assertEquals("ScaleUpLimit", n.scalingLimited().reason());
    h.scaled(max, 10, 15, T0);
    // within the period the change already made counts: from a period start of 10, still at most 15
    assertEquals(15, ScalingBehavior.normalize(max, h, 1, 100, 15, 40, T0.plusSeconds(30)).replicas());
    // after it, from 15: 22 or 23 (ceil 22.5)
    assertEquals(23, ScalingBehavior.normalize(max, h, 1, 100, 15, 40, T0.plusSeconds(61)).replicas());

    JsonNode min = behavior("""
        {"scaleUp":{"selectPolicy":"Min","policies":[{"type":"Pods","value":2,"periodSeconds":60},
          {"type":"Percent","value":50,"periodSeconds":60}]}}""");
    assertEquals(12, ScalingBehavior.normalize(min, new History(), 1, 100, 10, 40, T0).replicas());
    JsonNode disabled = behavior("{\"scaleUp\":{\"selectPolicy\":\"Disabled\"}}");
    assertEquals(10, ScalingBehavior.normalize(disabled, new History(), 1, 100, 10, 40, T0).replicas());
  }

  @Test
  void scaleDownPoliciesLimitTheDecrease() throws IOException {
    JsonNode b = behavior("""
        {"scaleDown":{"stabilizationWindowSeconds":0,"policies":[{"type":"Pods","value":1,"periodSeconds":30}]}}""");
    History h = new History();
    Normalized n = ScalingBehavior.normalize(b, h, 1, 10, 5, 1, T0);
    assertEquals(4, n.replicas());
    assertEquals("ScaleDownLimit", n.scalingLimited().reason());
  }

  @Test
  void minAndMaxReplicasBound() throws IOException {
    JsonNode b = behavior("{\"scaleDown\":{\"stabilizationWindowSeconds\":0}}");
    Normalized up = ScalingBehavior.normalize(b, new History(), 1, 5, 4, 9, T0);
    assertEquals(5, up.replicas());
    assertEquals("TooManyReplicas", up.scalingLimited().reason());
    Normalized down = ScalingBehavior.normalize(b, new History(), 3, 5, 4, 1, T0);
    assertEquals(3, down.replicas());
    assertEquals("TooFewReplicas", down.scalingLimited().reason());
    Normalized within = ScalingBehavior.normalize(b, new History(), 1, 5, 4, 3, T0);
    assertEquals(3, within.replicas());
    assertFalse(within.scalingLimited().status());
    assertEquals("DesiredWithinRange", within.scalingLimited().reason());
  }

  @Test
  void withoutBehaviorKubesLegacyRulesApply() {
    History h = new History();
    // at most double, at least 4
    assertEquals(4, ScalingBehavior.normalize(null, h, 1, 100, 1, 50, T0).replicas());
    assertEquals(8, ScalingBehavior.normalize(null, h, 1, 100, 4, 50, T0.plusSeconds(15)).replicas());
    // five minutes of downscale stabilisation: the recent 50 wins, limited to double the current 8
    Normalized held = ScalingBehavior.normalize(null, h, 1, 100, 8, 1, T0.plusSeconds(30));
    assertEquals(16, held.replicas());
    assertEquals("ScaleDownStabilized", held.ableToScale().reason());
    assertEquals("ScaleUpLimit", held.scalingLimited().reason());
    assertEquals(1, ScalingBehavior.normalize(null, h, 1, 100, 8, 1, T0.plusSeconds(331)).replicas());
  }
}
