package io.steuermann.engine.controllers.gc;

import io.steuermann.engine.controllers.AsyncLimiter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import io.steuermann.engine.api.ObjectStore;
import io.steuermann.engine.controllers.CacheWatch;
import io.steuermann.engine.controllers.ControllerContext;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.Finalizers;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.watch.WatchCache;
import io.steuermann.engine.watch.WatchEvent;
import io.steuermann.engine.watch.WatchFilter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes' garbage collector: deletes objects whose owners (by
 * {@code metadata.ownerReferences}) are gone, carries out the {@code Foreground} and
 * {@code Orphan} deletion propagation policies (the {@link Finalizers} the object entity adds),
 * and empties deleted namespaces. Run it as a cluster singleton.
 *
 * <p>It keeps an index owner uid -> dependents from a watch of all kinds. Decisions are taken
 * against the current state of the local watch cache, and an owner the cache does not hold is
 * asked of its entity before anything is deleted for its absence, so a dependent whose owner
 * is merely not seen yet is never collected. All writes name the uid they are meant for, so a
 * recreated object of the same name is never hit; each piece of work is idempotent, runs at
 * most once at a time, is retried with backoff on failure, and the store calls in flight are
 * bounded.
 */
public final class GarbageCollector extends AbstractBehavior<GarbageCollector.Command> {
  private static final Logger log = LoggerFactory.getLogger(GarbageCollector.class);
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** The messages of the garbage collector; only {@link Stop} is meant for others. */
  public interface Command {}

  /** Stops the collector (the stop message for a cluster singleton). */
  public enum Stop implements Command { INSTANCE }

  private record Observed(WatchEvent event) implements Command {}

  private enum WatchEnded implements Command { INSTANCE }

  private enum Subscribe implements Command { INSTANCE }

  private enum Resync implements Command { INSTANCE }

  private enum Summary implements Command { INSTANCE }

  private record WorkDone(Work work, Outcome outcome, Throwable error) implements Command {}

  private record Retry(Work work) implements Command {}

  /** A piece of work, keyed so that the same work is queued and run at most once at a time. */
  private sealed interface Work permits CheckDependent, ForegroundOwner, OrphanOwner, NamespaceCleanup {}

  /** A dependent some of whose owners seem gone: delete it, or drop the dangling references. */
  private record CheckDependent(ObjectKey key) implements Work {}

  /** An owner marked for deletion with finalizer foregroundDeletion. */
  private record ForegroundOwner(ObjectKey key) implements Work {}

  /** An owner marked for deletion with finalizer orphan. */
  private record OrphanOwner(ObjectKey key) implements Work {}

  /** A namespace that is gone (or terminating): delete everything in it. */
  private record NamespaceCleanup(String namespace) implements Work {}

  /** DONE: nothing left to do for now; AGAIN: look again later (with backoff). */
  private enum Outcome { DONE, AGAIN }

  /** What the index keeps of an object. */
  private record Entry(String uid, List<OwnerReference> owners, boolean deleting, boolean foreground,
      boolean orphan) {}

  /** The settings, from {@code steuermann.controllers.garbage-collector}. */
  public record Settings(int concurrency, Duration minBackoff, Duration maxBackoff, Duration resyncInterval,
      Duration summaryInterval, int watchBuffer) {
    public static Settings from(Config controllers) {
      Config c = controllers.hasPath("garbage-collector")
          ? controllers.getConfig("garbage-collector") : com.typesafe.config.ConfigFactory.empty();
      return new Settings(
          c.hasPath("concurrency") ? c.getInt("concurrency") : 20,
          c.hasPath("retry-min-backoff") ? c.getDuration("retry-min-backoff") : Duration.ofMillis(200),
          c.hasPath("retry-max-backoff") ? c.getDuration("retry-max-backoff") : Duration.ofSeconds(10),
          c.hasPath("resync-interval") ? c.getDuration("resync-interval") : Duration.ofSeconds(30),
          c.hasPath("summary-interval") ? c.getDuration("summary-interval") : Duration.ofSeconds(10),
          controllers.hasPath("watch-buffer") ? controllers.getInt("watch-buffer") : 100_000);
    }
  }

  public static Behavior<Command> create(ControllerContext ctx) {
    return Behaviors.setup(actor -> Behaviors.withTimers(timers ->
        new GarbageCollector(ctx, Settings.from(ctx.settings()), actor, timers)));
  }

