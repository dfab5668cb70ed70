package io.steuermann.engine.watch;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.selector.FieldSelector;
import io.steuermann.engine.selector.LabelSelector;
import io.steuermann.engine.watch.WatchEvent.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The watch cache on its own, fed directly as the change feed would feed it. */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // one actor system per class, shut down after all
class WatchCacheTest {

  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  private static final Duration WAIT = Duration.ofSeconds(5);

  private Materializer materializer;
  private WatchCache cache;
  private long version;

  @BeforeEach
  void setUp() {
    materializer = Materializer.createMaterializer(testKit.system());
    cache = new WatchCache(1000, materializer);
    version = 0;
  }

  // ---- feeding

  private static ObjectNode pod(String namespace, String name, Map<String, String> labels, String node, String phase) {
    ObjectNode pod = Json.object();
    pod.put("apiVersion", "v1").put("kind", "Pod");
    ObjectNode meta = pod.putObject("metadata").put("name", name).put("namespace", namespace);
    ObjectNode l = meta.putObject("labels");
    labels.forEach(l::put);
    pod.putObject("spec").put("nodeName", node);
    pod.putObject("status").put("phase", phase);
    return pod;
  }

  private static ObjectNode pod(String namespace, String name, Map<String, String> labels) {
    return pod(namespace, name, labels, "", "Pending");
  }

  private static ObjectKey key(ObjectNode object) {
    Kind kind = Kind.byKindName(object.path("kind").asText()).orElseThrow();
    return ObjectKey.of(kind, Meta.namespace(object), Meta.name(object));
  }

  private long put(ObjectNode object) {
    version += 1 + ThreadLocalRandom.current().nextInt(3); // orderings may have holes
    cache.apply(version, key(object), Type.MODIFIED, object);
    return version;
  }

  private long delete(ObjectNode object) {
    version += 1;
    cache.apply(version, key(object), Type.DELETED, object);
    return version;
  }

  private static WatchFilter filter(Kind kind, String namespace, String labels, String fields) {
    return new WatchFilter(kind, namespace, LabelSelector.parse(labels), FieldSelector.parse(fields));
  }

  private static List<String> names(WatchCache.Snapshot snapshot) {
    return snapshot.items().stream().map(o -> Meta.namespace(o) + "/" + Meta.name(o)).toList();
  }

  private static String describe(WatchEvent e) {
    return e.type() + " " + e.key().entityId() + "@" + e.resourceVersion();
  }

