package io.steuermann.persistence.feed;

import io.steuermann.persistence.JournalDatabase;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.util.Try;

/**
 * Delivers the journal's rows strictly in {@code ordering} order, each exactly once, to one
 * consumer, starting after a given ordering. It reads the journal table itself (no tags).
 *
 * <p>One dedicated thread does the JDBC and calls the consumer, so the consumer is never called
 * concurrently and may keep plain state. It polls when {@link #wakeUp()} is called (after every
 * local write: changes reach watchers in milliseconds), every poll-interval (writes of other
 * processes), immediately again after a full batch (replay at start), and often while a missing
 * ordering holds back later rows ({@link GapTracker}).
 *
 * <p>If the consumer throws, the batch counts as not delivered: it is logged and offered again
 * after a back-off. Consumers should therefore not throw.
 */
public final class ChangeFeed {

  private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);

  private final FeedSettings settings;
  private final JournalReader reader;
  private final Serialization serialization;
  private final io.steuermann.persistence.journal.StoreHealth health;
  private final Consumer<List<JournalRow>> consumer;
  private final GapTracker gaps;
  private final LongSupplier horizon;
  private final Thread thread;
  private final AtomicBoolean wakeUpPending = new AtomicBoolean();
  private final Cancellable shutdownTask;
  private volatile boolean stopping;
  private volatile long lastOrdering;
  private final AtomicLong polls = new AtomicLong();

  private ChangeFeed(
      ClassicActorSystemProvider system,
      JournalDatabase db,
      FeedSettings settings,
      long afterOrdering,
      Consumer<List<JournalRow>> consumer,
      LongSupplier horizon) {
    this.settings = settings;
    this.horizon = horizon;
    this.reader = new JournalReader(db);
    this.serialization = SerializationExtension.get(system.classicSystem());
    this.health = io.steuermann.persistence.journal.StoreHealth.get(system);
    this.consumer = consumer;
    this.gaps = new GapTracker(afterOrdering, settings.gapTimeout().toNanos());
    this.lastOrdering = afterOrdering;
    this.thread = new Thread(this::run, "steuermann-change-feed");
    thread.setDaemon(true);
    // Stop before the actor system terminates, while the database is certainly still open.
    this.shutdownTask = CoordinatedShutdown.get(system.classicSystem()).addCancellableTask(
        CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
        "stop-change-feed",
        () -> CompletableFuture.runAsync(this::stop).thenApply(ignored -> Done.getInstance()));
  }

  /** Starts a feed with the settings of {@code steuermann.feed} in the system's config. */
  public static ChangeFeed start(
      ClassicActorSystemProvider system,
      JournalDatabase db,
      long afterOrdering,
      Consumer<List<JournalRow>> consumer) {
    FeedSettings settings = FeedSettings.fromConfig(system.classicSystem().settings().config());
    return start(system, db, settings, afterOrdering, consumer);
  }

  /**
   * Starts a feed that delivers every row with an ordering greater than {@code afterOrdering}
   * (0 for the whole journal).
   */
  public static ChangeFeed start(
      ClassicActorSystemProvider system,
      JournalDatabase db,
      FeedSettings settings,
      long afterOrdering,
      Consumer<List<JournalRow>> consumer) {
    return start(system, db, settings, afterOrdering, consumer, () -> Long.MAX_VALUE);
  }

  /**
   * As above, delivering no row beyond {@code horizon} (asked before each query): the highest
   * ordering known to be on stable storage, so that no watcher sees a write that a power cut
   * could still take back. Rows beyond it are pending, not missing: they never count as holes.
   */
  public static ChangeFeed start(
      ClassicActorSystemProvider system,
      JournalDatabase db,
      FeedSettings settings,
      long afterOrdering,
      Consumer<List<JournalRow>> consumer,
      LongSupplier horizon) {
    ChangeFeed feed = new ChangeFeed(system, db, settings, afterOrdering, consumer, horizon);
    feed.thread.start();
    log.info("Change feed started after ordering {} on {}", afterOrdering, db.kind());
    return feed;
  }

  /** Makes the feed poll now. Cheap and thread-safe; calls during a poll cause one more poll. */
  public void wakeUp() {
    if (!wakeUpPending.getAndSet(true)) {
      LockSupport.unpark(thread);
    }
  }

  /** The last ordering handed to the consumer or skipped as a hole. */
  public long lastOrdering() {
    return lastOrdering;
  }

  /** How many queries the feed has run: a metric, and how wake-up coalescing shows. */
  public long pollCount() {
    return polls.get();
  }

  /** Stops polling and waits (bounded) for a poll in progress to end. Idempotent. */
  public void stop() {
    if (stopping) {
      return;
    }
    stopping = true;
    shutdownTask.cancel();
    LockSupport.unpark(thread);
    if (Thread.currentThread() != thread) {
      try {
        thread.join(Duration.ofSeconds(10).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (thread.isAlive()) {
        log.warn("Change feed thread did not stop within 10 s");
      }
    }
  }

  private void run() {
    long backoffNanos = settings.errorBackoffMin().toNanos();
    while (!stopping) {
      wakeUpPending.set(false); // this poll covers every wake-up that came before it
      long delayNanos;
      try {
        delayNanos = pollOnce();
        backoffNanos = settings.errorBackoffMin().toNanos();
      } catch (RuntimeException | SQLException e) {
        if (stopping) {
          break;
        }
        health.failed(e);
        log.error("Change feed poll after ordering {} failed; retrying in {} ms",
            gaps.position(), backoffNanos / 1_000_000, e);
        delayNanos = backoffNanos;
        backoffNanos = Math.min(backoffNanos * 2, settings.errorBackoffMax().toNanos());
      }
      park(delayNanos);
    }
    log.info("Change feed stopped after ordering {}", gaps.position());
  }

  /** One query and delivery; returns how long to wait before the next one. */
  private long pollOnce() throws SQLException {
    polls.incrementAndGet();
    long queryStart = System.nanoTime();
    long durable = horizon.getAsLong();
    long highestAllocated = reader.highestAllocated();
    List<JournalReader.RawRow> read = reader.rowsAfter(gaps.position(), settings.batchSize());
    long queryEnd = System.nanoTime();
    List<JournalReader.RawRow> rows = read;
    int synced = read.size();
    while (synced > 0 && read.get(synced - 1).ordering() > durable) {
      synced--;
    }
    if (synced < read.size()) {
      rows = read.subList(0, synced);
    }

    long highestSeen = rows.isEmpty() ? 0 : rows.get(rows.size() - 1).ordering();
    gaps.observe(Math.min(Math.max(highestSeen, highestAllocated), durable), queryEnd);
    long[] orderings = rows.stream().mapToLong(JournalReader.RawRow::ordering).toArray();
    GapTracker.Plan plan = gaps.plan(orderings, queryStart);
    for (GapTracker.Skipped s : plan.skipped()) {
      log.info("Journal orderings {}..{} stayed missing for {}: taken as rolled-back inserts and"
          + " skipped", s.from(), s.to(), settings.gapTimeout());
    }

    deliver(rows.subList(0, plan.deliverCount()));
    if (plan.positionAfter() > gaps.position()) {
      gaps.advanceTo(plan.positionAfter());
      lastOrdering = plan.positionAfter();
    }

    if (plan.blocked()) {
      long untilDeadline = Math.max(0, plan.blockedUntilNanos() - System.nanoTime());
      return Math.min(settings.gapPollInterval().toNanos(), untilDeadline);
    }
    if (synced < read.size()) {
      // committed but not yet synced: the writer's wake-up after its sync comes within moments
      return settings.gapPollInterval().toNanos();
    }
    return rows.size() >= settings.batchSize() ? 0 : settings.pollInterval().toNanos();
  }

  private void deliver(List<JournalReader.RawRow> rows) {
    List<JournalRow> batch = new ArrayList<>(rows.size());
    for (JournalReader.RawRow r : rows) {
      // The plugin marks rows deleted (deleteMessagesTo) before removing them; the ordering is
      // still taken, but the event is no longer part of the entity's history.
      if (!r.deleted()) {
        batch.add(new JournalRow(r.ordering(), r.persistenceId(), r.sequenceNr(), decode(r)));
      }
    }
    if (!batch.isEmpty()) {
      consumer.accept(batch);
    }
  }

  private Object decode(JournalReader.RawRow r) {
    Try<Object> event = serialization.deserialize(r.payload(), r.serializerId(), r.manifest());
    if (event.isSuccess()) {
      return event.get();
    }
    Throwable error = event.failed().get();
    log.error("Cannot deserialize journal row {} ({}#{}, serializer {}, manifest {})",
        r.ordering(), r.persistenceId(), r.sequenceNr(), r.serializerId(), r.manifest(), error);
    return new UndecodableEvent(r.serializerId(), r.manifest(), String.valueOf(error));
  }

  private void park(long nanos) {
    long deadline = System.nanoTime() + nanos;
    while (!stopping && !wakeUpPending.get()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      LockSupport.parkNanos(this, left);
    }
  }
}
