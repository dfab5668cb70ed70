package io.steuermann.it;

import static io.steuermann.it.ApiClient.PODS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.it.ApiClient.Reply;
import io.steuermann.it.ApiClient.Watch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the server acknowledged survives {@code kill -9} and SIGTERM: objects come back with
 * the same uid and resourceVersion, deleted ones stay deleted, a watch from a resourceVersion
 * taken before the crash replays exactly the acknowledged changes after it, in order, once
 * each, and new writes continue above every earlier resourceVersion.
 */
@ExtendWith(ServerLogs.class)
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class DurabilityTest {
  private static final int THREADS = 8;
  private static final int CONCURRENT_PODS = 200;
  /** The exit status of a JVM killed by SIGKILL, as Process reports it: 128 + 9. */
  static final int EXIT_SIGKILL = 137;
  /**
   * The exit status after SIGTERM. Pekko runs coordinated shutdown from the JVM shutdown hook
   * and, although {@code coordinated-shutdown.exit-jvm = on}, does not call System.exit from
   * inside a shutdown hook (that would deadlock), so the JVM ends with its own status for a
   * SIGTERM: 128 + 15. {@code coordinated-shutdown.exit-code} (0) applies only to shutdowns
   * started otherwise (e.g. a downed node).
   */
  static final int EXIT_SIGTERM = 143;

  private ExecutorService pool;
  private Path dataDir;

  @BeforeEach
  void setUp(TestInfo info) {
    pool = Executors.newFixedThreadPool(THREADS);
    dataDir = Path.of("target", "it-data",
        info.getTestMethod().orElseThrow().getName() + "-" + System.currentTimeMillis());
  }

  @AfterEach
  void tearDown() {
    pool.shutdownNow();
  }

  @Test
  void acknowledgedWritesSurviveKillNineOnH2() throws Exception {
    crashAndRecover("durability-h2", b -> b.dataDir(dataDir));
  }

  @Test
  void acknowledgedWritesSurviveKillNineOnPostgres() throws Exception {
    try (PostgresDatabase db = PostgresDatabase.createFresh()) {
      crashAndRecover("durability-pg", b -> b.postgres(db));
    }
  }

  @Test
  void killNineDuringAWriteBurstLosesNothingAcknowledgedOnH2() throws Exception {
    killDuringBurst("burst-h2", b -> b.dataDir(dataDir));
  }

  @Test
  void killNineDuringAWriteBurstLosesNothingAcknowledgedOnPostgres() throws Exception {
    try (PostgresDatabase db = PostgresDatabase.createFresh()) {
      killDuringBurst("burst-pg", b -> b.postgres(db));
    }
  }

  @Test
  void sigtermStopsCleanlyWithinSecondsAndKeepsTheData() throws Exception {
    ServerProcess server = storeOnly(ServerProcess.builder("sigterm-h2")).dataDir(dataDir).start();
    Ledger ledger = new Ledger();
    ApiClient api = server.api();
    for (int i = 0; i < 20; i++) {
      ledger.create(api, "g-" + i);
    }
    long r0 = api.list(PODS).resourceVersion();
    parallel(IntStream.range(0, 5).mapToObj(i -> (Callable<Void>) () -> {
      ledger.patch(api, "g-" + i, "1");
      return null;
    }).toList());
    parallel(IntStream.range(15, 18).mapToObj(i -> (Callable<Void>) () -> {
      ledger.delete(api, "g-" + i);
      return null;
    }).toList());

    long t0 = System.nanoTime();
    int exit = server.stop(Duration.ofSeconds(10));
    long stopMillis = (System.nanoTime() - t0) / 1_000_000;
    System.out.printf("[sigterm] exit status %d after %d ms%n", exit, stopMillis);
    assertEquals(EXIT_SIGTERM, exit, "exit status after SIGTERM; log:\n" + server.tail(30));
    assertTrue(server.tail(200).contains("Shutting down: the API stops accepting connections"),
        "the shutdown went through coordinated shutdown (the API's unbind task logged)");

    ServerProcess again = server.restart();
    verifyRecovered(again.api(), ledger, r0, "after SIGTERM");
    assertEquals(EXIT_SIGTERM, again.stop(Duration.ofSeconds(10)));
  }

  private void crashAndRecover(String name, UnaryOperator<ServerProcess.Builder> store) throws Exception {
    ServerProcess server = store.apply(storeOnly(ServerProcess.builder(name))).start();
    ApiClient api = server.api();
    Ledger ledger = new Ledger();

    for (int i = 0; i < 10; i++) {
      ledger.create(api, "early-" + i);
    }
    Reply list = api.list(PODS);
    assertEquals(200, list.status(), list.toString());
    long r0 = list.resourceVersion();
    assertTrue(r0 >= ledger.maxVersion(), "a list after acknowledged writes includes them: R0 " + r0
        + " < " + ledger.maxVersion());
    int firstAfterR0 = ledger.size();
    Watch live = api.watch(PODS, r0);
    assertEquals(200, live.awaitStatus(Duration.ofSeconds(10)));

    // 200 creates from 8 threads
    long t0 = System.nanoTime();
    parallel(IntStream.range(0, THREADS).mapToObj(t -> (Callable<Void>) () -> {
      for (int i = t; i < CONCURRENT_PODS; i += THREADS) {
        ledger.create(api, "p-" + i);
      }
      return null;
    }).toList());
    System.out.printf("[%s] %d concurrent creates in %d ms%n", name, CONCURRENT_PODS,
        (System.nanoTime() - t0) / 1_000_000);
    // updates of objects created before and after R0, concurrently; then repeated updates
    List<String> patched = new ArrayList<>();
    IntStream.range(0, 5).forEach(i -> patched.add("early-" + i));
    IntStream.range(0, 15).forEach(i -> patched.add("p-" + i));
    parallel(patched.stream().map(n -> (Callable<Void>) () -> {
      ledger.patch(api, n, "1");
      return null;
    }).toList());
    ledger.patch(api, "early-0", "2");
    ledger.patch(api, "p-0", "2");
    ledger.patch(api, "p-0", "3");
    // deletes: before-R0 objects, new ones, and a patched one
    List<String> deleted = List.of("early-5", "early-6", "early-7", "p-1", "p-100", "p-101", "p-102", "p-199");
    parallel(deleted.stream().map(n -> (Callable<Void>) () -> {
      ledger.delete(api, n);
      return null;
    }).toList());
    // a name deleted and then created again: a new uid
    ledger.create(api, "p-100");

    ledger.assertDistinctVersions();
    ledger.assertAbove(firstAfterR0, r0);
    List<String> expected = ledger.expectedEventsAfter(r0);
    System.out.printf("[%s] %d acknowledged writes after R0=%d (max resourceVersion %d)%n",
        name, expected.size(), r0, ledger.maxVersion());

    // the live watch, before the crash, sees exactly the same
    long maxBefore = ledger.maxVersion();
    List<JsonNode> liveEvents = live.takeUntil(e -> rv(e) >= maxBefore, Duration.ofSeconds(30));
    live.close();
    assertEvents(expected, liveEvents, "live watch from R0=" + r0 + " before the crash");

    int exit = server.killHard();
    assertEquals(EXIT_SIGKILL, exit, "destroyForcibly is SIGKILL");

    ServerProcess again = server.restart();
    System.out.printf("[%s] ready %d ms after restart following kill -9%n", name,
        again.timeToReady().toMillis());
    verifyRecovered(again.api(), ledger, r0, "after kill -9");

    int stopped = again.stop(Duration.ofSeconds(10));
    assertEquals(EXIT_SIGTERM, stopped, "exit status after SIGTERM");
  }

  /**
   * kill -9 while 8 threads are creating: writes in flight have no answer and may or may not
   * have happened; everything acknowledged must be back, and the replay from R0 must hold each
   * acknowledged write once and otherwise only creates of unanswered names, once each.
   */
  private void killDuringBurst(String name, UnaryOperator<ServerProcess.Builder> store) throws Exception {
    ServerProcess server = store.apply(storeOnly(ServerProcess.builder(name))).start();
    ApiClient api = server.api();
    Ledger ledger = new Ledger();
    ledger.create(api, "before-0");
    long r0 = api.list(PODS).resourceVersion();
    Set<String> unanswered = java.util.concurrent.ConcurrentHashMap.newKeySet();
    List<Future<?>> writers = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      writers.add(pool.submit(() -> {
        for (int i = 0; i < 1000; i++) {
          String pod = "b-" + thread + "-" + i;
          try {
            ledger.create(api, pod);
          } catch (RuntimeException e) {
            unanswered.add(pod); // no answer: the server died with this write in flight
            return;
          }
        }
      }));
    }
    await("100 acknowledged creates").atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(20)).until(() -> ledger.size() >= 100);
    assertEquals(EXIT_SIGKILL, server.killHard());
    for (Future<?> w : writers) {
      w.get(60, TimeUnit.SECONDS);
    }
    System.out.printf("[%s] killed with %d creates acknowledged, %d in flight%n", name,
        ledger.size(), unanswered.size());

    ServerProcess again = server.restart();
    System.out.printf("[%s] ready %d ms after restart following kill -9%n", name,
        again.timeToReady().toMillis());
    ApiClient api2 = again.api();
    List<String> problems = new ArrayList<>();
    ledger.latest().forEach((n, ack) -> {
      Reply got = api2.get(PODS + "/" + n);
      if (got.status() != 200 || !ack.uid.equals(got.uid()) || ack.rv != got.resourceVersion()) {
        problems.add(n + " acknowledged (uid " + ack.uid + ", rv " + ack.rv + "), now " + got);
      }
    });
    assertTrue(problems.isEmpty(), problems.size() + " acknowledged creates lost or changed:\n"
        + String.join("\n", problems.subList(0, Math.min(20, problems.size()))));
    Map<String, String> survivors = new TreeMap<>();
    for (String n : unanswered) {
      Reply got = api2.get(PODS + "/" + n);
      assertTrue(got.status() == 200 || got.status() == 404, n + ": " + got);
      if (got.status() == 200) {
        survivors.put(n, got.uid() + " " + got.resourceVersion());
      }
    }
    System.out.printf("[%s] of %d unanswered creates, %d were written%n", name, unanswered.size(),
        survivors.size());

    try (Watch replay = api2.watch(PODS, r0)) {
      assertEquals(200, replay.awaitStatus(Duration.ofSeconds(10)));
      String sentinel = "after-restart";
      Ack after = ledger.create(api2, sentinel);
      long highest = Math.max(ledger.maxVersionExcept(sentinel), survivors.values().stream()
          .mapToLong(v -> Long.parseLong(v.split(" ")[1])).max().orElse(0));
      assertTrue(after.rv > highest, "a write after the restart got rv " + after.rv
          + ", not above " + highest);
      List<JsonNode> events = replay.takeUntil(
          e -> sentinel.equals(e.path("object").path("metadata").path("name").asText()),
          Duration.ofSeconds(30));
      List<String> expected = new ArrayList<>(ledger.expectedEventsAfter(r0));
      survivors.forEach((n, v) -> expected.add("ADDED " + n + " " + v));
      expected.sort(Comparator.comparingLong(e -> Long.parseLong(e.substring(e.lastIndexOf(' ') + 1))));
      assertEvents(expected, events, "watch from R0=" + r0 + " after kill -9 mid-burst");
    }
    assertEquals(EXIT_SIGTERM, again.stop(Duration.ofSeconds(10)));
  }

  /**
   * Everything the ledger holds is back; a watch from {@code r0} replays exactly the
   * acknowledged changes after it; a new write continues above them.
   */
  private static void verifyRecovered(ApiClient api, Ledger ledger, long r0, String when) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, Ack> e : ledger.latest().entrySet()) {
      Ack ack = e.getValue();
      Reply got = api.get(PODS + "/" + e.getKey());
      if (ack.type.equals("DELETED")) {
        if (got.status() != 404) {
          problems.add(e.getKey() + " was deleted (rv " + ack.rv + ") but GET answers " + got);
        }
      } else if (got.status() != 200) {
        problems.add(e.getKey() + " acknowledged at rv " + ack.rv + " but GET answers " + got);
      } else if (!ack.uid.equals(got.uid()) || ack.rv != got.resourceVersion()) {
        problems.add(e.getKey() + ": acknowledged uid " + ack.uid + " rv " + ack.rv
            + ", now uid " + got.uid() + " rv " + got.resourceVersion());
      }
    }
    assertTrue(problems.isEmpty(), when + ": " + problems.size() + " objects differ:\n"
        + String.join("\n", problems.subList(0, Math.min(30, problems.size()))));

    Reply list = api.list(PODS);
    assertEquals(200, list.status(), list.toString());
    assertTrue(list.resourceVersion() >= ledger.maxVersion(), when + ": list resourceVersion "
        + list.resourceVersion() + " below the highest acknowledged " + ledger.maxVersion());
    Map<String, String> listed = new TreeMap<>();
    list.items().forEach(i -> listed.put(i.path("metadata").path("name").asText(),
        i.path("metadata").path("uid").asText() + "@" + i.path("metadata").path("resourceVersion").asText()));
    Map<String, String> expectedList = new TreeMap<>();
    ledger.latest().forEach((n, a) -> {
      if (!a.type.equals("DELETED")) {
        expectedList.put(n, a.uid + "@" + a.rv);
      }
    });
    assertEquals(expectedList, listed, when + ": the list");

    long t0 = System.nanoTime();
    try (Watch replay = api.watch(PODS, r0)) {
      assertEquals(200, replay.awaitStatus(Duration.ofSeconds(10)), () -> "watch from R0: "
          + replay.errorBody());
      // a write after the restart: above every earlier resourceVersion; it ends the replay
      String sentinel = "after-restart-" + Long.toHexString(System.nanoTime());
      Ack after = ledger.create(api, sentinel);
      assertTrue(after.rv > ledger.maxVersionExcept(sentinel), when + ": a new write got rv " + after.rv
          + ", not above the highest earlier one " + ledger.maxVersionExcept(sentinel));
      assertTrue(after.rv > list.resourceVersion(), when + ": new write rv " + after.rv
          + " not above the list's " + list.resourceVersion());
      List<JsonNode> events = replay.takeUntil(
          e -> sentinel.equals(e.path("object").path("metadata").path("name").asText()),
          Duration.ofSeconds(30));
      System.out.printf("[replay %s] %d events from R0=%d in %d ms%n", when, events.size(), r0,
          (System.nanoTime() - t0) / 1_000_000);
      assertEvents(ledger.expectedEventsAfter(r0), events, when + ": watch from R0=" + r0);
    }
  }

  private static long rv(JsonNode event) {
    return Long.parseLong(event.path("object").path("metadata").path("resourceVersion").asText("0"));
  }

  private static String describe(JsonNode event) {
    JsonNode meta = event.path("object").path("metadata");
    return event.path("type").asText() + " " + meta.path("name").asText() + " "
        + meta.path("uid").asText() + " " + meta.path("resourceVersion").asText();
  }

  /** Increasing, no duplicates, and exactly the acknowledged changes (in rv order). */
  private static void assertEvents(List<String> expected, List<JsonNode> events, String what) {
    long previous = 0;
    for (JsonNode e : events) {
      long v = rv(e);
      if (v <= previous) {
        fail(what + ": resourceVersions not increasing: " + previous + " then " + v + " ("
            + describe(e) + ")");
      }
      previous = v;
    }
    List<String> actual = events.stream().map(DurabilityTest::describe).toList();
    if (!expected.equals(actual)) {
      Set<String> missing = new TreeSet<>(expected);
      missing.removeAll(new HashSet<>(actual));
      List<String> extra = new ArrayList<>(actual);
      extra.removeAll(new HashSet<>(expected));
      Set<String> seen = new HashSet<>();
      List<String> duplicates = actual.stream().filter(a -> !seen.add(a)).toList();
      fail(what + ": " + expected.size() + " acknowledged changes, " + actual.size()
          + " events; missing " + first(missing) + ", unexpected " + first(extra)
          + ", duplicates " + first(duplicates));
    }
  }

  private static String first(java.util.Collection<String> c) {
    return c.size() + " " + c.stream().limit(10).collect(Collectors.joining("; ", "[", "]"));
  }

  private void parallel(List<Callable<Void>> tasks) throws Exception {
    List<Future<Void>> futures = pool.invokeAll(tasks, 60, TimeUnit.SECONDS);
    for (Future<Void> f : futures) {
      try {
        f.get();
      } catch (java.util.concurrent.ExecutionException e) {
        if (e.getCause() instanceof AssertionError a) {
          throw a;
        }
        throw e;
      }
    }
  }

  /** One acknowledged write: its event type, the object's uid and its resourceVersion. */
  record Ack(String name, String type, String uid, long rv) {
    String event() {
      return type + " " + name + " " + uid + " " + rv;
    }
  }

  /** Every write the server acknowledged. */
  static final class Ledger {
    private final ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();

    Ack create(ApiClient api, String name) {
      return record(name, "ADDED", () -> api.create(PODS, ApiClient.pod(name)), 201);
    }

    Ack patch(ApiClient api, String name, String value) {
      // a label that changes: a patch that changes nothing keeps the resourceVersion, as in Kubernetes
      com.fasterxml.jackson.databind.node.ObjectNode patch = ApiClient.JSON.createObjectNode();
      patch.putObject("metadata").putObject("labels").put("round", value);
      return record(name, "MODIFIED", () -> api.patch(PODS + "/" + name, patch), 200);
    }

    Ack delete(ApiClient api, String name) {
      return record(name, "DELETED", () -> api.delete(PODS + "/" + name), 200);
    }

    /** Sends, retrying while the server answers 429 (nothing was written then). */
    private Ack record(String name, String type, java.util.function.Supplier<Reply> send, int expected) {
      AtomicReference<Reply> reply = new AtomicReference<>();
      await(type + " " + name).atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(50))
          .until(() -> {
            reply.set(send.get());
            return reply.get().status() != 429;
          });
      Reply r = reply.get();
      if (r.status() != expected && !(type.equals("DELETED") && r.status() == 202)) {
        throw new AssertionError(type + " " + name + " not acknowledged: " + r);
      }
      Ack ack = new Ack(name, type, r.uid(), r.resourceVersion());
      acks.add(ack);
      return ack;
    }

    long maxVersion() {
      return acks.stream().mapToLong(Ack::rv).max().orElse(0);
    }

    long maxVersionExcept(String name) {
      return acks.stream().filter(a -> !a.name.equals(name)).mapToLong(Ack::rv).max().orElse(0);
    }

    /** Each name's newest acknowledged write. */
    Map<String, Ack> latest() {
      Map<String, Ack> latest = new LinkedHashMap<>();
      acks.stream().sorted(Comparator.comparingLong(Ack::rv)).forEach(a -> latest.put(a.name, a));
      return latest;
    }

    int size() {
      return acks.size();
    }

    /** The writes acknowledged after the first {@code from} ones all have rv above {@code r0}. */
    void assertAbove(int from, long r0) {
      List<Ack> later = acks.stream().skip(from).filter(a -> a.rv <= r0).toList();
      assertTrue(later.isEmpty(), "writes acknowledged after the list at R0=" + r0
          + " have resourceVersions not above it: " + later);
    }

    /** No two acknowledged writes share a resourceVersion. */
    void assertDistinctVersions() {
      Map<Long, List<Ack>> byVersion = acks.stream().collect(Collectors.groupingBy(Ack::rv));
      List<List<Ack>> shared = byVersion.values().stream().filter(l -> l.size() > 1).toList();
      assertTrue(shared.isEmpty(), "acknowledged writes sharing a resourceVersion: " + shared);
    }

    /** The acknowledged writes above {@code r0}, as watch events in resourceVersion order. */
    List<String> expectedEventsAfter(long r0) {
      return acks.stream().filter(a -> a.rv > r0).sorted(Comparator.comparingLong(Ack::rv))
          .map(Ack::event).toList();
    }
  }

  /**
   * These tests count every journal write; with controllers on, the scheduler would add its
   * own writes (PodScheduled=False: no nodes here) between the test's. The store alone is
   * what they test.
   */
  private static ServerProcess.Builder storeOnly(ServerProcess.Builder builder) {
    return builder.systemProperty("steuermann.controllers.enabled", "false");
  }
}
