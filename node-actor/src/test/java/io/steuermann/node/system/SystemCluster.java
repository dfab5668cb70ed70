package io.steuermann.node.system;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.steuermann.engine.Engine;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.objects.PodConditions;
import io.steuermann.engine.selector.FieldSelector;
import io.steuermann.engine.selector.LabelSelector;
import io.steuermann.engine.watch.WatchFilter;
import io.steuermann.node.NodeAgents;
import io.steuermann.node.NodeSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * A whole Steuermann in one JVM for system tests: a real engine on H2 in a fresh temporary
 * directory (store, watch cache, ReplicaSet/Deployment controllers, scheduler, node lifecycle,
 * garbage collector) plus groups of hollow nodes, with short timeouts (heartbeat 500 ms,
 * grace 2 s, eviction 2 s). Each test class starts its own.
 */
final class SystemCluster implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(20);

  final ActorSystem<Void> system;
  final Engine engine;
  private final Path dataDir;
  private final List<NodeAgents> groups = new ArrayList<>();
  final long startedMs;

  private SystemCluster(ActorSystem<Void> system, Engine engine, Path dataDir, long startedMs) {
    this.system = system;
    this.engine = engine;
    this.dataDir = dataDir;
    this.startedMs = startedMs;
  }

  static SystemCluster start(String name) {
    return start(name, "");
  }

  /** Starts an engine; {@code extraConfig} overrides the test defaults. */
  static SystemCluster start(String name, String extraConfig) {
    try {
      return start(name, extraConfig, Files.createTempDirectory("steuermann-system-" + name));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Starts an engine on {@code dataDir}, which may hold an earlier engine's journal. */
  static SystemCluster start(String name, String extraConfig, Path dataDir) {
    long begin = System.nanoTime();
    try {
      Config config = Engine.configure(ConfigFactory.parseString(extraConfig)
          .withFallback(ConfigFactory.parseString("""
              pekko.actor.provider = cluster
              pekko.remote.artery.canonical.port = 0
              pekko.remote.artery.canonical.hostname = "127.0.0.1"
              pekko.loglevel = WARNING
              pekko.coordinated-shutdown.exit-jvm = off
              pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
              steuermann.store.kind = h2
              # many test engines share this machine: none programs its iptables (tests of
              # the kernel path do so in network namespaces of their own)
              steuermann.proxy.mode = userspace
              steuermann.store.data-dir = "%s"
              steuermann.controllers.events-per-second = 1000
              steuermann.controllers.events-burst = 1000
              steuermann.controllers.node-lifecycle {
                grace-period = 2s
                eviction-timeout = 2s
                check-interval = 200ms
              }
              steuermann.node {
                heartbeat-interval = 500ms
                retry-delay = 200ms
                pending-status-after = 1s
                hollow.start-latency = 20ms
              }
              """.formatted(dataDir.toString().replace("\\", "\\\\"))))
          .withFallback(ConfigFactory.load()));
      ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), name, config);
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      Engine engine = Engine.start(system);
      engine.whenReady().toCompletableFuture().get(60, TimeUnit.SECONDS);
      long ms = (System.nanoTime() - begin) / 1_000_000;
      System.out.printf("[system] %s: engine ready in %d ms%n", name, ms);
      return new SystemCluster(system, engine, dataDir, ms);
    } catch (Exception e) {
      throw new IllegalStateException("could not start the engine", e);
    }
  }

  /** {@code steuermann.node} with {@code overrides}. */
  NodeSettings nodeSettings(String overrides) {
    return NodeSettings.fromConfig(ConfigFactory.parseString(overrides)
        .withFallback(system.settings().config().getConfig("steuermann.node")));
  }

  /** Starts a group of hollow nodes and waits until each one is registered and Ready. */
  NodeAgents hollow(String overrides) {
    NodeAgents agents = NodeAgents.start(system, engine, nodeSettings(overrides));
    groups.add(agents);
    try {
      agents.whenAllRegistered().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("hollow nodes did not register", e);
    }
    await().atMost(WAIT).until(() -> agents.nodeNames().stream().allMatch(n -> {
      ObjectNode node = node(n);
      return node != null && "True".equals(PodConditions.get(node.path("status"), "Ready"));
    }));
    return agents;
  }

  /** Stops this engine and its nodes but keeps the journal, for a restart on {@link #dataDir()}. */
  void stopKeepingData() {
    groups.forEach(NodeAgents::stop);
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      // best effort
    }
  }

  Path dataDir() {
    return dataDir;
  }

  @Override
  public void close() {
    stopKeepingData();
    try (Stream<Path> files = Files.walk(dataDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }

  // ---------------------------------------------------------------- store

  static <T> T join(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The object written, or a test failure naming the refusal. */
  static ObjectNode done(CompletionStage<ObjectCommand.Reply> reply) {
    ObjectCommand.Reply r = join(reply);
    return assertInstanceOf(ObjectCommand.Done.class, r, String.valueOf(r)).object();
  }

  static ObjectNode json(String text) {
    try {
      return (ObjectNode) Json.parse(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  ObjectNode create(String json) {
    return done(engine.store().create(json(json)));
  }

  ObjectNode namespace(String name) {
    return create("""
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "%s"}}""".formatted(name));
  }

  ObjectNode mergePatch(ObjectKey key, String patch) {
    return done(engine.store().patch(key, ObjectCommand.PatchType.MERGE, json(patch), ObjectCommand.Part.MAIN));
  }

  // ---------------------------------------------------------------- cache reads

  ObjectNode cached(ObjectKey key) {
    return engine.cache().get(key);
  }

  ObjectNode node(String name) {
    return cached(ObjectKey.of(Kind.NODE, "", name));
  }

  List<ObjectNode> list(Kind kind, String namespace) {
    return engine.cache().list(WatchFilter.of(kind, namespace)).items();
  }

  List<ObjectNode> list(Kind kind, String namespace, String labelSelector) {
    return engine.cache().list(new WatchFilter(kind, namespace, LabelSelector.parse(labelSelector),
        FieldSelector.parse(""))).items();
  }

  /** Events of a namespace with this reason. */
  List<ObjectNode> events(String namespace, String reason) {
    return list(Kind.EVENT, namespace).stream().filter(e -> reason.equals(e.path("reason").asText())).toList();
  }

  // ---------------------------------------------------------------- pods

  static boolean terminating(JsonNode object) {
    return object.path("metadata").hasNonNull("deletionTimestamp");
  }

  static boolean runningReady(JsonNode pod) {
    return !terminating(pod) && "Running".equals(pod.path("status").path("phase").asText())
        && "True".equals(PodConditions.get(pod.path("status"), "Ready"));
  }

  static String nodeOf(JsonNode pod) {
    return pod.path("spec").path("nodeName").asText("");
  }

  static String image(JsonNode pod) {
    return pod.path("spec").path("containers").path(0).path("image").asText();
  }

  /** Pods per node (only bound pods), sorted by node name. */
  static Map<String, Long> perNode(List<ObjectNode> pods) {
    return pods.stream().collect(Collectors.groupingBy(SystemCluster::nodeOf, TreeMap::new, Collectors.counting()));
  }

  /** Waits until exactly {@code count} pods match, none terminating, all Running and Ready. */
  List<ObjectNode> awaitRunningReady(String namespace, String selector, int count) {
    await().atMost(WAIT).until(() -> {
      List<ObjectNode> pods = list(Kind.POD, namespace, selector);
      return pods.size() == count && pods.stream().allMatch(SystemCluster::runningReady);
    });
    return list(Kind.POD, namespace, selector);
  }

  /** A one-container Deployment selecting {@code app=<name>}. */
  static String deployment(String namespace, String name, int replicas, String image, String specExtra,
      String containerExtra) {
    return """
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": "%s", "namespace": "%s"},
         "spec": {"replicas": %d,
                  "selector": {"matchLabels": {"app": "%s"}}%s,
                  "template": {"metadata": {"labels": {"app": "%s"}},
                               "spec": {"containers": [{"name": "main", "image": "%s"%s}]}}}}"""
        .formatted(name, namespace, replicas, name, specExtra, name, image, containerExtra);
  }

  /** The Deployment is rolled out: status and all pods as {@code replicas} x {@code image}. */
  void awaitRolledOut(String namespace, String name, int replicas, String image) {
    ObjectKey key = ObjectKey.of(Kind.DEPLOYMENT, namespace, name);
    await().atMost(WAIT).until(() -> {
      ObjectNode d = cached(key);
      if (d == null) {
        return false;
      }
      JsonNode status = d.path("status");
      List<ObjectNode> pods = list(Kind.POD, namespace, "app=" + name);
      return status.path("observedGeneration").asLong() >= Meta.generation(d)
          && status.path("updatedReplicas").asInt() == replicas
          && status.path("availableReplicas").asInt() == replicas
          && status.path("replicas").asInt() == replicas
          && pods.size() == replicas
          && pods.stream().allMatch(p -> runningReady(p) && image.equals(image(p)));
    });
  }

  /** The ReplicaSets controlled by this Deployment (by owner uid). */
  List<ObjectNode> replicaSetsOf(ObjectNode deployment) {
    String uid = Meta.uid(deployment);
    return list(Kind.REPLICA_SET, Meta.namespace(deployment)).stream()
        .filter(rs -> {
          for (JsonNode ref : rs.path("metadata").path("ownerReferences")) {
            if (uid.equals(ref.path("uid").asText()) && ref.path("controller").asBoolean()) {
              return true;
            }
          }
          return false;
        }).toList();
  }

  static String condition(JsonNode status, String type, String field) {
    for (JsonNode c : status.path("conditions")) {
      if (type.equals(c.path("type").asText())) {
        return c.path(field).asText();
      }
    }
    return "";
  }

  static String revision(JsonNode object) {
    return object.path("metadata").path("annotations").path("deployment.kubernetes.io/revision").asText("");
  }
}
