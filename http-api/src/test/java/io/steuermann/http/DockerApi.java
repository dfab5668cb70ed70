package io.steuermann.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.steuermann.engine.Engine;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.PodConditions;
import io.steuermann.node.NodeAgents;
import io.steuermann.node.NodeSettings;
import io.steuermann.node.docker.DockerSupport;
import io.steuermann.node.runtime.docker.DockerRuntime;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * The API server in this process with one node whose pods are real Docker containers
 * ({@link DockerSupport}), and the real kubectl against it: the setup of the tests of logs,
 * exec, attach and cp.
 */
final class DockerApi implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(120);

  final ActorSystem<Void> system;
  final Engine engine;
  final DockerRuntime runtime;
  final NodeAgents agents;
  final String node;
  final URI base;
  final Path work;

  /** What kubectl did: its exit status and its output (stdout and stderr together). */
  record Result(int exit, String output) {}

  private DockerApi(ActorSystem<Void> system, Engine engine, DockerRuntime runtime, NodeAgents agents, String node,
      URI base, Path work) {
    this.system = system;
    this.engine = engine;
    this.runtime = runtime;
    this.agents = agents;
    this.node = node;
    this.base = base;
    this.work = work;
  }

  static DockerApi start(String name) throws Exception {
    return start(name, "");
  }

  /** As {@link #start(String)}, with {@code extraConfig} over the defaults. */
  static DockerApi start(String name, String extraConfig) throws Exception {
    DockerSupport.requireDocker();
    String node = DockerSupport.uniqueNodeName(name);
    Path work = Files.createTempDirectory("steuermann-" + name);
    Config config = Engine.configure(ConfigFactory.parseString(extraConfig)
        .withFallback(ConfigFactory.parseString(DockerSupport.ownPodNetworkConfig()))
        .withFallback(ConfigFactory.parseString("""
            steuermann.store.kind = h2
            steuermann.node.restart-backoff = 1s
            steuermann.node.restart-backoff-max = 4s
            steuermann.node.volume-resync = 2s
            """))
        .withFallback(TestServer.IN_PROCESS)
        .withFallback(ConfigFactory.parseString("steuermann.store.data-dir = \"" + work.resolve("data") + "\""))
        .withFallback(ConfigFactory.load()));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), name, config);
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    Engine engine = Engine.start(system);
    engine.whenReady().toCompletableFuture().get(60, TimeUnit.SECONDS);
    DockerRuntime runtime = DockerSupport.runtime(node);
    NodeAgents agents = NodeAgents.start(system, engine,
        NodeSettings.fromConfig(system.settings().config().getConfig("steuermann.node")), Map.of(node, runtime));
    ServerBinding binding = ApiServer.start(system, engine, agents::runtime).toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
    URI base = URI.create("http://127.0.0.1:" + binding.localAddress().getPort());
    agents.whenAllRegistered().toCompletableFuture().get(60, TimeUnit.SECONDS);
    return new DockerApi(system, engine, runtime, agents, node, base, work);
  }

  @Override
  public void close() {
    agents.stop();
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().join();
    runtime.close();
    DockerSupport.removeContainersOf(node);
  }

  ObjectNode pod(String name) {
    return engine.cache().get(ObjectKey.of(Kind.POD, "default", name));
  }

  /** Waits until the pod runs and is Ready. */
  void awaitRunningReady(String name) {
    await().atMost(WAIT).until(() -> {
      ObjectNode pod = pod(name);
      return pod != null && "Running".equals(pod.path("status").path("phase").asText())
          && "True".equals(PodConditions.get(pod.path("status"), "Ready"));
    });
  }

  void create(String manifest) throws IOException {
    Path file = Files.createTempFile(work, "object", ".yaml");
    Files.writeString(file, manifest);
    Result created = kubectl("create", "-f", file.toString());
    assertEquals(0, created.exit(), created.output());
  }

  List<String> kubectlCommand(String... args) {
    List<String> command = new ArrayList<>(List.of("kubectl", "--server", base.toString(),
        "--cache-dir", work.resolve("kube-cache").toString()));
    command.addAll(List.of(args));
    return command;
  }

  /** Runs kubectl with nothing on its stdin. */
  Result kubectl(String... args) throws IOException {
    return kubectlWithInput(new File("/dev/null"), args);
  }

  /** Runs kubectl with {@code stdin} as its standard input. */
  Result kubectlWithInput(File stdin, String... args) throws IOException {
    // the output goes to a file, so that a kubectl that hangs is noticed at the timeout
    Path out = Files.createTempFile(work, "kubectl", ".out");
    Process p = new ProcessBuilder(kubectlCommand(args)).redirectErrorStream(true)
        .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(stdin)).start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(-1, "timed out: " + List.of(args) + "; so far: " + Files.readString(out));
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      return new Result(-1, "interrupted");
    }
  }
}
