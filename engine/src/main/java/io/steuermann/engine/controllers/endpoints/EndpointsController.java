package io.steuermann.engine.controllers.endpoints;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import io.steuermann.engine.controllers.AsyncLimiter;
import io.steuermann.engine.controllers.ControllerContext;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.selector.LabelSelector;
import io.steuermann.engine.watch.GoneException;
import io.steuermann.engine.watch.WatchCache;
import io.steuermann.engine.watch.WatchEvent;
import io.steuermann.engine.watch.WatchFilter;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes' endpoints controller: keeps, for every Service with a selector, an Endpoints
 * object of the same name listing the pods it selects ({@link EndpointsBuilder}). Run it as a
 * cluster singleton.
 *
 * <p>It lists Services, pods and Endpoints from the local watch cache at one resourceVersion
 * and then watches the changes after it (the informer pattern), so it never acts on a partly
 * replayed view: after a restart or a failover the first thing it writes is the complete,
 * current set. A pod change marks the Services that select the pod (before or after the
 * change); marked Services are reconciled as soon as the events already queued have been
 * taken in, so a burst of changes costs one write. An Endpoints object is written only when
 * its content differs, with the resourceVersion it was computed against (a conflict is retried
 * after the watch has caught up). Endpoints of a Service without a selector belong to the
 * user and are left alone; those of a deleted Service are deleted.
 *
 * <p>It is Kubernetes' EndpointSlice controller too, from the same view: a Service's slices
 * ({@link EndpointSliceBuilder}, {@link EndpointSliceSync}) are reconciled together with its
 * Endpoints, and the Service is not reconciled again while either write is in flight. Slices
 * managed by someone else are not looked at.
 */
public final class EndpointsController extends AbstractBehavior<EndpointsController.Command> {
  private static final Logger log = LoggerFactory.getLogger(EndpointsController.class);
  private static final Set<Kind> WATCHED = Set.of(Kind.POD, Kind.SERVICE, Kind.ENDPOINTS, Kind.ENDPOINT_SLICE);

  /** The messages of the controller; only {@link Stop} is meant for others. */
  public interface Command {}

  /** Stops the controller (the stop message for a cluster singleton). */
  public enum Stop implements Command { INSTANCE }

  private record Observed(WatchEvent event) implements Command {}

  private record WatchEnded(long generation) implements Command {}

  private enum Subscribe implements Command { INSTANCE }

  private enum Flush implements Command { INSTANCE }

  private enum Resync implements Command { INSTANCE }

  private enum Op { CREATE, REPLACE, DELETE }

  private record Written(ObjectKey service, Op op, ObjectCommand.Reply reply, Throwable error) implements Command {}

  private record Retry(ObjectKey service) implements Command {}

  private record SliceWritten(EndpointSliceSync.Write write, ObjectCommand.Reply reply, Throwable error) {}

  private record SlicesWritten(ObjectKey service, List<SliceWritten> results) implements Command {}

  /** The settings, from {@code steuermann.controllers.endpoints}. */
  public record Settings(int concurrency, Duration retryDelay, Duration resyncInterval, int watchBuffer) {
    public static Settings from(Config controllers) {
      Config c = controllers.hasPath("endpoints")
          ? controllers.getConfig("endpoints") : com.typesafe.config.ConfigFactory.empty();
      return new Settings(
          c.hasPath("concurrency") ? c.getInt("concurrency") : 20,
          c.hasPath("retry-delay") ? c.getDuration("retry-delay") : Duration.ofMillis(200),
          c.hasPath("resync-interval") ? c.getDuration("resync-interval") : Duration.ofSeconds(30),
          controllers.hasPath("watch-buffer") ? controllers.getInt("watch-buffer") : 100_000);
    }
  }

  public static Behavior<Command> create(ControllerContext ctx) {
    return Behaviors.setup(actor -> Behaviors.withTimers(timers ->
        new EndpointsController(ctx, Settings.from(ctx.settings()), actor, timers)));
  }

