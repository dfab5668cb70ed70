package io.steuermann.engine.objects;

import java.time.Clock;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * What an object entity needs from its process: where to learn the journal ordering of an
 * event it wrote (that ordering is the object's resourceVersion), whom to tell that it wrote
 * (so the change feed polls at once instead of at its next interval), whom to tell the
 * resourceVersion it acknowledged (so reads on this node can wait for their own writes), the
 * clock for timestamps, the controllers that act for objects of some kinds, and whether this
 * member may act at all (it hears a majority of the cluster: {@code cluster.Quorum}).
 */
public record EntityServices(
    VersionSource versions, Runnable written, LongConsumer acknowledged, Clock clock,
    ObjectControllers controllers, BooleanSupplier inMajority) {

  public EntityServices(VersionSource versions, Runnable written, LongConsumer acknowledged, Clock clock,
      ObjectControllers controllers) {
    this(versions, written, acknowledged, clock, controllers, () -> true);
  }

  public EntityServices(VersionSource versions, Runnable written, LongConsumer acknowledged, Clock clock) {
    this(versions, written, acknowledged, clock, ObjectControllers.none());
  }

  /** Finds the journal ordering of one event of one persistence id. */
  @FunctionalInterface
  public interface VersionSource {
    CompletionStage<Long> versionOf(String persistenceId, long sequenceNr);
  }
}
