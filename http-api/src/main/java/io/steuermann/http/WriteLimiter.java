package io.steuermann.http;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds the writes in flight on this API server. Beyond the bound a write is refused at
 * once with 429 and Retry-After, so an overload is turned away whole instead of overflowing
 * the journal's queue and failing half-way.
 */
public final class WriteLimiter {
  private final int limit;
  private final AtomicInteger inFlight = new AtomicInteger();

  public WriteLimiter(int limit) {
    this.limit = limit;
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

  public int inFlight() {
    return inFlight.get();
  }

  public int limit() {
    return limit;
  }
}