  private final ControllerContext ctx;
  private final WatchCache cache;
  private final Settings settings;
  private final TimerScheduler<Command> timers;
  private final AsyncLimiter limiter;

  // the view: what the watch has shown
  private final Map<ObjectKey, ObjectNode> services = new HashMap<>();
  /** The selectors of the Services with one, by namespace: what a pod change is matched against. */
  private final Map<String, Map<ObjectKey, LabelSelector>> selectorsByNamespace = new HashMap<>();
  private final Map<String, Map<String, ObjectNode>> podsByNamespace = new HashMap<>();
  private final Map<ObjectKey, ObjectNode> endpoints = new HashMap<>();
  /** Services seen deleted whose Endpoints are still to be deleted, user-managed ones too. */
  private final Set<ObjectKey> deletedServices = new HashSet<>();
  /** The EndpointSlices this controller manages, beside the Endpoints. */
  private final EndpointSliceSync slices = new EndpointSliceSync(EndpointSliceBuilder.MAX_ENDPOINTS_PER_SLICE);

  // the work: Services to reconcile, and those with a write in flight
  private final Set<ObjectKey> dirty = new LinkedHashSet<>();
  private final Set<ObjectKey> inFlight = new HashSet<>();
  /** Services with slice writes in flight. */
  private final Set<ObjectKey> slicesInFlight = new HashSet<>();
  private boolean flushQueued;
  private boolean listed;
  private long watchGeneration;
  private UniqueKillSwitch watch;

