package io.steuermann.engine.watch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The API node's in-memory view of all objects, as kube-apiserver's watch cache: fed in
 * journal order by the change feed, it serves lists (a consistent snapshot at one
 * resourceVersion) and watches (history after a resourceVersion, then live changes, with no
 * gap and no duplicate between the two). History is bounded; a watch from before it gets
 * {@link GoneException} (410), and the client lists again.
 *
 * <p>One monitor guards everything: the feed applies batches while lists and watch
 * registrations take consistent snapshots, and each of these is short.
 */
public final class WatchCache {

  /** A list: the matching objects, and the version they are consistent at. */
  public record Snapshot(long resourceVersion, List<ObjectNode> items) {}

  /**
   * A page of a list at {@code resourceVersion}: its objects, the key of the last one, whether
   * more match after it, and how many (-1 when not counted: lists with selectors).
   */
  public record Page(long resourceVersion, List<ObjectNode> items, ObjectKey last, boolean more, long remaining) {}

  private record Change(WatchEvent event, ObjectNode previous) {}

  private record Waiter(long version, CompletableFuture<Long> future) {}

  private final class Watcher {
    final WatchFilter filter;
    final BoundedSourceQueue<WatchEvent> queue;
    final boolean bookmarks;

    Watcher(WatchFilter filter, BoundedSourceQueue<WatchEvent> queue, boolean bookmarks) {
      this.filter = filter;
      this.queue = queue;
      this.bookmarks = bookmarks;
    }
  }

  private final int capacity;
  private final Materializer materializer;
  private final Map<Kind, NavigableMap<ObjectKey, ObjectNode>> objects = new EnumMap<>(Kind.class);
  private final ArrayDeque<Change> history = new ArrayDeque<>();
  private final List<Watcher> watchers = new ArrayList<>();
  private final PriorityQueue<Waiter> waiters =
      new PriorityQueue<>((a, b) -> Long.compare(a.version(), b.version()));
  private long resourceVersion;
  private long evictedUpTo;

  public WatchCache(int capacity, Materializer materializer) {
    this.capacity = capacity;
    this.materializer = materializer;
    for (Kind kind : Kind.values()) {
      objects.put(kind, new TreeMap<>());
    }
  }

  /** The newest journal ordering applied. */
  public synchronized long resourceVersion() {
    return resourceVersion;
  }

  /** The oldest resourceVersion a watch may start from. */
  public synchronized long oldestResumableVersion() {
    return evictedUpTo;
  }

  /**
   * Applies one change at journal ordering {@code version}; versions arrive increasing.
   * {@code object} is the object after the change without resourceVersion, or for a
   * deletion the object as it was.
   */
  public void apply(long version, ObjectKey key, WatchEvent.Type type, ObjectNode object) {
    List<Waiter> done;
    synchronized (this) {
      if (version <= resourceVersion) {
        return;
      }
      ObjectNode stored = Meta.withResourceVersion(object, version);
      NavigableMap<ObjectKey, ObjectNode> ofKind = objects.get(key.kind());
      ObjectNode previous = type == WatchEvent.Type.DELETED ? ofKind.remove(key) : ofKind.put(key, stored);
      WatchEvent.Type effective = type == WatchEvent.Type.DELETED
          ? type
          : previous == null ? WatchEvent.Type.ADDED : WatchEvent.Type.MODIFIED;
      Change change = new Change(new WatchEvent(effective, key, version, stored), previous);
      history.addLast(change);
      while (history.size() > capacity) {
        evictedUpTo = history.removeFirst().event().resourceVersion();
      }
      resourceVersion = version;
      publish(change);
      done = releasedWaiters();
    }
    done.forEach(w -> w.future().complete(w.version()));
  }

  /** Moves the version forward past journal rows that are not object changes. */
  public void advanceTo(long version) {
    List<Waiter> done;
    synchronized (this) {
      if (version <= resourceVersion) {
        return;
      }
      resourceVersion = version;
      done = releasedWaiters();
    }
    done.forEach(w -> w.future().complete(w.version()));
  }

  /** Completes once the cache has applied {@code version}: reads after one's own writes. */
  public CompletionStage<Long> awaitVersion(long version) {
    synchronized (this) {
      if (resourceVersion >= version) {
        return CompletableFuture.completedFuture(version);
      }
      Waiter waiter = new Waiter(version, new CompletableFuture<>());
      waiters.add(waiter);
      return waiter.future();
    }
  }

  /** The current object with this key, if cached. */
  public synchronized ObjectNode get(ObjectKey key) {
    return objects.get(key.kind()).get(key);
  }

