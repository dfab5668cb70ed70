package io.steuermann.engine.controllers.nodes;

import static io.steuermann.engine.controllers.gc.TestEngine.done;
import static io.steuermann.engine.controllers.gc.TestEngine.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.steuermann.engine.cluster.LostMembers;
import io.steuermann.engine.controllers.gc.TestEngine;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.watch.WatchFilter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NodeLifecycleControllerTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static TestEngine t;
  private static ScheduledExecutorService agents;
  /** The nodes whose (simulated) agent posts a heartbeat every 300 ms. */
  private static final Set<String> beating = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void start() throws Exception {
    // the engine runs the controller as a cluster singleton (Singletons), with these settings
    t = new TestEngine("steuermann.controllers.node-lifecycle {\n"
        + "  grace-period = 2s\n  eviction-timeout = 2s\n  check-interval = 200ms\n"
        + "}\n"
        // a second member joins this H2-backed test cluster (it needs no store of its own)
        + "pekko.cluster.configuration-compatibility-check.checkers.steuermann-store = \"\"\n");
    agents = Executors.newSingleThreadScheduledExecutor();
    agents.scheduleWithFixedDelay(() -> beating.forEach(NodeLifecycleControllerTest::heartbeat),
        0, 300, TimeUnit.MILLISECONDS);
  }

  @AfterAll
  static void stop() {
    if (agents != null) {
      agents.shutdownNow();
    }
    if (t != null) {
      t.close();
    }
  }

  private static ObjectNode readyCondition(String now) {
    return json("{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"KubeletReady\","
        + "\"message\":\"kubelet is posting ready status\",\"lastHeartbeatTime\":\"" + now
        + "\",\"lastTransitionTime\":\"" + now + "\"}");
  }

  /** What a node agent does: posts Ready True with a fresh heartbeat through the status subresource. */
  private static void heartbeat(String node) {
    ObjectNode patch = json("{\"status\":{}}");
    ((ObjectNode) patch.get("status")).putArray("conditions").add(readyCondition(Instant.now().toString()));
    t.engine.store().patch(ObjectKey.of(Kind.NODE, "", node), ObjectCommand.PatchType.MERGE, patch,
        ObjectCommand.Part.STATUS).toCompletableFuture().join();
  }

  private static void node(String name, String spec, boolean beats) {
    ObjectNode node = json("{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"" + name
        + "\"},\"spec\":" + spec + ",\"status\":{\"capacity\":{\"cpu\":\"4\",\"memory\":\"8Gi\",\"pods\":\"110\"},"
        + "\"allocatable\":{\"cpu\":\"4\",\"memory\":\"8Gi\",\"pods\":\"110\"}}}");
    ((ObjectNode) node.get("status")).putArray("conditions").add(readyCondition(Instant.now().toString()));
    t.create(node);
    if (beats) {
      beating.add(name);
    }
  }

  private static ObjectKey pod(String name, String node, String tolerations) {
    t.create("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name
        + "\",\"namespace\":\"default\"},\"spec\":{\"nodeName\":\"" + node + "\",\"tolerations\":" + tolerations
        + ",\"containers\":[{\"name\":\"c\",\"image\":\"busybox:1\"}]}}");
    return ObjectKey.of(Kind.POD, "default", name);
  }

  private static ObjectNode cachedNode(String name) {
    return t.cached(ObjectKey.of(Kind.NODE, "", name));
  }

  private static JsonNode ready(JsonNode node) {
    for (JsonNode c : node.path("status").path("conditions")) {
      if ("Ready".equals(c.path("type").asText())) {
        return c;
      }
    }
    return null;
  }

  private static long unreachableTaints(JsonNode node) {
    long n = 0;
    for (JsonNode taint : node.path("spec").path("taints")) {
      if (NodeLifecycleController.UNREACHABLE_TAINT.equals(taint.path("key").asText())) {
        n++;
      }
    }
    return n;
  }

  private static boolean hasEvent(String reason, String involvedName) {
    return t.engine.cache().list(WatchFilter.of(Kind.EVENT, "default")).items().stream()
        .anyMatch(e -> reason.equals(e.path("reason").asText())
            && involvedName.equals(e.path("involvedObject").path("name").asText()));
  }

  @Test
  void silentNodeBecomesNotReadyAndItsPodsAreDeletedAfterTheEvictionTimeout() {
    node("alive", "{}", true);
    node("silent", "{}", false);
    ObjectKey p1 = pod("silent-1", "silent", "[]");
    ObjectKey p2 = pod("silent-2", "silent", "[]");
    ObjectKey tolerant = pod("silent-tolerant", "silent",
        "[{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\",\"effect\":\"NoExecute\"}]");
    ObjectKey elsewhere = pod("alive-1", "alive", "[]");

    await().atMost(TIMEOUT).until(() -> unreachableTaints(cachedNode("silent")) == 2);
    JsonNode silent = cachedNode("silent");
    assertEquals("Unknown", ready(silent).path("status").asText());
    assertEquals(NodeLifecycleController.REASON_UNKNOWN, ready(silent).path("reason").asText());
    assertEquals("Kubelet stopped posting node status.", ready(silent).path("message").asText());
    assertTrue(silent.toString().contains("\"effect\":\"NoSchedule\""));
    assertTrue(silent.toString().contains("\"effect\":\"NoExecute\""));
    // the eviction timeout has not passed yet when the node is marked
    assertTrue(t.cached(p1) != null && t.cached(p2) != null, "pods deleted before the eviction timeout");
    await().atMost(TIMEOUT).until(() -> hasEvent("NodeNotReady", "silent"));

    await().atMost(TIMEOUT).until(() -> t.cached(p1) == null && t.cached(p2) == null);
    await().atMost(TIMEOUT).until(() -> hasEvent("TaintManagerEviction", "silent-1"));
    // a pod tolerating the unreachable taint without a limit stays; the live node is untouched
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() ->
        t.cached(tolerant) != null && t.cached(elsewhere) != null);
    JsonNode alive = cachedNode("alive");
    assertEquals("True", ready(alive).path("status").asText());
    assertEquals(0, unreachableTaints(alive));
  }

  @Test
  void nodeThatResumesHeartbeatingLosesTheTaintAndKeepsItsOtherTaintsAndCordon() {
    node("flaky", "{\"unschedulable\":true,\"taints\":[{\"key\":\"dedicated\",\"value\":\"db\","
        + "\"effect\":\"NoSchedule\"}]}", false);
    await().atMost(TIMEOUT).until(() -> unreachableTaints(cachedNode("flaky")) == 2);
    JsonNode marked = cachedNode("flaky");
    assertTrue(marked.path("spec").path("unschedulable").asBoolean());
    assertTrue(marked.path("spec").path("taints").toString().contains("dedicated"));

    beating.add("flaky");
    await().atMost(TIMEOUT).until(() -> unreachableTaints(cachedNode("flaky")) == 0);
    JsonNode recovered = cachedNode("flaky");
    assertEquals("True", ready(recovered).path("status").asText());
    assertTrue(recovered.path("spec").path("unschedulable").asBoolean());
    assertEquals(1, recovered.path("spec").path("taints").size());
    assertEquals("dedicated", recovered.path("spec").path("taints").get(0).path("key").asText());
  }

  @Test
  void cordonedNodeThatHeartbeatsIsLeftAlone() {
    node("cordoned", "{\"unschedulable\":true}", true);
    ObjectKey pod = pod("cordoned-1", "cordoned", "[]");
    await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(8)).until(() -> {
      JsonNode node = cachedNode("cordoned");
      return node.path("spec").path("unschedulable").asBoolean() && !node.path("spec").has("taints")
          && "True".equals(ready(node).path("status").asText()) && t.cached(pod) != null;
    });
    assertFalse(hasEvent("NodeNotReady", "cordoned"));
  }

  @Test
  void aNodeOfADownedMemberIsNotReadyAndItsPodsAreEvictedAtOnce() {
    ActorSystem<Void> other = ActorSystem.create(Behaviors.empty(), t.system.name(), ConfigFactory.parseString(
        "pekko.actor.provider = cluster\npekko.remote.artery.canonical.port = 0\npekko.cluster.roles = [worker]\n"
            + "pekko.cluster.configuration-compatibility-check.checkers.steuermann-store = \"\"\n")
        .withFallback(ConfigFactory.load()));
    try {
      Cluster.get(other).manager().tell(Join.create(Cluster.get(t.system).selfMember().address()));
      await().atMost(TIMEOUT).until(() -> Cluster.get(other).selfMember().status() == MemberStatus.up());
      String otherMember = LostMembers.id(Cluster.get(other).selfMember());
      // nodes whose agents run in the other member and in this one; both heartbeat
      node("orphaned", "{}", true);
      node("of-this-member", "{}", true);
      annotateMember("orphaned", otherMember);
      annotateMember("of-this-member", LostMembers.id(Cluster.get(t.system).selfMember()));
      ObjectKey pod = pod("orphaned-1", "orphaned", "[]");
      ObjectKey stays = pod("of-this-member-1", "of-this-member", "[]");

      // the other member is downed: its node heartbeats no more and is lost at once
      beating.remove("orphaned");
      Cluster.get(t.system).manager().tell(new Down(Cluster.get(other).selfMember().address()));
      await().atMost(TIMEOUT).until(() -> t.cached(pod) == null);
      JsonNode orphaned = cachedNode("orphaned");
      assertEquals("Unknown", ready(orphaned).path("status").asText());
      // the condition says why: the member, not the heartbeat grace period
      assertTrue(ready(orphaned).path("message").asText().contains(otherMember + " is gone"),
          ready(orphaned).toString());
      assertEquals(2, unreachableTaints(orphaned));
      // a node of a member that is there is judged by its heartbeat alone
      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() ->
          "True".equals(ready(cachedNode("of-this-member")).path("status").asText()) && t.cached(stays) != null);
    } finally {
      other.terminate();
    }
  }

  private static void annotateMember(String node, String member) {
    ObjectNode patch = json("{\"metadata\":{\"annotations\":{}}}");
    ((ObjectNode) patch.path("metadata").path("annotations")).put(NodeLifecycleController.MEMBER_ANNOTATION, member);
    done(t.engine.store().patch(ObjectKey.of(Kind.NODE, "", node), ObjectCommand.PatchType.MERGE, patch,
        ObjectCommand.Part.MAIN).toCompletableFuture().join());
  }

  @Test
  void podsOfADeletedNodeAreDeletedAfterTheEvictionTimeout() {
    node("doomed", "{}", true);
    ObjectKey pod = pod("doomed-1", "doomed", "[]");
    beating.remove("doomed");
    done(t.engine.store().delete(ObjectKey.of(Kind.NODE, "", "doomed"), "", 0).toCompletableFuture().join());
    await().atMost(TIMEOUT).until(() -> t.cached(pod) == null);
    assertEquals(List.of(), t.engine.cache().list(new WatchFilter(Kind.POD, "",
        io.steuermann.engine.selector.LabelSelector.parse(""),
        io.steuermann.engine.selector.FieldSelector.parse("spec.nodeName=doomed"))).items());
  }
}
