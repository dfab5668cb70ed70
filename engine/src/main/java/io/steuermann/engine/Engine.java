package io.steuermann.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import io.steuermann.engine.api.ObjectStore;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.EntityServices;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.objects.ObjectEntity;
import io.steuermann.engine.objects.ObjectEvent;
import io.steuermann.engine.watch.WatchCache;
import io.steuermann.engine.watch.WatchEvent;
import io.steuermann.persistence.JournalDatabase;
import io.steuermann.persistence.JournalPluginConfig;
import io.steuermann.persistence.OrderingLookup;
import io.steuermann.persistence.Schema;
import io.steuermann.persistence.StoreSettings;
import io.steuermann.persistence.feed.ChangeFeed;
import io.steuermann.persistence.feed.JournalRow;
import io.steuermann.persistence.journal.WrittenOrderings;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.stream.Materializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The object store of one process, wired: the journal database and its schema, the sharded
 * object entities, the change feed and the watch cache it fills, and the Java API. Created
 * once per actor system, by the server or by an embedding application.
 */
public final class Engine {
  private static final Logger log = LoggerFactory.getLogger(Engine.class);

  private final CompletionStage<Void> stopped;
  private final ActorSystem<?> system;
  private final JournalDatabase db;
  private final ChangeFeed feed;
  private final WatchCache cache;
  private final ObjectStore store;
  private final AtomicLong acknowledged = new AtomicLong();
  private final CompletableFuture<Long> ready = new CompletableFuture<>();
  private final Duration askTimeout;
  private final Executor blocking;
  private final OrderingLookup lookup;
  private final io.steuermann.engine.controllers.ControllerContext controllers;
  private final io.steuermann.engine.observe.EngineMeters meters = new io.steuermann.engine.observe.EngineMeters();
  private final io.steuermann.engine.controllers.Singletons.Refs singletons;
  private final io.steuermann.engine.encryption.SealedRows sealedRows;

  /**
   * The configuration an actor system needs to host an engine: the given one, with the
   * journal plugins pointed at the store it names ({@code steuermann.store}).
   */
  public static Config configure(Config base) {
    Config resolved = io.steuermann.engine.encryption.ObjectSerializer.configure(
        io.steuermann.engine.cluster.ClusterRoles.configure(base.resolve()));
    return JournalPluginConfig.forStore(StoreSettings.fromConfig(resolved)).withFallback(resolved).resolve();
  }

  /** Starts the engine in a system configured by {@link #configure(Config)}. */
  public static Engine start(ActorSystem<?> system) {
    return new Engine(system, Clock.systemUTC());
  }

  /**
   * As {@link #start(ActorSystem)}, with the clock the controllers read (a CronJob's
   * schedule, a Job's deadlines): tests drive time with it. Objects' own timestamps keep
   * the system clock.
   */
  public static Engine start(ActorSystem<?> system, Clock controllerClock) {
    return new Engine(system, controllerClock);
  }