  /** All objects the filter matches, sorted by namespace and name, at one version. */
  public synchronized Snapshot list(WatchFilter filter) {
    List<ObjectNode> items = new ArrayList<>();
    for (Kind kind : filter.kind() == null ? List.of(Kind.values()) : List.of(filter.kind())) {
      for (Map.Entry<ObjectKey, ObjectNode> e : scope(kind, filter.namespace()).entrySet()) {
        if (filter.matches(e.getKey(), e.getValue())) {
          items.add(e.getValue());
        }
      }
    }
    return new Snapshot(resourceVersion, items);
  }

  /**
   * One page of a list: the matching objects after {@code after} (none: from the start), at
   * most {@code limit}, as they were at {@code version}, rebuilt from the objects of now and the
   * history of changes since (each change keeps the object it replaced), so that every page of
   * a paged list shows one consistent version, as etcd's MVCC gives kube-apiserver.
   * {@code version} 0 means now.
   *
   * @throws GoneException when the history no longer reaches back to {@code version}
   */
  public synchronized Page page(WatchFilter filter, long version, ObjectKey after, int limit) throws GoneException {
    long at = version <= 0 ? resourceVersion : version;
    if (at < evictedUpTo) {
      throw new GoneException("too old resource version: " + at + " (" + evictedUpTo + ")");
    }
    TreeMap<ObjectKey, ObjectNode> then = new TreeMap<>();
    for (Iterator<Change> it = history.descendingIterator(); it.hasNext(); ) {
      Change change = it.next();
      if (change.event().resourceVersion() <= at) {
        break;
      }
      ObjectKey key = change.event().key();
      if (key.kind() == filter.kind() && filter.inScope(key)) {
        // going back in time: the oldest change after the version says what was there then
        then.put(key, change.previous());
      }
    }
    NavigableMap<ObjectKey, ObjectNode> now = scope(filter.kind(), filter.namespace());
    return Pages.collect(after == null ? now : now.tailMap(after, false),
        after == null ? then : then.tailMap(after, false), filter, limit, at);
  }

  /**
   * Watches matching changes. {@code fromVersion} 0 starts with an ADDED event for each
   * matching object, then live changes; a positive value replays the changes after it from
   * history, then live changes.
   *
   * @param buffer how many events may wait for a slow client before its watch is ended
   */
  public Source<WatchEvent, NotUsed> watch(WatchFilter filter, long fromVersion, int buffer)
      throws GoneException {
    return watch(filter, fromVersion, buffer, false);
  }

  /** {@link #watch(WatchFilter, long, int)}, with {@link #bookmark} events when {@code bookmarks}. */
  public Source<WatchEvent, NotUsed> watch(WatchFilter filter, long fromVersion, int buffer, boolean bookmarks)
      throws GoneException {
    Pair<BoundedSourceQueue<WatchEvent>, Source<WatchEvent, NotUsed>> live =
        Source.<WatchEvent>queue(buffer).preMaterialize(materializer);
    List<WatchEvent> backlog = new ArrayList<>();
    Watcher watcher = new Watcher(filter, live.first(), bookmarks);
    synchronized (this) {
      if (fromVersion <= 0) {
        for (ObjectNode object : list(filter).items()) {
          ObjectKey key = keyOf(filter, object);
          backlog.add(new WatchEvent(WatchEvent.Type.ADDED, key,
              Meta.parseResourceVersion(Meta.resourceVersion(object)), object));
        }
      } else {
        if (fromVersion < evictedUpTo) {
          throw new GoneException("too old resource version: " + fromVersion
              + " (" + evictedUpTo + ")");
        }
        for (Iterator<Change> it = history.descendingIterator(); it.hasNext(); ) {
          Change change = it.next();
          if (change.event().resourceVersion() <= fromVersion) {
            break;
          }
          WatchEvent visible = visible(filter, change);
          if (visible != null) {
            backlog.add(visible);
          }
        }
        java.util.Collections.reverse(backlog);
      }
      watchers.add(watcher);
    }
    return Source.from(backlog).concat(liveAfter(live.second(), watcher, fromVersion));
  }

  /** The objects a watch starts with and the changes after them, taken at one version. */
  public record Listed(Snapshot snapshot, Source<WatchEvent, NotUsed> changes) {}

  /**
   * The matching objects now, and a watch of every change after them: an informer's list and
   * watch in one step, so that its caller holds the whole view before it acts on any of it.
   */
  public Listed listAndWatch(WatchFilter filter, int buffer) {
    return listAndWatch(filter, buffer, false);
  }

  /** {@link #listAndWatch(WatchFilter, int)}, with {@link #bookmark} events when {@code bookmarks}. */
  public Listed listAndWatch(WatchFilter filter, int buffer, boolean bookmarks) {
    Pair<BoundedSourceQueue<WatchEvent>, Source<WatchEvent, NotUsed>> live =
        Source.<WatchEvent>queue(buffer).preMaterialize(materializer);
    Watcher watcher = new Watcher(filter, live.first(), bookmarks);
    Snapshot snapshot;
    synchronized (this) {
      snapshot = list(filter);
      watchers.add(watcher);
    }
    return new Listed(snapshot, liveAfter(live.second(), watcher, snapshot.resourceVersion()));
  }