  private final ControllerContext ctx;
  private final ObjectStore store;
  private final WatchCache cache;
  private final Settings settings;
  private final TimerScheduler<Command> timers;
  private final AsyncLimiter limiter;

  // the index, rebuilt from scratch whenever the watch starts again
  private final Map<ObjectKey, Entry> entries = new HashMap<>();
  private final Map<String, ObjectKey> byUid = new HashMap<>();
  private final Map<String, Set<ObjectKey>> dependents = new HashMap<>();
  private final Set<String> liveNamespaces = new HashSet<>();

  // the work queue
  private final LinkedHashSet<Work> pending = new LinkedHashSet<>();
  private final Set<Work> running = new HashSet<>();
  private final Set<Work> dirty = new HashSet<>();
  private final Map<Work, Integer> attempts = new HashMap<>();

  private UniqueKillSwitch watch;

  // counters, written from store callbacks
  private final AtomicLong deleted = new AtomicLong();
  private final AtomicLong referencesRemoved = new AtomicLong();
  private final AtomicLong finalizersRemoved = new AtomicLong();
  private final AtomicLong namespacesEmptied = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  /** Deleted namespaces found empty; forgotten when a namespace of that name is created again. */
  private final Set<String> emptied = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private long[] lastSummary = new long[5];

  private GarbageCollector(ControllerContext ctx, Settings settings, ActorContext<Command> context,
      TimerScheduler<Command> timers) {
    super(context);
    this.ctx = ctx;
    this.store = ctx.store();
    this.cache = ctx.cache();
    this.settings = settings;
    this.timers = timers;
    this.limiter = new AsyncLimiter(settings.concurrency());
    log.info("Garbage collector started ({}); waiting for the watch cache to hold the whole journal", settings);
    // a partly replayed cache would show owners as missing
    context.pipeToSelf(ctx.ready(), (v, error) -> Subscribe.INSTANCE);
    timers.startTimerWithFixedDelay(Resync.INSTANCE, settings.resyncInterval());
    timers.startTimerWithFixedDelay(Summary.INSTANCE, settings.summaryInterval());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Observed.class, m -> {
          onEvent(m.event());
          pump();
          return this;
        })
        .onMessageEquals(WatchEnded.INSTANCE, () -> {
          log.info("Garbage collector: watch ended; resynchronising");
          clearIndex();
          timers.startSingleTimer(Subscribe.INSTANCE, Duration.ofSeconds(1));
          return this;
        })
        .onMessageEquals(Subscribe.INSTANCE, () -> {
          subscribe();
          return this;
        })
        .onMessage(WorkDone.class, this::onWorkDone)
        .onMessage(Retry.class, m -> {
          enqueue(m.work());
          pump();
          return this;
        })
        .onMessageEquals(Resync.INSTANCE, () -> {
          onResync();
          pump();
          return this;
        })
        .onMessageEquals(Summary.INSTANCE, () -> {
          summary();
          return this;
        })
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .onSignal(PostStop.class, s -> {
          if (watch != null) {
            watch.shutdown();
          }
          summary();
          return this;
        })
        .build();
  }

  private void subscribe() {
    watch = CacheWatch.subscribe(cache, ctx.materializer(), WatchFilter.everything(), getContext().getSelf(),
        Observed::new, WatchEnded.INSTANCE, settings.watchBuffer());
  }

  // ---------------------------------------------------------------- the index

  private void onEvent(WatchEvent event) {
    ObjectKey key = event.key();
    ObjectNode object = event.object();
    if (event.type() == WatchEvent.Type.DELETED) {
      Entry old = entries.remove(key);
      if (old != null) {
        unindex(key, old);
        ownersMayProceed(old.owners());
      }
      String uid = Meta.uid(object);
      for (ObjectKey dependent : dependents.getOrDefault(uid, Set.of())) {
        considerDependent(dependent);
      }
      if (key.kind() == Kind.NAMESPACE) {
        liveNamespaces.remove(key.name());
        log.debug("namespace {} deleted; deleting everything in it", key.name());
        enqueue(new NamespaceCleanup(key.name()));
      }
    } else {
      Entry entry = entryOf(object);
      Entry old = entries.put(key, entry);
      boolean replaced = old != null && !old.uid().equals(entry.uid());
      if (old != null) {
        unindex(key, old);
      }
      index(key, entry);
      if (old == null || replaced || !old.owners().equals(entry.owners())) {
        if (old != null && !replaced) {
          // references dropped: owners waiting for this dependent may go on
          List<OwnerReference> dropped = new ArrayList<>(old.owners());
          dropped.removeAll(entry.owners());
          ownersMayProceed(dropped);
        }
        if (!entry.owners().isEmpty()) {
          considerDependent(key);
          // a new dependent of an owner being deleted in the foreground (or orphaning) concerns it
          ownersMayProceed(entry.owners());
        }
      }
      if (entry.deleting() && entry.foreground()) {
        enqueue(new ForegroundOwner(key));
      }
      if (entry.deleting() && entry.orphan()) {
        enqueue(new OrphanOwner(key));
      }
      if (key.kind() == Kind.NAMESPACE) {
        if (entry.deleting()) {
          liveNamespaces.remove(key.name());
          enqueue(new NamespaceCleanup(key.name()));
        } else {
          liveNamespaces.add(key.name());
          emptied.remove(key.name());
        }
      }
    }
    if (key.kind().namespaced() && !liveNamespaces.contains(key.namespace())) {
      // an object in a namespace that is gone: created in a race with the deletion, or left over
      enqueue(new NamespaceCleanup(key.namespace()));
    }
  }

  private void ownersMayProceed(List<OwnerReference> refs) {
    for (OwnerReference ref : refs) {
      ObjectKey ownerKey = byUid.get(ref.uid());
      Entry owner = ownerKey == null ? null : entries.get(ownerKey);
      if (owner != null && owner.deleting()) {
        if (owner.foreground()) {
          enqueue(new ForegroundOwner(ownerKey));
        }
        if (owner.orphan()) {
          enqueue(new OrphanOwner(ownerKey));
        }
      }
    }
  }

  private static Entry entryOf(ObjectNode object) {
    JsonNode meta = object.path("metadata");
    boolean deleting = meta.hasNonNull("deletionTimestamp");
    return new Entry(Meta.uid(object), OwnerReference.of(object), deleting,
        hasFinalizer(object, Finalizers.FOREGROUND), hasFinalizer(object, Finalizers.ORPHAN));
  }

  private void index(ObjectKey key, Entry entry) {
    byUid.put(entry.uid(), key);
    for (OwnerReference ref : entry.owners()) {
      dependents.computeIfAbsent(ref.uid(), u -> new HashSet<>()).add(key);
    }
  }

  private void unindex(ObjectKey key, Entry entry) {
    byUid.remove(entry.uid(), key);
    for (OwnerReference ref : entry.owners()) {
      Set<ObjectKey> set = dependents.get(ref.uid());
      if (set != null) {
        set.remove(key);
        if (set.isEmpty()) {
          dependents.remove(ref.uid());
        }
      }
    }
  }

  private void clearIndex() {
    entries.clear();
    byUid.clear();
    dependents.clear();
    liveNamespaces.clear();
  }

  /**
   * Queues a check of a dependent when an owner of it is not in the cache with its uid. The
   * cache applies the journal in order and owners are created before their dependents, so an
   * owner absent from it is gone or never existed; the check still asks the owner's entity.
   */
  private void considerDependent(ObjectKey key) {
    ObjectNode object = cache.get(key);
    if (object == null || isDeleting(object)) {
      return;
    }
    for (OwnerReference ref : OwnerReference.of(object)) {
      Optional<ObjectKey> ownerKey = ref.ownerKey(key);
      if (ownerKey.isEmpty()) {
        continue;
      }
      ObjectNode owner = cache.get(ownerKey.get());
      if (owner == null || !Meta.uid(owner).equals(ref.uid())) {
        enqueue(new CheckDependent(key));
        return;
      }
    }
  }

  private void onResync() {
    for (Map.Entry<ObjectKey, Entry> e : entries.entrySet()) {
      Entry entry = e.getValue();
      if (entry.deleting() && entry.foreground()) {
        enqueue(new ForegroundOwner(e.getKey()));
      }
      if (entry.deleting() && entry.orphan()) {
        enqueue(new OrphanOwner(e.getKey()));
      }
    }
  }

  // ---------------------------------------------------------------- the work queue

  private void enqueue(Work work) {
    if (running.contains(work)) {
      dirty.add(work);
    } else {
      pending.add(work);
    }
  }

  private void pump() {
    Iterator<Work> it = pending.iterator();
    while (running.size() < settings.concurrency() && it.hasNext()) {
      Work work = it.next();
      it.remove();
      running.add(work);
      CompletionStage<Outcome> stage;
      try {
        stage = execute(work);
      } catch (RuntimeException e) {
        stage = CompletableFuture.failedFuture(e);
      }
      getContext().pipeToSelf(stage, (outcome, error) -> new WorkDone(work, outcome, error));
    }
  }

  private Behavior<Command> onWorkDone(WorkDone done) {
    Work work = done.work();
    running.remove(work);
    boolean again = dirty.remove(work);
    if (done.error() == null && done.outcome() == Outcome.DONE) {
      attempts.remove(work);
    } else {
      int n = attempts.merge(work, 1, Integer::sum);
      long delay = Math.min(settings.maxBackoff().toMillis(),
          settings.minBackoff().toMillis() << Math.min(n - 1, 20));
      if (done.error() != null) {
        failures.incrementAndGet();
        log.warn("Garbage collector: {} failed (attempt {}), retrying in {} ms: {}", work, n, delay,
            rootMessage(done.error()));
      } else {
        log.debug("{}: not finished yet; looking again in {} ms", work, delay);
      }
      timers.startSingleTimer(work, new Retry(work), Duration.ofMillis(delay));
    }
    if (again) {
      enqueue(work);
    }
    pump();
    return this;
  }

  private CompletionStage<Outcome> execute(Work work) {
    if (work instanceof CheckDependent c) {
      return checkDependent(c.key());
    } else if (work instanceof ForegroundOwner f) {
      return foreground(f.key());
    } else if (work instanceof OrphanOwner o) {
      return orphan(o.key());
    } else if (work instanceof NamespaceCleanup n) {
      return cleanNamespace(n.namespace());
    }
    throw new IllegalStateException("unknown work " + work);
  }

  // ---------------------------------------------------------------- background: owners gone

  private CompletionStage<Outcome> checkDependent(ObjectKey key) {
    ObjectNode object = cache.get(key);
    if (object == null || isDeleting(object)) {
      return done();
    }
    String uid = Meta.uid(object);
    List<OwnerReference> owners = OwnerReference.of(object);
    List<CompletionStage<Optional<OwnerReference>>> checks = new ArrayList<>();
    for (OwnerReference ref : owners) {
      Optional<ObjectKey> ownerKey = ref.ownerKey(key);
      if (ownerKey.isEmpty()) {
        continue;
      }
      ObjectNode owner = cache.get(ownerKey.get());
      if (owner == null || !Meta.uid(owner).equals(ref.uid())) {
        // the entity is the authority: the cache may be behind it
        checks.add(limiter.submit(() -> store.get(ownerKey.get())).thenApply(reply -> {
          if (reply instanceof ObjectCommand.Done d) {
            return Meta.uid(d.object()).equals(ref.uid()) ? Optional.<OwnerReference>empty() : Optional.of(ref);
          }
          ApiStatus status = ((ObjectCommand.Refused) reply).status();
          if (status.code() == 404) {
            return Optional.of(ref);
          }
          throw new IllegalStateException("cannot read owner " + ownerKey.get() + ": " + status.message());
        }));
      }
    }
    if (checks.isEmpty()) {
      return done();
    }
    return all(checks).thenCompose(results -> {
      Set<String> absent = new HashSet<>();
      List<String> names = new ArrayList<>();
      for (Optional<OwnerReference> r : results) {
        r.ifPresent(ref -> {
          absent.add(ref.uid());
          names.add(ref.kind() + " " + ref.name() + " (" + ref.uid() + ")");
        });
      }
      if (absent.isEmpty()) {
        return done();
      }
      if (absent.size() == owners.size()) {
        return delete(key, uid, "Background", "its owners are gone: " + String.join(", ", names));
      }
      return removeOwnerReferences(key, object, absent, "owners gone: " + String.join(", ", names));
    });
  }

  // ---------------------------------------------------------------- foreground

  private CompletionStage<Outcome> foreground(ObjectKey key) {
    ObjectNode owner = cache.get(key);
    if (owner == null || !isDeleting(owner) || !hasFinalizer(owner, Finalizers.FOREGROUND)) {
      return done();
    }
    String uid = Meta.uid(owner);
    Map<ObjectKey, ObjectNode> deps = currentDependents(uid);
    if (deps.isEmpty()) {
      return removeFinalizer(key, owner, Finalizers.FOREGROUND);
    }
    List<CompletionStage<Outcome>> steps = new ArrayList<>();
    int waiting = 0;
    for (Map.Entry<ObjectKey, ObjectNode> e : deps.entrySet()) {
      ObjectNode dep = e.getValue();
      if (isDeleting(dep)) {
        waiting++;
        continue;
      }
      // a dependent another owner still holds is released, not deleted (as in Kubernetes)
      Set<String> release = new HashSet<>();
      release.add(uid);
      boolean held = false;
      for (OwnerReference ref : OwnerReference.of(dep)) {
        if (ref.uid().equals(uid)) {
          continue;
        }
        Optional<ObjectKey> otherKey = ref.ownerKey(e.getKey());
        ObjectNode other = otherKey.map(cache::get).orElse(null);
        if (otherKey.isEmpty()) {
          held = true;
        } else if (other != null && Meta.uid(other).equals(ref.uid())) {
          if (isDeleting(other) && hasFinalizer(other, Finalizers.FOREGROUND)) {
            release.add(ref.uid());
          } else {
            held = true;
          }
        }
      }
      steps.add(held
          ? removeOwnerReferences(e.getKey(), dep, release, "its owner " + key + " is deleted in the foreground")
          : delete(e.getKey(), Meta.uid(dep), "Foreground", "its owner " + key + " is deleted in the foreground"));
    }
    log.debug("{}: foreground deletion waits for {} dependents ({} being deleted now)", key, deps.size(), waiting);
    // the dependents' deletions are seen as events, which bring this owner back
    return all(steps).thenApply(outcomes -> outcomes.contains(Outcome.AGAIN) ? Outcome.AGAIN : Outcome.DONE);
  }

  // ---------------------------------------------------------------- orphan

  private CompletionStage<Outcome> orphan(ObjectKey key) {
    ObjectNode owner = cache.get(key);
    if (owner == null || !isDeleting(owner) || !hasFinalizer(owner, Finalizers.ORPHAN)) {
      return done();
    }
    String uid = Meta.uid(owner);
    List<CompletionStage<Outcome>> steps = new ArrayList<>();
    for (Map.Entry<ObjectKey, ObjectNode> e : currentDependents(uid).entrySet()) {
      steps.add(removeOwnerReferences(e.getKey(), e.getValue(), Set.of(uid), "its owner " + key + " orphans it"));
    }
    return all(steps).thenCompose(outcomes -> outcomes.contains(Outcome.AGAIN)
        ? CompletableFuture.completedFuture(Outcome.AGAIN)
        : removeFinalizer(key, owner, Finalizers.ORPHAN));
  }

  /** The dependents of {@code uid} the cache holds now, still naming it as owner. */
  private Map<ObjectKey, ObjectNode> currentDependents(String uid) {
    Map<ObjectKey, ObjectNode> out = new HashMap<>();
    for (ObjectKey key : dependents.getOrDefault(uid, Set.of())) {
      ObjectNode dep = cache.get(key);
      if (dep != null && OwnerReference.of(dep).stream().anyMatch(r -> r.uid().equals(uid))) {
        out.put(key, dep);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- namespaces

  private CompletionStage<Outcome> cleanNamespace(String namespace) {
    ObjectKey nsKey = ObjectKey.of(Kind.NAMESPACE, "", namespace);
    ObjectNode ns = cache.get(nsKey);
    if (ns != null && !isDeleting(ns)) {
      return done();
    }
    CompletionStage<Boolean> gone = ns != null
        ? CompletableFuture.completedFuture(true)
        : limiter.submit(() -> store.get(nsKey)).thenApply(reply -> {
          if (reply instanceof ObjectCommand.Done d) {
            return isDeleting(d.object());
          }
          ApiStatus status = ((ObjectCommand.Refused) reply).status();
          if (status.code() == 404) {
            return true;
          }
          throw new IllegalStateException("cannot read namespace " + namespace + ": " + status.message());
        });
    return gone.thenCompose(isGone -> {
      if (!isGone) {
        return done();
      }
      List<CompletionStage<Outcome>> steps = new ArrayList<>();
      int remaining = 0;
      for (Kind kind : Kind.values()) {
        if (!kind.namespaced()) {
          continue;
        }
        for (ObjectNode object : cache.list(WatchFilter.of(kind, namespace)).items()) {
          remaining++;
          if (!isDeleting(object)) {
            steps.add(delete(ObjectKey.of(kind, namespace, Meta.name(object)), Meta.uid(object), "Background",
                "its namespace " + namespace + " is deleted"));
          }
        }
      }
      if (remaining == 0) {
        if (emptied.add(namespace)) {
          namespacesEmptied.incrementAndGet();
          log.debug("namespace {}: everything in it is deleted", namespace);
        }
        return finalizeNamespace(nsKey);
      }
      log.debug("namespace {}: {} objects left, deleting {}", namespace, remaining, steps.size());
      return all(steps).thenApply(outcomes -> Outcome.AGAIN);
    });
  }

  /**
   * An emptied Terminating namespace: remove its {@code kubernetes} finalizer (what Kubernetes'
   * namespace controller does through {@code /finalize}); the namespace then goes.
   */
  private CompletionStage<Outcome> finalizeNamespace(ObjectKey nsKey) {
    ObjectNode ns = cache.get(nsKey);
    if (ns == null || !isDeleting(ns) || ns.path("spec").path("finalizers").size() == 0) {
      return done();
    }
    ObjectNode finalized = ns.deepCopy();
    com.fasterxml.jackson.databind.node.ArrayNode kept = finalized.arrayNode();
    for (com.fasterxml.jackson.databind.JsonNode f : ns.path("spec").path("finalizers")) {
      if (!"kubernetes".equals(f.asText())) {
        kept.add(f);
      }
    }
    ((ObjectNode) finalized.path("spec")).set("finalizers", kept);
    return limiter.submit(() -> store.replace(nsKey, finalized, ObjectCommand.Part.MAIN)).thenApply(reply -> {
      if (reply instanceof ObjectCommand.Done) {
        log.debug("namespace {}: finalized", nsKey.name());
        return Outcome.DONE;
      }
      ApiStatus status = ((ObjectCommand.Refused) reply).status();
      return status.code() == 404 ? Outcome.DONE : Outcome.AGAIN;
    });
  }

  // ---------------------------------------------------------------- writes

  private CompletionStage<Outcome> delete(ObjectKey key, String uid, String policy, String why) {
    return limiter.submit(() -> store.delete(key, uid, 0, null, policy)).thenApply(reply -> {
      if (reply instanceof ObjectCommand.Done) {
        deleted.incrementAndGet();
        log.debug("deleted {} ({} propagation): {}", key, policy, why);
        return Outcome.DONE;
      }
      ApiStatus status = ((ObjectCommand.Refused) reply).status();
      if (status.code() == 404 || status.code() == 409) {
        // gone already, or replaced by a new object of the same name (uid precondition)
        log.debug("{} was already gone: {}", key, status.message());
        return Outcome.DONE;
      }
      throw new IllegalStateException("deleting " + key + " was refused: " + status.code() + " " + status.message());
    });
  }

  /**
   * Removes the owner references naming any of {@code ownerUids}, atomically and only if the
   * object still is the one seen (JSON patch {@code test} operations); AGAIN when it changed.
   */
  private CompletionStage<Outcome> removeOwnerReferences(ObjectKey key, ObjectNode object, Set<String> ownerUids,
      String why) {
    ArrayNode ops = JSON.arrayNode();
    ops.add(test("/metadata/uid", Meta.uid(object)));
    JsonNode refs = object.path("metadata").path("ownerReferences");
    List<Integer> indices = new ArrayList<>();
    for (int i = 0; i < refs.size(); i++) {
      if (ownerUids.contains(Meta.text(refs.get(i), "uid"))) {
        indices.add(i);
      }
    }
    if (indices.isEmpty()) {
      return done();
    }
    if (indices.size() == refs.size()) {
      for (int i : indices) {
        ops.add(test("/metadata/ownerReferences/" + i + "/uid", Meta.text(refs.get(i), "uid")));
      }
      ops.add(remove("/metadata/ownerReferences"));
    } else {
      Collections.reverse(indices);
      for (int i : indices) {
        ops.add(test("/metadata/ownerReferences/" + i + "/uid", Meta.text(refs.get(i), "uid")));
        ops.add(remove("/metadata/ownerReferences/" + i));
      }
    }
    int count = indices.size();
    return limiter.submit(() -> store.patch(key, ObjectCommand.PatchType.JSON, ops, ObjectCommand.Part.MAIN))
        .thenApply(reply -> {
          if (reply instanceof ObjectCommand.Done) {
            referencesRemoved.addAndGet(count);
            log.debug("removed {} owner reference(s) from {}: {}", count, key, why);
            return Outcome.DONE;
          }
          return refusedWrite(key, ((ObjectCommand.Refused) reply).status(), "removing owner references");
        });
  }

  private CompletionStage<Outcome> removeFinalizer(ObjectKey key, ObjectNode object, String finalizer) {
    JsonNode finalizers = object.path("metadata").path("finalizers");
    for (int i = 0; i < finalizers.size(); i++) {
      if (finalizer.equals(finalizers.get(i).asText())) {
        ArrayNode ops = JSON.arrayNode();
        ops.add(test("/metadata/uid", Meta.uid(object)));
        ops.add(test("/metadata/finalizers/" + i, finalizer));
        ops.add(remove("/metadata/finalizers/" + i));
        return limiter.submit(() -> store.patch(key, ObjectCommand.PatchType.JSON, ops, ObjectCommand.Part.MAIN))
            .thenApply(reply -> {
              if (reply instanceof ObjectCommand.Done) {
                finalizersRemoved.incrementAndGet();
                log.debug("removed finalizer {} from {}", finalizer, key);
                return Outcome.DONE;
              }
              return refusedWrite(key, ((ObjectCommand.Refused) reply).status(), "removing finalizer " + finalizer);
            });
      }
    }
    return done();
  }

  private static Outcome refusedWrite(ObjectKey key, ApiStatus status, String what) {
    if (status.code() == 404) {
      return Outcome.DONE;
    }
    if (status.code() == 409 || status.code() == 422) {
      // the object changed since the cache showed it (a JSON patch test failed): look again
      log.debug("{} on {}: object changed ({}); looking again", what, key, status.message());
      return Outcome.AGAIN;
    }
    throw new IllegalStateException(what + " on " + key + " was refused: " + status.code() + " " + status.message());
  }

  // ---------------------------------------------------------------- helpers

  private void summary() {
    long[] now = {deleted.get(), referencesRemoved.get(), finalizersRemoved.get(), namespacesEmptied.get(),
        failures.get()};
    if (!java.util.Arrays.equals(now, lastSummary)) {
      log.info("Garbage collector: {} objects deleted, {} owner references removed, {} finalizers removed, "
              + "{} namespaces emptied, {} failed attempts since {} ago; {} queued, {} running, {} writes waiting",
          now[0] - lastSummary[0], now[1] - lastSummary[1], now[2] - lastSummary[2], now[3] - lastSummary[3],
          now[4] - lastSummary[4], settings.summaryInterval(), pending.size(), running.size(), limiter.waiting());
      lastSummary = now;
    }
  }

  static boolean isDeleting(JsonNode object) {
    return object.path("metadata").hasNonNull("deletionTimestamp");
  }

  static boolean hasFinalizer(JsonNode object, String finalizer) {
    for (JsonNode f : object.path("metadata").path("finalizers")) {
      if (finalizer.equals(f.asText())) {
        return true;
      }
    }
    return false;
  }

  private static ObjectNode test(String path, String value) {
    ObjectNode op = JSON.objectNode();
    op.put("op", "test");
    op.put("path", path);
    op.put("value", value);
    return op;
  }

  private static ObjectNode remove(String path) {
    ObjectNode op = JSON.objectNode();
    op.put("op", "remove");
    op.put("path", path);
    return op;
  }

  private static CompletionStage<Outcome> done() {
    return CompletableFuture.completedFuture(Outcome.DONE);
  }

  private static <T> CompletionStage<List<T>> all(List<CompletionStage<T>> stages) {
    CompletableFuture<?>[] futures = stages.stream().map(CompletionStage::toCompletableFuture)
        .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(futures).thenApply(v -> {
      List<T> out = new ArrayList<>(futures.length);
      for (CompletableFuture<?> f : futures) {
        @SuppressWarnings("unchecked")
        T value = (T) f.join();
        out.add(value);
      }
      return out;
    });
  }

  private static String rootMessage(Throwable error) {
    Throwable t = error;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.toString();
  }
}
