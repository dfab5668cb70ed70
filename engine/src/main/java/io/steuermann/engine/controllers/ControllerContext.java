package io.steuermann.engine.controllers;

import com.typesafe.config.Config;
import io.steuermann.engine.api.ObjectStore;
import io.steuermann.engine.watch.WatchCache;
import java.time.Clock;
import org.apache.pekko.stream.Materializer;

/**
 * What controllers work with: the object store to write through (the same entities the API
 * uses), the local watch cache to observe, an event recorder, a clock, and their settings
 * ({@code steuermann.controllers}).
 */
public record ControllerContext(
    ObjectStore store, WatchCache cache, Materializer materializer, EventRecorder events,
    Clock clock, Config settings) {}