  private Source<WatchEvent, NotUsed> liveAfter(Source<WatchEvent, NotUsed> live, Watcher watcher, long version) {
    return live
        // a bookmark may repeat the version the watch started from: "still nothing new"
        .filter(e -> e.resourceVersion() > version
            || (e.type() == WatchEvent.Type.BOOKMARK && e.resourceVersion() == version))
        .watchTermination((notUsed, termination) -> {
          termination.whenComplete((d, e) -> remove(watcher));
          return NotUsed.getInstance();
        });
  }

  /**
   * Tells every watch that asked for bookmarks the version it has seen everything up to. Queued
   * under the cache's lock behind every change it covers, so a client that resumes from it
   * misses nothing, and one whose objects did not change for a long time need not list again
   * when its version has left the history.
   */
  public void bookmark() {
    synchronized (this) {
      WatchEvent bookmark = new WatchEvent(WatchEvent.Type.BOOKMARK, null, resourceVersion, null);
      for (Watcher w : watchers) {
        if (w.bookmarks) {
          // a full buffer is a slow client: the next change ends its watch; a bookmark need not
          w.queue.offer(bookmark);
        }
      }
    }
  }

  /** Ends every open watch normally, e.g. on shutdown, so clients resume elsewhere. */
  public void closeAll() {
    List<Watcher> open;
    synchronized (this) {
      open = new ArrayList<>(watchers);
      watchers.clear();
    }
    open.forEach(w -> w.queue.complete());
  }

  /** How many watches are open; for metrics and tests. */
  public synchronized int watcherCount() {
    return watchers.size();
  }

  private synchronized void remove(Watcher watcher) {
    watchers.remove(watcher);
  }

  private void publish(Change change) {
    for (Iterator<Watcher> it = watchers.iterator(); it.hasNext(); ) {
      Watcher w = it.next();
      WatchEvent visible = visible(w.filter, change);
      if (visible == null) {
        continue;
      }
      QueueOfferResult result = w.queue.offer(visible);
      if (result == QueueOfferResult.dropped()) {
        // a client too slow to keep up loses its watch and resumes from its last version
        it.remove();
        try {
          w.queue.fail(new IllegalStateException("watch buffer overflow"));
        } catch (IllegalStateException alreadyClosed) {
          // the client went away at the same moment; nothing left to end
        }
      } else if (result != QueueOfferResult.enqueued()) {
        // the watch has ended (client gone, stream cancelled): forget it
        it.remove();
      }
    }
  }

  /**
   * How a change looks through a filter: an object that starts matching is ADDED, one that
   * stops matching is DELETED, as Kubernetes does for selector watches.
   */
  private static WatchEvent visible(WatchFilter filter, Change change) {
    WatchEvent e = change.event();
    if (!filter.inScope(e.key())) {
      return null;
    }
    boolean now = e.type() != WatchEvent.Type.DELETED && filter.matches(e.key(), e.object());
    boolean before = change.previous() != null && filter.matches(e.key(), change.previous());
    if (e.type() == WatchEvent.Type.DELETED) {
      return filter.matches(e.key(), e.object()) ? e : null;
    }
    if (now && before) {
      return e;
    } else if (now) {
      return new WatchEvent(WatchEvent.Type.ADDED, e.key(), e.resourceVersion(), e.object());
    } else if (before) {
      return new WatchEvent(WatchEvent.Type.DELETED, e.key(), e.resourceVersion(), e.object());
    }
    return null;
  }

  private NavigableMap<ObjectKey, ObjectNode> scope(Kind kind, String namespace) {
    NavigableMap<ObjectKey, ObjectNode> all = objects.get(kind);
    if (namespace.isEmpty() || !kind.namespaced()) {
      return all;
    }
    return all.subMap(new ObjectKey(kind, namespace, ""), true,
        new ObjectKey(kind, namespace + '\u0000', ""), false);
  }

  private static ObjectKey keyOf(WatchFilter filter, ObjectNode object) {
    Kind kind = filter.kind() != null
        ? filter.kind()
        : Kind.byKindName(object.path("kind").asText()).orElseThrow();
    return ObjectKey.of(kind, Meta.namespace(object), Meta.name(object));
  }

  private List<Waiter> releasedWaiters() {
    List<Waiter> done = new ArrayList<>();
    while (!waiters.isEmpty() && waiters.peek().version() <= resourceVersion) {
      done.add(waiters.poll());
    }
    return done;
  }
}
