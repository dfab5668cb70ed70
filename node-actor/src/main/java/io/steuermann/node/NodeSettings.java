package io.steuermann.node;

import com.typesafe.config.Config;
import io.steuermann.node.runtime.HollowRuntime;
import java.time.Duration;

/** The node agents' settings ({@code steuermann.node}, documented in reference.conf). */
public record NodeSettings(int hollowNodes, String namePrefix, Duration heartbeatInterval,
    Duration restartBackoff, Duration restartBackoffMax, Duration pendingStatusAfter, Duration retryDelay,
    HollowRuntime.Settings hollow) {

  public static NodeSettings fromConfig(Config node) {
    return new NodeSettings(node.getInt("hollow-nodes"), node.getString("name-prefix"),
        node.getDuration("heartbeat-interval"), node.getDuration("restart-backoff"),
        node.getDuration("restart-backoff-max"), node.getDuration("pending-status-after"),
        node.getDuration("retry-delay"), HollowRuntime.Settings.fromConfig(node.getConfig("hollow")));
  }

  /** The back-off before restart number {@code n + 1}: base, doubling, capped. */
  public Duration backoff(int n) {
    long base = restartBackoff.toMillis();
    long max = restartBackoffMax.toMillis();
    long delay = n >= 30 ? max : Math.min(max, base << n);
    return Duration.ofMillis(Math.max(0, delay));
  }
}