  private Engine(ActorSystem<?> system, Clock controllerClock) {
    this.system = system;
    Config config = system.settings().config();
    this.askTimeout = config.getDuration("steuermann.ask-timeout");
    StoreSettings settings = StoreSettings.fromConfig(config);
    this.db = JournalDatabase.open(settings);
    Schema.ensure(db);
    this.sealedRows = io.steuermann.engine.encryption.SealedRows.check(system, db);
    this.stopped = system.getWhenTerminated().thenRun(db::shutdown);
    this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    this.lookup = new OrderingLookup(db, blocking);
    long highestAtStart = lookup.highestOrdering();
    Materializer materializer = Materializer.createMaterializer(system);
    this.cache = new WatchCache(config.getInt("steuermann.watch-cache.capacity"), materializer);
    WrittenOrderings written = WrittenOrderings.get(system);
    // H2 lives in this process only: its feed shows no row before this process's journal synced
    // it. On PostgreSQL a commit is durable when it is visible.
    this.feed = ChangeFeed.start(system, db, io.steuermann.persistence.feed.FeedSettings.fromConfig(config), 0,
        this::apply, settings.kind() == io.steuermann.persistence.StoreKind.H2 ? written::syncedUpTo : () -> Long.MAX_VALUE);
    this.store = new ObjectStore(system, askTimeout);
    store.admitCreates(io.steuermann.engine.storage.StorageClasses.admission(cache)
        .andThen(io.steuermann.engine.ingress.IngressClasses.admission(cache))
        .andThen(io.steuermann.engine.limits.LimitRanges.admission(cache))
        // last, as kube's validating admission: the quota charges what the others admitted
        .andThen(io.steuermann.engine.quota.QuotaAdmission.of(cache, () -> store)));
    Config controllerSettings = config.getConfig("steuermann.controllers");
    this.controllers = new io.steuermann.engine.controllers.ControllerContext(store, cache, materializer,
        new io.steuermann.engine.controllers.EventRecorder(store, Clock.systemUTC(), "steuermann",
            controllerSettings.getDouble("events-per-second"), controllerSettings.getDouble("events-burst")),
        controllerClock, controllerSettings, ready, this::caughtUp, meters);
    EntityServices services = new EntityServices(
        (pid, seqNr) -> {
          // the journal leaves the ordering of what it wrote or replayed last; a query otherwise
          java.util.OptionalLong known = written.take(pid, seqNr);
          return known.isPresent()
              ? CompletableFuture.completedFuture(known.getAsLong())
              : withRetries(() -> lookup.orderingOf(pid, seqNr), 3, 50);
        },
        config.getBoolean("steuermann.cluster.feed-wake-ups")
            ? io.steuermann.engine.cluster.FeedWakeUps.start(system, feed::wakeUp) : feed::wakeUp,
        this::acknowledge, Clock.systemUTC(),
        controllerSettings.getBoolean("enabled")
            ? io.steuermann.engine.controllers.Controllers.perObject(() -> this.controllers)
            : io.steuermann.engine.objects.ObjectControllers.none(),
        serviceAllocator(system, cache, askTimeout),
        io.steuermann.engine.cluster.Quorum.of(system), meters);
    // from the start: the node lifecycle controller needs to know which members were downed
    io.steuermann.engine.cluster.LostMembers.get(system);
    ObjectEntity.init(system, services);
    this.singletons = controllerSettings.getBoolean("enabled")
        ? io.steuermann.engine.controllers.Singletons.start(system, controllers)
        : null;
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "end-watches", () -> {
      cache.closeAll();
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    log.info("Object store on {}; replaying the journal up to ordering {}", settings, highestAtStart);
    sealedRows.resealInBackground(blocking);
    cache.awaitVersion(highestAtStart)
        .thenCompose(v -> ensureNamespace("default", 30))
        .whenComplete((v, e) -> {
          if (e != null) {
            log.error("The object store could not become ready", e);
            ready.completeExceptionally(e);
          } else {
            log.info("Object store ready at resourceVersion {}", cache.resourceVersion());
            ready.complete(cache.resourceVersion());
          }
        });
  }

  /** Service clusterIPs and nodePorts: claim entities, asked before a Service is written. */
  private static io.steuermann.engine.services.ServiceAllocator serviceAllocator(
      ActorSystem<?> system, WatchCache cache, Duration askTimeout) {
    io.steuermann.engine.services.ClaimEntity.init(system);
    return new io.steuermann.engine.services.ServiceAllocator(
        org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.get(system),
        io.steuermann.engine.services.ServiceRanges.fromConfig(system.settings().config()),
        cache::get,
        () -> cache.list(io.steuermann.engine.watch.WatchFilter.of(Kind.SERVICE, "")).items(),
        Clock.systemUTC(), askTimeout);
  }

  /** What this process measures; the API publishes it on /metrics. */
  public io.steuermann.engine.observe.EngineMeters meters() {
    return meters;
  }

  public ObjectStore store() {
    return store;
  }

  public WatchCache cache() {
    return cache;
  }

  /** What controllers (in the engine and in node agents) work with. */
  public io.steuermann.engine.controllers.ControllerContext controllers() {
    return controllers;
  }

  /** The cluster-wide controllers (scheduler, node lifecycle, garbage collector). */
  public io.steuermann.engine.controllers.Singletons.Refs singletons() {
    return singletons;
  }

  public ActorSystem<?> system() {
    return system;
  }

  public Duration askTimeout() {
    return askTimeout;
  }

  /**
   * Completes once the actor system has terminated and the journal database is closed after it
   * (an embedded H2 writes its file until then): what must be waited for before the data
   * directory is removed or opened again.
   */
  public CompletionStage<Void> whenStopped() {
    return stopped;
  }

  /** Completes when the cache holds the whole journal and namespace {@code default} exists. */
  public CompletionStage<Long> whenReady() {
    return ready;
  }

  public boolean isReady() {
    return ready.isDone() && !ready.isCompletedExceptionally();
  }

  /**
   * Completes when the watch cache reflects every write this process has acknowledged, so a
   * list served from it after a write sees that write; in a cluster of several members, every
   * write committed to the journal when the read came, whoever wrote it. Fails after {@code timeout}.
   */
  public CompletionStage<Long> consistentRead(Duration timeout) {
    if (org.apache.pekko.cluster.typed.Cluster.get(system).state().members().size() <= 1) {
      return awaitVersion(acknowledged.get(), timeout);
    }
    // other members write too: wait for everything committed in the journal when the read came
    long local = acknowledged.get();
    return CompletableFuture.supplyAsync(lookup::highestOrdering, blocking)
        .thenCompose(highest -> awaitVersion(Math.max(local, highest), timeout));
  }

  /**
   * Completes once the watch cache has applied {@code version}, on the actor system's
   * dispatcher (never on the change feed's thread, which must not do a reader's work).
   */
  public CompletionStage<Long> awaitVersion(long version, Duration timeout) {
    CompletionStage<Long> applied = cache.awaitVersion(version);
    if (applied.toCompletableFuture().isDone()) {
      return applied;
    }
    return applied.toCompletableFuture()
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenApplyAsync(v -> v, system.executionContext());
  }

  /**
   * Completes when the cache is ready and, in a cluster of several members, holds everything
   * committed to the journal when this was called (a controller that has just moved here
   * must see its predecessor's last writes), after {@code quiet} has passed.
   */
  private CompletionStage<Long> caughtUp(Duration quiet) {
    return ready.thenCompose(v -> {
      if (org.apache.pekko.cluster.typed.Cluster.get(system).state().members().size() <= 1) {
        return CompletableFuture.completedFuture(v);
      }
      Executor afterQuiet = CompletableFuture.delayedExecutor(quiet.toMillis(), TimeUnit.MILLISECONDS, blocking);
      return CompletableFuture.supplyAsync(lookup::highestOrdering, afterQuiet)
          .exceptionally(e -> 0L)
          .thenCompose(cache::awaitVersion);
    });
  }

  /** A passing database fault must not fail a write that is already committed. */
  private static <T> CompletionStage<T> withRetries(
      java.util.function.Supplier<CompletionStage<T>> call, int retries, long delayMillis) {
    return call.get().handle((value, error) -> {
      if (error == null) {
        return CompletableFuture.completedFuture(value);
      }
      if (retries <= 0) {
        return CompletableFuture.<T>failedFuture(error);
      }
      log.warn("Journal ordering lookup failed ({}); retrying in {} ms", error.toString(), delayMillis);
      Executor later = CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS);
      return CompletableFuture.supplyAsync(() -> null, later)
          .thenCompose(ignored -> withRetries(call, retries - 1, delayMillis * 2));
    }).thenCompose(s -> s);
  }

