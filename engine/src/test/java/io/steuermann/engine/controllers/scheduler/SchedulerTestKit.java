package io.steuermann.engine.controllers.scheduler;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.steuermann.engine.Engine;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.watch.WatchFilter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/** A real engine on H2 in a temporary directory, with helpers to make nodes and pods. */
final class SchedulerTestKit implements AutoCloseable {
  final ActorSystem<Void> system;
  final Engine engine;
  private int schedulers;

  SchedulerTestKit(Path dataDir, String extraConfig) throws Exception {
    Config config = Engine.configure(ConfigFactory.parseString(
            "pekko.actor.provider = cluster\n"
                + "pekko.remote.artery.canonical.port = 0\n"
                + "steuermann.store.data-dir = \"" + dataDir + "\"\n"
                // no controllers of the engine's own: the test runs the scheduler under test alone
                + "steuermann.controllers.enabled = false\n"
                + extraConfig)
        .withFallback(ConfigFactory.load()));
    system = ActorSystem.create(Behaviors.empty(), "scheduler-test", config);
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    engine = Engine.start(system);
    engine.whenReady().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  ActorRef<Scheduler.Command> startScheduler() {
    return system.systemActorOf(Scheduler.create(engine.controllers()), "scheduler-" + (++schedulers),
        Props.empty());
  }

  Scheduler.Stats stats(ActorRef<Scheduler.Command> scheduler) throws Exception {
    CompletionStage<Scheduler.Stats> s = AskPattern.ask(scheduler, Scheduler.GetStats::new,
        Duration.ofSeconds(10), system.scheduler());
    return s.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  // ---- objects ----------------------------------------------------------------------------

  static ObjectNode node(String name, String cpu, String memory, int pods) {
    ObjectNode node = Json.object();
    node.put("apiVersion", "v1");
    node.put("kind", "Node");
    node.putObject("metadata").put("name", name).putObject("labels").put("kubernetes.io/hostname", name);
    node.putObject("spec");
    ObjectNode status = node.putObject("status");
    for (String field : List.of("capacity", "allocatable")) {
      status.putObject(field).put("cpu", cpu).put("memory", memory).put("pods", Integer.toString(pods));
    }
    ObjectNode ready = status.putArray("conditions").addObject();
    ready.put("type", "Ready").put("status", "True").put("reason", "KubeletReady");
    return node;
  }

  static ObjectNode label(ObjectNode node, String key, String value) {
    ((ObjectNode) node.path("metadata").path("labels")).put(key, value);
    return node;
  }

  static ObjectNode taint(ObjectNode node, String key, String value, String effect) {
    JsonNode list = node.path("spec").get("taints");
    ArrayNode taints = list instanceof ArrayNode a ? a : ((ObjectNode) node.get("spec")).putArray("taints");
    taints.addObject().put("key", key).put("value", value).put("effect", effect);
    return node;
  }

  static ObjectNode cordoned(ObjectNode node) {
    ((ObjectNode) node.get("spec")).put("unschedulable", true);
    return node;
  }

  static ObjectNode pod(String name, String cpu) {
    ObjectNode pod = Json.object();
    pod.put("apiVersion", "v1");
    pod.put("kind", "Pod");
    pod.putObject("metadata").put("name", name).put("namespace", "default");
    ObjectNode container = pod.putObject("spec").putArray("containers").addObject();
    container.put("name", "app").put("image", "busybox:1.36");
    if (cpu != null) {
      container.putObject("resources").putObject("requests").put("cpu", cpu);
    }
    return pod;
  }

  static ObjectNode ownedBy(ObjectNode pod, String ownerUid) {
    ObjectNode ref = ((ObjectNode) pod.get("metadata")).putArray("ownerReferences").addObject();
    ref.put("apiVersion", "apps/v1").put("kind", "ReplicaSet").put("name", "rs-" + ownerUid)
        .put("uid", ownerUid).put("controller", true);
    return pod;
  }

  static ObjectNode nodeSelector(ObjectNode pod, String key, String value) {
    ((ObjectNode) pod.get("spec")).putObject("nodeSelector").put(key, value);
    return pod;
  }

  static ObjectNode requiredAffinity(ObjectNode pod, String key, String operator, String... values) {
    ObjectNode expression = ((ObjectNode) pod.get("spec")).putObject("affinity").putObject("nodeAffinity")
        .putObject("requiredDuringSchedulingIgnoredDuringExecution").putArray("nodeSelectorTerms")
        .addObject().putArray("matchExpressions").addObject();
    expression.put("key", key).put("operator", operator);
    ArrayNode list = expression.putArray("values");
    for (String v : values) {
      list.add(v);
    }
    return pod;
  }

  static ObjectNode toleration(ObjectNode pod, String key, String operator, String value, String effect) {
    JsonNode list = pod.path("spec").get("tolerations");
    ArrayNode tolerations = list instanceof ArrayNode a ? a : ((ObjectNode) pod.get("spec")).putArray("tolerations");
    ObjectNode t = tolerations.addObject().put("key", key).put("operator", operator);
    if (value != null) {
      t.put("value", value);
    }
    if (effect != null) {
      t.put("effect", effect);
    }
    return pod;
  }

  static ObjectNode hostPort(ObjectNode pod, int port) {
    ObjectNode container = (ObjectNode) pod.path("spec").path("containers").get(0);
    container.putArray("ports").addObject().put("containerPort", port).put("hostPort", port).put("protocol", "TCP");
    return pod;
  }

  ObjectNode create(ObjectNode object) throws Exception {
    ObjectCommand.Reply reply = engine.store().create(object).toCompletableFuture().get(30, TimeUnit.SECONDS);
    return assertInstanceOf(ObjectCommand.Done.class, reply, () -> "create refused: " + reply).object();
  }

  CompletionStage<ObjectCommand.Reply> createAsync(ObjectNode object) {
    return engine.store().create(object);
  }

  void replaceNode(ObjectNode node) throws Exception {
    ObjectKey key = ObjectKey.of(Kind.NODE, "", Meta.name(node));
    ObjectNode copy = node.deepCopy();
    ((ObjectNode) copy.get("metadata")).remove("resourceVersion");
    ObjectCommand.Reply reply = engine.store().replace(key, copy, ObjectCommand.Part.MAIN)
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertInstanceOf(ObjectCommand.Done.class, reply, () -> "replace refused: " + reply);
  }

  void deleteNow(ObjectKey key) throws Exception {
    ObjectCommand.Reply reply = engine.store().delete(key, "", 0, 0L, null)
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertInstanceOf(ObjectCommand.Done.class, reply, () -> "delete refused: " + reply);
  }

  static ObjectKey podKey(String name) {
    return ObjectKey.of(Kind.POD, "default", name);
  }

  ObjectNode cached(ObjectKey key) {
    return engine.cache().get(key);
  }

  /** The node a pod is bound to per the watch cache; empty when unbound or unknown. */
  String nodeOf(String pod) {
    ObjectNode p = cached(podKey(pod));
    return p == null ? "" : Meta.text(p.path("spec"), "nodeName");
  }

  List<ObjectNode> pods() {
    return engine.cache().list(WatchFilter.of(Kind.POD, "default")).items();
  }

  /** The pod's PodScheduled condition, or a missing node. */
  JsonNode podScheduled(String pod) {
    ObjectNode p = cached(podKey(pod));
    if (p != null) {
      for (JsonNode c : p.path("status").path("conditions")) {
        if ("PodScheduled".equals(c.path("type").asText())) {
          return c;
        }
      }
    }
    return Json.object().path("missing");
  }

  List<ObjectNode> events(String reason, String involvedPod) {
    return engine.cache().list(WatchFilter.of(Kind.EVENT, "default")).items().stream()
        .filter(e -> reason.equals(e.path("reason").asText())
            && involvedPod.equals(e.path("involvedObject").path("name").asText()))
        .toList();
  }

  static Map<String, Long> countBy(List<String> values) {
    return values.stream().collect(java.util.stream.Collectors.groupingBy(v -> v, java.util.TreeMap::new,
        java.util.stream.Collectors.counting()));
  }

  @Override
  public void close() {
    system.terminate();
    try {
      // H2 writes its file until the journal database is closed after the system
      engine.whenStopped().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
