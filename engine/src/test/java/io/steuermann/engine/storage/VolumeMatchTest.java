package io.steuermann.engine.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which volume holds a claim: kube's findMatchingVolume from worked examples. */
class VolumeMatchTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text.replace('\'', '"'));
  }

  private static JsonNode pv(String name, String size, String modes, String more) throws Exception {
    return json("{'metadata':{'name':'" + name + "','labels':{'tier':'db'}},'spec':{'capacity':{'storage':'" + size
        + "'},'accessModes':" + modes + ",'storageClassName':'manual','volumeMode':'Filesystem'" + more
        + "},'status':{'phase':'Available'}}");
  }

  private static JsonNode claim(String size, String more) throws Exception {
    return json("{'metadata':{'name':'data','namespace':'app','uid':'u-1'},'spec':{'accessModes':['ReadWriteOnce'],"
        + "'storageClassName':'manual','volumeMode':'Filesystem','resources':{'requests':{'storage':'" + size + "'}}"
        + more + "}}");
  }

  private static String best(JsonNode claim, List<JsonNode> volumes, String node) {
    Optional<JsonNode> found = VolumeMatch.best(claim, volumes, node, node == null ? Map.of()
        : Map.of("kubernetes.io/hostname", node));
    return found.map(pv -> pv.path("metadata").path("name").asText()).orElse("none");
  }

  @Test
  void theSmallestVolumeThatHoldsTheRequestWins() throws Exception {
    List<JsonNode> volumes = List.of(pv("big", "10Gi", "['ReadWriteOnce']", ""),
        pv("small", "1Gi", "['ReadWriteOnce']", ""), pv("tiny", "500Mi", "['ReadWriteOnce']", ""));
    assertEquals("small", best(claim("1Gi", ""), volumes, null), "1Gi holds exactly 1Gi");
    assertEquals("big", best(claim("2Gi", ""), volumes, null));
    assertEquals("none", best(claim("20Gi", ""), volumes, null));
  }

  @Test
  void classModesModeAndSelectorMustAllFit() throws Exception {
    JsonNode rox = pv("rox", "1Gi", "['ReadOnlyMany']", "");
    assertFalse(VolumeMatch.satisfies(rox, claim("1Gi", "")), "ReadWriteOnce is not offered");
    assertTrue(VolumeMatch.satisfies(pv("both", "1Gi", "['ReadOnlyMany','ReadWriteOnce']", ""), claim("1Gi", "")));
    JsonNode block = claim("1Gi", "");
    ((com.fasterxml.jackson.databind.node.ObjectNode) block.path("spec")).put("volumeMode", "Block");
    assertFalse(VolumeMatch.satisfies(pv("fs", "1Gi", "['ReadWriteOnce']", ""), block), "a Filesystem volume");
    JsonNode fast = claim("1Gi", "");
    ((com.fasterxml.jackson.databind.node.ObjectNode) fast.path("spec")).put("storageClassName", "fast");
    assertFalse(VolumeMatch.satisfies(pv("manual", "1Gi", "['ReadWriteOnce']", ""), fast), "another class");
    assertTrue(VolumeMatch.satisfies(pv("db", "1Gi", "['ReadWriteOnce']", ""),
        claim("1Gi", ",'selector':{'matchLabels':{'tier':'db'}}")));
    assertFalse(VolumeMatch.satisfies(pv("db", "1Gi", "['ReadWriteOnce']", ""),
        claim("1Gi", ",'selector':{'matchLabels':{'tier':'web'}}")));
  }

  @Test
  void aVolumeBoundOrPreBoundElsewhereIsNotFree() throws Exception {
    JsonNode other = pv("other", "1Gi", "['ReadWriteOnce']",
        ",'claimRef':{'namespace':'app','name':'logs'}");
    JsonNode mine = pv("mine", "5Gi", "['ReadWriteOnce']", ",'claimRef':{'namespace':'app','name':'data'}");
    JsonNode free = pv("free", "1Gi", "['ReadWriteOnce']", "");
    assertEquals("mine", best(claim("1Gi", ""), List.of(other, free, mine), null), "pre-bound before smaller");
    JsonNode staleUid = pv("stale", "1Gi", "['ReadWriteOnce']",
        ",'claimRef':{'namespace':'app','name':'data','uid':'u-0'}");
    assertFalse(VolumeMatch.satisfies(staleUid, claim("1Gi", "")), "bound to an earlier claim of that name");
    assertEquals("free", best(claim("1Gi", ",'volumeName':'free'"), List.of(mine, free), null),
        "volumeName names the one volume");
  }

  @Test
  void aDelayedClaimTakesOnlyVolumesReachableFromItsNode() throws Exception {
    String affinity = ",'nodeAffinity':{'required':{'nodeSelectorTerms':[{'matchExpressions':["
        + "{'key':'kubernetes.io/hostname','operator':'In','values':['n2']}]}]}}";
    JsonNode onN2 = pv("on-n2", "1Gi", "['ReadWriteOnce']", affinity);
    assertEquals("none", best(claim("1Gi", ""), List.of(onN2), "n1"));
    assertEquals("on-n2", best(claim("1Gi", ""), List.of(onN2), "n2"));
    assertEquals("on-n2", best(claim("1Gi", ""), List.of(onN2), null), "an Immediate claim binds anywhere");
  }
}
