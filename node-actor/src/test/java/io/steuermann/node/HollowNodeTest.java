package io.steuermann.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.steuermann.engine.Engine;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.objects.PodConditions;
import io.steuermann.engine.watch.WatchEvent;
import io.steuermann.engine.watch.WatchFilter;
import org.apache.pekko.stream.javadsl.Sink;
import io.steuermann.node.runtime.ContainerRuntime;
import io.steuermann.node.runtime.HollowRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Hollow nodes on a real engine (H2 in a temporary directory), observed through the store. */
class HollowNodeTest {
  private static ActorSystem<Void> system;
  private static Engine engine;
  private final List<NodeAgents> groups = new ArrayList<>();

  @BeforeAll
  static void startEngine() throws Exception {
    Path dataDir = Files.createTempDirectory("steuermann-node-test");
    Config config = Engine.configure(ConfigFactory.parseString(
            "pekko.actor.provider = cluster\n"
                + "pekko.remote.artery.canonical.port = 0\n"
                + "pekko.loglevel = WARNING\n"
                + "pekko.coordinated-shutdown.exit-jvm = off\n"
                + "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n"
                + "steuermann.store.kind = h2\n"
                + "steuermann.store.data-dir = \"" + dataDir + "\"\n")
        .withFallback(ConfigFactory.load()));
    system = ActorSystem.create(Behaviors.empty(), "node-test", config);
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    engine = Engine.start(system);
    engine.whenReady().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stopEngine() {
    if (system != null) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
    }
  }

  @AfterEach
  void stopGroups() {
    groups.forEach(NodeAgents::stop);
  }

  private NodeSettings settings(String overrides) {
    return NodeSettings.fromConfig(ConfigFactory.parseString(overrides)
        .withFallback(system.settings().config().getConfig("steuermann.node")));
  }

  private NodeAgents hollow(String overrides) {
    NodeAgents agents = NodeAgents.start(system, engine, settings(overrides));
    groups.add(agents);
    return agents;
  }

  private ObjectNode cached(Kind kind, String namespace, String name) {
    return engine.cache().get(ObjectKey.of(kind, namespace, name));
  }

  private ObjectCommand.Reply get(ObjectKey key) throws Exception {
    return engine.store().get(key).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static ObjectNode pod(String name, String node, String restartPolicy, String extraContainerJson)
      throws Exception {
    return (ObjectNode) Json.parse("""
        {"apiVersion": "v1", "kind": "Pod",
         "metadata": {"name": "%s", "namespace": "default"},
         "spec": {"nodeName": "%s", "restartPolicy": "%s",
                  "containers": [{"name": "web", "image": "busybox:1.36"%s}]}}"""
        .formatted(name, node, restartPolicy, extraContainerJson));
  }

  private ObjectNode create(ObjectNode object) throws Exception {
    ObjectCommand.Reply reply = engine.store().create(object).toCompletableFuture().get(10, TimeUnit.SECONDS);
    return assertInstanceOf(ObjectCommand.Done.class, reply, String.valueOf(reply)).object();
  }

  private static String heartbeat(JsonNode node) {
    for (JsonNode c : node.path("status").path("conditions")) {
      if (c.path("type").asText().equals("Ready")) {
        return c.path("lastHeartbeatTime").asText();
      }
    }
    return "";
  }

  @Test
  void aHollowNodeRegistersAndHeartbeats() {
    hollow("hollow-nodes = 1, name-prefix = \"reg-\", heartbeat-interval = 300ms");
    await().atMost(Duration.ofSeconds(15)).until(() -> cached(Kind.NODE, "", "reg-0001") != null);
    ObjectNode node = cached(Kind.NODE, "", "reg-0001");
    JsonNode status = node.path("status");
    assertEquals("4", status.path("capacity").path("cpu").asText());
    assertEquals("16Gi", status.path("capacity").path("memory").asText());
    assertEquals("110", status.path("capacity").path("pods").asText());
    assertEquals("110", status.path("allocatable").path("pods").asText());
    assertEquals("True", PodConditions.get(status, "Ready"));
    assertEquals("true", node.path("metadata").path("labels").path("steuermann.io/hollow").asText());
    assertEquals("reg-0001", node.path("metadata").path("labels").path("kubernetes.io/hostname").asText());
    assertEquals("linux", node.path("metadata").path("labels").path("kubernetes.io/os").asText());
    assertEquals("v1.32.0-steuermann", status.path("nodeInfo").path("kubeletVersion").asText());
    assertEquals("hollow://1", status.path("nodeInfo").path("containerRuntimeVersion").asText());
    assertEquals("127.0.0.1", status.path("addresses").get(0).path("address").asText());
    assertEquals("Hostname", status.path("addresses").get(1).path("type").asText());
    assertFalse(node.path("spec").has("unschedulable"));

    String first = heartbeat(node);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> heartbeat(cached(Kind.NODE, "", "reg-0001")).compareTo(first) > 0);
  }

