package io.steuermann.engine.controllers.scheduler;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;

/**
 * The scheduler's settings, {@code steuermann.controllers.scheduler.*}. Every key has a default
 * in code, so the section may be absent. For engine's {@code reference.conf}:
 *
 * <pre>
 * steuermann.controllers.scheduler {
 *   # Feasible nodes scored per pod: at least this many, or ceil(log2 N) * sample-log-factor if
 *   # that is more; nodes are scanned from a rotating start, as Nomad does.
 *   sample-size = 50
 *   sample-log-factor = 4
 *   # Bindings sent and not yet answered; placements beyond wait in the queue.
 *   max-binds-in-flight = 256
 *   # PodScheduled=False status writes sent and not yet answered.
 *   max-status-writes-in-flight = 64
 *   # Pods decided per turn before the actor reads its mailbox again.
 *   batch-size = 256
 *   # Scoring: LeastAllocated (spread) or MostAllocated (bin-packing).
 *   scoring = LeastAllocated
 *   # Unschedulable pods are retried when nodes or capacity change, at most this often ...
 *   retry-min-interval = 100ms
 *   # ... and in any case this often.
 *   unschedulable-retry-interval = 60s
 *   # A FailedScheduling event is repeated with the same message at most this often.
 *   event-interval = 60s
 *   # A binding whose answer timed out is sent again this many times before it is given up.
 *   bind-retries = 3
 *   # A pod whose binding failed is queued again after this delay.
 *   bind-failure-backoff = 1s
 * }
 * </pre>
 */
public record SchedulerSettings(
    int sampleSize,
    int sampleLogFactor,
    int maxBindsInFlight,
    int maxStatusWritesInFlight,
    int batchSize,
    String scoring,
    Duration retryMinInterval,
    Duration unschedulableRetryInterval,
    Duration eventInterval,
    int bindRetries,
    Duration bindFailureBackoff,
    int watchBuffer) {

  private static final Config DEFAULTS = ConfigFactory.parseString("""
      sample-size = 50
      sample-log-factor = 4
      max-binds-in-flight = 256
      max-status-writes-in-flight = 64
      batch-size = 256
      scoring = LeastAllocated
      retry-min-interval = 100ms
      unschedulable-retry-interval = 60s
      event-interval = 60s
      bind-retries = 3
      bind-failure-backoff = 1s
      """);

  /** Reads {@code scheduler.*} and {@code watch-buffer} from {@code steuermann.controllers}. */
  public static SchedulerSettings from(Config controllers) {
    Config c = (controllers.hasPath("scheduler") ? controllers.getConfig("scheduler") : ConfigFactory.empty())
        .withFallback(DEFAULTS);
    int watchBuffer = controllers.hasPath("watch-buffer") ? controllers.getInt("watch-buffer") : 100_000;
    return new SchedulerSettings(
        Math.max(1, c.getInt("sample-size")),
        Math.max(0, c.getInt("sample-log-factor")),
        Math.max(1, c.getInt("max-binds-in-flight")),
        Math.max(1, c.getInt("max-status-writes-in-flight")),
        Math.max(1, c.getInt("batch-size")),
        c.getString("scoring"),
        c.getDuration("retry-min-interval"),
        c.getDuration("unschedulable-retry-interval"),
        c.getDuration("event-interval"),
        Math.max(0, c.getInt("bind-retries")),
        c.getDuration("bind-failure-backoff"),
        watchBuffer);
  }

  /** How many feasible nodes to score for a pod in a cluster of {@code nodes}. */
  public int sampleLimit(int nodes) {
    int log2 = nodes <= 1 ? 1 : 32 - Integer.numberOfLeadingZeros(nodes - 1);
    return Math.max(sampleSize, log2 * sampleLogFactor);
  }
}
