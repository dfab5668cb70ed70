package io.steuermann.engine.controllers.scheduler;

import java.util.Arrays;

/**
 * Scheduling latencies of the most recent pods (a ring of fixed size), for percentiles.
 * Not thread-safe: owned by the scheduler actor.
 */
final class LatencyRecorder {
  private final long[] micros;
  private int next;
  private long count;

  LatencyRecorder(int capacity) {
    this.micros = new long[capacity];
  }

  void record(long nanos) {
    micros[next] = Math.max(0, nanos / 1000);
    next = (next + 1) % micros.length;
    count++;
  }

  long count() {
    return count;
  }

  /** The {@code q} quantile (0..1) of the recorded latencies in milliseconds; 0 when none. */
  double quantileMillis(double q) {
    int n = (int) Math.min(count, micros.length);
    if (n == 0) {
      return 0;
    }
    long[] sorted = Arrays.copyOf(micros, n);
    Arrays.sort(sorted);
    int index = (int) Math.ceil(q * n) - 1;
    return sorted[Math.max(0, Math.min(n - 1, index))] / 1000.0;
  }

  void clear() {
    next = 0;
    count = 0;
  }
}
