package io.steuermann.node.volumes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.steuermann.node.podenv.ConfigReferences;
import io.steuermann.node.volumes.ResolvedVolumes.Projection;
import io.steuermann.node.volumes.ResolvedVolumes.VolumeFile;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What kubelet's volume plugins put into configMap, secret, downwardAPI and projected volumes. */
class VolumeSourcesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, JsonNode> configMaps = new java.util.HashMap<>();
  private final Map<String, JsonNode> secrets = new java.util.HashMap<>();
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

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text.replace('\'', '"'));
  }

  private VolumeSources.Resolution resolve(String volumes) throws Exception {
    JsonNode pod = json("""
        {'metadata':{'name':'p','namespace':'ns','uid':'u1','labels':{'b':'2'}},
         'spec':{'containers':[{'name':'app','resources':{'limits':{'memory':'64Mi'},'requests':{'cpu':'250m'}}}],
                 'volumes':%s}}""".formatted(volumes));
    ((com.fasterxml.jackson.databind.node.ObjectNode) pod.path("metadata").path("labels")).put("a", "say \"hi\"");
    return VolumeSources.resolve(pod, lookup, Map.of("cpu", "4", "memory", "16Gi"));
  }

  private static Map<String, String> texts(VolumeSources.Resolution r, String volume) {
    Projection p = (Projection) ((VolumeSources.Resolved) r).volumes().get(volume);
    Map<String, String> out = new java.util.TreeMap<>();
    p.files().forEach((k, f) -> out.put(k, new String(f.data(), StandardCharsets.UTF_8) + "@" + Integer.toOctalString(f.mode())));
    return out;
  }

  @Test
  void configMapKeysItemsAndModes() throws Exception {
    configMaps.put("c", json("{'data':{'a':'1','b':'2'},'binaryData':{'bin':'AAE='}}"));
    VolumeSources.Resolution all = resolve("[{'name':'v','configMap':{'name':'c'}}]");
    assertEquals(Map.of("a", "1@644", "b", "2@644", "bin", "\u0000\u0001@644"), texts(all, "v"));
    VolumeSources.Resolution items = resolve(
        "[{'name':'v','configMap':{'name':'c','defaultMode':256,'items':[{'key':'a','path':'x/a.txt'},{'key':'b','path':'b','mode':384}]}}]");
    assertEquals(Map.of("x/a.txt", "1@400", "b", "2@600"), texts(items, "v"));
  }

  @Test
  void missingSourcesWaitUnlessOptional() throws Exception {
    VolumeSources.Failed f = assertInstanceOf(VolumeSources.Failed.class, resolve("[{'name':'v','secret':{'secretName':'s'}}]"));
    assertEquals("MountVolume.SetUp failed for volume \"v\" : secret \"s\" not found", f.event());
    assertEquals(Map.of(), texts(resolve("[{'name':'v','secret':{'secretName':'s','optional':true}}]"), "v"));
    secrets.put("s", json("{'data':{'k':'czNjcjN0'}}"));
    assertEquals(Map.of("k", "s3cr3t@644"), texts(resolve("[{'name':'v','secret':{'secretName':'s'}}]"), "v"));
    VolumeSources.Failed key = assertInstanceOf(VolumeSources.Failed.class,
        resolve("[{'name':'v','secret':{'secretName':'s','items':[{'key':'nope','path':'n'}]}}]"));
    assertEquals("references non-existent secret key: nope", key.message());
  }

  @Test
  void downwardApiAndProjected() throws Exception {
    configMaps.put("c", json("{'data':{'a':'1'}}"));
    VolumeSources.Resolution r = resolve("""
        [{'name':'d','downwardAPI':{'items':[{'path':'labels','fieldRef':{'fieldPath':'metadata.labels'}},
           {'path':'one','fieldRef':{'fieldPath':'metadata.labels[\\u0027b\\u0027]'}},
           {'path':'uid','fieldRef':{'fieldPath':'metadata.uid'}},
           {'path':'mem','resourceFieldRef':{'containerName':'app','resource':'limits.memory','divisor':'1Mi'}},
           {'path':'cpu','resourceFieldRef':{'containerName':'app','resource':'limits.cpu'}},
           {'path':'req','resourceFieldRef':{'containerName':'app','resource':'requests.cpu','divisor':'1m'}}]}},
         {'name':'p','projected':{'defaultMode':288,'sources':[{'configMap':{'name':'c'}},
           {'downwardAPI':{'items':[{'path':'ns','fieldRef':{'fieldPath':'metadata.namespace'}}]}}]}}]""");
    assertEquals(Map.of("labels", "a=\"say \\\"hi\\\"\"\nb=\"2\"\n@644", "one", "2@644", "uid", "u1@644",
        "mem", "64@644", "cpu", "4@644", "req", "250@644"), texts(r, "d"));
    assertEquals(Map.of("a", "1@440", "ns", "ns@440"), texts(r, "p"));
  }

  @Test
  void aStoredValueTheApiRefusesNowMakesThePodWaitInsteadOfFailingTheAgent() throws Exception {
    VolumeSources.Failed f = assertInstanceOf(VolumeSources.Failed.class, resolve(
        "[{'name':'d','downwardAPI':{'items':[{'path':'m','resourceFieldRef':{'containerName':'app','resource':'limits.memory','divisor':'lots'}}]}}]"));
    assertEquals("d", f.volume());
  }

  @Test
  void aSecretsFilesDoNotShowTheirContentInText() {
    VolumeFile f = new VolumeFile("s3cr3t".getBytes(StandardCharsets.UTF_8), 0400);
    assertEquals("Projection[v, [k]]", new Projection("v", Map.of("k", f)).toString());
    assertEquals("VolumeFile[6 bytes, mode 400]", f.toString());
  }
}
