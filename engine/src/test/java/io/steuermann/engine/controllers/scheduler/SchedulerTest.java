package io.steuermann.engine.controllers.scheduler;

import static io.steuermann.engine.controllers.scheduler.SchedulerTestKit.cordoned;
import static io.steuermann.engine.controllers.scheduler.SchedulerTestKit.hostPort;
import static io.steuermann.engine.controllers.scheduler.SchedulerTestKit.label;
import static io.steuermann.engine.controllers.scheduler.SchedulerTestKit.node;
import static io.steuermann.engine.controllers.scheduler.SchedulerTestKit.nodeSelector;
import static io.steuermann.engine.controllers.scheduler.SchedulerTestKit.ownedBy;
import static io.steuermann.engine.controllers.scheduler.SchedulerTestKit.pod;
import static io.steuermann.engine.controllers.scheduler.SchedulerTestKit.podKey;
import static io.steuermann.engine.controllers.scheduler.SchedulerTestKit.requiredAffinity;
import static io.steuermann.engine.controllers.scheduler.SchedulerTestKit.taint;
import static io.steuermann.engine.controllers.scheduler.SchedulerTestKit.toleration;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.scheduling.Quantity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchedulerTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path dataDir;
  private SchedulerTestKit kit;

  @BeforeEach
  void start() throws Exception {
    kit = new SchedulerTestKit(dataDir, "");
  }

  @AfterEach
  void stop() {
    if (kit != null) {
      kit.close();
    }
  }

  @Test
  void spreadsPodsOfOneOwnerAcrossNodes() throws Exception {
    for (int i = 1; i <= 3; i++) {
      kit.create(node("node-" + i, "4", "8Gi", 110));
    }
    kit.startScheduler();
    List<CompletableFuture<?>> creates = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      creates.add(kit.createAsync(ownedBy(pod("web-" + i, "100m"), "owner-1")).toCompletableFuture());
    }
    CompletableFuture.allOf(creates.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

    await().atMost(WAIT).until(() -> kit.pods().stream().allMatch(p -> !nodeName(p).isEmpty()));
    Map<String, Long> perNode = SchedulerTestKit.countBy(kit.pods().stream().map(SchedulerTest::nodeName).toList());
    assertEquals(Map.of("node-1", 2L, "node-2", 2L, "node-3", 2L), perNode);
    for (int i = 0; i < 6; i++) {
      assertEquals("True", kit.podScheduled("web-" + i).path("status").asText());
    }
    await().atMost(WAIT).until(() -> !kit.events("Scheduled", "web-0").isEmpty());
    assertEquals("Successfully assigned default/web-0 to " + kit.nodeOf("web-0"),
        kit.events("Scheduled", "web-0").get(0).path("message").asText());
  }

  @Test
  void neverOverCommitsANodeWhenManyPodsArriveAtOnce() throws Exception {
    for (int i = 1; i <= 3; i++) {
      kit.create(node("node-" + i, "1", "4Gi", 110));
    }
    ActorRef<Scheduler.Command> scheduler = kit.startScheduler();
    List<CompletableFuture<?>> creates = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      creates.add(kit.createAsync(pod("burst-" + i, "300m")).toCompletableFuture());
    }
    CompletableFuture.allOf(creates.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

    // 3 pods of 300m fit in 1 cpu: 9 are bound, 41 wait, each with the explanation
    await().atMost(WAIT).until(() -> kit.stats(scheduler).unschedulable() == 41
        && kit.stats(scheduler).bindsInFlight() == 0);
    await().atMost(WAIT).until(() -> kit.pods().stream()
        .filter(p -> nodeName(p).isEmpty())
        .allMatch(p -> "0/3 nodes are available: 3 Insufficient cpu.".equals(condition(p).path("message").asText())));
    List<ObjectNode> pods = kit.pods();
    Map<String, Long> cpuPerNode = new HashMap<>();
    for (ObjectNode p : pods) {
      if (!nodeName(p).isEmpty()) {
        cpuPerNode.merge(nodeName(p), Quantity.milliCpu(
            p.path("spec").path("containers").get(0).path("resources").path("requests").path("cpu").asText()),
            Long::sum);
      }
    }
    assertEquals(Map.of("node-1", 900L, "node-2", 900L, "node-3", 900L), cpuPerNode);
    assertEquals(41, pods.stream().filter(p -> nodeName(p).isEmpty()).count());
    Scheduler.Stats stats = kit.stats(scheduler);
    assertEquals(9, stats.binds());
    assertEquals(41, stats.pending());
    assertTrue(stats.p99LatencyMs() > 0, stats.toString());
  }

  @Test
  void respectsNodeSelectorAndRequiredAffinity() throws Exception {
    kit.create(label(node("ssd-node", "4", "8Gi", 110), "disk", "ssd"));
    kit.create(label(node("hdd-node", "4", "8Gi", 110), "disk", "hdd"));
    kit.create(node("plain-node", "4", "8Gi", 110));
    kit.startScheduler();
    for (int i = 0; i < 3; i++) {
      kit.create(nodeSelector(pod("wants-ssd-" + i, "100m"), "disk", "ssd"));
      kit.create(requiredAffinity(pod("wants-hdd-" + i, "100m"), "disk", "In", "hdd"));
      kit.create(requiredAffinity(pod("wants-no-disk-" + i, "100m"), "disk", "DoesNotExist"));
    }
    kit.create(nodeSelector(pod("wants-nvme", "100m"), "disk", "nvme"));

    await().atMost(WAIT).until(() -> kit.pods().stream().filter(p -> !nodeName(p).isEmpty()).count() == 9);
    for (int i = 0; i < 3; i++) {
      assertEquals("ssd-node", kit.nodeOf("wants-ssd-" + i));
      assertEquals("hdd-node", kit.nodeOf("wants-hdd-" + i));
      assertEquals("plain-node", kit.nodeOf("wants-no-disk-" + i));
    }
    await().atMost(WAIT).until(() -> "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector."
        .equals(kit.podScheduled("wants-nvme").path("message").asText()));
    assertEquals("", kit.nodeOf("wants-nvme"));

    // a node gaining the label makes the waiting pod fit
    ObjectNode plain = kit.cached(ObjectKey.of(Kind.NODE, "", "plain-node"));
    kit.replaceNode(label(plain, "disk", "nvme"));
    await().atMost(WAIT).until(() -> "plain-node".equals(kit.nodeOf("wants-nvme")));
  }

  @Test
  void respectsTaintsTolerationsAndCordonedNodes() throws Exception {
    kit.create(taint(node("gpu-node", "4", "8Gi", 110), "dedicated", "gpu", "NoSchedule"));
    kit.create(taint(node("evicting-node", "4", "8Gi", 110), "maintenance", "", "NoExecute"));
    kit.create(cordoned(node("cordoned-node", "4", "8Gi", 110)));
    kit.create(taint(node("soft-node", "4", "8Gi", 110), "prefer", "not", "PreferNoSchedule"));
    kit.startScheduler();
    for (int i = 0; i < 4; i++) {
      kit.create(pod("plain-" + i, "100m"));
      kit.create(toleration(pod("gpu-" + i, "100m"), "dedicated", "Equal", "gpu", "NoSchedule"));
      kit.create(toleration(nodeSelector(pod("maint-" + i, "100m"), "kubernetes.io/hostname", "evicting-node"),
          "maintenance", "Exists", null, null));
    }
    kit.create(nodeSelector(pod("wants-cordoned", "100m"), "kubernetes.io/hostname", "cordoned-node"));
    kit.create(toleration(nodeSelector(pod("tolerates-cordon", "100m"), "kubernetes.io/hostname",
        "cordoned-node"), "node.kubernetes.io/unschedulable", "Exists", null, "NoSchedule"));

    await().atMost(WAIT).until(() -> kit.pods().stream().filter(p -> !nodeName(p).isEmpty()).count() == 13);
    for (int i = 0; i < 4; i++) {
      assertEquals("soft-node", kit.nodeOf("plain-" + i), "untolerated taints and cordons keep plain pods off");
      assertTrue(List.of("gpu-node", "soft-node").contains(kit.nodeOf("gpu-" + i)));
      assertEquals("evicting-node", kit.nodeOf("maint-" + i));
    }
    assertEquals("cordoned-node", kit.nodeOf("tolerates-cordon"));
    // filters stop at the first failing predicate, in Kubernetes' order: cordon, taints, affinity
    await().atMost(WAIT).until(() -> ("0/4 nodes are available: 1 node(s) didn't match Pod's node "
        + "affinity/selector, 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) had untolerated "
        + "taint {maintenance: }, 1 node(s) were unschedulable.")
        .equals(kit.podScheduled("wants-cordoned").path("message").asText()));
    assertEquals("", kit.nodeOf("wants-cordoned"));

    // uncordoning the node lets the waiting pod on
    ObjectNode node = kit.cached(ObjectKey.of(Kind.NODE, "", "cordoned-node"));
    ((ObjectNode) node.get("spec")).put("unschedulable", false);
    kit.replaceNode(node);
    await().atMost(WAIT).until(() -> "cordoned-node".equals(kit.nodeOf("wants-cordoned")));
  }

  @Test
  void explainsTaintsInTheFailureMessage() throws Exception {
    kit.create(taint(node("gpu-node", "4", "8Gi", 110), "dedicated", "gpu", "NoSchedule"));
    kit.create(cordoned(node("cordoned-node", "4", "8Gi", 110)));
    kit.create(node("small-node", "100m", "8Gi", 110));
    kit.startScheduler();
    kit.create(pod("homeless", "500m"));
    await().atMost(WAIT).until(() -> ("0/3 nodes are available: 1 Insufficient cpu, "
        + "1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) were unschedulable.")
        .equals(kit.podScheduled("homeless").path("message").asText()));
  }

  @Test
  void keepsHostPortsApartAndRetriesWhenAPodGoes() throws Exception {
    kit.create(node("only-node", "4", "8Gi", 110));
    ActorRef<Scheduler.Command> scheduler = kit.startScheduler();
    kit.create(hostPort(pod("port-a", "100m"), 8080));
    kit.create(hostPort(pod("port-b", "100m"), 8080));
    kit.create(hostPort(pod("port-c", "100m"), 9090));

    await().atMost(WAIT).until(() -> kit.stats(scheduler).unschedulable() == 1
        && kit.stats(scheduler).bindsInFlight() == 0);
    assertEquals("only-node", kit.nodeOf("port-c"));
    String waiting = kit.nodeOf("port-a").isEmpty() ? "port-a" : "port-b";
    String bound = waiting.equals("port-a") ? "port-b" : "port-a";
    assertEquals("only-node", kit.nodeOf(bound));
    await().atMost(WAIT).until(() ->
        "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports."
            .equals(kit.podScheduled(waiting).path("message").asText()));

    // deleting the pod that holds the port frees it, and the waiting pod is placed
    kit.deleteNow(podKey(bound));
    await().atMost(WAIT).until(() -> "only-node".equals(kit.nodeOf(waiting)));
    assertEquals("True", kit.podScheduled(waiting).path("status").asText());
  }

  @Test
  void aPodThatFitsNowhereIsExplainedAndPlacedWhenANodeWithRoomJoins() throws Exception {
    kit.create(node("small-1", "500m", "8Gi", 110));
    kit.create(node("small-2", "500m", "8Gi", 110));
    kit.create(cordoned(node("cordoned", "8", "8Gi", 110)));
    ActorRef<Scheduler.Command> scheduler = kit.startScheduler();
    kit.create(pod("big", "2"));

    String expected = "0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu.";
    await().atMost(WAIT).until(() -> expected.equals(kit.podScheduled("big").path("message").asText()));
    JsonNode condition = kit.podScheduled("big");
    assertEquals("False", condition.path("status").asText());
    assertEquals("Unschedulable", condition.path("reason").asText());
    await().atMost(WAIT).until(() -> !kit.events("FailedScheduling", "big").isEmpty());
    ObjectNode event = kit.events("FailedScheduling", "big").get(0);
    assertEquals("Warning", event.path("type").asText());
    assertEquals(expected, event.path("message").asText());
    assertEquals("", kit.nodeOf("big"));

    // a change that does not help: the pod is tried again, and its status is not rewritten
    String version = Meta.resourceVersion(kit.cached(podKey("big")));
    long decisions = kit.stats(scheduler).decisions();
    ObjectNode small = kit.cached(ObjectKey.of(Kind.NODE, "", "small-1"));
    kit.replaceNode(label(small, "zone", "a"));
    await().atMost(WAIT).until(() -> kit.stats(scheduler).decisions() > decisions);
    assertEquals(version, Meta.resourceVersion(kit.cached(podKey("big"))));
    assertEquals(1, kit.stats(scheduler).unschedulable());

    // nor is it tried in a loop while nothing changes
    long settled = kit.stats(scheduler).decisions();
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
        .until(() -> kit.stats(scheduler).decisions() == settled);

    kit.create(node("big-node", "4", "8Gi", 110));
    await().atMost(WAIT).until(() -> "big-node".equals(kit.nodeOf("big")));
    assertEquals("True", kit.podScheduled("big").path("status").asText());
    assertEquals(0, kit.stats(scheduler).pending());
  }

  @Test
  void aCompletedPodFreesItsCapacity() throws Exception {
    kit.create(node("one-slot", "4", "8Gi", 1));
    ActorRef<Scheduler.Command> scheduler = kit.startScheduler();
    kit.create(pod("first", "100m"));
    await().atMost(WAIT).until(() -> "one-slot".equals(kit.nodeOf("first")));
    kit.create(pod("second", "100m"));
    await().atMost(WAIT).until(() -> "0/1 nodes are available: 1 Too many pods."
        .equals(kit.podScheduled("second").path("message").asText()));

    ObjectNode first = kit.cached(podKey("first"));
    ((ObjectNode) first.get("status")).put("phase", "Succeeded");
    ((ObjectNode) first.get("metadata")).remove("resourceVersion");
    kit.engine.store().replace(podKey("first"), first, io.steuermann.engine.objects.ObjectCommand.Part.STATUS)
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> "one-slot".equals(kit.nodeOf("second")));
    // the cache can show the binding before the scheduler has processed the bind's answer
    await().atMost(WAIT).until(() -> kit.stats(scheduler).pending() == 0);
  }

  private static String nodeName(JsonNode pod) {
    return Meta.text(pod.path("spec"), "nodeName");
  }

  private static JsonNode condition(JsonNode pod) {
    for (JsonNode c : pod.path("status").path("conditions")) {
      if ("PodScheduled".equals(c.path("type").asText())) {
        return c;
      }
    }
    return pod.path("missing");
  }
}
