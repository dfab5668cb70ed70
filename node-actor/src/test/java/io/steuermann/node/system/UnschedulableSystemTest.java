package io.steuermann.node.system;

import static io.steuermann.node.system.SystemCluster.WAIT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.PodConditions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A pod that fits nowhere (two 1-cpu nodes and one cordoned node; the pod requests 2 cpu) stays
 * Pending with the explanatory condition and FailedScheduling event, and is placed as soon as a
 * node with room joins (the scheduler's periodic retry is the default 60 s, so the node's
 * arrival is what places it).
 */
class UnschedulableSystemTest {
  static final String EXPECTED = "0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu.";

  private static SystemCluster cluster;

  @BeforeAll
  static void start() {
    cluster = SystemCluster.start("unschedulable");
    cluster.hollow("hollow-nodes = 3, name-prefix = \"small-\", hollow.capacity.cpu = \"1\"");
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static JsonNode podScheduled(ObjectNode pod) {
    for (JsonNode c : pod.path("status").path("conditions")) {
      if ("PodScheduled".equals(c.path("type").asText())) {
        return c;
      }
    }
    return null;
  }

  @Test
  void aPodThatFitsNowhereIsExplainedAndPlacedWhenABiggerNodeJoins() {
    cluster.mergePatch(ObjectKey.of(Kind.NODE, "", "small-0003"), "{\"spec\": {\"unschedulable\": true}}");
    await().atMost(WAIT).until(() -> cluster.node("small-0003").path("spec").path("unschedulable").asBoolean());
    cluster.namespace("big");
    cluster.create("""
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "big", "namespace": "big"},
         "spec": {"containers": [{"name": "main", "image": "postgres:16",
                                  "resources": {"requests": {"cpu": "2", "memory": "1Gi"}}}]}}""");
    ObjectKey key = ObjectKey.of(Kind.POD, "big", "big");

    await().atMost(WAIT).until(() -> {
      JsonNode c = podScheduled(cluster.cached(key));
      return c != null && EXPECTED.equals(c.path("message").asText());
    });
    ObjectNode pod = cluster.cached(key);
    JsonNode condition = podScheduled(pod);
    assertEquals("False", condition.path("status").asText());
    assertEquals("Unschedulable", condition.path("reason").asText());
    assertEquals("Pending", pod.path("status").path("phase").asText());
    assertEquals("", SystemCluster.nodeOf(pod));
    await().atMost(WAIT).until(() -> cluster.events("big", "FailedScheduling").stream()
        .anyMatch(e -> EXPECTED.equals(e.path("message").asText())
            && "big".equals(e.path("involvedObject").path("name").asText())));
    ObjectNode event = cluster.events("big", "FailedScheduling").stream()
        .filter(e -> EXPECTED.equals(e.path("message").asText())).findFirst().orElseThrow();
    assertEquals("Warning", event.path("type").asText());
    assertEquals("Pod", event.path("involvedObject").path("kind").asText());

    // it stays Pending while nothing changes
    await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(2))
        .until(() -> SystemCluster.nodeOf(cluster.cached(key)).isEmpty());

    long begin = System.nanoTime();
    cluster.hollow("hollow-nodes = 1, name-prefix = \"large-\", hollow.capacity.cpu = \"8\"");
    long joinedMs = (System.nanoTime() - begin) / 1_000_000;
    await().atMost(Duration.ofSeconds(10)).until(() -> "large-0001".equals(SystemCluster.nodeOf(cluster.cached(key))));
    long boundMs = (System.nanoTime() - begin) / 1_000_000;
    await().atMost(WAIT).until(() -> SystemCluster.runningReady(cluster.cached(key)));
    System.out.printf("[system] bigger node Ready after %d ms, pending pod bound after %d ms, running after %d ms%n",
        joinedMs, boundMs, (System.nanoTime() - begin) / 1_000_000);
    pod = cluster.cached(key);
    assertEquals("True", PodConditions.get(pod.path("status"), "PodScheduled"));
    await().atMost(WAIT).until(() -> cluster.events("big", "Scheduled").stream()
        .anyMatch(e -> e.path("message").asText().contains("large-0001")));
    // the cordoned node got nothing
    List<ObjectNode> onCordoned = cluster.list(Kind.POD, "", "").stream()
        .filter(p -> "small-0003".equals(SystemCluster.nodeOf(p))).toList();
    assertEquals(List.of(), onCordoned);
    assertFalse(cluster.node("small-0003").path("spec").path("unschedulable").isMissingNode());
  }

  @Test
  void aBurstOfPodsNeverOvercommitsANode() {
    // node affinity keeps these pods on two 1-cpu nodes (whatever the other test did to the others)
    cluster.namespace("burst");
    for (int i = 0; i < 6; i++) {
      cluster.create("""
          {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p%d", "namespace": "burst"},
           "spec": {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                      "nodeSelectorTerms": [{"matchExpressions": [{"key": "kubernetes.io/hostname",
                        "operator": "In", "values": ["small-0001", "small-0002"]}]}]}}},
                    "containers": [{"name": "main", "image": "busybox",
                                    "resources": {"requests": {"cpu": "400m"}}}]}}""".formatted(i));
    }
    // 2 x 400m fit on a 1-cpu node: 4 pods run, 2 stay Pending
    await().atMost(WAIT).until(() -> cluster.list(Kind.POD, "burst").stream()
        .filter(SystemCluster::runningReady).count() == 4);
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).until(() -> {
      List<ObjectNode> pods = cluster.list(Kind.POD, "burst");
      return pods.stream().filter(p -> !SystemCluster.nodeOf(p).isEmpty()).count() == 4
          && SystemCluster.perNode(pods.stream().filter(p -> !SystemCluster.nodeOf(p).isEmpty()).toList())
              .values().stream().allMatch(n -> n == 2);
    });
  }
}
