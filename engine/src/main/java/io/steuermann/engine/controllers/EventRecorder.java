package io.steuermann.engine.controllers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.api.ObjectStore;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Meta;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records Kubernetes Events (the Event kind) about objects: Scheduled, FailedScheduling,
 * SuccessfulCreate, ScalingReplicaSet, NodeNotReady, ... Like Kubernetes' event recorder it
 * is best effort and rate limited (a token bucket): events must never slow the controllers
 * down, so beyond the rate they are dropped and counted.
 */
public final class EventRecorder {
  private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);

  private final ObjectStore store;
  private final Clock clock;
  private final String component;
  private final double perSecond;
  private final double burst;
  private double tokens;
  private long lastRefillNanos = System.nanoTime();
  private final AtomicLong dropped = new AtomicLong();

  public EventRecorder(ObjectStore store, Clock clock, String component, double perSecond, double burst) {
    this.store = store;
    this.clock = clock;
    this.component = component;
    this.perSecond = perSecond;
    this.burst = burst;
    this.tokens = burst;
  }

  /** Records an event about {@code involved}; {@code type} is Normal or Warning. */
  public void record(ObjectNode involved, String type, String reason, String message) {
    if (!take()) {
      long n = dropped.incrementAndGet();
      if (n % 1000 == 1) {
        log.debug("event rate limit: {} events dropped so far", n);
      }
      return;
    }
    String namespace = Meta.namespace(involved).isEmpty() ? "default" : Meta.namespace(involved);
    String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    ObjectNode event = Json.object();
    event.put("apiVersion", "v1");
    event.put("kind", "Event");
    ObjectNode meta = event.putObject("metadata");
    meta.put("name", Meta.name(involved) + "." + Long.toHexString(System.nanoTime())
        + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000)));
    meta.put("namespace", namespace);
    ObjectNode ref = event.putObject("involvedObject");
    ref.put("apiVersion", involved.path("apiVersion").asText());
    ref.put("kind", involved.path("kind").asText());
    ref.put("name", Meta.name(involved));
    if (!Meta.namespace(involved).isEmpty()) {
      ref.put("namespace", Meta.namespace(involved));
    }
    ref.put("uid", Meta.uid(involved));
    event.put("reason", reason);
    event.put("message", message);
    event.put("type", type);
    event.putObject("source").put("component", component);
    event.put("firstTimestamp", now);
    event.put("lastTimestamp", now);
    event.put("count", 1);
    store.create(event).exceptionally(e -> null);
  }

  public long dropped() {
    return dropped.get();
  }

  private synchronized boolean take() {
    long now = System.nanoTime();
    tokens = Math.min(burst, tokens + (now - lastRefillNanos) / 1e9 * perSecond);
    lastRefillNanos = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
