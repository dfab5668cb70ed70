package io.steuermann.node;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.steuermann.engine.Engine;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.watch.WatchFilter;
import io.steuermann.node.runtime.HollowRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * A real engine (H2 in a temporary directory) for node agent tests, with agents on
 * {@link ScriptedRuntime}s; each test names its own node.
 */
abstract class AgentTestBase {
  static ActorSystem<Void> system;
  static Engine engine;
  private final List<NodeAgents> groups = new ArrayList<>();

  @BeforeAll
  static void startEngine() throws Exception {
    Path dataDir = Files.createTempDirectory("steuermann-agent-test");
    Config config = Engine.configure(ConfigFactory.parseString(
            "pekko.actor.provider = cluster\n"
                + "pekko.remote.artery.canonical.port = 0\n"
                + "pekko.loglevel = WARNING\n"
                + "pekko.coordinated-shutdown.exit-jvm = off\n"
                + "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n"
                + "steuermann.store.kind = h2\n"
                + "steuermann.store.data-dir = \"" + dataDir + "\"\n")
        .withFallback(ConfigFactory.load()));
    system = ActorSystem.create(Behaviors.empty(), "agent-test", config);
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

  /** Starts an agent for node {@code name} on a scripted hollow runtime (back-off 200 ms unless overridden). */
  ScriptedRuntime node(String name, String overrides) throws Exception {
    NodeSettings settings = NodeSettings.fromConfig(ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.parseString(
            "heartbeat-interval = 1s, restart-backoff = 200ms, restart-backoff-max = 2s, hollow.start-latency = 10ms"))
        .withFallback(system.settings().config().getConfig("steuermann.node")));
    ScriptedRuntime runtime = new ScriptedRuntime(
        new HollowRuntime(settings.hollow(), system.scheduler(), system.executionContext()));
    NodeAgents agents = NodeAgents.start(system, engine, settings, Map.of(name, runtime));
    groups.add(agents);
    agents.whenAllRegistered().toCompletableFuture().get(30, TimeUnit.SECONDS);
    return runtime;
  }

  static ObjectNode pod(String name, String node, String restartPolicy, String containerExtra, String specExtra)
      throws Exception {
    return (ObjectNode) Json.parse("""
        {"apiVersion": "v1", "kind": "Pod",
         "metadata": {"name": "%s", "namespace": "default"},
         "spec": {"nodeName": "%s", "restartPolicy": "%s"%s,
                  "containers": [{"name": "web", "image": "busybox:1.36"%s}]}}"""
        .formatted(name, node, restartPolicy, specExtra, containerExtra));
  }

  static ObjectNode create(ObjectNode object) throws Exception {
    ObjectCommand.Reply reply = engine.store().create(object).toCompletableFuture().get(10, TimeUnit.SECONDS);
    return assertInstanceOf(ObjectCommand.Done.class, reply, String.valueOf(reply)).object();
  }

  static ObjectNode pod(String name) {
    return engine.cache().get(ObjectKey.of(Kind.POD, "default", name));
  }

  /** The pod's first container status, or a missing node. */
  static JsonNode container(String name) {
    ObjectNode p = pod(name);
    return p == null ? Json.object().path("x") : p.path("status").path("containerStatuses").path(0);
  }

  /** The messages of the events about pod {@code name} with {@code reason}. */
  static List<String> events(String name, String reason) {
    List<String> messages = new ArrayList<>();
    for (ObjectNode e : engine.cache().list(WatchFilter.of(Kind.EVENT, "default")).items()) {
      if (e.path("involvedObject").path("name").asText().equals(name) && e.path("reason").asText().equals(reason)) {
        messages.add(e.path("message").asText());
      }
    }
    return messages;
  }
}
