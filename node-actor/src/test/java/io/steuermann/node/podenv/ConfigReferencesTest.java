package io.steuermann.node.podenv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.node.podenv.ConfigReferences.Failed;
import io.steuermann.node.podenv.ConfigReferences.Resolved;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Kubelet's {@code makeEnvironmentVariables} for ConfigMap and Secret references, worked examples. */
class ConfigReferencesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Map<String, JsonNode> configMaps = new LinkedHashMap<>();
  private final Map<String, JsonNode> secrets = new LinkedHashMap<>();
  private final ConfigReferences.Lookup lookup = new ConfigReferences.Lookup() {
    @Override
    public JsonNode configMap(String name) {
      return configMaps.get(name);
    }

    @Override
    public JsonNode secret(String name) {
      return secrets.get(name);
    }
  };

  private static ObjectNode json(String text) throws Exception {
    return (ObjectNode) JSON.readTree(text);
  }

  private Map<String, String> env(ConfigReferences.Resolution r) {
    Map<String, String> env = new LinkedHashMap<>();
    ((Resolved) r).spec().path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
    return env;
  }

  @Test
  void aContainerWithoutReferencesIsLeftAsItIs() throws Exception {
    ObjectNode c = json("{\"name\":\"main\",\"env\":[{\"name\":\"A\",\"value\":\"1\"}]}");
    assertSame(c, ((Resolved) ConfigReferences.resolve("ns", c, lookup)).spec());
  }

  @Test
  void envFromComesFirstWithItsPrefixAndEnvOverridesIt() throws Exception {
    configMaps.put("settings", json("{\"data\":{\"mode\":\"fast\",\"price\":\"$(HOME) costs $5\",\"bad=key\":\"x\"}}"));
    secrets.put("db", json("{\"data\":{\"password\":\"czNjcjN0\",\"user\":\"YWRtaW4=\"}}"));
    ObjectNode c = json("""
        {"name":"main",
         "envFrom":[{"configMapRef":{"name":"settings"},"prefix":"APP_"},{"secretRef":{"name":"db"}},
                    {"configMapRef":{"name":"absent","optional":true}}],
         "env":[{"name":"user","value":"override-$(APP_mode)"},
                {"name":"PW","valueFrom":{"secretKeyRef":{"name":"db","key":"password"}}},
                {"name":"NONE","valueFrom":{"configMapKeyRef":{"name":"settings","key":"nope","optional":true}}},
                {"name":"POD","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}]}""");
    ConfigReferences.Resolution r = ConfigReferences.resolve("ns", c, lookup);
    Map<String, String> env = env(r);
    assertEquals(Map.of("APP_mode", "fast", "APP_price", "$$(HOME) costs $$5", "password", "s3cr3t",
        "user", "override-$(APP_mode)", "PW", "s3cr3t", "POD", ""), env);
    // the fieldRef is kept for the runtime, envFrom is gone, the envFrom entries come first
    JsonNode spec = ((Resolved) r).spec();
    assertEquals("metadata.name", spec.path("env").get(spec.path("env").size() - 1)
        .path("valueFrom").path("fieldRef").path("fieldPath").asText());
    assertEquals(false, spec.has("envFrom"));
    assertEquals("APP_mode", spec.path("env").get(0).path("name").asText());
    // the pod's own spec is not changed
    assertEquals(true, c.has("envFrom"));
    assertEquals(java.util.List.of("Keys [APP_bad=key] from the EnvFrom configMap ns/settings were skipped since they "
        + "are considered invalid environment variable names."), ((Resolved) r).warnings());
  }

  @Test
  void missingReferencesFailWithKubeletsWords() throws Exception {
    ObjectNode fromCm = json("{\"name\":\"m\",\"envFrom\":[{\"configMapRef\":{\"name\":\"x\"}}]}");
    assertEquals(new Failed("configmap \"x\" not found"), ConfigReferences.resolve("ns", fromCm, lookup));
    ObjectNode keyRef = json("{\"name\":\"m\",\"env\":[{\"name\":\"A\",\"valueFrom\":{\"secretKeyRef\":"
        + "{\"name\":\"s\",\"key\":\"k\"}}}]}");
    assertEquals(new Failed("secret \"s\" not found"), ConfigReferences.resolve("ns", keyRef, lookup));
    secrets.put("s", json("{\"data\":{\"other\":\"eA==\"}}"));
    assertEquals(new Failed("couldn't find key k in Secret ns/s"), ConfigReferences.resolve("ns", keyRef, lookup));
    configMaps.put("c", json("{\"data\":{},\"binaryData\":{\"k\":\"eA==\"}}"));
    ObjectNode cmKey = json("{\"name\":\"m\",\"env\":[{\"name\":\"A\",\"valueFrom\":{\"configMapKeyRef\":"
        + "{\"name\":\"c\",\"key\":\"k\"}}}]}");
    // as kubelet: binaryData is not read for variables
    assertEquals(new Failed("couldn't find key k in ConfigMap ns/c"), ConfigReferences.resolve("ns", cmKey, lookup));
  }
}