  @Test
  void aPodBoundToAHollowNodeRunsAndIsDeletedGracefully() throws Exception {
    NodeAgents agents = hollow("hollow-nodes = 2, name-prefix = \"run-\", heartbeat-interval = 1s");
    agents.whenAllRegistered().toCompletableFuture().get(15, TimeUnit.SECONDS);
    HollowRuntime runtime = (HollowRuntime) agents.runtime("run-0002").orElseThrow();
    ObjectNode created = create(pod("web-1", "run-0002", "Always", ""));
    String uid = created.path("metadata").path("uid").asText();

    await().atMost(Duration.ofSeconds(10)).until(() -> {
      ObjectNode p = cached(Kind.POD, "default", "web-1");
      return p != null && p.path("status").path("phase").asText().equals("Running")
          && PodConditions.get(p.path("status"), "Ready").equals("True");
    });
    JsonNode status = cached(Kind.POD, "default", "web-1").path("status");
    assertEquals("127.0.0.1", status.path("hostIP").asText());
    assertEquals("127.0.0.1", status.path("podIP").asText());
    assertFalse(status.path("startTime").asText().isEmpty());
    for (String condition : List.of("PodScheduled", "Initialized", "ContainersReady", "Ready")) {
      assertEquals("True", PodConditions.get(status, condition), condition);
    }
    JsonNode container = status.path("containerStatuses").get(0);
    assertEquals("web", container.path("name").asText());
    assertEquals("busybox:1.36", container.path("image").asText());
    assertTrue(container.path("containerID").asText().startsWith("hollow://"), container.toString());
    assertFalse(container.path("imageID").asText().isEmpty());
    assertTrue(container.path("ready").asBoolean());
    assertTrue(container.path("started").asBoolean());
    assertEquals(0, container.path("restartCount").asInt());
    assertFalse(container.path("state").path("running").path("startedAt").asText().isEmpty());
    assertEquals(1, runtime.runningContainers());

    // an agent that restarts adopts what runs: same container, no second copy
    String containerId = container.path("containerID").asText();
    long versionBefore = Long.parseLong(cached(Kind.POD, "default", "web-1").path("metadata").path("resourceVersion").asText());
    agents.stop();
    NodeAgents again = NodeAgents.start(system, engine, settings("name-prefix = \"run-\", heartbeat-interval = 1s"),
        Map.of("run-0002", runtime));
    groups.add(again);
    again.whenAllRegistered().toCompletableFuture().get(15, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> runtime.listPods().toCompletableFuture().get().size() == 1);
    assertEquals(1, runtime.runningContainers());
    assertEquals(containerId, runtime.listPods().toCompletableFuture().get().get(0).containers().get(0).containerId());

    // default grace: the pod is marked, the node stops its containers and deletes it
    ObjectCommand.Reply deleted = engine.store().delete(ObjectKey.of(Kind.POD, "default", "web-1"), uid, 0, null, null)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    ObjectCommand.Done marked = assertInstanceOf(ObjectCommand.Done.class, deleted);
    assertTrue(marked.object().path("metadata").has("deletionTimestamp"));
    await().atMost(Duration.ofSeconds(10)).until(() -> get(ObjectKey.of(Kind.POD, "default", "web-1"))
        instanceof ObjectCommand.Refused r && r.status().code() == 404);
    assertEquals(0, runtime.runningContainers());
    assertTrue(runtime.listPods().toCompletableFuture().get().isEmpty());
    assertTrue(versionBefore > 0);
  }

