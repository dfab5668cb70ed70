package io.steuermann.engine.controllers.job;

import java.time.Duration;

/**
 * The Job controller's pod failure back-off, as Kubernetes': after the n-th failure in a row
 * the next pod waits {@code base * 2^(n-1)} (10 s, 20 s, 40 s, ... with Kubernetes' base),
 * never longer than {@code max} (6 minutes in Kubernetes). A success resets the count.
 */
public record Backoff(Duration base, Duration max) {
  public static final Backoff KUBERNETES = new Backoff(Duration.ofSeconds(10), Duration.ofMinutes(6));

  /** The wait after {@code failuresInARow} failures; zero for none. */
  public Duration delay(int failuresInARow) {
    if (failuresInARow <= 0) {
      return Duration.ZERO;
    }
    Duration d = base;
    for (int i = 1; i < failuresInARow; i++) {
      d = d.multipliedBy(2);
      if (d.compareTo(max) >= 0) {
        return max;
      }
    }
    return d.compareTo(max) > 0 ? max : d;
  }
}
