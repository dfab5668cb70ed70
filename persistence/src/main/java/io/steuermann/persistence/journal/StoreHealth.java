package io.steuermann.persistence.journal;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;

/**
 * Whether the objects' journal can write: failing from the first write that met an unreachable
 * database or a full disk until one succeeds again. The API refuses writes at once while it is
 * failing (503, or 507 for a full disk) instead of letting each wait for its timeout; a write
 * that fails for a reason of its own (a constraint, a bad row) says nothing about the store.
 * One per actor system.
 */
public final class StoreHealth implements Extension {

  /** Why writes fail: the database cannot be reached (or refuses connections), or it is full. */
  public enum Fault { UNAVAILABLE, FULL }

  /**
   * The store failing since {@code since}, with the first error's message, and what brings it
   * back: on its own when the database answers again, or (the embedded H2, which closes its
   * file after a failed write) a restart.
   */
  public record Failure(Fault fault, Instant since, String message, String remedy) {}

  private static final String RESUMES = "writes resume when the database can write again";
  private static final String RESTART = "the embedded H2 store closed itself after a failed write; restart"
      + " Steuermann when there is room again (what was acknowledged is kept)";

  private static final Id ID = new Id();

  private final Clock clock;
  private final AtomicReference<Failure> failure = new AtomicReference<>();
  private final List<Consumer<Failure>> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean recoversInProcess = true;
  private volatile java.nio.file.Path disk;
  /** Below this much usable space on the store's disk, a store fault is taken for a full disk. */
  private static final long NEARLY_FULL_BYTES = 4L << 20;

  StoreHealth(Clock clock) {
    this.clock = clock;
  }

  public static StoreHealth get(ClassicActorSystemProvider system) {
    return ID.get(system.classicSystem());
  }

  /** The current failure, empty while the store writes. */
  public Optional<Failure> failure() {
    return Optional.ofNullable(failure.get());
  }

  /** Called each time the store starts failing, on the thread that found out. */
  public void onFailure(Consumer<Failure> listener) {
    listeners.add(listener);
  }

  /** A journal write or probe succeeded: the store writes again. */
  public void succeeded() {
    failure.set(null);
  }

  /** Whether a failed store can come back while the process runs (not the embedded H2). */
  public boolean recoversInProcess() {
    return recoversInProcess;
  }

  void recoversInProcess(boolean recovers) {
    this.recoversInProcess = recovers;
  }

  /** The directory of an embedded store's file, whose free space tells a full disk. */
  void disk(java.nio.file.Path directory) {
    this.disk = directory;
  }

  private boolean diskNearlyFull() {
    java.nio.file.Path d = disk;
    if (d == null) {
      return false;
    }
    try {
      return java.nio.file.Files.getFileStore(d).getUsableSpace() < NEARLY_FULL_BYTES;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** A journal write failed with {@code error}; marks the store failing if the error says so. */
  public void failed(Throwable error) {
    classify(error).map(f -> f == Fault.UNAVAILABLE && diskNearlyFull() ? Fault.FULL : f).ifPresent(fault -> {
      Throwable cause = innermost(error);
      Failure f = new Failure(fault, clock.instant(), cause.getMessage() != null ? cause.getMessage() : cause.toString(),
          recoversInProcess ? RESUMES : RESTART);
      if (failure.compareAndSet(null, f)) {
        listeners.forEach(l -> l.accept(f));
      } else if (fault == Fault.FULL) {
        // a closed database was the symptom; the full disk, found later, is the cause
        failure.updateAndGet(now -> now == null || now.fault() == Fault.FULL ? now : new Failure(fault, now.since(), f.message(), f.remedy()));
      }
    });
  }

  /**
   * Which errors are the store's rather than the write's: connection failures (SQLState class
   * 08, a pool that cannot get a connection, a closed H2 database), PostgreSQL's insufficient
   * resources (class 53: 53100 is a full disk) and operator intervention (57P: shut down), and
   * I/O errors (H2 writes its file itself: "No space left on device" is a full disk).
   */
  static Optional<Fault> classify(Throwable error) {
    // a full disk anywhere in the chain first: H2 wraps it in its general I/O error
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String message = String.valueOf(t.getMessage());
      if (message.contains("No space left on device") || message.contains("Disk full")
          || (t instanceof SQLException sql && "53100".equals(sql.getSQLState()))) {
        return Optional.of(Fault.FULL);
      }
    }
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException sql) {
        String state = String.valueOf(sql.getSQLState());
        if (state.startsWith("08") || state.startsWith("53") || state.startsWith("57P")
            || sql instanceof SQLTransientConnectionException
            // H2: database closed (90098), I/O exceptions (90028, 90031), file corrupted by a failed write (90030)
            || sql.getErrorCode() == 90098 || sql.getErrorCode() == 90028 || sql.getErrorCode() == 90031) {
          return Optional.of(Fault.UNAVAILABLE);
        }
      }
      if (t instanceof IOException) {
        return Optional.of(Fault.UNAVAILABLE);
      }
    }
    return Optional.empty();
  }

  private static Throwable innermost(Throwable error) {
    Throwable t = error;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  private static final class Id extends AbstractExtensionId<StoreHealth> implements ExtensionIdProvider {
    @Override
    public StoreHealth createExtension(ExtendedActorSystem system) {
      return new StoreHealth(Clock.systemUTC());
    }

    @Override
    public Id lookup() {
      return ID;
    }
  }
}
