package io.steuermann.node.network;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.controllers.CacheWatch;
import io.steuermann.engine.controllers.ControllerContext;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.network.Ipv4Cidr;
import io.steuermann.engine.watch.WatchEvent;
import io.steuermann.engine.watch.WatchFilter;
import io.steuermann.node.runtime.ContainerRuntime;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.stream.UniqueKillSwitch;

/**
 * The pod network on this machine, flannel's host-gw way: it watches the Node objects and
 * <ul>
 *   <li>hands each of this process's nodes its {@code spec.podCIDR} once allocated, so the
 *       runtime puts the node's pods on a network with that subnet;</li>
 *   <li>routes every other node's pod CIDR via that node's InternalIP (skipped when the address is
 *       this machine's own: nodes sharing a machine reach each other's bridges directly), and
 *       removes the route when the node goes or moves;</li>
 *   <li>makes the rest of the cluster CIDR unreachable and masquerades pod traffic that leaves
 *       the cluster CIDR, once at start.</li>
 * </ul>
 * Route changes run one at a time on a thread of their own; every {@code resync} the routing
 * table is read back and mended (a route someone removed, a stale one from before a restart).
 */
public final class PodNetworkAgent extends AbstractBehavior<PodNetworkAgent.Command> {

  public sealed interface Command {}

  /** Stops the watch. Routes stay (pods keep talking while a restarted agent takes over). */
  public enum Stop implements Command { INSTANCE }

  private record Changed(WatchEvent event) implements Command {}

  private enum Ended implements Command { INSTANCE }

  private enum Resubscribe implements Command { INSTANCE }

  private enum Resync implements Command { INSTANCE }

  private record Configured(String node, String cidr, Throwable error) implements Command {}

  private record RetryConfigure(String node) implements Command {}

  /** The pod network's settings: the cluster CIDR and how often the routes are checked. */
  public record Settings(Ipv4Cidr clusterCidr, Duration resync) {}

