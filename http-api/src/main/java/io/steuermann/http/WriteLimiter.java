package io.steuermann.http;

import com.netflix.concurrency.limits.Limiter;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limiter.SimpleLimiter;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admits the writes of this API server, or refuses them at once (the caller answers 429 with
 * Retry-After), so that an overload is turned away whole instead of queueing until clients
 * time out. Three bounds, each a counter (a refusal costs no queue slot):
 * <ul>
 *   <li>in all: an adaptive limit (Netflix concurrency-limits' Gradient2) that follows the write
 *       path's measured latency between a floor and {@code max}: when writes start to queue
 *       their latency rises and the limit falls, so the excess is refused rather than queued;</li>
 *   <li>per flow (a client: its User-Agent and address, API Priority and Fairness' flow
 *       distinguisher without authentication): at most half of {@code max}, so one client's burst
 *       leaves room for everyone else's writes;</li>
 *   <li>per object: one object's writes are applied one by one by its entity, so a burst of
 *       patches to one object would wait in that entity's queue for seconds however idle the
 *       store is.</li>
 * </ul>
 * Reads are not limited here: they are served from the watch cache and take no write slot.
 */
public final class WriteLimiter {
  /** The adaptive limit never falls below this (or {@code max}, when that is smaller). */
  static final int FLOOR = 64;

  private final int max;
  private final int perFlow;
  private final int perObject;
  private final SimpleLimiter<Void> limiter;
  private final ConcurrentHashMap<String, AtomicInteger> byFlow = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, AtomicInteger> byObject = new ConcurrentHashMap<>();

  public WriteLimiter(int max, int perObject) {
    this.max = max;
    this.perFlow = Math.max(1, max / 2);
    this.perObject = perObject;
    int floor = Math.min(FLOOR, max);
    this.limiter = SimpleLimiter.newBuilder().named("api-writes")
        .limit(Gradient2Limit.newBuilder().initialLimit(Math.min(128, max)).minLimit(floor).maxConcurrency(max).build())
        .build();
  }

  /** A write that was let in; {@link #release} exactly once when it is answered. */
  public final class Permit {
    private final Limiter.Listener listener;
    private final String flow;
    private final String object;

    private Permit(Limiter.Listener listener, String flow, String object) {
      this.listener = listener;
      this.flow = flow;
      this.object = object;
    }

    /**
     * The write was answered {@code status}: a success's latency is the store's load; a timeout
     * or an unavailable store is a drop (the limit falls); a refusal says nothing of the load.
     */
    public void release(int status) {
      if (status / 100 == 2) {
        listener.onSuccess();
      } else if (status == 503 || status == 504) {
        listener.onDropped();
      } else {
        listener.onIgnore();
      }
      WriteLimiter.release(byFlow, flow);
      if (object != null) {
        WriteLimiter.release(byObject, object);
      }
    }
  }

  /** The answer to one write: a permit, or the reason for a 429. */
  public record Admission(Permit permit, String refusal) {}

  /** {@code object} is null for a write to a collection (a create). */
  public Admission admit(String flow, String object) {
    if (!take(byFlow, flow, perFlow)) {
      return new Admission(null, "too many writes in flight from this client (" + perFlow + "); retry later");
    }
    if (object != null && !take(byObject, object, perObject)) {
      release(byFlow, flow);
      return new Admission(null, "too many writes in flight to " + object + " (" + perObject + "); retry later");
    }
    Optional<Limiter.Listener> listener = limiter.acquire(null);
    if (listener.isEmpty()) {
      release(byFlow, flow);
      if (object != null) {
        release(byObject, object);
      }
      return new Admission(null, "too many writes in flight (" + limiter.getLimit() + " now, at most " + max
          + "); retry later");
    }
    return new Admission(new Permit(listener.get(), flow, object), null);
  }

  private static boolean take(ConcurrentHashMap<String, AtomicInteger> counts, String key, int bound) {
    AtomicInteger count = counts.computeIfAbsent(key, k -> new AtomicInteger());
    if (count.incrementAndGet() > bound) {
      release(counts, key);
      return false;
    }
    return true;
  }

  private static void release(ConcurrentHashMap<String, AtomicInteger> counts, String key) {
    // the last one out removes the counter, so that the map holds only what is being written
    counts.computeIfPresent(key, (k, count) -> count.decrementAndGet() <= 0 ? null : count);
  }

  /** The adaptive limit as it is now. */
  public int limit() {
    return limiter.getLimit();
  }

  public int inFlight() {
    return limiter.getInflight();
  }
}
