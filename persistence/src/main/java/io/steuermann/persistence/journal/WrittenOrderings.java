package io.steuermann.persistence.journal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;

/**
 * Where the group-commit journal leaves the journal {@code ordering} of each event it wrote (or
 * replayed last), for the entity that wrote it to take: the resourceVersion without a second
 * query. Also how far the journal has synced, so the change feed shows no row before it is on
 * stable storage. One per actor system.
 */
public final class WrittenOrderings implements Extension {

  /** Bounds what entities that stopped before taking theirs can leave behind. */
  private static final int CAPACITY = 65_536;

  private static final Id ID = new Id();

  private record Key(String persistenceId, long sequenceNr) {}

  private final Map<Key, Long> orderings = new LinkedHashMap<>(1024, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Key, Long> eldest) {
      return size() > CAPACITY;
    }
  };

  private final AtomicLong syncedUpTo = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong rows = new AtomicLong();

  public static WrittenOrderings get(ClassicActorSystemProvider system) {
    return ID.get(system.classicSystem());
  }

  /** Called by the journal once the row is durable. */
  void offer(String persistenceId, long sequenceNr, long ordering) {
    synchronized (orderings) {
      orderings.put(new Key(persistenceId, sequenceNr), ordering);
    }
  }

  /** The ordering of that event if this system's journal wrote or replayed it; removes it. */
  public OptionalLong take(String persistenceId, long sequenceNr) {
    Long ordering;
    synchronized (orderings) {
      ordering = orderings.remove(new Key(persistenceId, sequenceNr));
    }
    return ordering == null ? OptionalLong.empty() : OptionalLong.of(ordering);
  }

  /**
   * The highest ordering this system's journal has synced; {@link Long#MAX_VALUE} while it has
   * not started (everything visible then was written and synced before).
   */
  public long syncedUpTo() {
    return syncedUpTo.get();
  }

  void journalStarted(long highestOrdering) {
    syncedUpTo.set(highestOrdering);
  }

  void synced(long ordering, int rowCount) {
    syncedUpTo.accumulateAndGet(ordering, Math::max);
    batches.incrementAndGet();
    rows.addAndGet(rowCount);
  }

  /** How many transactions (each with one sync) the objects' journal has committed. */
  public long commits() {
    return batches.get();
  }

  /** How many rows those transactions held: {@code rows / commits} is the group-commit factor. */
  public long rowsCommitted() {
    return rows.get();
  }

  private static final class Id extends AbstractExtensionId<WrittenOrderings> implements ExtensionIdProvider {
    @Override
    public WrittenOrderings createExtension(ExtendedActorSystem system) {
      return new WrittenOrderings();
    }

    @Override
    public Id lookup() {
      return ID;
    }
  }
}
