package io.steuermann.engine.scheduling;

import static io.steuermann.engine.scheduling.TestObjects.json;
import static io.steuermann.engine.scheduling.TestObjects.node;
import static io.steuermann.engine.scheduling.TestObjects.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NodeInfoTest {

  @Test
  void readsNodeAndSumsItsPods() {
    var running = pod("a", "500m", "1Gi");
    var done = pod("b", "1", "1Gi");
    done.putObject("status").put("phase", "Succeeded");
    NodeInfo n = NodeInfo.of(node("n1", "4", "8Gi", 110), List.of(running, done));
    assertEquals("n1", n.name());
    assertEquals(Map.of("kubernetes.io/hostname", "n1"), n.labels());
    assertEquals(new Resources(4000, 8L << 30, 110), n.allocatable());
    assertEquals(new Resources(500, 1L << 30, 1), n.requested(), "terminated pods hold nothing");
    assertTrue(n.ready());
    assertFalse(n.unschedulable());
  }

  @Test
  void taintsCordonAndReadiness() {
    NodeInfo n = NodeInfo.of(json("{'metadata':{'name':'n'},'spec':{'unschedulable':true,'taints':["
        + "{'key':'dedicated','value':'db','effect':'NoSchedule'}]},"
        + "'status':{'capacity':{'cpu':'2','memory':'1Gi','pods':'10'},"
        + "'conditions':[{'type':'Ready','status':'Unknown'}]}}"), List.of());
    assertTrue(n.unschedulable());
    assertFalse(n.ready());
    assertEquals(List.of(new Taint("dedicated", "db", "NoSchedule")), n.taints());
    assertEquals(new Resources(2000, 1L << 30, 10), n.allocatable(), "capacity when no allocatable");
  }

  @Test
  void nodeWithoutConditionsIsNotReadyAndOffersNothing() {
    NodeInfo n = NodeInfo.of(json("{'metadata':{'name':'bare'}}"), List.of());
    assertFalse(n.ready());
    assertEquals(Resources.ZERO, n.allocatable());
  }

  @Test
  void withPodReturnsANewViewAndLeavesThisOne() {
    NodeInfo before = NodeInfo.of(node("n1", "4", "8Gi", 110), List.of());
    var p = json("{'spec':{'containers':[{'resources':{'requests':{'cpu':'1','memory':'1Gi'}},"
        + "'ports':[{'containerPort':80,'hostPort':80}]}]}}");
    NodeInfo after = before.withPod(p);
    assertEquals(new Resources(1000, 1L << 30, 1), after.requested());
    assertEquals(Set.of(new HostPort("TCP", 80)), after.usedPorts());
    assertEquals(Resources.ZERO, before.requested());
    assertTrue(before.usedPorts().isEmpty());
    assertEquals(new Resources(2000, 2L << 30, 2), after.withPod(p).requested());
  }
}
