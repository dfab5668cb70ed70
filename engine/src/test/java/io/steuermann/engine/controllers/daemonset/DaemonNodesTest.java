package io.steuermann.engine.controllers.daemonset;

import static io.steuermann.engine.controllers.daemonset.DaemonRolloutTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.daemonset.DaemonNodes.Fit;
import io.steuermann.engine.scheduling.Feasibility;
import io.steuermann.engine.scheduling.NodeInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which nodes a DaemonSet's pod belongs on (Kubernetes' NodeShouldRunDaemonPod), by example. */
class DaemonNodesTest {

  private static ObjectNode node(String name, String labels, String spec, boolean ready) {
    return (ObjectNode) json("{\"metadata\":{\"name\":\"" + name + "\",\"labels\":" + labels + "},\"spec\":" + spec
        + ",\"status\":{\"allocatable\":{\"pods\":\"110\"},\"conditions\":[{\"type\":\"Ready\",\"status\":\""
        + (ready ? "True" : "False") + "\"}]}}");
  }

  private static ObjectNode ds(String podSpec) {
    return (ObjectNode) json("{\"metadata\":{\"name\":\"agent\"},\"spec\":{\"template\":{\"metadata\":{\"labels\":"
        + "{\"app\":\"agent\"}},\"spec\":" + podSpec + "}}}");
  }

  private static Fit fit(ObjectNode ds, ObjectNode node) {
    return DaemonNodes.fit(DaemonNodes.daemonPod(ds), node);
  }

  @Test
  void nodeSelectorAndRequiredAffinityChooseTheNodes() {
    ObjectNode ssd = node("a", "{\"disk\":\"ssd\",\"zone\":\"1\"}", "{}", true);
    ObjectNode hdd = node("b", "{\"disk\":\"hdd\",\"zone\":\"2\"}", "{}", true);
    ObjectNode selector = ds("{\"nodeSelector\":{\"disk\":\"ssd\"},\"containers\":[]}");
    assertEquals(Fit.YES, fit(selector, ssd));
    assertEquals(Fit.NO, fit(selector, hdd));
    ObjectNode affinity = ds("{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
        + "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"zone\",\"operator\":\"In\",\"values\":[\"2\"]}]}]}}},"
        + "\"containers\":[]}");
    assertEquals(Fit.NO, fit(affinity, ssd));
    assertEquals(Fit.YES, fit(affinity, hdd));
    assertEquals(Fit.NO, fit(ds("{\"nodeName\":\"b\",\"containers\":[]}"), ssd));
  }

  @Test
  void taintsKeepNewPodsAwayAndNoExecuteOnesEvict() {
    ObjectNode plain = ds("{\"containers\":[]}");
    ObjectNode noSchedule = node("a", "{}", "{\"taints\":[{\"key\":\"gpu\",\"effect\":\"NoSchedule\"}]}", true);
    ObjectNode noExecute = node("b", "{}", "{\"taints\":[{\"key\":\"gpu\",\"effect\":\"NoExecute\"}]}", true);
    ObjectNode prefer = node("c", "{}", "{\"taints\":[{\"key\":\"gpu\",\"effect\":\"PreferNoSchedule\"}]}", true);
    assertEquals(new Fit(false, true), fit(plain, noSchedule));
    assertEquals(Fit.NO, fit(plain, noExecute));
    assertEquals(Fit.YES, fit(plain, prefer));
    ObjectNode tolerant = ds("{\"tolerations\":[{\"key\":\"gpu\",\"operator\":\"Exists\"}],\"containers\":[]}");
    assertEquals(Fit.YES, fit(tolerant, noSchedule));
    assertEquals(Fit.YES, fit(tolerant, noExecute));
  }

  @Test
  void cordonedPressuredAndUnreachableNodesAsKubernetesTreatsThemForDaemonPods() {
    ObjectNode plain = ds("{\"containers\":[]}");
    // cordoned: DaemonSet pods tolerate unschedulable, so the node still gets its pod
    ObjectNode cordoned = node("a", "{}", "{\"unschedulable\":true,\"taints\":[{\"key\":"
        + "\"node.kubernetes.io/unschedulable\",\"effect\":\"NoSchedule\"}]}", true);
    assertEquals(Fit.YES, fit(plain, cordoned));
    ObjectNode pressure = node("b", "{}", "{\"taints\":[{\"key\":\"node.kubernetes.io/disk-pressure\","
        + "\"effect\":\"NoSchedule\"},{\"key\":\"node.kubernetes.io/memory-pressure\",\"effect\":\"NoSchedule\"}]}", true);
    assertEquals(Fit.YES, fit(plain, pressure));
    // unreachable: the NoExecute taint is tolerated for ever (the pod stays), the NoSchedule one is not
    ObjectNode unreachable = node("c", "{}", "{\"taints\":[{\"key\":\"node.kubernetes.io/unreachable\","
        + "\"effect\":\"NoSchedule\"},{\"key\":\"node.kubernetes.io/unreachable\",\"effect\":\"NoExecute\"}]}", false);
    assertEquals(new Fit(false, true), fit(plain, unreachable));
    // not ready without a taint yet: as the scheduler sees it, no new pod, the old one stays
    assertEquals(new Fit(false, true), fit(plain, node("d", "{}", "{}", false)));
  }

  @Test
  void aPodPinnedToItsNodeFitsThatNodeOnlyForTheScheduler() {
    ObjectNode spec = (ObjectNode) json("{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
        + "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"zone\",\"operator\":\"Exists\"}]}]},"
        + "\"preferredDuringSchedulingIgnoredDuringExecution\":[]}},\"containers\":[]}");
    DaemonNodes.addTolerations(spec);
    DaemonNodes.pinToNode(spec, "b");
    ObjectNode pod = (ObjectNode) json("{\"metadata\":{\"name\":\"p\"}}");
    pod.set("spec", spec);
    assertEquals("b", DaemonNodes.targetNode(pod));
    JsonNode required = spec.path("affinity").path("nodeAffinity").path("requiredDuringSchedulingIgnoredDuringExecution");
    assertEquals(1, required.path("nodeSelectorTerms").size(), "the template's terms are replaced");
    assertEquals(6, spec.path("tolerations").size(), spec.toString());
    // the scheduler's own predicates agree: only node b, even cordoned
    ObjectNode a = node("a", "{}", "{}", true);
    ObjectNode b = node("b", "{}", "{\"unschedulable\":true}", true);
    assertEquals(List.of(Feasibility.AFFINITY), Feasibility.check(pod, NodeInfo.of(a, List.of())));
    assertEquals(List.of(), Feasibility.check(pod, NodeInfo.of(b, List.of())));
    pod.with("spec").put("nodeName", "b");
    assertEquals("b", DaemonNodes.targetNode(pod));
  }
}
