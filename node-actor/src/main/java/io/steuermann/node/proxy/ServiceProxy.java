package io.steuermann.node.proxy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import io.steuermann.engine.Engine;
import io.steuermann.engine.controllers.ControllerContext;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.watch.GoneException;
import io.steuermann.engine.watch.WatchCache;
import io.steuermann.engine.watch.WatchEvent;
import io.steuermann.engine.watch.WatchFilter;
import io.steuermann.node.network.HostCommands;
import io.steuermann.node.proxy.kernel.IptablesRules;
import io.steuermann.node.proxy.kernel.IptablesSync;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.slf4j.LoggerFactory;

/**
 * The service proxy of this machine (Steuermann's kube-proxy): it observes Services,
 * Endpoints and Nodes (which are this machine's, for the Local traffic policies) through the
 * local watch cache, computes the listeners wanted
 * ({@link ProxyState}) after every change, and keeps one child per listener: it starts
 * listeners for new Service ports at once, stops those of deleted Services or removed ports at
 * once, and hands changed endpoints to the others (established connections stay untouched).
 *
 * <p>Each watch starts from a list snapshot and continues from that snapshot's version, so a
 * restarted watch replaces what the proxy knew in one step: no listener is closed and reopened
 * while it resynchronises.
 */
public final class ServiceProxy extends AbstractBehavior<ServiceProxy.Command> {

  public sealed interface Command {}

  /** Closes every listener and stops. */
  public enum Stop implements Command { INSTANCE }

  private record Changed(Kind kind, WatchEvent event) implements Command {}

  private record Ended(Kind kind) implements Command {}

  private record Subscribe(Kind kind) implements Command {}

  /** A running listener child: TCP (typed) or UDP (classic). */
  private sealed interface Listener {
    void update(ListenerSpec spec);

    void stop();
  }

  private record Tcp(ActorRef<TcpListener.Command> ref) implements Listener {
    public void update(ListenerSpec spec) {
      ref.tell(new TcpListener.Update(spec));
    }

    public void stop() {
      ref.tell(TcpListener.Stop.INSTANCE);
    }
  }

  private record Udp(org.apache.pekko.actor.ActorRef ref) implements Listener {
    public void update(ListenerSpec spec) {
      ref.tell(new UdpListener.Update(spec), org.apache.pekko.actor.ActorRef.noSender());
    }

    public void stop() {
      ref.tell(UdpListener.Stop.INSTANCE, org.apache.pekko.actor.ActorRef.noSender());
    }
  }

  /**
   * Starts this machine's proxy once the engine is ready, if {@code steuermann.proxy.enabled};
   * the server calls it where the process runs nodes. Completes with the proxy (empty when disabled).
   */
  public static CompletionStage<Optional<ActorRef<Command>>> start(ActorSystem<?> system, Engine engine) {
    Config config = system.settings().config();
    Config proxyConfig = config.getConfig("steuermann.proxy");
    if (proxyConfig.getString("node-address").isEmpty()) {
      proxyConfig = proxyConfig.withValue("node-address", config.getValue("steuermann.node.address"));
    }
    ProxySettings settings = ProxySettings.fromConfig(proxyConfig);
    if (!settings.enabled()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    io.steuermann.node.network.ServiceRange.makeLocal(system.settings().config());
    ProxySettings resolved = resolveMode(settings, system.settings().config());
    return engine.whenReady().thenApply(version -> {
      ActorRef<Command> proxy = system.systemActorOf(create(engine.controllers(), resolved), "service-proxy",
          Props.empty());
      // like a server's port: on shutdown the listeners close first, before the watches end
      CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(), "service-proxy-unbind",
          () -> {
            proxy.tell(Stop.INSTANCE);
            return CompletableFuture.completedFuture(Done.getInstance());
          });
      LoggerFactory.getLogger(ServiceProxy.class).info(
          "Service proxy started ({} mode): nodePorts on {} (user-space TCP reads of up to {} KiB)",
          resolved.mode().name().toLowerCase(), settings.nodeAddress(), system.settings().config().getBytes("pekko.io.tcp.direct-buffer-size") / 1024);
      return Optional.of(proxy);
    });
  }

  /**
   * auto becomes iptables when iptables-restore works here, else userspace (said once, loudly);
   * an empty iptables cluster-cidr becomes the pod network's.
   */
  static ProxySettings resolveMode(ProxySettings settings, Config config) {
    ProxySettings.IptablesSettings iptables = settings.iptables();
    if (iptables.clusterCidr().isEmpty()) {
      iptables = new ProxySettings.IptablesSettings(iptables.chainPrefix(),
          config.getString("steuermann.network.cluster-cidr"), iptables.minSyncInterval(), iptables.syncPeriod(),
          iptables.cleanupOnStop());
    }
    ProxyMode mode = settings.mode();
    if (mode == ProxyMode.AUTO) {
      mode = IptablesSync.available(HostCommands.local()) ? ProxyMode.IPTABLES : ProxyMode.USERSPACE;
      if (mode == ProxyMode.USERSPACE) {
        LoggerFactory.getLogger(ServiceProxy.class).warn("Service proxy: iptables-restore does not work here (not root?);"
            + " Service traffic goes through the user-space proxy, which copies every byte (--proxy-mode iptables needs root)");
      }
    }
    return settings.with(mode, iptables);
  }