  private void acknowledge(long resourceVersion) {
    acknowledged.accumulateAndGet(resourceVersion, Math::max);
  }

  private void apply(List<JournalRow> rows) {
    for (JournalRow row : rows) {
      Optional<ObjectKey> key = ObjectKey.fromPersistenceId(row.persistenceId());
      if (key.isPresent() && row.event() instanceof ObjectEvent event) {
        WatchEvent.Type type = event instanceof ObjectEvent.Deleted
            ? WatchEvent.Type.DELETED
            : event instanceof ObjectEvent.Created ? WatchEvent.Type.ADDED : WatchEvent.Type.MODIFIED;
        cache.apply(row.ordering(), key.get(), type, event.object());
      } else {
        cache.advanceTo(row.ordering());
      }
    }
  }

  private CompletionStage<Long> ensureNamespace(String name, int attempts) {
    ObjectNode namespace = Json.object();
    namespace.put("apiVersion", "v1");
    namespace.put("kind", "Namespace");
    namespace.putObject("metadata").put("name", name);
    ObjectKey key = ObjectKey.of(Kind.NAMESPACE, "", name);
    return store.ask(key, reply -> new ObjectCommand.Create(namespace, reply))
        .handle((reply, error) -> {
          if (error == null && (reply instanceof ObjectCommand.Done
              || (reply instanceof ObjectCommand.Refused r && r.status().code() == 409))) {
            return CompletableFuture.completedFuture(0L);
          }
          if (attempts <= 1) {
            return CompletableFuture.<Long>failedFuture(new IllegalStateException(
                "cannot create namespace " + name + ": " + (error != null ? error : reply)));
          }
          log.info("Namespace {} not created yet ({}); retrying", name, error != null ? error : reply);
          return ensureNamespace(name, attempts - 1);
        })
        .thenCompose(s -> s);
  }
}
