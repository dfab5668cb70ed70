package io.steuermann.http;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds the writes in flight on this API server, in all and per object. Beyond a bound a
 * write is refused at once with 429 and Retry-After, so an overload is turned away whole
 * instead of overflowing the journal's queue and failing half-way. The bound per object
 * matters because one object's writes are applied one after another by its entity: a burst
 * of patches to one object would otherwise wait in that entity's queue for seconds (and
 * time out) however idle the rest of the store is.
 */
public final class WriteLimiter {
  private final int limit;
  private final int perObject;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final ConcurrentHashMap<String, AtomicInteger> byObject = new ConcurrentHashMap<>();

  public WriteLimiter(int limit, int perObject) {
    this.limit = limit;
    this.perObject = perObject;
  }

  /** Takes a slot; false when all are taken (the caller answers 429). */
  public boolean tryAcquire() {
    while (true) {
      int n = inFlight.get();
      if (n >= limit) {
        return false;
      }
      if (inFlight.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  public void release() {
    inFlight.decrementAndGet();
  }

  /** Takes a slot of one object (by any stable key); false when its writes are at the bound. */
  public boolean tryAcquire(String object) {
    AtomicInteger count = byObject.computeIfAbsent(object, k -> new AtomicInteger());
    if (count.incrementAndGet() > perObject) {
      release(object);
      return false;
    }
    return true;
  }

  public void release(String object) {
    // the last writer out removes the counter, so that the map holds only objects being written
    byObject.computeIfPresent(object, (k, count) -> count.decrementAndGet() <= 0 ? null : count);
  }

  public int inFlight() {
    return inFlight.get();
  }

  public int limit() {
    return limit;
  }

  public int perObjectLimit() {
    return perObject;
  }
}
