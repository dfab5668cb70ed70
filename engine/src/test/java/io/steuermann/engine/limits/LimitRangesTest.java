package io.steuermann.engine.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.validation.LimitRangeValidation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** kube's LimitRange defaults, validation and LimitRanger's defaults and checks of a pod. */
class LimitRangesTest {

  private static ObjectNode range(String limits) throws IOException {
    ObjectNode range = (ObjectNode) Json.MAPPER.readTree("{\"metadata\":{\"name\":\"l\"},\"spec\":{\"limits\":"
        + limits + "}}");
    LimitRanges.defaults(range);
    return range;
  }

  private static ObjectNode pod(String containers) throws IOException {
    return (ObjectNode) Json.MAPPER.readTree("{\"metadata\":{\"name\":\"x\"},\"spec\":{\"containers\":" + containers
        + "}}");
  }

  private static List<String> check(ObjectNode pod, ObjectNode range) {
    List<String> errors = new ArrayList<>();
    range.path("spec").path("limits").forEach(item -> LimitRanges.check(pod, item, errors));
    return errors;
  }

  @Test
  void containerDefaultsComeFromMaxAndMin() throws IOException {
    JsonNode item = range("[{\"type\":\"Container\",\"max\":{\"cpu\":\"1\"},\"min\":{\"memory\":\"64Mi\"}}]")
        .path("spec").path("limits").path(0);
    assertEquals(Json.MAPPER.readTree("{\"cpu\":\"1\"}"), item.path("default"));
    assertEquals(Json.MAPPER.readTree("{\"cpu\":\"1\",\"memory\":\"64Mi\"}"), item.path("defaultRequest"));
  }

  @Test
  void aPodGetsTheDefaultsItLeavesOutNotedInTheAnnotation() throws IOException {
    ObjectNode range = range("[{\"type\":\"Container\",\"default\":{\"cpu\":\"500m\",\"memory\":\"256Mi\"},"
        + "\"defaultRequest\":{\"cpu\":\"100m\"}}]");
    ObjectNode pod = pod("[{\"name\":\"main\",\"resources\":{\"limits\":{\"memory\":\"128Mi\"}}}]");
    LimitRanges.applyDefaults(pod, List.of(range));
    assertEquals(Json.MAPPER.readTree("""
        {"limits":{"memory":"128Mi","cpu":"500m"},"requests":{"memory":"128Mi","cpu":"100m"}}"""),
        pod.path("spec").path("containers").path(0).path("resources"));
    assertEquals("LimitRanger plugin set: cpu request for container main; cpu limit for container main",
        pod.path("metadata").path("annotations").path(LimitRanges.ANNOTATION).asText());
  }

  @Test
  void minMaxAndRatioAreEnforcedInKubesWords() throws IOException {
    ObjectNode range = range("""
        [{"type":"Container","max":{"cpu":"1"},"min":{"cpu":"100m"},"maxLimitRequestRatio":{"cpu":"4"}},
         {"type":"Pod","max":{"memory":"1Gi"}}]""");
    assertEquals(List.of("maximum cpu usage per Container is 1, but limit is 2",
        "maximum memory usage per Pod is 1Gi.  No limit is specified"),
        check(pod("[{\"name\":\"a\",\"resources\":{\"limits\":{\"cpu\":\"2\"},\"requests\":{\"cpu\":\"1\"}}}]"), range));
    ObjectNode two = pod("[{\"name\":\"a\",\"resources\":{\"limits\":{\"cpu\":\"200m\",\"memory\":\"1Gi\"},"
        + "\"requests\":{\"cpu\":\"50m\"}}},{\"name\":\"b\",\"resources\":{\"limits\":{\"cpu\":\"400m\","
        + "\"memory\":\"512Mi\"},\"requests\":{\"cpu\":\"100m\"}}}]");
    // the Pod item sums its containers
    assertEquals(List.of("minimum cpu usage per Container is 100m, but request is 50m",
        "maximum memory usage per Pod is 1Gi, but limit is 1536Mi"), check(two, range));
    assertEquals(List.of("cpu max limit to request ratio per Container is 4, but provided ratio is 5.000000",
        "maximum memory usage per Pod is 1Gi.  No limit is specified"),
        check(pod("[{\"name\":\"a\",\"resources\":{\"limits\":{\"cpu\":\"1\"},\"requests\":{\"cpu\":\"200m\"}}}]"),
            range));
  }

  @Test
  void badRangesAreRefusedNamingTheField() throws IOException {
    ObjectNode range = range("""
        [{"type":"Container","max":{"cpu":"1"},"min":{"cpu":"2"},"maxLimitRequestRatio":{"cpu":"500m"}},
         {"type":"Pod","default":{"cpu":"1"}},{"type":"Pod"}]""");
    List<String> errors = LimitRangeValidation.spec(range.path("spec")).stream()
        .map(e -> e.field() + ": " + e.message()).toList();
    assertEquals(List.of(
        "spec.limits[0].min[cpu]: Invalid value: \"2\": min value 2 is greater than max value 1",
        "spec.limits[0].defaultRequest[cpu]: Invalid value: \"1\": min value 2 is greater than default request value 1",
        "spec.limits[0].default[cpu]: Invalid value: \"1\": min value 2 is greater than default value 1",
        "spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: \"500m\": ratio 500m is less than 1",
        "spec.limits[1].default: Forbidden: may not be specified when `type` is 'Pod'",
        "spec.limits[2].type: Duplicate value: \"Pod\""), errors);
  }
}
