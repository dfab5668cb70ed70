package io.steuermann.engine.scheduling;

import static io.steuermann.engine.scheduling.TestObjects.json;
import static io.steuermann.engine.scheduling.TestObjects.node;
import static io.steuermann.engine.scheduling.TestObjects.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.selector.LabelSelector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScoringTest {
  // Kubernetes' least/most-allocated test nodes: 4000m/10000 and 6000m/10000, pod 3000m/5000.
  final NodeInfo node1 = NodeInfo.of(node("node1", "4000m", "10000", 110), List.of());
  final NodeInfo node2 = NodeInfo.of(node("node2", "6000m", "10000", 110), List.of());
  final PodRequests pod = PodRequests.of(pod("p", "3000m", "5000"));

  @Test
  void leastAllocatedWorkedExample() {
    // node1: cpu (4000-3000)*100/4000 = 25, memory (10000-5000)*100/10000 = 50 -> 37
    assertEquals(37, Scoring.leastAllocated(node1, pod));
    // node2: cpu 50, memory 50 -> 50
    assertEquals(50, Scoring.leastAllocated(node2, pod));
  }

  @Test
  void mostAllocatedWorkedExample() {
    // node1: cpu 3000*100/4000 = 75, memory 50 -> 62; node2: 50, 50 -> 50
    assertEquals(62, Scoring.mostAllocated(node1, pod));
    assertEquals(50, Scoring.mostAllocated(node2, pod));
  }

  @Test
  void overcommittedResourceScoresZeroOrCapsAtFull() {
    PodRequests huge = PodRequests.of(pod("h", "8", "5000"));
    assertEquals(25, Scoring.leastAllocated(node1, huge), "cpu 0, memory 50");
    assertEquals(75, Scoring.mostAllocated(node1, huge), "cpu capped at 100, memory 50");
  }

  @Test
  void balancedAllocationWorkedExample() {
    // node1: cpu fraction 0.75, memory 0.5 -> stddev 0.125 -> 87; node2: 0.5 and 0.5 -> 100
    assertEquals(87, Scoring.balancedAllocation(node1, pod));
    assertEquals(100, Scoring.balancedAllocation(node2, pod));
  }

  @Test
  void bestEffortPodsCountAtDefaultsForLeastAllocated() {
    NodeInfo n = NodeInfo.of(node("n", "1", "1000Mi", 110), List.of());
    PodRequests bestEffort = PodRequests.of(json("{'spec':{'containers':[{'name':'c'}]}}"));
    // cpu (1000-100)*100/1000 = 90, memory (1000-200)*100/1000 = 80 -> 85
    assertEquals(85, Scoring.leastAllocated(n, bestEffort));
  }

  @Test
  void spreadNormalisesAgainstTheBusiestNode() {
    List<NodeInfo> nodes = List.of(info("a"), info("b"), info("c"));
    assertEquals(Map.of("a", 0, "b", 50, "c", 100), Scoring.spread(nodes, Map.of("a", 2, "b", 1)));
    assertEquals(Map.of("a", 100, "b", 100, "c", 100), Scoring.spread(nodes, Map.of()));
    assertEquals(Map.of("a", 100, "b", 100, "c", 100), Scoring.spread(nodes, Map.of("gone", 5)),
        "only feasible nodes set the maximum");
  }

  @Test
  void leastAllocatedPrefersTheEmptierNode() {
    assertEquals(Optional.of("node2"),
        Scoring.leastAllocated().rank(pod("p", "3000m", "5000"), List.of(node1, node2), Map.of()));
  }

  @Test
  void mostAllocatedPacksTheFullerNode() {
    NodeInfo busy = NodeInfo.of(node("busy", "4", "8Gi", 110), List.of(pod("x", "3", "6Gi")));
    NodeInfo idle = NodeInfo.of(node("idle", "4", "8Gi", 110), List.of());
    ObjectNode p = pod("p", "500m", "1Gi");
    assertEquals(Optional.of("busy"), Scoring.named("MostAllocated").rank(p, List.of(idle, busy), Map.of()));
    assertEquals(Optional.of("idle"), Scoring.named("LeastAllocated").rank(p, List.of(idle, busy), Map.of()));
  }

  @Test
  void aDeploymentOfSixSpreadsTwoTwoTwoOverThreeNodes() {
    Scoring scoring = Scoring.leastAllocated();
    Map<String, NodeInfo> nodes = new HashMap<>();
    for (String n : List.of("n1", "n2", "n3")) {
      nodes.put(n, NodeInfo.of(node(n, "4", "8Gi", 110), List.of()));
    }
    Map<String, Integer> owned = new HashMap<>();
    for (int i = 0; i < 6; i++) {
      ObjectNode p = pod("web-" + i, "100m", "128Mi");
      String chosen = scoring.rank(p, new ArrayList<>(nodes.values()), owned).orElseThrow();
      nodes.put(chosen, nodes.get(chosen).withPod(p)); // assume the placement, as the scheduler does
      owned.merge(chosen, 1, Integer::sum);
    }
    assertEquals(Map.of("n1", 2, "n2", 2, "n3", 2), owned);
  }

  @Test
  void tiesAreBrokenDeterministicallyButSpreadByPodName() {
    Scoring noSpread = new Scoring(Scoring.Fit.LEAST_ALLOCATED, new Scoring.Weights(1, 1, 0));
    List<NodeInfo> nodes = List.of(info("a"), info("b"), info("c"));
    Set<String> chosen = new HashSet<>();
    for (int i = 0; i < 30; i++) {
      ObjectNode p = pod("pod-" + i, "100m", "1Mi");
      String first = noSpread.rank(p, nodes, Map.of()).orElseThrow();
      assertEquals(first, noSpread.rank(p, List.of(nodes.get(2), nodes.get(0), nodes.get(1)), Map.of()).orElseThrow(),
          "independent of the order nodes are listed in");
      chosen.add(first);
    }
    assertEquals(Set.of("a", "b", "c"), chosen);
  }

  @Test
  void noFeasibleNodeNoChoice() {
    assertEquals(Optional.empty(), Scoring.leastAllocated().rank(pod("p", "1", "1"), List.of(), Map.of()));
  }

  @Test
  void scoresExplainTheChoice() {
    List<Scoring.NodeScore> s = Scoring.leastAllocated().scores(pod, List.of(node1, node2), Map.of("node2", 1));
    assertEquals(new Scoring.NodeScore("node1", 37 + 87 + 2 * 100, 37, 87, 100), s.get(0));
    assertEquals(new Scoring.NodeScore("node2", 50 + 100, 50, 100, 0), s.get(1));
  }

  @Test
  void namedRejectsUnknown() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Scoring.named("random"));
    assertTrue(e.getMessage().contains("random"));
    assertEquals(Scoring.Fit.MOST_ALLOCATED, Scoring.named("binpacking").fit());
  }

  @Test
  void ownerPodsPerNodeCountsBoundLivePodsOfTheSameController() {
    ObjectNode p = owned("new", "rs-1", "");
    List<ObjectNode> pods = List.of(
        owned("a", "rs-1", "n1"), owned("b", "rs-1", "n1"), owned("c", "rs-1", "n2"),
        owned("d", "rs-2", "n3"), owned("pending", "rs-1", ""),
        withDeletion(owned("e", "rs-1", "n3")));
    assertEquals(Map.of("n1", 2, "n2", 1), Scoring.ownerPodsPerNode(p, pods));
    assertEquals(Map.of(), Scoring.ownerPodsPerNode(json("{'metadata':{'name':'orphan'}}"), pods));
  }

  @Test
  void selectedPodsPerNode() {
    List<ObjectNode> pods = List.of(
        json("{'metadata':{'name':'a','namespace':'default','labels':{'app':'web'}},'spec':{'nodeName':'n1'}}"),
        json("{'metadata':{'name':'b','namespace':'other','labels':{'app':'web'}},'spec':{'nodeName':'n1'}}"),
        json("{'metadata':{'name':'c','namespace':'default','labels':{'app':'db'}},'spec':{'nodeName':'n2'}}"));
    assertEquals(Map.of("n1", 1), Scoring.selectedPodsPerNode("default", LabelSelector.parse("app=web"), pods));
  }

  static NodeInfo info(String name) {
    return NodeInfo.of(node(name, "4", "8Gi", 110), List.of());
  }

  static ObjectNode owned(String name, String ownerUid, String nodeName) {
    return json("{'metadata':{'name':'" + name + "','ownerReferences':[{'kind':'ReplicaSet','uid':'" + ownerUid
        + "','controller':true}]},'spec':{'nodeName':'" + nodeName + "'}}");
  }

  static ObjectNode withDeletion(ObjectNode pod) {
    ((ObjectNode) pod.get("metadata")).put("deletionTimestamp", "2024-01-01T00:00:00Z");
    return pod;
  }
}
