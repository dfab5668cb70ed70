package io.steuermann.engine.scheduling;

import static io.steuermann.engine.scheduling.TestObjects.json;
import static io.steuermann.engine.scheduling.TestObjects.node;
import static io.steuermann.engine.scheduling.TestObjects.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class FeasibilityTest {

  static NodeInfo info(ObjectNode node, ObjectNode... pods) {
    return NodeInfo.of(node, List.of(pods));
  }

  static ObjectNode labelled(String name, String labelsJson) {
    ObjectNode n = node(name, "4", "8Gi", 110);
    n.set("metadata", json("{'name':'" + name + "','labels':" + labelsJson + "}"));
    return n;
  }

  @Nested
  class ResourceFit {
    // Cases after Kubernetes' NodeResourcesFit tests: 10 cpu / 20 memory-units allocatable.
    final ObjectNode node = node("n", "10", "20", 32);

    @Test
    void fitsWhenEnoughIsFree() {
      assertEquals(List.of(), Feasibility.check(pod("p", "1", "1"), info(node, pod("a", "5", "5"))));
    }

    @Test
    void insufficientCpu() {
      assertEquals(List.of("Insufficient cpu"),
          Feasibility.check(pod("p", "1", "1"), info(node, pod("a", "10", "5"))));
    }

    @Test
    void insufficientCpuAndMemoryTogether() {
      assertEquals(List.of("Insufficient cpu", "Insufficient memory"),
          Feasibility.check(pod("p", "2", "2"), info(node, pod("a", "9", "19"))));
    }

    @Test
    void exactlyFullStillFits() {
      assertEquals(List.of(), Feasibility.check(pod("p", "5", "5"), info(node, pod("a", "5", "15"))));
    }

    @Test
    void tooManyPodsComesFirst() {
      ObjectNode small = node("s", "10", "20", 1);
      assertEquals(List.of("Too many pods", "Insufficient cpu"),
          Feasibility.check(pod("p", "8", "1"), info(small, pod("a", "5", "1"))));
    }

    @Test
    void bestEffortPodFitsAFullNode() {
      ObjectNode bestEffort = json("{'spec':{'containers':[{'name':'c'}]}}");
      assertEquals(List.of(), Feasibility.check(bestEffort, info(node, pod("a", "10", "20"))));
    }
  }

  @Test
  void cordonedNode() {
    ObjectNode n = node("n", "4", "8Gi", 110);
    n.putObject("spec").put("unschedulable", true);
    assertEquals(List.of("node(s) were unschedulable"), Feasibility.check(pod("p", "1", "1"), info(n)));
    ObjectNode tolerant = pod("p", "1", "1");
    ((ObjectNode) tolerant.get("spec")).set("tolerations",
        json("{'t':[{'key':'node.kubernetes.io/unschedulable','operator':'Exists','effect':'NoSchedule'}]}").get("t"));
    assertEquals(List.of(), Feasibility.check(tolerant, info(n)));
  }

  @Test
  void notReadyNode() {
    ObjectNode n = node("n", "4", "8Gi", 110);
    n.set("status", json("{'allocatable':{'cpu':'4','memory':'8Gi','pods':'110'},"
        + "'conditions':[{'type':'Ready','status':'False'}]}"));
    assertEquals(List.of("node(s) were not ready"), Feasibility.check(pod("p", "1", "1"), info(n)));
  }

  @Test
  void firstFailingPredicateWins() {
    ObjectNode n = node("n", "1", "1Gi", 110);
    n.putObject("spec").put("unschedulable", true);
    assertEquals(List.of("node(s) were unschedulable"), Feasibility.check(pod("p", "8", "8Gi"), info(n)));
  }

  @Nested
  class Taints {
    final ObjectNode node = json("{'metadata':{'name':'n'},'spec':{'taints':["
        + "{'key':'dedicated','value':'db','effect':'NoSchedule'},"
        + "{'key':'soft','value':'x','effect':'PreferNoSchedule'}]},"
        + "'status':{'allocatable':{'cpu':'4','memory':'8Gi','pods':'110'},'conditions':[{'type':'Ready','status':'True'}]}}");

    ObjectNode podWith(String tolerations) {
      ObjectNode p = pod("p", "100m", "1Mi");
      ((ObjectNode) p.get("spec")).set("tolerations", json("{'t':" + tolerations + "}").get("t"));
      return p;
    }

    @Test
    void untoleratedTaintIsNamed() {
      assertEquals(List.of("node(s) had untolerated taint {dedicated: db}"),
          Feasibility.check(pod("p", "100m", "1Mi"), info(node)));
    }

    @Test
    void equalToleration() {
      assertEquals(List.of(), Feasibility.check(
          podWith("[{'key':'dedicated','operator':'Equal','value':'db','effect':'NoSchedule'}]"), info(node)));
      assertFalse(Feasibility.check(
          podWith("[{'key':'dedicated','operator':'Equal','value':'web','effect':'NoSchedule'}]"), info(node)).isEmpty());
    }

    @Test
    void emptyOperatorMeansEqualAndEmptyEffectMatchesAll() {
      assertEquals(List.of(), Feasibility.check(podWith("[{'key':'dedicated','value':'db'}]"), info(node)));
    }

    @Test
    void existsIgnoresValueButNotEffect() {
      assertEquals(List.of(), Feasibility.check(podWith("[{'key':'dedicated','operator':'Exists'}]"), info(node)));
      assertFalse(Feasibility.check(
          podWith("[{'key':'dedicated','operator':'Exists','effect':'NoExecute'}]"), info(node)).isEmpty());
    }

    @Test
    void emptyKeyWithExistsToleratesEverything() {
      assertEquals(List.of(), Feasibility.check(podWith("[{'operator':'Exists'}]"), info(node)));
    }

    @Test
    void noExecuteBlocksToo() {
      ObjectNode n = json("{'metadata':{'name':'n'},'spec':{'taints':["
          + "{'key':'node.kubernetes.io/unreachable','effect':'NoExecute'}]},"
          + "'status':{'allocatable':{'cpu':'4','memory':'8Gi','pods':'110'},'conditions':[{'type':'Ready','status':'True'}]}}");
      assertEquals(List.of("node(s) had untolerated taint {node.kubernetes.io/unreachable: }"),
          Feasibility.check(pod("p", "1", "1"), info(n)));
    }
  }

  @Nested
  class Affinity {
    final NodeInfo ssdZoneA = info(labelled("a", "{'disk':'ssd','zone':'a','cores':'8'}"));
    final NodeInfo hddZoneB = info(labelled("b", "{'disk':'hdd','zone':'b','cores':'2'}"));

    ObjectNode podWithSpec(String specJson) {
      ObjectNode p = pod("p", "100m", "1Mi");
      json(specJson).properties().forEach(e -> ((ObjectNode) p.get("spec")).set(e.getKey(), e.getValue()));
      return p;
    }

    ObjectNode required(String terms) {
      return podWithSpec("{'affinity':{'nodeAffinity':{'requiredDuringSchedulingIgnoredDuringExecution':"
          + "{'nodeSelectorTerms':" + terms + "}}}}");
    }

    boolean fits(ObjectNode pod, NodeInfo n) {
      return Feasibility.forPod(pod).fits(n);
    }

    @Test
    void nodeSelector() {
      ObjectNode p = podWithSpec("{'nodeSelector':{'disk':'ssd'}}");
      assertTrue(fits(p, ssdZoneA));
      assertEquals(List.of("node(s) didn't match Pod's node affinity/selector"), Feasibility.check(p, hddZoneB));
    }

    @Test
    void inAndNotIn() {
      ObjectNode in = required("[{'matchExpressions':[{'key':'zone','operator':'In','values':['a','c']}]}]");
      assertTrue(fits(in, ssdZoneA));
      assertFalse(fits(in, hddZoneB));
      ObjectNode notIn = required("[{'matchExpressions':[{'key':'zone','operator':'NotIn','values':['a']}]}]");
      assertFalse(fits(notIn, ssdZoneA));
      assertTrue(fits(notIn, hddZoneB));
      ObjectNode notInMissing = required("[{'matchExpressions':[{'key':'gpu','operator':'NotIn','values':['x']}]}]");
      assertTrue(fits(notInMissing, ssdZoneA), "NotIn matches a node without the label");
    }

    @Test
    void existsAndDoesNotExist() {
      assertTrue(fits(required("[{'matchExpressions':[{'key':'disk','operator':'Exists'}]}]"), ssdZoneA));
      assertFalse(fits(required("[{'matchExpressions':[{'key':'gpu','operator':'Exists'}]}]"), ssdZoneA));
      assertTrue(fits(required("[{'matchExpressions':[{'key':'gpu','operator':'DoesNotExist'}]}]"), ssdZoneA));
    }

    @Test
    void gtAndLtCompareIntegers() {
      ObjectNode gt = required("[{'matchExpressions':[{'key':'cores','operator':'Gt','values':['4']}]}]");
      assertTrue(fits(gt, ssdZoneA));
      assertFalse(fits(gt, hddZoneB));
      ObjectNode lt = required("[{'matchExpressions':[{'key':'cores','operator':'Lt','values':['4']}]}]");
      assertTrue(fits(lt, hddZoneB));
      ObjectNode notNumber = required("[{'matchExpressions':[{'key':'zone','operator':'Gt','values':['1']}]}]");
      assertFalse(fits(notNumber, ssdZoneA));
    }

    @Test
    void termsAreOredExpressionsAnded() {
      ObjectNode p = required("[{'matchExpressions':[{'key':'zone','operator':'In','values':['a']},"
          + "{'key':'disk','operator':'In','values':['hdd']}]},"
          + "{'matchExpressions':[{'key':'zone','operator':'In','values':['b']}]}]");
      assertFalse(fits(p, ssdZoneA), "first term fails on disk, second on zone");
      assertTrue(fits(p, hddZoneB));
    }

    @Test
    void emptyTermsSelectNothing() {
      assertFalse(fits(required("[]"), ssdZoneA));
      assertFalse(fits(required("[{}]"), ssdZoneA));
    }

    @Test
    void matchFieldsOnNodeName() {
      ObjectNode p = required("[{'matchFields':[{'key':'metadata.name','operator':'In','values':['b']}]}]");
      assertFalse(fits(p, ssdZoneA));
      assertTrue(fits(p, hddZoneB));
    }

    @Test
    void selectorAndAffinityMustBothHold() {
      ObjectNode p = podWithSpec("{'nodeSelector':{'disk':'ssd'},'affinity':{'nodeAffinity':{"
          + "'requiredDuringSchedulingIgnoredDuringExecution':{'nodeSelectorTerms':"
          + "[{'matchExpressions':[{'key':'zone','operator':'In','values':['b']}]}]}}}}");
      assertFalse(fits(p, ssdZoneA));
      assertFalse(fits(p, hddZoneB));
    }
  }

  @Test
  void hostPortConflict() {
    ObjectNode web = json("{'metadata':{'name':'w'},'spec':{'containers':[{'ports':[{'containerPort':80,'hostPort':80}]}]}}");
    ObjectNode udp = json("{'metadata':{'name':'u'},'spec':{'containers':[{'ports':[{'containerPort':80,'hostPort':80,'protocol':'UDP'}]}]}}");
    NodeInfo n = info(node("n", "4", "8Gi", 110), web);
    assertEquals(List.of("node(s) didn't have free ports for the requested pod ports"), Feasibility.check(web, n));
    assertEquals(List.of(), Feasibility.check(udp, n), "same port, other protocol");
    assertEquals(List.of("node(s) didn't have free ports for the requested pod ports"),
        Feasibility.check(web, info(node("m", "4", "8Gi", 110)).withPod(web)), "assumed pods count too");
  }
}