  public static Behavior<Command> create(ControllerContext controllers, ProxySettings settings) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new ServiceProxy(context, timers, controllers, settings)));
  }

  private final TimerScheduler<Command> timers;
  private final ControllerContext controllers;
  private final ProxySettings settings;
  private final Map<Kind, Map<String, ObjectNode>> objects = new EnumMap<>(Kind.class);
  private final Map<Kind, UniqueKillSwitch> watches = new EnumMap<>(Kind.class);
  private final Map<ListenerKey, ListenerSpec> specs = new HashMap<>();
  private final Map<ListenerKey, Listener> listeners = new HashMap<>();
  private Set<String> reportedConflicts = new HashSet<>();
  private Set<String> localNodes;
  private long spawned;
  private final Materializer streams;
  private final ProxyMeters meters;
  /** The kernel path (iptables mode only) and what it was last told. */
  private final ActorRef<IptablesSync.Command> kernel;
  private List<IptablesRules.Entry> inKernel;

  private ServiceProxy(ActorContext<Command> context, TimerScheduler<Command> timers, ControllerContext controllers,
      ProxySettings settings) {
    super(context);
    this.timers = timers;
    this.controllers = controllers;
    this.settings = settings;
    Config config = context.getSystem().settings().config();
    this.meters = new ProxyMeters(controllers.meters().registry());
    this.streams = ProxyMaterializer.create(Adapter.toClassic(context), config, config.getConfig("steuermann.proxy.tcp"));
    if (settings.mode() == ProxyMode.IPTABLES) {
      kernel = context.spawn(IptablesSync.create(HostCommands.local(), settings.iptables()), "iptables",
          DispatcherSelector.blocking());
    } else {
      kernel = null;
    }
    objects.put(Kind.SERVICE, new HashMap<>());
    objects.put(Kind.ENDPOINTS, new HashMap<>());
    objects.put(Kind.NODE, new HashMap<>());
    subscribe(Kind.SERVICE);
    subscribe(Kind.ENDPOINTS);
    subscribe(Kind.NODE);
    localNodes = localNodes();
    reconcile();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Changed.class, this::onChanged)
        .onMessage(Ended.class, m -> {
          watches.remove(m.kind());
          timers.startSingleTimer(m.kind(), new Subscribe(m.kind()), Duration.ofMillis(200));
          return this;
        })
        .onMessage(Subscribe.class, m -> {
          if (!watches.containsKey(m.kind())) {
            getContext().getLog().info("Service proxy: the {} watch ended; subscribing again", m.kind().kindName());
            subscribe(m.kind());
            localNodes = localNodes();
            reconcile();
          }
          return this;
        })
        .onMessageEquals(Stop.INSTANCE, () -> {
          if (CoordinatedShutdown.get(getContext().getSystem()).getShutdownReason().isEmpty()) {
            // when the system shuts down, the engine ends every watch itself a phase later;
            // ending ours now as well would race with it over the same queues
            watches.values().forEach(UniqueKillSwitch::shutdown);
          }
          listeners.values().forEach(Listener::stop);
          if (kernel != null) {
            kernel.tell(IptablesSync.Stop.INSTANCE);
          }
          return Behaviors.stopped();
        })
        .build();
  }

  /** Replaces what is known of {@code kind} with a snapshot and watches the changes after it. */
  private void subscribe(Kind kind) {
    WatchCache cache = controllers.cache();
    WatchFilter filter = WatchFilter.of(kind, "");
    WatchCache.Snapshot snapshot = cache.list(filter);
    Map<String, ObjectNode> known = objects.get(kind);
    known.clear();
    snapshot.items().forEach(o -> known.put(ProxyState.key(o), o));
    ActorRef<Command> self = getContext().getSelf();
    try {
      UniqueKillSwitch watch = cache.watch(filter, snapshot.resourceVersion(), controllers.settings().getInt("watch-buffer"))
          .viaMat(KillSwitches.single(), Keep.right())
          .toMat(Sink.foreach(e -> self.tell(new Changed(kind, e))), Keep.both())
          .mapMaterializedValue(pair -> {
            pair.second().whenComplete((done, error) -> self.tell(new Ended(kind)));
            return pair.first();
          })
          .run(controllers.materializer());
      watches.put(kind, watch);
    } catch (GoneException e) {
      // the snapshot aged out of the cache's history at once (a storm of writes): take another
      timers.startSingleTimer(kind, new Subscribe(kind), Duration.ofMillis(200));
    }
  }

  private Behavior<Command> onChanged(Changed m) {
    Map<String, ObjectNode> known = objects.get(m.kind());
    String key = ProxyState.key(m.event().object());
    if (m.event().type() == WatchEvent.Type.DELETED) {
      known.remove(key);
    } else {
      known.put(key, m.event().object());
    }
    if (m.kind() == Kind.NODE) {
      // Nodes matter only through which of them are this machine's (their status changes
      // often): only a node that became or stopped being one changes the listeners
      String name = m.event().object().path("metadata").path("name").asText();
      boolean local = m.event().type() != WatchEvent.Type.DELETED && isLocal(m.event().object());
      if (local == localNodes.contains(name)) {
        return this;
      }
      localNodes = new HashSet<>(localNodes);
      if (local) {
        localNodes.add(name);
      } else {
        localNodes.remove(name);
      }
    }
    reconcile();
    return this;
  }

  /**
   * The nodes of this machine, for the Local traffic policies: those whose InternalIP is the
   * address this proxy answers nodePorts and load balancers on.
   */
  private Set<String> localNodes() {
    Set<String> local = new HashSet<>();
    for (ObjectNode node : objects.get(Kind.NODE).values()) {
      if (isLocal(node)) {
        local.add(node.path("metadata").path("name").asText());
      }
    }
    return local;
  }

  private boolean isLocal(ObjectNode node) {
    for (com.fasterxml.jackson.databind.JsonNode address : node.path("status").path("addresses")) {
      if ("InternalIP".equals(address.path("type").asText())
          && settings.nodeAddress().equals(address.path("address").asText())) {
        return true;
      }
    }
    return false;
  }

  private void reconcile() {
    ProxyState.Desired desired = ProxyState.desired(objects.get(Kind.SERVICE), objects.get(Kind.ENDPOINTS),
        settings.nodeAddress(), localNodes);
    Set<String> conflicts = new HashSet<>(desired.conflicts());
    conflicts.stream().filter(c -> !reportedConflicts.contains(c))
        .forEach(c -> getContext().getLog().warn("Service proxy: {}", c));
    reportedConflicts = conflicts;

    Map<ListenerKey, ListenerSpec> userSpace = desired.listeners();
    if (kernel != null) {
      // the kernel serves every port but those with ClientIP affinity or loopback endpoints, which stay in user space
      userSpace = new HashMap<>();
      List<IptablesRules.Entry> entries = new ArrayList<>();
      for (ListenerSpec spec : desired.listeners().values()) {
        // a loopback endpoint (an API server on 127.0.0.1 behind default/kubernetes) cannot be a
        // DNAT target for a pod's packet; the user-space proxy on this host reaches it
        boolean loopback = spec.backends().stream().anyMatch(b -> b.ip().startsWith("127."));
        // a LoadBalancer's port (with its source ranges) is served in user space: the kernel
        // rules know only clusterIPs and nodePorts
        if (spec.affinitySeconds() > 0 || loopback || spec.loadBalancer()) {
          userSpace.put(spec.key(), spec);
        } else {
          entries.add(new IptablesRules.Entry(spec, spec.key().host().equals(settings.nodeAddress())));
        }
      }
      if (!entries.equals(inKernel)) {
        inKernel = entries;
        kernel.tell(new IptablesSync.Update(entries));
      }
    }
    Map<ListenerKey, ListenerSpec> wanted = userSpace;

    for (ListenerKey key : Set.copyOf(listeners.keySet())) {
      if (!wanted.containsKey(key)) {
        listeners.remove(key).stop();
        specs.remove(key);
        getContext().getLog().debug("Service proxy: closed {}", key);
      }
    }
    wanted.forEach((key, spec) -> {
      Listener running = listeners.get(key);
      if (running == null) {
        listeners.put(key, start(spec));
        specs.put(key, spec);
        getContext().getLog().debug("Service proxy: opened {} for {} -> {}", key, spec.servicePort(), spec.backends());
      } else if (!spec.equals(specs.get(key))) {
        running.update(spec);
        specs.put(key, spec);
      }
    });
  }

  private Listener start(ListenerSpec spec) {
    ListenerKey key = spec.key();
    String name = key.protocol().name().toLowerCase() + "-" + key.host() + "-" + key.port() + "-" + (++spawned);
    return switch (key.protocol()) {
      case TCP -> new Tcp(getContext().spawn(TcpListener.create(spec, settings, streams, meters), name));
      case UDP -> new Udp(Adapter.actorOf(getContext(), UdpListener.props(spec, settings), name));
    };
  }
}
