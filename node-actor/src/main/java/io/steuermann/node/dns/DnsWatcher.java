package io.steuermann.node.dns;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.ControllerContext;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.network.ClusterNetwork;
import io.steuermann.engine.watch.GoneException;
import io.steuermann.engine.watch.WatchCache;
import io.steuermann.engine.watch.WatchEvent;
import io.steuermann.engine.watch.WatchFilter;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Keeps the cluster DNS's index current: it lists Services, Endpoints and Pods from the local
 * watch cache, follows their changes, and publishes a new immutable {@link DnsIndex} into
 * {@code published} at most once per {@code rebuild-delay}, so the query threads never wait
 * for it and a storm of pod updates costs one rebuild, not one per update.
 */
public final class DnsWatcher extends AbstractBehavior<DnsWatcher.Command> {

  public sealed interface Command {}

  public enum Stop implements Command { INSTANCE }

  private record Observed(WatchEvent event) implements Command {}

  private record Ended(long generation) implements Command {}

  private enum Subscribe implements Command { INSTANCE }

  private enum Rebuild implements Command { INSTANCE }

  private static final Set<Kind> WATCHED = Set.of(Kind.SERVICE, Kind.ENDPOINTS, Kind.POD);

  public static Behavior<Command> create(ControllerContext controllers, ClusterNetwork network, DnsSettings settings,
      AtomicReference<DnsIndex> published) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new DnsWatcher(context, timers, controllers, network, settings, published)));
  }

  private final TimerScheduler<Command> timers;
  private final ControllerContext controllers;
  private final ClusterNetwork network;
  private final DnsSettings settings;
  private final AtomicReference<DnsIndex> published;
  private final Map<Kind, Map<String, ObjectNode>> objects = new EnumMap<>(Kind.class);
  private UniqueKillSwitch watch;
  private long generation;
  private Duration lastBuild = Duration.ZERO;

  private DnsWatcher(ActorContext<Command> context, TimerScheduler<Command> timers, ControllerContext controllers,
      ClusterNetwork network, DnsSettings settings, AtomicReference<DnsIndex> published) {
    super(context);
    this.timers = timers;
    this.controllers = controllers;
    this.network = network;
    this.settings = settings;
    this.published = published;
    WATCHED.forEach(k -> objects.put(k, new HashMap<>()));
    subscribe();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Observed.class, m -> {
          if (onEvent(m.event()) && !timers.isTimerActive(Rebuild.INSTANCE)) {
            // a rebuild costs O(cluster) (about 80 ms for 2,000 Services and 10,000 pods):
            // wait at least twice the last one, so churn takes at most a third of a core
            Duration wait = settings.rebuildDelay().compareTo(lastBuild.multipliedBy(2)) >= 0
                ? settings.rebuildDelay() : lastBuild.multipliedBy(2);
            timers.startSingleTimer(Rebuild.INSTANCE, Rebuild.INSTANCE, wait);
          }
          return this;
        })
        .onMessageEquals(Rebuild.INSTANCE, () -> {
          rebuild();
          return this;
        })
        .onMessage(Ended.class, m -> {
          if (m.generation() == generation) {
            watch = null;
            timers.startSingleTimer(Subscribe.INSTANCE, Subscribe.INSTANCE, Duration.ofMillis(200));
          }
          return this;
        })
        .onMessageEquals(Subscribe.INSTANCE, () -> {
          if (watch == null) {
            getContext().getLog().info("Cluster DNS: the watch ended; listing again");
            subscribe();
          }
          return this;
        })
        .onMessageEquals(Stop.INSTANCE, () -> {
          if (watch != null && org.apache.pekko.actor.CoordinatedShutdown.get(getContext().getSystem())
              .getShutdownReason().isEmpty()) {
            watch.shutdown(); // at system shutdown the engine ends its watches itself
          }
          return Behaviors.stopped();
        })
        .build();
  }

  /** Replaces what is known with a snapshot, watches the changes after it, publishes at once. */
  private void subscribe() {
    WatchCache cache = controllers.cache();
    WatchCache.Snapshot snapshot = cache.list(WatchFilter.everything());
    objects.values().forEach(Map::clear);
    for (ObjectNode object : snapshot.items()) {
      Kind.byKindName(object.path("kind").asText()).filter(WATCHED::contains)
          .ifPresent(kind -> objects.get(kind).put(DnsIndex.key(Meta.namespace(object), Meta.name(object)), object));
    }
    long current = ++generation;
    ActorRef<Command> self = getContext().getSelf();
    try {
      watch = cache.watch(WatchFilter.everything(), snapshot.resourceVersion(), controllers.settings().getInt("watch-buffer"))
          .filter(e -> WATCHED.contains(e.key().kind()))
          .viaMat(KillSwitches.single(), Keep.right())
          .toMat(Sink.foreach(e -> self.tell(new Observed(e))), Keep.both())
          .mapMaterializedValue(pair -> {
            pair.second().whenComplete((done, error) -> self.tell(new Ended(current)));
            return pair.first();
          })
          .run(controllers.materializer());
    } catch (GoneException e) {
      // the snapshot aged out of the cache's history at once (a storm of writes): take another
      timers.startSingleTimer(Subscribe.INSTANCE, Subscribe.INSTANCE, Duration.ofMillis(200));
    }
    rebuild();
  }

  /** Records the change; answers whether it changes any DNS answer (most pod updates do not). */
  private boolean onEvent(WatchEvent event) {
    ObjectKey key = event.key();
    Map<String, ObjectNode> known = objects.get(key.kind());
    String id = DnsIndex.key(key.namespace(), key.name());
    ObjectNode previous = event.type() == WatchEvent.Type.DELETED ? known.remove(id) : known.put(id, event.object());
    ObjectNode current = event.type() == WatchEvent.Type.DELETED ? null : event.object();
    return !relevant(key.kind(), previous).equals(relevant(key.kind(), current));
  }

  /**
   * The part of an object the index reads: a pod's address, whether it has ended and whether it
   * is on the host's network (its conditions and container statuses, which change all the time,
   * reach the DNS through the Endpoints); a Service's spec; an Endpoints' subsets.
   */
  static Object relevant(Kind kind, ObjectNode object) {
    if (object == null) {
      return List.of();
    }
    return switch (kind) {
      case POD -> {
        String phase = object.path("status").path("phase").asText("");
        yield List.of(object.path("status").path("podIP").asText(""),
            phase.equals("Succeeded") || phase.equals("Failed"),
            object.path("spec").path("hostNetwork").asBoolean(false));
      }
      case SERVICE -> object.path("spec");
      default -> object.path("subsets");
    };
  }

  private void rebuild() {
    timers.cancel(Rebuild.INSTANCE);
    long start = System.nanoTime();
    DnsIndex index = DnsIndex.build(network, settings.ttl(), settings.negativeTtl(), objects.get(Kind.SERVICE).values(),
        objects.get(Kind.ENDPOINTS), objects.get(Kind.POD).values());
    published.set(index);
    lastBuild = Duration.ofNanos(System.nanoTime() - start);
    getContext().getLog().debug("Cluster DNS: {} names in {} ms", index.size(), lastBuild.toMillis());
  }
}
