package io.steuermann.engine.controllers;

import com.typesafe.config.Config;
import io.steuermann.engine.api.ObjectStore;
import io.steuermann.engine.observe.EngineMeters;
import io.steuermann.engine.watch.WatchCache;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.stream.Materializer;

/**
 * What controllers work with: the object store to write through (the same entities the API
 * uses), the local watch cache to observe, an event recorder, a clock, their settings
 * ({@code steuermann.controllers}), and {@code ready}, which completes once the watch cache
 * holds the whole journal. A controller must not act before that: a partly replayed cache
 * would show it too few pods, and it would create more. {@code caughtUp} completes once the
 * cache also holds every change committed to the journal when it was asked, by any member: a
 * controller that starts because its object moved to this member (a failover, a rebalance)
 * waits for it, so that it sees the last writes of its previous incarnation elsewhere; given a
 * quiet period, it first lets that pass (in a cluster of several members only), so that writes
 * the predecessor sent with a deadline have landed or been refused. {@code meters}: where they
 * report their queues.
 */
public record ControllerContext(
    ObjectStore store, WatchCache cache, Materializer materializer, EventRecorder events,
    Clock clock, Config settings, CompletionStage<Long> ready, Function<Duration, CompletionStage<Long>> caughtUp,
    EngineMeters meters) {

  public ControllerContext(ObjectStore store, WatchCache cache, Materializer materializer, EventRecorder events,
      Clock clock, Config settings, CompletionStage<Long> ready, Function<Duration, CompletionStage<Long>> caughtUp) {
    this(store, cache, materializer, events, clock, settings, ready, caughtUp, new EngineMeters());
  }

  public ControllerContext(ObjectStore store, WatchCache cache, Materializer materializer, EventRecorder events,
      Clock clock, Config settings, CompletionStage<Long> ready) {
    this(store, cache, materializer, events, clock, settings, ready, quiet -> ready);
  }
}
