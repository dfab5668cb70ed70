package io.steuermann.node.podenv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A container's own and its siblings' resources as variables, computed as kubelet does. */
class ResourceReferencesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, String> NODE = Map.of("cpu", "2", "memory", "8Gi");

  private static JsonNode pod() throws Exception {
    return JSON.readTree("""
        {"spec":{"initContainers":[{"name":"setup","resources":{"limits":{"memory":"16Mi"}}}],
         "containers":[
          {"name":"app","resources":{"limits":{"cpu":"500m","memory":"64Mi"},"requests":{"cpu":"250m"}},
           "env":[{"name":"CPU_MILLIS","valueFrom":{"resourceFieldRef":{"resource":"limits.cpu","divisor":"1m"}}},
                  {"name":"CPU_CORES","valueFrom":{"resourceFieldRef":{"resource":"limits.cpu"}}},
                  {"name":"PLAIN","value":"kept"},
                  {"name":"MEMORY_MI","valueFrom":{"resourceFieldRef":{"resource":"limits.memory","divisor":"1Mi"}}},
                  {"name":"REQUEST_MEMORY","valueFrom":{"resourceFieldRef":{"resource":"requests.memory"}}},
                  {"name":"REQUEST_CPU","valueFrom":{"resourceFieldRef":{"resource":"requests.cpu","divisor":"1m"}}},
                  {"name":"SETUP_MEMORY","valueFrom":{"resourceFieldRef":{"containerName":"setup","resource":"limits.memory"}}},
                  {"name":"SIDE_CPU","valueFrom":{"resourceFieldRef":{"containerName":"side","resource":"limits.cpu","divisor":"1m"}}}]},
          {"name":"side"}]}}""");
  }

  private static Map<String, String> env(JsonNode container) {
    Map<String, String> env = new LinkedHashMap<>();
    container.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
    return env;
  }

  @Test
  void limitsAndRequestsByDivisorRoundedUpAndTheNodeForAnUnsetLimit() throws Exception {
    JsonNode pod = pod();
    ObjectNode app = (ObjectNode) pod.path("spec").path("containers").get(0);
    ConfigReferences.Resolved resolved = assertInstanceOf(ConfigReferences.Resolved.class,
        ResourceReferences.resolve(pod, app, NODE));
    Map<String, String> env = env(resolved.spec());
    assertEquals(List.of("CPU_MILLIS", "CPU_CORES", "PLAIN", "MEMORY_MI", "REQUEST_MEMORY", "REQUEST_CPU", "SETUP_MEMORY",
        "SIDE_CPU"), List.copyOf(env.keySet()), "the order stays, for $(VAR) references");
    assertEquals("500", env.get("CPU_MILLIS"));
    assertEquals("1", env.get("CPU_CORES"), "half a core rounds up to one");
    assertEquals("kept", env.get("PLAIN"));
    assertEquals("64", env.get("MEMORY_MI"));
    assertEquals(String.valueOf(64 * 1024 * 1024), env.get("REQUEST_MEMORY"), "an unset request is the limit");
    assertEquals("250", env.get("REQUEST_CPU"));
    assertEquals(String.valueOf(16 * 1024 * 1024), env.get("SETUP_MEMORY"), "an init container by name");
    assertEquals("2000", env.get("SIDE_CPU"), "no limit: the node's allocatable");
    assertEquals(false, resolved.spec().path("env").get(0).has("valueFrom"));
  }

  @Test
  void aContainerThePodDoesNotHaveIsKubeletsError() throws Exception {
    ObjectNode container = (ObjectNode) JSON.readTree("""
        {"name":"app","env":[{"name":"X","valueFrom":{"resourceFieldRef":{"containerName":"gone","resource":"limits.cpu"}}}]}""");
    ConfigReferences.Failed failed = assertInstanceOf(ConfigReferences.Failed.class,
        ResourceReferences.resolve(pod(), container, NODE));
    assertEquals("container gone not found", failed.message());
  }

  @Test
  void aContainerWithoutReferencesIsLeftAsItIs() throws Exception {
    ObjectNode container = (ObjectNode) JSON.readTree("{\"name\":\"side\",\"env\":[{\"name\":\"A\",\"value\":\"1\"}]}");
    ConfigReferences.Resolved resolved = assertInstanceOf(ConfigReferences.Resolved.class,
        ResourceReferences.resolve(pod(), container, NODE));
    assertEquals(container, resolved.spec());
  }
}
