package io.steuermann.node.system;

import static io.steuermann.node.system.SystemCluster.WAIT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.objects.PodConditions;
import io.steuermann.node.NodeAgent;
import io.steuermann.node.NodeAgents;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A node that stops heartbeating (its agent is stopped; its simulated containers keep running,
 * as on a machine cut off from the cluster) becomes NotReady with the unreachable taints, and
 * after the eviction timeout its pods are replaced on the surviving nodes.
 */
class NodeLossSystemTest {
  private static SystemCluster cluster;
  private static NodeAgents nodes;

  @BeforeAll
  static void start() {
    cluster = SystemCluster.start("node-loss");
    nodes = cluster.hollow("hollow-nodes = 3, name-prefix = \"loss-\"");
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static boolean hasTaint(JsonNode node, String key, String effect) {
    for (JsonNode t : node.path("spec").path("taints")) {
      if (key.equals(t.path("key").asText()) && effect.equals(t.path("effect").asText())) {
        return true;
      }
    }
    return false;
  }

  @Test
  void aNodeThatStopsHeartbeatingHasItsPodsReplacedOnTheOtherNodes() {
    cluster.namespace("loss");
    cluster.create(SystemCluster.deployment("loss", "web", 6, "nginx:1.27", "", ""));
    List<ObjectNode> pods = cluster.awaitRunningReady("loss", "app=web", 6);
    assertEquals(Map.of("loss-0001", 2L, "loss-0002", 2L, "loss-0003", 2L), SystemCluster.perNode(pods));
    String lost = "loss-0002";
    Set<String> lostPods = new HashSet<>();
    pods.stream().filter(p -> lost.equals(SystemCluster.nodeOf(p))).forEach(p -> lostPods.add(Meta.uid(p)));

    long begin = System.nanoTime();
    nodes.agent(lost).orElseThrow().tell(NodeAgent.Stop.INSTANCE);

    // grace 2s: Ready=Unknown and the unreachable taints
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      ObjectNode node = cluster.node(lost);
      return "Unknown".equals(PodConditions.get(node.path("status"), "Ready"))
          && hasTaint(node, "node.kubernetes.io/unreachable", "NoSchedule")
          && hasTaint(node, "node.kubernetes.io/unreachable", "NoExecute");
    });
    long notReadyMs = (System.nanoTime() - begin) / 1_000_000;
    ObjectNode node = cluster.node(lost);
    assertEquals("NodeStatusUnknown", SystemCluster.condition(node.path("status"), "Ready", "reason"));
    // the other nodes keep heartbeating and stay Ready, without taints
    for (String other : List.of("loss-0001", "loss-0003")) {
      ObjectNode n = cluster.node(other);
      assertEquals("True", PodConditions.get(n.path("status"), "Ready"), other);
      assertFalse(hasTaint(n, "node.kubernetes.io/unreachable", "NoSchedule"), other);
    }

    // eviction 2s: the lost node's pods are deleted and replaced on the survivors
    await().atMost(Duration.ofSeconds(15)).until(() -> {
      List<ObjectNode> now = cluster.list(Kind.POD, "loss", "app=web");
      return now.size() == 6 && now.stream().allMatch(SystemCluster::runningReady)
          && now.stream().noneMatch(p -> lost.equals(SystemCluster.nodeOf(p)));
    });
    long replacedMs = (System.nanoTime() - begin) / 1_000_000;
    System.out.printf("[system] node lost: NotReady after %d ms, its pods replaced after %d ms%n",
        notReadyMs, replacedMs);
    List<ObjectNode> after = cluster.list(Kind.POD, "loss", "app=web");
    for (ObjectNode p : after) {
      assertFalse(lostPods.contains(Meta.uid(p)), "a pod of the lost node is gone: " + Meta.name(p));
    }
    assertTrue(cluster.list(Kind.POD, "", "").stream().noneMatch(p -> lost.equals(SystemCluster.nodeOf(p))),
        "no pod is left bound to the lost node");
    assertEquals(Map.of("loss-0001", 3L, "loss-0003", 3L), SystemCluster.perNode(after));
    ObjectNode notReadyEvent = cluster.events("default", "NodeNotReady").stream()
        .filter(e -> lost.equals(e.path("involvedObject").path("name").asText())).findFirst().orElse(null);
    assertTrue(notReadyEvent != null, "a NodeNotReady event about " + lost + ": "
        + cluster.list(Kind.EVENT, "", "").stream().map(e -> e.path("reason").asText()
            + "/" + e.path("involvedObject").path("name").asText()).toList());
    assertEquals("Warning", notReadyEvent.path("type").asText());
    assertEquals("Node", notReadyEvent.path("involvedObject").path("kind").asText());
    // the ReplicaSet is whole again
    await().atMost(WAIT).until(() -> cluster.list(Kind.REPLICA_SET, "loss").stream()
        .allMatch(rs -> rs.path("status").path("readyReplicas").asInt() == 6));
  }
}