  @Test
  void hollowInitContainersCompleteAtOnceAndHooksAreNoOps() throws Exception {
    NodeAgents agents = hollow("hollow-nodes = 1, name-prefix = \"init-\", heartbeat-interval = 1s");
    agents.whenAllRegistered().toCompletableFuture().get(15, TimeUnit.SECONDS);
    HollowRuntime runtime = (HollowRuntime) agents.runtime("init-0001").orElseThrow();
    ObjectNode pod = pod("with-init", "init-0001", "Always",
        ", \"lifecycle\": {\"postStart\": {\"exec\": {\"command\": [\"false\"]}}, "
            + "\"preStop\": {\"httpGet\": {\"port\": 1}}}");
    ((ObjectNode) pod.path("spec")).set("initContainers", Json.parse("""
        [{"name": "one", "image": "busybox:1.36"}, {"name": "two", "image": "busybox:1.36"}]"""));
    create(pod);
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      ObjectNode p = cached(Kind.POD, "default", "with-init");
      return p != null && p.path("status").path("phase").asText().equals("Running")
          && PodConditions.get(p.path("status"), "Ready").equals("True");
    });
    JsonNode status = cached(Kind.POD, "default", "with-init").path("status");
    assertEquals("True", PodConditions.get(status, "Initialized"));
    assertEquals(2, status.path("initContainerStatuses").size());
    for (JsonNode init : status.path("initContainerStatuses")) {
      assertEquals("Completed", init.path("state").path("terminated").path("reason").asText(), init.toString());
      assertTrue(init.path("ready").asBoolean(), init.toString());
    }
    // hooks are skipped on hollow nodes: the pod runs as if it declared none
    assertEquals(0, status.path("containerStatuses").get(0).path("restartCount").asInt());
    assertEquals(1, runtime.runningContainers());
  }

  @Test
  void readinessWaitsForTheProbesInitialDelay() throws Exception {
    NodeAgents agents = hollow("hollow-nodes = 1, name-prefix = \"ready-\", heartbeat-interval = 1s");
    agents.whenAllRegistered().toCompletableFuture().get(15, TimeUnit.SECONDS);
    // hollow pods have the address 127.0.0.1: the probe reaches this socket
    try (java.net.ServerSocket listening = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      create(pod("slow-ready", "ready-0001", "Always",
          ", \"readinessProbe\": {\"initialDelaySeconds\": 2, \"periodSeconds\": 1, \"tcpSocket\": {\"port\": "
              + listening.getLocalPort() + "}}"));
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        ObjectNode p = cached(Kind.POD, "default", "slow-ready");
        return p != null && p.path("status").path("phase").asText().equals("Running");
      });
      assertEquals("False", PodConditions.get(cached(Kind.POD, "default", "slow-ready").path("status"), "Ready"));
      await().atMost(Duration.ofSeconds(10)).until(() ->
          PodConditions.get(cached(Kind.POD, "default", "slow-ready").path("status"), "Ready").equals("True"));
    }
  }

  @Test
  void failingContainersRestartWithBackOffOrFailThePod() throws Exception {
    NodeAgents agents = hollow("""
        hollow-nodes = 1, name-prefix = "crash-", heartbeat-interval = 1s
        restart-backoff = 100ms, restart-backoff-max = 1s
        hollow { failure-rate = 1.0, failure-after = 100ms, start-latency = 10ms }
        """);
    agents.whenAllRegistered().toCompletableFuture().get(15, TimeUnit.SECONDS);
    create(pod("crasher", "crash-0001", "Always", ""));
    create(pod("once", "crash-0001", "Never", ""));

    Set<String> reasons = new HashSet<>();
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).until(() -> {
      ObjectNode p = cached(Kind.POD, "default", "crasher");
      JsonNode c = p == null ? null : p.path("status").path("containerStatuses").path(0);
      if (c == null || c.isMissingNode()) {
        return false;
      }
      String waiting = c.path("state").path("waiting").path("reason").asText("");
      if (!waiting.isEmpty()) {
        reasons.add(waiting);
      }
      return c.path("restartCount").asInt() >= 3 && reasons.contains("CrashLoopBackOff");
    });
    JsonNode c = cached(Kind.POD, "default", "crasher").path("status").path("containerStatuses").path(0);
    assertEquals(1, c.path("lastState").path("terminated").path("exitCode").asInt(), c.toString());
    assertEquals("Error", c.path("lastState").path("terminated").path("reason").asText());
    assertEquals("Running", cached(Kind.POD, "default", "crasher").path("status").path("phase").asText());

    await().atMost(Duration.ofSeconds(10)).until(() -> {
      ObjectNode p = cached(Kind.POD, "default", "once");
      return p != null && p.path("status").path("phase").asText().equals("Failed");
    });
    JsonNode once = cached(Kind.POD, "default", "once").path("status");
    assertEquals(1, once.path("containerStatuses").path(0).path("state").path("terminated").path("exitCode").asInt());
    assertEquals(0, once.path("containerStatuses").path(0).path("restartCount").asInt());
    assertEquals("False", PodConditions.get(once, "Ready"));
    // its ended container stays until the pod is deleted: its log can still be read
    ObjectNode ended = cached(Kind.POD, "default", "once");
    ContainerRuntime runtime = agents.runtime("crash-0001").orElseThrow();
    String log = runtime.logs(new ContainerRuntime.PodRef("default", "once", ended.path("metadata").path("uid").asText()),
            "web", ContainerRuntime.LogOptions.all())
        .runWith(Sink.seq(), system).toCompletableFuture().get(10, TimeUnit.SECONDS)
        .stream().map(org.apache.pekko.util.ByteString::utf8String).reduce("", String::concat);
    assertTrue(log.startsWith("hollow container web "), log);
  }

  @Test
  void twoHundredHollowNodesRegisterAndRunPods() throws Exception {
    // -Dhollow.nodes=1000 -Dhollow.pods=10000 for a bigger run
    int nodes = Integer.getInteger("hollow.nodes", 200);
    int pods = Integer.getInteger("hollow.pods", 1000);
    long begin = System.nanoTime();
    NodeAgents agents = hollow("hollow-nodes = " + nodes + ", name-prefix = \"scale-\", heartbeat-interval = 3s");
    agents.whenAllRegistered().toCompletableFuture().get(30, TimeUnit.SECONDS);
    long registeredMs = (System.nanoTime() - begin) / 1_000_000;
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() ->
        agents.nodeNames().stream().allMatch(name -> {
          ObjectNode node = cached(Kind.NODE, "", name);
          return node != null && PodConditions.get(node.path("status"), "Ready").equals("True");
        }));
    System.out.printf("%d hollow nodes registered in %d ms%n", nodes, registeredMs);

    java.util.concurrent.atomic.AtomicLong podWrites = new java.util.concurrent.atomic.AtomicLong();
    org.apache.pekko.stream.UniqueKillSwitch counting = engine.cache()
        .watch(WatchFilter.of(Kind.POD, "default"), engine.cache().resourceVersion(), 1_000_000)
        .viaMat(org.apache.pekko.stream.KillSwitches.single(), org.apache.pekko.stream.javadsl.Keep.right())
        .filter(e -> e.key().name().startsWith("scale-pod-") && e.type() == WatchEvent.Type.MODIFIED)
        .to(Sink.foreach(e -> podWrites.incrementAndGet()))
        .run(system);
    long podsBegin = System.nanoTime();
    Map<String, String> placement = new LinkedHashMap<>();
    java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(64);
    List<CompletableFuture<ObjectCommand.Reply>> creates = new ArrayList<>();
    for (int i = 0; i < pods; i++) {
      String name = "scale-pod-" + i;
      String node = agents.nodeNames().get(i % nodes);
      placement.put(name, node);
      window.acquire(); // as the API bounds writes in flight
      creates.add(engine.store().create(pod(name, node, "Always", "")).toCompletableFuture()
          .whenComplete((r, e) -> window.release()));
    }
    for (CompletableFuture<ObjectCommand.Reply> f : creates) {
      assertInstanceOf(ObjectCommand.Done.class, f.get(30, TimeUnit.SECONDS));
    }
    long createdMs = (System.nanoTime() - podsBegin) / 1_000_000;
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
        placement.keySet().stream().allMatch(name -> {
          ObjectNode p = cached(Kind.POD, "default", name);
          return p != null && PodConditions.get(p.path("status"), "Ready").equals("True");
        }));
    long readyMs = (System.nanoTime() - podsBegin) / 1_000_000;
    System.out.printf("%d pods on %d hollow nodes: created in %d ms, all Running and Ready after %d ms (%.0f pods/s)%n",
        pods, nodes, createdMs, readyMs, pods * 1000.0 / readyMs);
    // writes per pod: its creation, then (no write storm) one status write
    await().pollDelay(Duration.ofMillis(500)).until(() -> true);
    counting.shutdown();
    System.out.printf("status writes per pod: %.2f%n", podWrites.get() / (double) pods);
    assertTrue(podWrites.get() <= pods * 2L, "status writes: " + podWrites);
    System.out.printf("heap used: %d MB%n",
        (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
    long running = 0;
    for (String name : agents.nodeNames()) {
      running += ((HollowRuntime) agents.runtime(name).orElseThrow()).runningContainers();
    }
    assertEquals(pods, running);
  }
}