  /** Runs a watch until it has delivered {@code count} events (or fails the test after a while). */
  private List<WatchEvent> collect(Source<WatchEvent, ?> watch, int count) throws Exception {
    return watch.take(count).runWith(Sink.seq(), materializer)
        .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  // ---- lists

  @Test
  void listsAreSortedSnapshotsByNamespaceLabelsAndFields() {
    put(pod("b", "web-1", Map.of("app", "web"), "node-1", "Running"));
    put(pod("a", "web-2", Map.of("app", "web"), "node-2", "Pending"));
    put(pod("a", "db-1", Map.of("app", "db"), "node-1", "Running"));
    put(pod("ab", "web-3", Map.of("app", "web")));
    ObjectNode ns = Json.object().put("apiVersion", "v1").put("kind", "Namespace");
    ns.putObject("metadata").put("name", "a");
    long last = put(ns);

    WatchCache.Snapshot all = cache.list(WatchFilter.of(Kind.POD, ""));
    assertEquals(last, all.resourceVersion());
    assertEquals(List.of("a/db-1", "a/web-2", "ab/web-3", "b/web-1"), names(all));
    assertEquals(List.of("a/db-1", "a/web-2"), names(cache.list(WatchFilter.of(Kind.POD, "a"))));
    assertEquals(List.of("a/web-2", "ab/web-3", "b/web-1"), names(cache.list(filter(Kind.POD, "", "app=web", ""))));
    assertEquals(List.of("a/db-1"), names(cache.list(filter(Kind.POD, "", "app in (db,cache)", ""))));
    assertEquals(List.of("a/db-1", "b/web-1"), names(cache.list(filter(Kind.POD, "", "", "spec.nodeName=node-1"))));
    assertEquals(List.of("b/web-1"), names(cache.list(filter(Kind.POD, "", "app=web", "status.phase=Running"))));
    assertEquals(List.of("a/web-2"), names(cache.list(filter(Kind.POD, "", "", "metadata.name=web-2"))));
    assertEquals(List.of("ab/web-3"), names(cache.list(filter(Kind.POD, "", "", "metadata.namespace=ab"))));
    assertEquals(List.of("/a"), names(cache.list(WatchFilter.of(Kind.NAMESPACE, ""))));
    assertEquals(5, cache.list(WatchFilter.everything()).items().size());
    // listed objects carry their own resourceVersion
    for (ObjectNode item : all.items()) {
      assertFalse(Meta.resourceVersion(item).isEmpty());
    }
  }

  @Test
  void deletionsLeaveTheList() {
    ObjectNode a = pod("default", "a", Map.of());
    put(a);
    put(pod("default", "b", Map.of()));
    long v = delete(a);
    WatchCache.Snapshot list = cache.list(WatchFilter.of(Kind.POD, "default"));
    assertEquals(List.of("default/b"), names(list));
    assertEquals(v, list.resourceVersion());
  }

  // ---- watches

  @Test
  void watchFromZeroStartsWithTheCurrentObjectsThenLiveChanges() throws Exception {
    ObjectNode a = pod("default", "a", Map.of("app", "web"));
    long va = put(a);
    long vb = put(pod("default", "b", Map.of("app", "web")));
    put(pod("other", "c", Map.of("app", "web")));

    Source<WatchEvent, ?> watch = cache.watch(WatchFilter.of(Kind.POD, "default"), 0, 100);
    CompletionStage<List<WatchEvent>> events = watch.take(4).runWith(Sink.seq(), materializer);
    await().atMost(WAIT).until(() -> cache.watcherCount() == 1);
    ObjectNode a2 = a.deepCopy();
    Meta.metadata(a2).putObject("labels").put("app", "v2");
    long va2 = put(a2);
    put(pod("other", "d", Map.of()));
    long vdel = delete(a2);

    List<String> got = events.toCompletableFuture().get(5, TimeUnit.SECONDS).stream().map(WatchCacheTest::describe).toList();
    assertEquals(List.of("ADDED default/a@" + va, "ADDED default/b@" + vb,
        "MODIFIED default/a@" + va2, "DELETED default/a@" + vdel), got);
  }

  @Test
  void watchFromAVersionReplaysTheHistoryAfterItThenLiveChanges() throws Exception {
    ObjectNode a = pod("default", "a", Map.of());
    long v1 = put(a);
    long v2 = put(pod("default", "b", Map.of()));
    ObjectNode a2 = a.deepCopy();
    Meta.metadata(a2).putObject("annotations").put("x", "1");
    long v3 = put(a2);

    Source<WatchEvent, ?> watch = cache.watch(WatchFilter.of(Kind.POD, ""), v1, 100);
    CompletionStage<List<WatchEvent>> events = watch.take(3).runWith(Sink.seq(), materializer);
    long v4 = delete(a2);
    List<String> got = events.toCompletableFuture().get(5, TimeUnit.SECONDS).stream().map(WatchCacheTest::describe).toList();
    assertEquals(List.of("ADDED default/b@" + v2, "MODIFIED default/a@" + v3, "DELETED default/a@" + v4), got);
    // the events carry the object at their version
    assertEquals(Long.toString(v3), Meta.resourceVersion(
        collect(cache.watch(WatchFilter.of(Kind.POD, ""), v2, 10), 1).get(0).object()));
  }

  /**
   * The feed applies changes on its own thread while clients register watches: whatever the
   * interleaving, a watch from N sees every change after N exactly once, in order.
   */
  @Test
  void watchRegistrationRacingWithAppliesHasNoGapAndNoDuplicate() throws Exception {
    for (int iteration = 0; iteration < 100; iteration++) {
      WatchCache racing = new WatchCache(10_000, materializer);
      CountDownLatch start = new CountDownLatch(1);
      int before = 20;
      int during = 200;
      for (int i = 1; i <= before; i++) {
        racing.apply(i, ObjectKey.of(Kind.POD, "default", "p" + (i % 7)), Type.MODIFIED,
            pod("default", "p" + (i % 7), Map.of("i", Integer.toString(i))));
      }
      CompletableFuture<Void> feeding = CompletableFuture.runAsync(() -> {
        awaitLatch(start);
        for (int i = before + 1; i <= before + during; i++) {
          racing.apply(i, ObjectKey.of(Kind.POD, "default", "p" + (i % 7)), Type.MODIFIED,
              pod("default", "p" + (i % 7), Map.of("i", Integer.toString(i))));
        }
      });
      long from = ThreadLocalRandom.current().nextInt(1, before + 1);
      start.countDown();
      List<WatchEvent> events = racing.watch(WatchFilter.of(Kind.POD, "default"), from, 1000)
          .takeWhile(e -> e.resourceVersion() < before + during, true)
          .runWith(Sink.seq(), materializer)
          .toCompletableFuture().get(5, TimeUnit.SECONDS);
      feeding.get(5, TimeUnit.SECONDS);
      List<Long> versions = events.stream().map(WatchEvent::resourceVersion).toList();
      List<Long> expected = new ArrayList<>();
      for (long v = from + 1; v <= before + during; v++) {
        expected.add(v);
      }
      int it = iteration;
      assertEquals(expected, versions, () -> "iteration " + it + ", watch from " + from);
      for (WatchEvent e : events) {
        assertEquals(Long.toString(e.resourceVersion()), e.object().path("metadata").path("labels").path("i").asText());
      }
    }
  }

  @Test
  void watchFromZeroRacingWithAppliesHasNoGapAndNoDuplicate() throws Exception {
    for (int iteration = 0; iteration < 100; iteration++) {
      WatchCache racing = new WatchCache(10_000, materializer);
      int total = 300;
      AtomicLong applied = new AtomicLong();
      CountDownLatch start = new CountDownLatch(1);
      CompletableFuture<Void> feeding = CompletableFuture.runAsync(() -> {
        awaitLatch(start);
        for (int i = 1; i <= total; i++) {
          racing.apply(i, ObjectKey.of(Kind.POD, "default", "p" + i), Type.MODIFIED,
              pod("default", "p" + i, Map.of()));
          applied.set(i);
        }
      });
      // every object is either in the initial ADDED burst or a live ADDED, exactly once
      start.countDown();
      List<WatchEvent> events = racing.watch(WatchFilter.of(Kind.POD, "default"), 0, 1000)
          .take(total)
          .runWith(Sink.seq(), materializer)
          .toCompletableFuture().get(5, TimeUnit.SECONDS);
      feeding.get(5, TimeUnit.SECONDS);
      List<Long> versions = events.stream().map(WatchEvent::resourceVersion).sorted().distinct().toList();
      assertEquals(total, versions.size());
      assertEquals(total, events.size());
      assertTrue(events.stream().allMatch(e -> e.type() == Type.ADDED));
    }
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void selectorTransitionsAreAddedAndDeleted() throws Exception {
    ObjectNode a = pod("default", "a", Map.of("app", "db"));
    long v0 = put(a);
    WatchFilter web = filter(Kind.POD, "", "app=web", "");
    CompletionStage<List<WatchEvent>> live = cache.watch(web, v0, 100).take(3).runWith(Sink.seq(), materializer);

    ObjectNode matching = a.deepCopy();
    Meta.metadata(matching).putObject("labels").put("app", "web");
    long v1 = put(matching);
    ObjectNode stillMatching = matching.deepCopy();
    Meta.metadata(stillMatching).putObject("annotations").put("x", "y");
    long v2 = put(stillMatching);
    ObjectNode leaving = stillMatching.deepCopy();
    Meta.metadata(leaving).putObject("labels").put("app", "cache");
    long v3 = put(leaving);
    put(a); // not matching before or after: invisible
    delete(a); // deleted while not matching: invisible

    List<String> expected = List.of("ADDED default/a@" + v1, "MODIFIED default/a@" + v2, "DELETED default/a@" + v3);
    assertEquals(expected, live.toCompletableFuture().get(5, TimeUnit.SECONDS).stream().map(WatchCacheTest::describe).toList());
    // the same from history
    assertEquals(expected, collect(cache.watch(web, v0, 100), 3).stream().map(WatchCacheTest::describe).toList());
    // field selectors too
    WatchFilter running = filter(Kind.POD, "", "", "status.phase=Running");
    ObjectNode b = pod("default", "b", Map.of());
    long w0 = put(b);
    long w1 = put(pod("default", "b", Map.of(), "node-1", "Running"));
    long w2 = put(pod("default", "b", Map.of(), "node-1", "Succeeded"));
    assertEquals(List.of("ADDED default/b@" + w1, "DELETED default/b@" + w2),
        collect(cache.watch(running, w0, 100), 2).stream().map(WatchCacheTest::describe).toList());
  }

  @Test
  void historyBeyondTheCapacityIsGone() throws Exception {
    WatchCache small = new WatchCache(3, materializer);
    for (int i = 1; i <= 5; i++) {
      small.apply(i * 10, ObjectKey.of(Kind.POD, "default", "p" + i), Type.MODIFIED, pod("default", "p" + i, Map.of()));
    }
    // history holds 30, 40, 50: a watch from 20 sees them all; from before 20 it would miss 20
    assertEquals(20, small.oldestResumableVersion());
    assertThrows(GoneException.class, () -> small.watch(WatchFilter.of(Kind.POD, ""), 19, 10));
    assertThrows(GoneException.class, () -> small.watch(WatchFilter.of(Kind.POD, ""), 1, 10));
    assertEquals(List.of(30L, 40L, 50L), collect(small.watch(WatchFilter.of(Kind.POD, ""), 20, 10), 3)
        .stream().map(WatchEvent::resourceVersion).toList());
    assertEquals(List.of(40L, 50L), collect(small.watch(WatchFilter.of(Kind.POD, ""), 35, 10), 2)
        .stream().map(WatchEvent::resourceVersion).toList());
    // a list is never too old
    assertEquals(5, small.list(WatchFilter.of(Kind.POD, "")).items().size());
    // nor is a watch from 0
    assertEquals(5, collect(small.watch(WatchFilter.of(Kind.POD, ""), 0, 10), 5).size());
  }

  @Test
  void awaitVersionCompletesOnceTheVersionIsApplied() throws Exception {
    long v1 = put(pod("default", "a", Map.of()));
    assertEquals(v1, cache.awaitVersion(v1).toCompletableFuture().getNow(-1L));
    assertEquals(0L, cache.awaitVersion(0).toCompletableFuture().getNow(-1L));

    CompletableFuture<Long> later = cache.awaitVersion(v1 + 10).toCompletableFuture();
    CompletableFuture<Long> muchLater = cache.awaitVersion(v1 + 100).toCompletableFuture();
    cache.apply(v1 + 5, ObjectKey.of(Kind.POD, "default", "b"), Type.MODIFIED, pod("default", "b", Map.of()));
    assertFalse(later.isDone());
    // rows that are not object changes move the version too
    cache.advanceTo(v1 + 10);
    assertEquals(v1 + 10, later.get(5, TimeUnit.SECONDS));
    assertFalse(muchLater.isDone());
    assertEquals(v1 + 10, cache.resourceVersion());
    cache.apply(v1 + 200, ObjectKey.of(Kind.POD, "default", "c"), Type.MODIFIED, pod("default", "c", Map.of()));
    assertEquals(v1 + 100, muchLater.get(5, TimeUnit.SECONDS));
  }

  @Test
  void oldOrRepeatedVersionsAreIgnored() {
    long v = put(pod("default", "a", Map.of("v", "1")));
    cache.apply(v, ObjectKey.of(Kind.POD, "default", "a"), Type.MODIFIED, pod("default", "a", Map.of("v", "2")));
    cache.apply(v - 1, ObjectKey.of(Kind.POD, "default", "z"), Type.MODIFIED, pod("default", "z", Map.of()));
    assertEquals(List.of("default/a"), names(cache.list(WatchFilter.of(Kind.POD, ""))));
    assertEquals("1", Meta.labels(cache.get(ObjectKey.of(Kind.POD, "default", "a"))).get("v"));
  }

  @Test
  void aSlowConsumerLosesItsWatchAndIsRemoved() throws Exception {
    put(pod("default", "a", Map.of()));
    SinkQueueWithCancel<WatchEvent> slow = cache.watch(WatchFilter.of(Kind.POD, ""), version, 8)
        .toMat(Sink.queue(1), Keep.right())
        .run(materializer);
    CompletionStage<List<WatchEvent>> fast = cache.watch(WatchFilter.of(Kind.POD, ""), version, 1000)
        .take(200).runWith(Sink.seq(), materializer);
    assertEquals(2, cache.watcherCount());

    // the slow client takes nothing while 200 changes arrive
    for (int i = 0; i < 200; i++) {
      put(pod("default", "p" + i, Map.of()));
    }
    assertEquals(200, fast.toCompletableFuture().get(5, TimeUnit.SECONDS).size());
    await().atMost(WAIT).until(() -> cache.watcherCount() == 0);

    // what it had buffered it still gets, then its stream fails
    Throwable failure = null;
    for (int i = 0; i < 1000 && failure == null; i++) {
      try {
        Optional<WatchEvent> next = slow.pull().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertTrue(next.isPresent(), "the overflowing watch must fail, not complete");
      } catch (ExecutionException e) {
        failure = e.getCause();
      }
    }
    assertTrue(failure != null && String.valueOf(failure.getMessage()).contains("overflow"), () -> "" + slow);
  }

  @Test
  void aCancelledWatchIsRemoved() throws Exception {
    put(pod("default", "a", Map.of()));
    List<WatchEvent> one = collect(cache.watch(WatchFilter.of(Kind.POD, ""), 0, 10), 1);
    assertEquals(1, one.size());
    await().atMost(WAIT).until(() -> cache.watcherCount() == 0);
    // a watch cancelled while still replaying its backlog is removed as well
    for (int i = 0; i < 20; i++) {
      put(pod("default", "b" + i, Map.of()));
    }
    assertEquals(1, collect(cache.watch(WatchFilter.of(Kind.POD, ""), 1, 10), 1).size());
    await().atMost(WAIT).until(() -> cache.watcherCount() == 0);
  }
}
