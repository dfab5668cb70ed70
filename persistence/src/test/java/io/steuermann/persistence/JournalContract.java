package io.steuermann.persistence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.awaitility.Awaitility.await;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.steuermann.persistence.feed.ChangeFeed;
import io.steuermann.persistence.feed.FeedSettings;
import io.steuermann.persistence.feed.JournalRow;
import io.steuermann.persistence.journal.WrittenOrderings;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the journal wiring, the ordering read-back and the change feed must do on every
 * database: real entities persisting through pekko-persistence-jdbc, no mocks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class JournalContract {

  private static final Logger log = LoggerFactory.getLogger(JournalContract.class);
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);

  protected StoreSettings store;
  protected JournalDatabase db;
  protected ActorTestKit testKit;
  protected JournalFixture fixture;
  protected OrderingLookup lookup;
  private final List<ChangeFeed> feeds = new ArrayList<>();
  private int entityCounter;

  protected abstract StoreSettings openStore() throws Exception;

  static Config systemConfig(StoreSettings store) {
    return JournalPluginConfig.forStore(store)
        .withFallback(ConfigFactory.parseString("""
            pekko.actor.provider = local
            pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
            pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
            pekko.loglevel = INFO
            """))
        .withFallback(ConfigFactory.load());
  }

  @BeforeAll
  void startSystem() throws Exception {
    store = openStore();
    db = JournalDatabase.open(store);
    Schema.ensure(db);
    Schema.ensure(db); // idempotent
    testKit = ActorTestKit.create(getClass().getSimpleName(), systemConfig(store));
    fixture = new JournalFixture(db, testKit.system());
    Executor blocking = testKit.system().dispatchers().lookup(DispatcherSelector.blocking());
    lookup = new OrderingLookup(db, blocking);
  }

  @BeforeEach
  void cleanTables() throws Exception {
    fixture.clean();
  }

  @AfterEach
  void stopFeeds() {
    feeds.forEach(ChangeFeed::stop);
    feeds.clear();
  }

  @AfterAll
  void stopSystem() {
    if (testKit != null) {
      testKit.shutdownTestKit();
    }
    if (db != null) {
      db.shutdown();
    }
  }

  protected FeedSettings feedSettings() {
    return FeedSettings.fromConfig(testKit.system().settings().config());
  }

  protected ChangeFeed startFeed(FeedSettings settings, long after, FeedCollector collector) {
    ChangeFeed feed = ChangeFeed.start(testKit.system(), db, settings, after, collector);
    feeds.add(feed);
    return feed;
  }

  protected ActorRef<TestEntity.Command> spawnEntity(String persistenceId) {
    return testKit.spawn(TestEntity.create(persistenceId), "entity-" + (++entityCounter));
  }

  protected CompletionStage<Long> append(ActorRef<TestEntity.Command> entity, String value) {
    return AskPattern.ask(entity, replyTo -> new TestEntity.Append(value, replyTo),
        ASK_TIMEOUT, testKit.system().scheduler());
  }

  private record Written(String persistenceId, long sequenceNr) {}

  @Test
  void feedDeliversEveryEventOnceInOrderAndLookupReturnsItsOrdering() throws Exception {
    FeedCollector collector = new FeedCollector();
    ChangeFeed feed = startFeed(feedSettings(), 0, collector);
    int entities = 8;
    int eventsEach = 25;
    List<CompletableFuture<Written>> writes = new ArrayList<>();
    for (int e = 0; e < entities; e++) {
      String pid = "order-" + e;
      ActorRef<TestEntity.Command> entity = spawnEntity(pid);
      for (int i = 1; i <= eventsEach; i++) {
        writes.add(append(entity, pid + "#" + i)
            .thenApply(seqNr -> {
              feed.wakeUp();
              return new Written(pid, seqNr);
            })
            .toCompletableFuture());
      }
    }
    Map<Written, Long> lookedUp = new HashMap<>();
    for (CompletableFuture<Written> w : writes) {
      Written written = w.get();
      lookedUp.put(written,
          lookup.orderingOf(written.persistenceId(), written.sequenceNr()).toCompletableFuture().get());
    }
    int total = entities * eventsEach;
    await().atMost(Duration.ofSeconds(10))
        .until(() -> collector.size() >= total);

    assertEquals(total, collector.size());
    assertStrictlyIncreasing(collector.orderings());
    assertFalse(collector.calledConcurrently.get());
    for (JournalRow row : collector.rows) {
      assertEquals(new TestEntity.Appended(row.persistenceId() + "#" + row.sequenceNr()), row.event());
      assertEquals(row.ordering(), lookedUp.get(new Written(row.persistenceId(), row.sequenceNr())),
          "ordering lookup of " + row.persistenceId() + "#" + row.sequenceNr());
    }
    assertEquals(total, new java.util.HashSet<>(lookedUp.values()).size());
    assertEquals(collector.rows.get(total - 1).ordering(), lookup.highestOrdering());
  }

  @Test
  void theJournalHandsEachWriterItsOrderingAndConcurrentWritesShareCommits() throws Exception {
    WrittenOrderings handoff = WrittenOrderings.get(testKit.system());
    long commitsBefore = handoff.commits();
    int entities = 50;
    int eventsEach = 4;
    List<CompletableFuture<List<Written>>> chains = new ArrayList<>();
    for (int e = 0; e < entities; e++) {
      String pid = "handoff-" + e;
      ActorRef<TestEntity.Command> entity = spawnEntity(pid);
      CompletableFuture<List<Written>> chain = CompletableFuture.completedFuture(List.of());
      for (int i = 1; i <= eventsEach; i++) {
        String value = pid + "#" + i;
        chain = chain.thenCompose(done -> append(entity, value).thenApply(seqNr -> {
          List<Written> more = new ArrayList<>(done);
          more.add(new Written(pid, seqNr));
          return more;
        }));
      }
      chains.add(chain);
    }
    int total = 0;
    for (CompletableFuture<List<Written>> chain : chains) {
      for (Written w : chain.get()) {
        total++;
        java.util.OptionalLong handed = handoff.take(w.persistenceId(), w.sequenceNr());
        assertTrue(handed.isPresent(), "no ordering handed over for " + w);
        assertEquals(lookup.orderingOf(w.persistenceId(), w.sequenceNr()).toCompletableFuture().get(),
            handed.getAsLong(), "ordering of " + w);
        assertFalse(handoff.take(w.persistenceId(), w.sequenceNr()).isPresent(), "taken twice: " + w);
      }
    }
    long commits = handoff.commits() - commitsBefore;
    log.info("{} writes of {} concurrent entities took {} commits", total, entities, commits);
    assertEquals(entities * eventsEach, total);
    assertTrue(commits < total, total + " writes took " + commits + " commits: no group commit");
    assertTrue(handoff.syncedUpTo() >= lookup.highestOrdering());
  }

  @Test
  void orderingOfAnEventThatIsNotThereFails() {
    CompletableFuture<Long> missing = lookup.orderingOf("nobody", 1).toCompletableFuture();
    java.util.concurrent.ExecutionException e =
        assertThrows(java.util.concurrent.ExecutionException.class, missing::get);
    assertInstanceOf(java.util.NoSuchElementException.class, e.getCause());
    assertEquals(0, lookup.highestOrdering());
  }

  @Test
  void feedStartedAfterAnOrderingDeliversOnlyLaterRows() throws Exception {
    ActorRef<TestEntity.Command> entity = spawnEntity("after-n");
    for (int i = 1; i <= 30; i++) {
      append(entity, "after-n#" + i).toCompletableFuture().get();
    }
    long n = lookup.orderingOf("after-n", 12).toCompletableFuture().get();
    FeedCollector collector = new FeedCollector();
    startFeed(feedSettings(), n, collector);
    await().atMost(Duration.ofSeconds(5))
        .until(() -> collector.size() >= 18);
    assertEquals(java.util.stream.LongStream.rangeClosed(13, 30).boxed().toList(),
        collector.rows.stream().map(JournalRow::sequenceNr).toList());
    assertTrue(Arrays.stream(collector.orderings()).allMatch(o -> o > n));
  }

  @Test
  void wakeUpDeliversWithoutWaitingForThePoll() throws Exception {
    FeedSettings slowPoll = feedSettings().withPollInterval(Duration.ofSeconds(10));
    FeedCollector collector = new FeedCollector();
    ChangeFeed feed = startFeed(slowPoll, 0, collector);
    ActorRef<TestEntity.Command> entity = spawnEntity("wake");
    int writes = 40;
    long[] wakeToDelivery = new long[writes];
    long[] endToEnd = new long[writes];
    for (int i = 0; i < writes; i++) {
      int expected = i + 1;
      long sent = System.nanoTime();
      append(entity, "wake#" + expected).toCompletableFuture().get();
      long acked = System.nanoTime();
      feed.wakeUp();
      await().atMost(Duration.ofSeconds(2))
          .pollInterval(Duration.ofMillis(1))
          .until(() -> collector.size() >= expected);
      long delivered = System.nanoTime();
      wakeToDelivery[i] = delivered - acked;
      endToEnd[i] = delivered - sent;
    }
    Arrays.sort(wakeToDelivery);
    Arrays.sort(endToEnd);
    log.info("{}: wake-up to delivery p50 {} ms, max {} ms; write to delivery p50 {} ms, max {} ms",
        store.kind(), ms(wakeToDelivery[writes / 2]), ms(wakeToDelivery[writes - 1]),
        ms(endToEnd[writes / 2]), ms(endToEnd[writes - 1]));
    // The poll interval is 10 s: anything this fast came from the wake-up.
    assertTrue(ms(wakeToDelivery[writes - 1]) < 1_000.0, "slowest wake-up delivery");

    // Coalescing: a storm of wake-ups causes a handful of polls, not one each.
    long pollsBefore = feed.pollCount();
    for (int i = 0; i < 10_000; i++) {
      feed.wakeUp();
    }
    long pollsAfter = feed.pollCount();
    assertTrue(pollsAfter - pollsBefore < 1_000, "polls for 10,000 wake-ups");
  }

  @Test
  void missingOrderingHoldsBackLaterRowsUntilItCommits() throws Exception {
    FeedSettings patient = feedSettings().withGapTimeout(Duration.ofSeconds(30));
    FeedCollector collector = new FeedCollector();
    ChangeFeed feed = startFeed(patient, 0, collector);
    // On a fresh journal the very first ordering can be the one still in flight.
    try (Connection open = fixture.insertUncommitted("slow-writer", 1, new TestEntity.Appended("slow"))) {
      append(spawnEntity("fast-writer"), "fast").toCompletableFuture().get();
      feed.wakeUp();
      await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
          .until(() -> collector.size() == 0);
      open.commit();
      open.setAutoCommit(true);
    }
    feed.wakeUp();
    await().atMost(Duration.ofSeconds(2)).until(() -> collector.size() >= 2);
    assertArrayEquals(new long[] {1, 2}, collector.orderings());
    assertEquals(List.of("slow-writer", "fast-writer"),
        collector.rows.stream().map(JournalRow::persistenceId).toList());
    assertEquals(new TestEntity.Appended("slow"), collector.rows.get(0).event());
  }

  @Test
  void missingOrderingThatNeverCommitsIsSkippedAfterTheGapTimeout() throws Exception {
    Duration gapTimeout = Duration.ofSeconds(1);
    FeedCollector collector = new FeedCollector();
    ChangeFeed feed = startFeed(feedSettings().withGapTimeout(gapTimeout), 0, collector);
    ActorRef<TestEntity.Command> entity = spawnEntity("survivor");
    append(entity, "first").toCompletableFuture().get();
    feed.wakeUp();
    await().atMost(Duration.ofSeconds(2)).until(() -> collector.size() == 1);

    long holeTaken;
    try (Connection open = fixture.insertUncommitted("doomed", 1, new TestEntity.Appended("doomed"))) {
      holeTaken = System.nanoTime();
      append(entity, "second").toCompletableFuture().get();
      feed.wakeUp();
      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1))
          .until(() -> collector.size() == 1);
      open.rollback();
      open.setAutoCommit(true);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> collector.size() == 2);
    long waited = System.nanoTime() - holeTaken;
    assertArrayEquals(new long[] {1, 3}, collector.orderings());
    assertEquals(new TestEntity.Appended("second"), collector.rows.get(1).event());
    assertTrue(Duration.ofNanos(waited).compareTo(gapTimeout) >= 0, "waited " + ms(waited) + " ms");
    assertEquals(3L, feed.lastOrdering());
  }

  @Test
  void startupReplaysTheWholeHistoryQuickly() throws Exception {
    int rows = 20_000;
    fixture.insertCommitted("history", rows, new TestEntity.Appended("some state of an object"));
    FeedCollector collector = new FeedCollector();
    long start = System.nanoTime();
    startFeed(feedSettings(), 0, collector);
    await().atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> collector.size() >= rows);
    long took = System.nanoTime() - start;
    log.info("{}: replayed {} rows in {} ms: {} rows/s in {} batches", store.kind(), rows, ms(took),
        (long) (rows / (took / 1e9)), collector.batches.get());
    assertEquals(rows, collector.size());
    assertStrictlyIncreasing(collector.orderings());
    assertEquals(rows, collector.orderings()[rows - 1]);
  }

  static void assertStrictlyIncreasing(long[] orderings) {
    for (int i = 1; i < orderings.length; i++) {
      assertTrue(orderings[i] > orderings[i - 1], "ordering at index " + i);
    }
  }

  static double ms(long nanos) {
    return Math.round(nanos / 10_000.0) / 100.0;
  }
}
