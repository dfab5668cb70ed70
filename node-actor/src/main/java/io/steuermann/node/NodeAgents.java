package io.steuermann.node;

import io.steuermann.engine.controllers.AsyncLimiter;
import io.steuermann.engine.Engine;
import io.steuermann.engine.controllers.ControllerContext;
import com.typesafe.config.Config;
import io.steuermann.engine.network.Ipv4Cidr;
import io.steuermann.node.network.HostCommands;
import io.steuermann.node.network.PodNetworkAgent;
import io.steuermann.node.runtime.ContainerRuntime;
import io.steuermann.node.runtime.HollowRuntime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agents of one process, with the one {@link PodRouter} that feeds them. The server
 * chooses the runtime with {@link NodeRuntimes} and starts the agents after {@code Engine.start}:
 * with {@code steuermann.node.hollow-nodes = N > 0} N hollow nodes; the Docker runtime plugs
 * in through {@link #start(ActorSystem, Engine, NodeSettings, Map)} with one node.
 * Agents start once the engine is ready (its watch cache holds the whole journal), so that
 * adoption and housekeeping see every pod.
 */
public final class NodeAgents {
  private static final Logger log = LoggerFactory.getLogger(NodeAgents.class);
  private static final AtomicInteger GROUPS = new AtomicInteger();
  /** Node registrations of this process in flight at once: enough to keep the store busy, no more. */
  private static final int REGISTRATIONS_IN_FLIGHT = 32;

  private final Map<String, ContainerRuntime> runtimes;
  private final Map<String, ActorRef<NodeAgent.Command>> agents = new ConcurrentHashMap<>();
  private final AtomicInteger registeredCount = new AtomicInteger();
  private final CompletableFuture<Void> allRegistered = new CompletableFuture<>();
  private final CompletableFuture<Void> started = new CompletableFuture<>();
  private volatile ActorRef<PodRouter.Command> router;

  private NodeAgents(Map<String, ContainerRuntime> runtimes) {
    this.runtimes = runtimes;
    if (runtimes.isEmpty()) {
      allRegistered.complete(null);
    }
  }

  /** The node agents this process's configuration ({@code steuermann.node}) asks for. */
  public static NodeAgents start(ActorSystem<?> system, Engine engine) {
    return start(system, engine, NodeSettings.fromConfig(system.settings().config().getConfig("steuermann.node")));
  }

  /** {@code settings.hollowNodes()} hollow nodes named {@code <namePrefix>0001}, ...; none for 0. */
  public static NodeAgents start(ActorSystem<?> system, Engine engine, NodeSettings settings) {
    int n = settings.hollowNodes();
    if (n <= 0) {
      log.warn("This process runs no node. Start with --runtime docker for a node with real containers, or "
          + "--hollow-nodes N (steuermann.node.hollow-nodes) to run N simulated nodes here.");
      return start(system, engine, settings, Map.of());
    }
    Map<String, ContainerRuntime> runtimes = new LinkedHashMap<>();
    for (int i = 1; i <= n; i++) {
      runtimes.put(hollowName(settings.namePrefix(), i, n),
          new HollowRuntime(settings.hollow(), system.scheduler(), system.executionContext()));
    }
    HollowRuntime.Settings h = settings.hollow();
    log.info("Starting {} hollow nodes ({} .. {}): simulated containers, start latency {} ms, failure rate {}, "
            + "capacity {}", n, hollowName(settings.namePrefix(), 1, n), hollowName(settings.namePrefix(), n, n),
        h.startLatency().toMillis(), h.failureRate(), h.capacity());
    return start(system, engine, settings, runtimes);
  }

  /** One agent per entry: node name and the runtime that runs its containers. */
  public static NodeAgents start(ActorSystem<?> system, Engine engine, NodeSettings settings,
      Map<String, ContainerRuntime> nodes) {
    NodeAgents agents = new NodeAgents(new LinkedHashMap<>(nodes));
    if (nodes.isEmpty()) {
      agents.started.complete(null);
      return agents;
    }
    engine.whenReady().whenComplete((version, error) -> {
      if (error != null) {
        agents.started.completeExceptionally(error);
        agents.allRegistered.completeExceptionally(error);
      } else {
        agents.spawn(system, engine.controllers(), settings);
      }
    });
    return agents;
  }

  /** {@code prefix} and a number padded to at least 4 digits: hollow-0001. */
  public static String hollowName(String prefix, int i, int n) {
    int width = Math.max(4, Integer.toString(n).length());
    return prefix + String.format("%0" + width + "d", i);
  }

  private void spawn(ActorSystem<?> system, ControllerContext controllers, NodeSettings settings) {
    long begin = System.nanoTime();
    int group = GROUPS.incrementAndGet();
    router = system.systemActorOf(PodRouter.create(controllers, runtimes.keySet()),
        "node-pod-router-" + group, Props.empty());
    int total = runtimes.size();
    AsyncLimiter registrations = new AsyncLimiter(REGISTRATIONS_IN_FLIGHT);
    io.steuermann.node.probe.ProbeClients probeClients = new io.steuermann.node.probe.ProbeClients();
    Runnable onRegistered = () -> {
      if (registeredCount.incrementAndGet() == total) {
        log.info("{} node(s) registered in {} ms", total, (System.nanoTime() - begin) / 1_000_000);
        allRegistered.complete(null);
      }
    };
    Map<String, ContainerRuntime> networked = new LinkedHashMap<>();
    runtimes.forEach((name, runtime) -> {
      if (!runtime.info().simulated()) {
        networked.put(name, runtime);
      }
    });
    if (!networked.isEmpty()) {
      // the machine's pod network: this process's nodes' subnets, routes to the other nodes' pods
      Config network = system.settings().config().getConfig("steuermann.network");
      system.systemActorOf(PodNetworkAgent.create(controllers, networked, new PodNetworkAgent.Settings(
              Ipv4Cidr.parse(network.getString("cluster-cidr")), network.getDuration("route-resync")),
          HostCommands.local()), "pod-network-" + group, Props.empty());
    }
    // the autoscalers' resource metrics: what these nodes' runtimes sampled, asked through the receptionist
    system.systemActorOf(io.steuermann.engine.autoscaling.PodMetrics.reporter(this::usage),
        "pod-metrics-" + group, Props.empty());
    runtimes.forEach((name, runtime) -> agents.put(name, system.systemActorOf(
        NodeAgent.create(name, controllers, runtime, settings, router, registrations, probeClients, onRegistered),
        "node-" + name + "-" + group, Props.empty())));
    started.complete(null);
  }

  /** The last sampled usage of this process's pods in {@code namespace}. */
  private List<io.steuermann.engine.autoscaling.PodMetrics.PodUsage> usage(String namespace) {
    List<io.steuermann.engine.autoscaling.PodMetrics.PodUsage> out = new ArrayList<>();
    for (ContainerRuntime runtime : runtimes.values()) {
      for (io.steuermann.node.runtime.PodUsage pod : runtime.usage()) {
        if (!pod.pod().namespace().equals(namespace)) {
          continue;
        }
        out.add(new io.steuermann.engine.autoscaling.PodMetrics.PodUsage(pod.pod().namespace(), pod.pod().name(),
            pod.pod().uid(), pod.timestamp().toEpochMilli(), pod.window().toMillis(),
            pod.containers().stream().map(c -> new io.steuermann.engine.autoscaling.PodMetrics.ContainerUsage(
                c.name(), c.cpuNanoCores() / 1_000_000, c.memoryBytes())).toList()));
      }
    }
    return out;
  }

  /** The names of this process's nodes. */
  public List<String> nodeNames() {
    return new ArrayList<>(runtimes.keySet());
  }

  /** The runtime of a node of this process. */
  public Optional<ContainerRuntime> runtime(String node) {
    return Optional.ofNullable(runtimes.get(node));
  }

  /** The agent of a node of this process, once started. */
  public Optional<ActorRef<NodeAgent.Command>> agent(String node) {
    return Optional.ofNullable(agents.get(node));
  }

  /** Completes when the agents are spawned (after the engine became ready). */
  public CompletionStage<Void> whenStarted() {
    return started;
  }

  /** Completes when every node has registered its Node object once. */
  public CompletionStage<Void> whenAllRegistered() {
    return allRegistered;
  }

  public int registeredCount() {
    return registeredCount.get();
  }

  /**
   * Stops the agents and their watch. Containers keep running (a later agent adopts them);
   * the Node objects stay and stop heartbeating.
   */
  public void stop() {
    agents.values().forEach(a -> a.tell(NodeAgent.Stop.INSTANCE));
    if (router != null) {
      router.tell(PodRouter.Stop.INSTANCE);
    }
  }
}
