package io.steuermann.engine.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.steuermann.engine.model.Kind;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class UsageTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  private static Map<String, String> texts(Map<String, BigDecimal> usage) {
    Map<String, String> out = new TreeMap<>();
    usage.forEach((k, v) -> out.put(k, Usage.format(v)));
    return out;
  }

  @Test
  void podCountsRequestsLimitsAndInitContainersAsMaximum() throws Exception {
    JsonNode pod = json("""
        {"spec":{"containers":[
          {"name":"a","resources":{"requests":{"cpu":"250m","memory":"64Mi"},"limits":{"cpu":"500m","memory":"128Mi"}}},
          {"name":"b","resources":{"limits":{"cpu":"1","memory":"128Mi"}}}],
         "initContainers":[{"name":"i","resources":{"requests":{"cpu":"2"},"limits":{"cpu":"2"}}}]},
         "status":{"phase":"Running"}}""");
    assertEquals(Map.of("count/pods", "1", "pods", "1", "requests.cpu", "2", "cpu", "2", "limits.cpu", "2",
        "requests.memory", "192Mi", "memory", "192Mi", "limits.memory", "256Mi"), texts(Usage.of(Kind.POD, pod)));
  }

  @Test
  void terminalPodsCountNothing() throws Exception {
    for (String phase : new String[] {"Succeeded", "Failed"}) {
      JsonNode pod = json("{\"spec\":{\"containers\":[{\"name\":\"a\"}]},\"status\":{\"phase\":\"" + phase + "\"}}");
      assertEquals(Map.of(), Usage.of(Kind.POD, pod), phase);
    }
  }

  @Test
  void servicesClaimsAndObjectCounts() throws Exception {
    assertEquals(Map.of("count/services", "1", "services", "1", "services.loadbalancers", "1",
            "services.nodeports", "2"),
        texts(Usage.of(Kind.SERVICE, json("{\"spec\":{\"type\":\"LoadBalancer\",\"ports\":[{},{}]}}"))));
    assertEquals(Map.of("count/services", "1", "services", "1"),
        texts(Usage.of(Kind.SERVICE, json("{\"spec\":{\"ports\":[{}]}}"))));
    assertEquals(Map.of("count/persistentvolumeclaims", "1", "persistentvolumeclaims", "1", "requests.storage", "5Gi"),
        texts(Usage.of(Kind.PERSISTENT_VOLUME_CLAIM,
            json("{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"5Gi\"}}}}"))));
    assertEquals(Map.of("count/deployments.apps", "1"), texts(Usage.of(Kind.DEPLOYMENT, json("{}"))));
    assertEquals(Map.of("count/configmaps", "1", "configmaps", "1"), texts(Usage.of(Kind.CONFIG_MAP, json("{}"))));
  }

  @Test
  void formatsAsKubeDoes() {
    assertEquals("1", Usage.format(new BigDecimal("1.000")));
    assertEquals("1500m", Usage.format(new BigDecimal("1.5")));
    assertEquals("256Mi", Usage.format(BigDecimal.valueOf(256L << 20)));
    assertEquals("0", Usage.format(BigDecimal.ZERO));
    assertEquals("1000", Usage.format(BigDecimal.valueOf(1000)));
  }

  @Test
  void exceededQuotaIsWordedAsKubeApiserver() throws Exception {
    JsonNode quota = json("""
        {"metadata":{"name":"compute"},"spec":{"hard":{"pods":"2","limits.cpu":"2"}},
         "status":{"hard":{"pods":"2","limits.cpu":"2"},"used":{"pods":"1","limits.cpu":"1"}}}""");
    JsonNode pod = json("{\"spec\":{\"containers\":[{\"name\":\"a\",\"resources\":{\"limits\":{\"cpu\":\"2\"}}}]}}");
    assertEquals(Optional.of("exceeded quota: compute, requested: limits.cpu=2, used: limits.cpu=1, limited: limits.cpu=2"),
        Quotas.refusal(quota, Kind.POD, pod, Usage.of(Kind.POD, pod)));
    JsonNode fits = json("{\"spec\":{\"containers\":[{\"name\":\"a\",\"resources\":{\"limits\":{\"cpu\":\"1\"}}}]}}");
    assertEquals(Optional.empty(), Quotas.refusal(quota, Kind.POD, fits, Usage.of(Kind.POD, fits)));
    JsonNode bare = json("{\"spec\":{\"containers\":[{\"name\":\"a\"}]}}");
    assertEquals(Optional.of("failed quota: compute: must specify limits.cpu"),
        Quotas.refusal(quota, Kind.POD, bare, Usage.of(Kind.POD, bare)));
    JsonNode fresh = json("{\"metadata\":{\"name\":\"compute\"},\"spec\":{\"hard\":{\"pods\":\"2\"}}}");
    assertEquals(Optional.of("status unknown for quota: compute, resources: pods"),
        Quotas.refusal(fresh, Kind.POD, bare, Usage.of(Kind.POD, bare)));
  }

  @Test
  void scopesSelectPods() throws Exception {
    JsonNode bestEffort = json("{\"spec\":{\"hard\":{\"pods\":\"1\"},\"scopes\":[\"BestEffort\"]}}");
    JsonNode bare = json("{\"spec\":{\"containers\":[{\"name\":\"a\"}]}}");
    JsonNode sized = json("{\"spec\":{\"containers\":[{\"name\":\"a\",\"resources\":{\"requests\":{\"cpu\":\"1\"}}}]}}");
    assertTrue(Quotas.counts(bestEffort, Kind.POD, bare));
    assertFalse(Quotas.counts(bestEffort, Kind.POD, sized));
    assertFalse(Quotas.counts(bestEffort, Kind.CONFIG_MAP, json("{}")));
    JsonNode terminating = json("{\"spec\":{\"scopes\":[\"Terminating\"]}}");
    assertTrue(Quotas.counts(terminating, Kind.POD, json("{\"spec\":{\"activeDeadlineSeconds\":30}}")));
    assertFalse(Quotas.counts(terminating, Kind.POD, bare));
    JsonNode priority = json("""
        {"spec":{"scopeSelector":{"matchExpressions":[{"scopeName":"PriorityClass","operator":"In","values":["high"]}]}}}""");
    assertTrue(Quotas.counts(priority, Kind.POD, json("{\"spec\":{\"priorityClassName\":\"high\"}}")));
    assertFalse(Quotas.counts(priority, Kind.POD, json("{\"spec\":{\"priorityClassName\":\"low\"}}")));
  }

  @Test
  void controllerCountsTheNamespace() throws Exception {
    JsonNode quota = json("{\"metadata\":{\"name\":\"q\",\"namespace\":\"ns\"},"
        + "\"spec\":{\"hard\":{\"pods\":\"5\",\"requests.cpu\":\"4\",\"count/configmaps\":\"9\"}}}");
    JsonNode running = json("{\"spec\":{\"containers\":[{\"name\":\"a\",\"resources\":{\"requests\":{\"cpu\":\"500m\"}}}]}}");
    JsonNode done = json("{\"spec\":{\"containers\":[{\"name\":\"a\",\"resources\":{\"requests\":{\"cpu\":\"1\"}}}]},"
        + "\"status\":{\"phase\":\"Succeeded\"}}");
    Map<Kind, java.util.List<JsonNode>> objects = Map.of(Kind.POD, java.util.List.of(running, running, done));
    Map<String, BigDecimal> used = QuotaController.count(quota, kind -> objects.getOrDefault(kind, java.util.List.of()));
    assertEquals(Map.of("pods", "2", "requests.cpu", "1", "count/configmaps", "0"), texts(used));
  }
}