  private EndpointsController(ControllerContext ctx, Settings settings, ActorContext<Command> context,
      TimerScheduler<Command> timers) {
    super(context);
    this.ctx = ctx;
    this.cache = ctx.cache();
    this.settings = settings;
    this.timers = timers;
    this.limiter = new AsyncLimiter(settings.concurrency());
    // a partly replayed cache would show a Service too few pods
    context.pipeToSelf(ctx.ready(), (v, error) -> Subscribe.INSTANCE);
    timers.startTimerWithFixedDelay(Resync.INSTANCE, settings.resyncInterval());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Observed.class, m -> {
          onEvent(m.event());
          return this;
        })
        .onMessage(WatchEnded.class, m -> {
          if (m.generation() == watchGeneration) {
            log.info("Endpoints controller: watch ended; listing again");
            listed = false;
            timers.startSingleTimer(Subscribe.INSTANCE, Duration.ofSeconds(1));
          }
          return this;
        })
        .onMessageEquals(Subscribe.INSTANCE, () -> {
          subscribe();
          return this;
        })
        .onMessageEquals(Flush.INSTANCE, () -> {
          flushQueued = false;
          flush();
          return this;
        })
        .onMessageEquals(Resync.INSTANCE, () -> {
          if (listed) {
            markAll();
          }
          return this;
        })
        .onMessage(Written.class, this::onWritten)
        .onMessage(SlicesWritten.class, this::onSlicesWritten)
        .onMessage(Retry.class, m -> {
          mark(m.service());
          return this;
        })
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .onSignal(PostStop.class, s -> {
          if (watch != null) {
            watch.shutdown();
          }
          return this;
        })
        .build();
  }

  // ---------------------------------------------------------------- list and watch

  private void subscribe() {
    if (watch != null) {
      watch.shutdown();
    }
    services.clear();
    selectorsByNamespace.clear();
    podsByNamespace.clear();
    endpoints.clear();
    slices.clear();
    WatchCache.Snapshot snapshot = cache.list(WatchFilter.everything());
    for (ObjectNode object : snapshot.items()) {
      Kind kind = Kind.byKindName(object.path("kind").asText()).orElse(null);
      if (kind != null && WATCHED.contains(kind)) {
        remember(ObjectKey.of(kind, Meta.namespace(object), Meta.name(object)), object);
      }
    }
    long generation = ++watchGeneration;
    ActorRef<Command> self = getContext().getSelf();
    try {
      watch = cache.watch(WatchFilter.everything(), snapshot.resourceVersion(), settings.watchBuffer())
          .filter(e -> WATCHED.contains(e.key().kind()))
          .viaMat(KillSwitches.single(), Keep.right())
          .toMat(Sink.foreach(e -> self.tell(new Observed(e))), Keep.both())
          .mapMaterializedValue(pair -> {
            pair.second().whenComplete((done, error) -> self.tell(new WatchEnded(generation)));
            return pair.first();
          })
          .run(ctx.materializer());
    } catch (GoneException e) {
      log.info("Endpoints controller: the cache moved on while listing ({}); listing again", e.getMessage());
      getContext().getSelf().tell(Subscribe.INSTANCE);
      return;
    }
    listed = true;
    log.info("Endpoints controller: {} services, {} endpoints, {} endpoint slices at resourceVersion {}",
        services.size(), endpoints.size(), slices.size(), snapshot.resourceVersion());
    markAll();
  }

  private void onEvent(WatchEvent event) {
    ObjectKey key = event.key();
    ObjectNode object = event.type() == WatchEvent.Type.DELETED ? null : event.object();
    switch (key.kind()) {
      case POD -> {
        ObjectNode old = remember(key, object);
        Map<String, String> oldLabels = old == null ? null : Meta.labels(old);
        Map<String, String> newLabels = object == null ? null : Meta.labels(object);
        selectorsByNamespace.getOrDefault(key.namespace(), Map.of()).forEach((service, selector) -> {
          if ((oldLabels != null && selector.matches(oldLabels)) || (newLabels != null && selector.matches(newLabels))) {
            mark(service);
          }
        });
      }
      case SERVICE -> {
        remember(key, object);
        if (object == null) {
          deletedServices.add(key);
        } else {
          deletedServices.remove(key);
        }
        mark(key);
      }
      case ENDPOINTS -> {
        ObjectNode known = endpoints.get(key);
        // our own write may have been recorded already, from its reply
        if (object == null || known == null || version(object) >= version(known)) {
          remember(key, object);
        }
        mark(ObjectKey.of(Kind.SERVICE, key.namespace(), key.name()));
      }
      case ENDPOINT_SLICE -> {
        ObjectKey service = slices.observed(key, object);
        if (service != null) {
          mark(service);
        }
      }
      default -> { }
    }
  }

  /** Puts an object (null: deleted) into the view; answers what was there. */
  private ObjectNode remember(ObjectKey key, ObjectNode object) {
    return switch (key.kind()) {
      case POD -> {
        Map<String, ObjectNode> pods = podsByNamespace.computeIfAbsent(key.namespace(), ns -> new HashMap<>());
        ObjectNode old = object == null ? pods.remove(key.name()) : pods.put(key.name(), object);
        if (pods.isEmpty()) {
          podsByNamespace.remove(key.namespace());
        }
        yield old;
      }
      case SERVICE -> {
        Map<ObjectKey, LabelSelector> selectors =
            selectorsByNamespace.computeIfAbsent(key.namespace(), ns -> new HashMap<>());
        if (object != null && EndpointsBuilder.hasSelector(object)) {
          selectors.put(key, LabelSelector.fromMap(Meta.stringMap(object.path("spec").path("selector"))));
        } else {
          selectors.remove(key);
        }
        if (selectors.isEmpty()) {
          selectorsByNamespace.remove(key.namespace());
        }
        yield object == null ? services.remove(key) : services.put(key, object);
      }
      case ENDPOINTS -> object == null ? endpoints.remove(key) : endpoints.put(key, object);
      case ENDPOINT_SLICE -> {
        slices.observed(key, object);
        yield null;
      }
      default -> null;
    };
  }

  // ---------------------------------------------------------------- reconciling

  private void markAll() {
    services.keySet().forEach(dirty::add);
    for (ObjectKey key : endpoints.keySet()) {
      dirty.add(ObjectKey.of(Kind.SERVICE, key.namespace(), key.name()));
    }
    dirty.addAll(slices.services());
    queueFlush();
  }

  private void mark(ObjectKey service) {
    dirty.add(service);
    queueFlush();
  }

  /**
   * Reconciles after the events already in the mailbox: a flush message sent now is handled
   * after them, so one burst of changes (a rollout step, a restart) is one write per Service.
   */
  private void queueFlush() {
    if (!flushQueued && listed) {
      flushQueued = true;
      getContext().getSelf().tell(Flush.INSTANCE);
    }
  }

  private void flush() {
    for (var it = dirty.iterator(); it.hasNext(); ) {
      ObjectKey key = it.next();
      if (inFlight.contains(key) || slicesInFlight.contains(key)) {
        continue;
      }
      it.remove();
      reconcileEndpoints(key);
      reconcileSlices(key);
    }
  }

  private void reconcileSlices(ObjectKey serviceKey) {
    List<EndpointSliceSync.Write> writes = slices.plan(serviceKey, services.get(serviceKey),
        podsByNamespace.getOrDefault(serviceKey.namespace(), Map.of()).values());
    if (writes.isEmpty()) {
      return;
    }
    slicesInFlight.add(serviceKey);
    List<java.util.concurrent.CompletableFuture<SliceWritten>> results = new java.util.ArrayList<>();
    for (EndpointSliceSync.Write w : writes) {
      Supplier<CompletionStage<ObjectCommand.Reply>> call = switch (w.op()) {
        case CREATE -> () -> ctx.store().create(w.object());
        case REPLACE -> () -> ctx.store().replace(w.key(), w.object(), ObjectCommand.Part.MAIN);
        case DELETE -> () -> ctx.store().delete(w.key(), w.uid(), 0);
      };
      results.add(limiter.submit(call).handle((reply, error) -> new SliceWritten(w, reply, error))
          .toCompletableFuture());
    }
    getContext().pipeToSelf(
        java.util.concurrent.CompletableFuture.allOf(results.toArray(new java.util.concurrent.CompletableFuture[0]))
            .thenApply(v -> results.stream().map(java.util.concurrent.CompletableFuture::join).toList()),
        (done, error) -> new SlicesWritten(serviceKey, done == null ? List.of() : done));
  }

  private Behavior<Command> onSlicesWritten(SlicesWritten written) {
    ObjectKey serviceKey = written.service();
    slicesInFlight.remove(serviceKey);
    boolean retry = written.results().isEmpty();
    for (SliceWritten result : written.results()) {
      EndpointSliceSync.Op op = result.write().op();
      if (result.reply() instanceof ObjectCommand.Done done) {
        if (op == EndpointSliceSync.Op.DELETE) {
          slices.forget(result.write().key());
        } else {
          slices.written(done.object());
        }
      } else if (result.reply() instanceof ObjectCommand.Refused refused && op == EndpointSliceSync.Op.DELETE
          && refused.status().code() == 404) {
        slices.forget(result.write().key());
      } else if (result.reply() instanceof ObjectCommand.Refused refused && op == EndpointSliceSync.Op.CREATE
          && (refused.status().code() == 403 || refused.status().code() == 404)) {
        // the namespace is terminating or gone: its Services go too, and the resync looks again
        log.debug("EndpointSlice {}: not created ({}); the namespace is going", result.write().key(),
            refused.status().message());
      } else {
        log.debug("EndpointSlice {}: write not done ({}); retrying", result.write().key(),
            result.error() != null ? result.error() : result.reply());
        retry = true;
      }
    }
    if (retry) {
      timers.startSingleTimer(new Retry(serviceKey), settings.retryDelay());
    }
    if (dirty.contains(serviceKey)) {
      queueFlush();
    }
    return this;
  }

  private void reconcileEndpoints(ObjectKey serviceKey) {
    ObjectKey endpointsKey = ObjectKey.of(Kind.ENDPOINTS, serviceKey.namespace(), serviceKey.name());
    ObjectNode service = services.get(serviceKey);
    ObjectNode current = endpoints.get(endpointsKey);
    if (service == null) {
      boolean ours = current != null && EndpointsBuilder.CONTROLLER.equals(
          Meta.labels(current).get(EndpointsBuilder.MANAGED_BY));
      if (current != null && (ours || deletedServices.contains(serviceKey))) {
        String uid = Meta.uid(current);
        write(serviceKey, Op.DELETE, () -> ctx.store().delete(endpointsKey, uid, 0));
      } else {
        deletedServices.remove(serviceKey);
      }
      return;
    }
    if (!EndpointsBuilder.hasSelector(service)) {
      return;
    }
    ObjectNode desired = EndpointsBuilder.build(service,
        podsByNamespace.getOrDefault(serviceKey.namespace(), Map.of()).values());
    if (current == null) {
      write(serviceKey, Op.CREATE, () -> ctx.store().create(desired));
      return;
    }
    if (current.path("subsets").equals(desired.path("subsets"))
        && current.path("metadata").path("labels").equals(desired.path("metadata").path("labels"))) {
      return;
    }
    ObjectNode updated = current.deepCopy();
    Meta.metadata(updated).set("labels", desired.path("metadata").path("labels"));
    updated.remove("subsets");
    if (desired.has("subsets")) {
      updated.set("subsets", desired.get("subsets"));
    }
    // with the version it was computed against: a concurrent change is a conflict, retried
    write(serviceKey, Op.REPLACE, () -> ctx.store().replace(endpointsKey, updated, ObjectCommand.Part.MAIN));
  }

  private void write(ObjectKey serviceKey, Op op, Supplier<CompletionStage<ObjectCommand.Reply>> call) {
    inFlight.add(serviceKey);
    getContext().pipeToSelf(limiter.submit(call), (reply, error) -> new Written(serviceKey, op, reply, error));
  }

  private Behavior<Command> onWritten(Written written) {
    ObjectKey serviceKey = written.service();
    inFlight.remove(serviceKey);
    ObjectKey endpointsKey = ObjectKey.of(Kind.ENDPOINTS, serviceKey.namespace(), serviceKey.name());
    if (written.reply() instanceof ObjectCommand.Done done) {
      ObjectNode object = done.object();
      ObjectNode known = endpoints.get(endpointsKey);
      if (written.op() == Op.DELETE) {
        endpoints.remove(endpointsKey);
        deletedServices.remove(serviceKey);
      } else if (known == null || version(object) > version(known)) {
        endpoints.put(endpointsKey, object);
      }
    } else {
      Object why = written.error() != null ? written.error() : written.reply();
      if (written.op() == Op.DELETE && written.reply() instanceof ObjectCommand.Refused refused
          && refused.status().code() == 404) {
        // already gone
        endpoints.remove(endpointsKey);
        deletedServices.remove(serviceKey);
      } else if (written.op() == Op.CREATE && written.reply() instanceof ObjectCommand.Refused refused
          && (refused.status().code() == 403 || refused.status().code() == 404)) {
        // the namespace is terminating or gone: its Services go too, and the resync looks again
        log.debug("Endpoints {}: not created ({}); the namespace is going", endpointsKey, refused.status().message());
      } else {
        log.debug("Endpoints {}: write not done ({}); retrying", endpointsKey, why);
        timers.startSingleTimer(new Retry(serviceKey), settings.retryDelay());
      }
    }
    if (dirty.contains(serviceKey)) {
      queueFlush();
    }
    return this;
  }

  private static long version(ObjectNode object) {
    return Meta.parseResourceVersion(Meta.resourceVersion(object));
  }

  /** For tests and logs: the Services this controller currently knows. */
  List<ObjectKey> knownServices() {
    return List.copyOf(services.keySet());
  }
}
