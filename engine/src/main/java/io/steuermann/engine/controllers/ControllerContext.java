package io.steuermann.engine.controllers;

import com.typesafe.config.Config;
import io.steuermann.engine.api.ObjectStore;
import io.steuermann.engine.watch.WatchCache;
import java.time.Clock;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.stream.Materializer;

/**
 * What controllers work with: the object store to write through (the same entities the API
 * uses), the local watch cache to observe, an event recorder, a clock, their settings
 * ({@code steuermann.controllers}), and {@code ready}, which completes once the watch cache
 * holds the whole journal. A controller must not act before that: a partly replayed cache
 * would show it too few pods, and it would create more.
 */
public record ControllerContext(
    ObjectStore store, WatchCache cache, Materializer materializer, EventRecorder events,
    Clock clock, Config settings, CompletionStage<Long> ready) {}
