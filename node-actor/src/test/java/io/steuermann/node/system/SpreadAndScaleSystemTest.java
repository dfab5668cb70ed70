package io.steuermann.node.system;

import static io.steuermann.node.system.SystemCluster.WAIT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.node.NodeAgents;
import io.steuermann.node.runtime.HollowRuntime;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** A 3-node cluster: a Deployment spreads 2/2/2; scaling down and up. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SpreadAndScaleSystemTest {
  private static SystemCluster cluster;
  private static NodeAgents nodes;

  @BeforeAll
  static void start() {
    cluster = SystemCluster.start("spread-scale");
    nodes = cluster.hollow("hollow-nodes = 3, name-prefix = \"spread-\"");
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private long runningContainers() {
    long n = 0;
    for (String name : nodes.nodeNames()) {
      n += ((HollowRuntime) nodes.runtime(name).orElseThrow()).runningContainers();
    }
    return n;
  }

  @Test
  @Order(1)
  void aDeploymentOfSixSpreadsTwoPerNodeOnThreeNodes() {
    long begin = System.nanoTime();
    cluster.namespace("spread");
    cluster.create(SystemCluster.deployment("spread", "web", 6, "nginx:1.27", "", ""));
    List<ObjectNode> pods = cluster.awaitRunningReady("spread", "app=web", 6);
    cluster.awaitRolledOut("spread", "web", 6, "nginx:1.27");
    System.out.printf("[system] 6 pods Running and Ready in %d ms%n", (System.nanoTime() - begin) / 1_000_000);

    Map<String, Long> perNode = SystemCluster.perNode(pods);
    assertEquals(Map.of("spread-0001", 2L, "spread-0002", 2L, "spread-0003", 2L), perNode, "pods per node");
    for (ObjectNode pod : pods) {
      assertEquals("True", io.steuermann.engine.objects.PodConditions.get(pod.path("status"), "PodScheduled"));
      assertEquals(1, pod.path("metadata").path("ownerReferences").size(), pod.toString());
      assertEquals("ReplicaSet", pod.path("metadata").path("ownerReferences").get(0).path("kind").asText());
    }
    assertEquals(6, runningContainers(), "containers running on the hollow nodes");
    // the steps a person wants to see were recorded
    await().atMost(WAIT).until(() -> cluster.events("spread", "Scheduled").size() >= 6
        && cluster.events("spread", "SuccessfulCreate").size() >= 1
        && cluster.events("spread", "ScalingReplicaSet").size() >= 1);
    ObjectNode deployment = cluster.cached(ObjectKey.of(Kind.DEPLOYMENT, "spread", "web"));
    assertEquals("1", SystemCluster.revision(deployment));
    assertEquals("True", SystemCluster.condition(deployment.path("status"), "Available", "status"));
    assertEquals("NewReplicaSetAvailable",
        SystemCluster.condition(deployment.path("status"), "Progressing", "reason"));
  }

  @Test
  @Order(2)
  void scalingDownToTwoDeletesFourPodsAndScalingUpRestoresSix() {
    cluster.namespace("scale");
    ObjectNode deployment = cluster.create(SystemCluster.deployment("scale", "app", 6, "redis:7", "", ""));
    List<ObjectNode> before = cluster.awaitRunningReady("scale", "app=app", 6);
    cluster.awaitRolledOut("scale", "app", 6, "redis:7");
    Set<String> uidsBefore = new HashSet<>();
    before.forEach(p -> uidsBefore.add(Meta.uid(p)));
    long containersBefore = runningContainers();
    ObjectKey key = ObjectKey.of(Kind.DEPLOYMENT, "scale", "app");

    long begin = System.nanoTime();
    SystemCluster.done(cluster.engine.store().scale(key, 2, 0));
    List<ObjectNode> after = cluster.awaitRunningReady("scale", "app=app", 2);
    System.out.printf("[system] scaled 6 -> 2 in %d ms%n", (System.nanoTime() - begin) / 1_000_000);
    for (ObjectNode pod : after) {
      assertTrue(uidsBefore.contains(Meta.uid(pod)), "a surviving pod is one of the six: " + Meta.name(pod));
    }
    // deleted pods were stopped on their nodes
    await().atMost(WAIT).until(() -> runningContainers() == containersBefore - 4);
    cluster.awaitRolledOut("scale", "app", 2, "redis:7");
    List<ObjectNode> replicaSets = cluster.replicaSetsOf(deployment);
    assertEquals(1, replicaSets.size(), "scaling makes no new ReplicaSet");
    assertEquals(2, replicaSets.get(0).path("spec").path("replicas").asInt());
    await().atMost(WAIT).until(() -> cluster.events("scale", "SuccessfulDelete").size() >= 1);

    begin = System.nanoTime();
    SystemCluster.done(cluster.engine.store().scale(key, 6, 0));
    List<ObjectNode> restored = cluster.awaitRunningReady("scale", "app=app", 6);
    cluster.awaitRolledOut("scale", "app", 6, "redis:7");
    System.out.printf("[system] scaled 2 -> 6 in %d ms%n", (System.nanoTime() - begin) / 1_000_000);
    assertEquals(1, cluster.replicaSetsOf(deployment).size());
    assertEquals(6, cluster.replicaSetsOf(deployment).get(0).path("spec").path("replicas").asInt());
    assertEquals(Map.of("spread-0001", 2L, "spread-0002", 2L, "spread-0003", 2L), SystemCluster.perNode(restored),
        "scaled up pods spread again");
    await().atMost(WAIT).until(() -> runningContainers() == containersBefore);
  }
}