  public static Behavior<Command> create(ControllerContext controllers, Map<String, ContainerRuntime> localNodes,
      Settings settings, HostCommands commands) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new PodNetworkAgent(context, timers, controllers, Map.copyOf(localNodes), settings, commands)));
  }

  private final TimerScheduler<Command> timers;
  private final ControllerContext controllers;
  private final Map<String, ContainerRuntime> localNodes;
  private final Settings settings;
  private final HostRoutes routes;
  private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "pod-network-routes");
    t.setDaemon(true);
    return t;
  });
  private final Set<String> localAddresses = localAddresses();
  /** node name -> its pod CIDR and gateway, for the other nodes. */
  private final Map<String, Route> wanted = new HashMap<>();
  /** node name -> the CIDR its runtime was configured with (or is being configured with). */
  private final Map<String, String> configured = new HashMap<>();
  private final Map<String, String> podCidrs = new HashMap<>();
  private UniqueKillSwitch watch;

  private record Route(Ipv4Cidr cidr, String gateway) {}

  private PodNetworkAgent(ActorContext<Command> context, TimerScheduler<Command> timers,
      ControllerContext controllers, Map<String, ContainerRuntime> localNodes, Settings settings,
      HostCommands commands) {
    super(context);
    this.timers = timers;
    this.controllers = controllers;
    this.localNodes = localNodes;
    this.settings = settings;
    this.routes = new HostRoutes(commands);
    worker.execute(() -> {
      report("the cluster CIDR " + settings.clusterCidr() + " as unreachable",
          routes.ensureUnreachable(settings.clusterCidr()));
      report("masquerading of pod traffic leaving " + settings.clusterCidr(),
          routes.ensureEgressMasquerade(settings.clusterCidr()));
    });
    subscribe();
    timers.startTimerWithFixedDelay(Resync.INSTANCE, settings.resync());
  }

  private void subscribe() {
    watch = CacheWatch.subscribe(controllers.cache(), controllers.materializer(), WatchFilter.of(Kind.NODE, ""),
        getContext().getSelf(), Changed::new, Ended.INSTANCE, controllers.settings().getInt("watch-buffer"));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Changed.class, this::onChanged)
        .onMessage(Configured.class, this::onConfigured)
        .onMessage(RetryConfigure.class, m -> {
          configureIfNeeded(m.node());
          return this;
        })
        .onMessageEquals(Resync.INSTANCE, () -> {
          Map<String, Route> snapshot = Map.copyOf(wanted);
          worker.execute(() -> mend(snapshot));
          return this;
        })
        .onMessageEquals(Ended.INSTANCE, () -> {
          watch = null;
          timers.startSingleTimer(Resubscribe.INSTANCE, Duration.ofMillis(200));
          return this;
        })
        .onMessageEquals(Resubscribe.INSTANCE, () -> {
          if (watch == null) {
            subscribe();
          }
          return this;
        })
        .onMessageEquals(Stop.INSTANCE, () -> Behaviors.stopped())
        .onSignal(PostStop.class, s -> {
          if (watch != null) {
            watch.shutdown();
          }
          worker.shutdown();
          return this;
        })
        .build();
  }

  private Behavior<Command> onChanged(Changed m) {
    WatchEvent e = m.event();
    String name = e.object().path("metadata").path("name").asText();
    String cidr = e.type() == WatchEvent.Type.DELETED ? "" : e.object().path("spec").path("podCIDR").asText("");
    if (localNodes.containsKey(name)) {
      podCidrs.put(name, cidr);
      configureIfNeeded(name);
      return this;
    }
    Route before = wanted.get(name);
    Route after = route(e.object(), cidr);
    if (after == null) {
      wanted.remove(name);
    } else {
      wanted.put(name, after);
    }
    if (before != null && !before.equals(after)) {
      worker.execute(() -> report("removal of the route to node " + name + "'s pods " + before.cidr(),
          routes.remove(before.cidr(), before.gateway())));
    }
    if (after != null && !after.equals(before)) {
      worker.execute(() -> report("a route to node " + name + "'s pods " + after.cidr() + " via " + after.gateway(),
          routes.routeVia(after.cidr(), after.gateway())));
    }
    return this;
  }

  /** The route to a remote node's pods, or null (no CIDR, no address, or a node of this machine). */
  private Route route(JsonNode node, String cidr) {
    if (cidr.isEmpty()) {
      return null;
    }
    String gateway = "";
    for (JsonNode address : node.path("status").path("addresses")) {
      if ("InternalIP".equals(address.path("type").asText())) {
        gateway = address.path("address").asText("");
      }
    }
    if (gateway.isEmpty() || localAddresses.contains(gateway) || gateway.startsWith("127.")) {
      return null;
    }
    try {
      Ipv4Cidr block = Ipv4Cidr.parse(cidr);
      return settings.clusterCidr().overlaps(block) ? new Route(block, gateway) : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private void configureIfNeeded(String node) {
    String cidr = podCidrs.getOrDefault(node, "");
    if (cidr.isEmpty() || cidr.equals(configured.get(node))) {
      return;
    }
    configured.put(node, cidr);
    ContainerRuntime runtime = localNodes.get(node);
    getContext().pipeToSelf(runtime.configurePodNetwork(cidr), (ok, error) -> new Configured(node, cidr, error));
  }

  private Behavior<Command> onConfigured(Configured m) {
    if (m.error() == null) {
      getContext().getLog().info("Node {}: pod network {} ready", m.node(), m.cidr());
    } else if (m.cidr().equals(configured.get(m.node()))) {
      getContext().getLog().warn("Node {}: pod network {} could not be set up, retrying: {}", m.node(), m.cidr(),
          m.error().toString());
      configured.remove(m.node());
      timers.startSingleTimer("configure-" + m.node(), new RetryConfigure(m.node()), Duration.ofSeconds(2));
    }
    return this;
  }

  /** Adds what is missing and removes stale routes into the cluster CIDR (on the worker thread). */
  private void mend(Map<String, Route> snapshot) {
    Map<Ipv4Cidr, String> present = routes.routesVia(settings.clusterCidr());
    Map<Ipv4Cidr, String> desired = new HashMap<>();
    snapshot.values().forEach(r -> desired.put(r.cidr(), r.gateway()));
    desired.forEach((cidr, gateway) -> {
      if (!gateway.equals(present.get(cidr))) {
        report("a route to " + cidr + " via " + gateway, routes.routeVia(cidr, gateway));
      }
    });
    present.forEach((cidr, gateway) -> {
      if (!gateway.equals(desired.get(cidr))) {
        report("removal of the stale route to " + cidr + " via " + gateway, routes.remove(cidr, gateway));
      }
    });
  }

  private void report(String what, HostCommands.Result result) {
    if (!result.ok()) {
      org.slf4j.LoggerFactory.getLogger(PodNetworkAgent.class).warn("Pod network: {} failed: {}", what,
          result.output());
    }
  }

  private static Set<String> localAddresses() {
    Set<String> addresses = new HashSet<>();
    try {
      for (NetworkInterface nic : java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress a : java.util.Collections.list(nic.getInetAddresses())) {
          addresses.add(a.getHostAddress());
        }
      }
    } catch (SocketException e) {
      // none known: every remote node gets a route
    }
    return addresses;
  }
}
