package io.steuermann.engine.scheduling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FailureMessageTest {

  @Test
  void countsReasonsAndSortsTheRenderedStrings() {
    Map<String, List<String>> reasons = new LinkedHashMap<>();
    reasons.put("n1", List.of("Insufficient cpu"));
    reasons.put("n2", List.of("Insufficient cpu"));
    reasons.put("n3", List.of("node(s) were unschedulable"));
    // Kubernetes sorts "<count> <reason>" strings, so the count decides first.
    assertEquals("0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu.",
        FailureMessage.of(3, reasons));
  }

  @Test
  void aNodeWithSeveralReasonsCountsForEach() {
    // Kubernetes' own example message for resources.
    Map<String, List<String>> reasons = Map.of(
        "n1", List.of("Insufficient cpu", "Insufficient memory"),
        "n2", List.of("Insufficient memory"));
    assertEquals("0/2 nodes are available: 1 Insufficient cpu, 2 Insufficient memory.",
        FailureMessage.of(2, reasons));
  }

  @Test
  void sortIsByStringNotByNumber() {
    Map<String, List<String>> reasons = new LinkedHashMap<>();
    for (int i = 0; i < 10; i++) {
      reasons.put("a" + i, List.of("Too many pods"));
    }
    reasons.put("b", List.of("Insufficient cpu"));
    reasons.put("c", List.of("Insufficient cpu"));
    assertEquals("0/12 nodes are available: 10 Too many pods, 2 Insufficient cpu.", FailureMessage.of(12, reasons));
  }

  @Test
  void sameCountSortsByReason() {
    Map<String, List<String>> reasons = Map.of(
        "a", List.of("node(s) had untolerated taint {node.kubernetes.io/unreachable: }"),
        "b", List.of("Insufficient memory"),
        "c", List.of("node(s) didn't match Pod's node affinity/selector"));
    assertEquals("0/3 nodes are available: 1 Insufficient memory, "
        + "1 node(s) didn't match Pod's node affinity/selector, "
        + "1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }.", FailureMessage.of(3, reasons));
  }

  @Test
  void noNodes() {
    assertEquals("no nodes available to schedule pods", FailureMessage.of(0, Map.of()));
  }

  @Test
  void endToEndFromFeasibility() {
    var pod = TestObjects.pod("p", "2", "1Gi");
    var full = NodeInfo.of(TestObjects.node("full", "1", "8Gi", 110), List.of());
    var cordoned = TestObjects.node("cordoned", "4", "8Gi", 110);
    cordoned.putObject("spec").put("unschedulable", true);
    Map<String, List<String>> reasons = new LinkedHashMap<>();
    for (NodeInfo n : List.of(full, NodeInfo.of(cordoned, List.of()), full)) {
      reasons.put(n.name() + reasons.size(), Feasibility.check(pod, n));
    }
    assertEquals("0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu.",
        FailureMessage.of(3, reasons));
  }
}
