package io.steuermann.engine.objects;

import io.steuermann.engine.observe.EngineMeters;
import java.time.Clock;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * What an object entity needs from its process: where to learn the journal ordering of an
 * event it wrote (that ordering is the object's resourceVersion), whom to tell that it wrote
 * (so the change feed polls at once instead of at its next interval), whom to tell the
 * resourceVersion it acknowledged (so reads on this node can wait for their own writes), the
 * clock for timestamps, the controllers that act for objects of some kinds, the allocations of
 * values that must be unique across objects (Service clusterIPs, nodePorts), and whether this
 * member may act at all (it hears a majority of the cluster: {@code cluster.Quorum}), and where it
 * records how long its journal writes take.
 */
public record EntityServices(
    VersionSource versions, Runnable written, LongConsumer acknowledged, Clock clock,
    ObjectControllers controllers, Allocations allocations, BooleanSupplier inMajority, EngineMeters meters) {

  public EntityServices(VersionSource versions, Runnable written, LongConsumer acknowledged, Clock clock) {
    this(versions, written, acknowledged, clock, ObjectControllers.none());
  }

  public EntityServices(VersionSource versions, Runnable written, LongConsumer acknowledged, Clock clock,
      ObjectControllers controllers) {
    this(versions, written, acknowledged, clock, controllers, Allocations.none(), () -> true, new EngineMeters());
  }

  /** Finds the journal ordering of one event of one persistence id. */
  @FunctionalInterface
  public interface VersionSource {
    CompletionStage<Long> versionOf(String persistenceId, long sequenceNr);
  }
}
