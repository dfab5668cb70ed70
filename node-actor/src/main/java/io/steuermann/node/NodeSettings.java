package io.steuermann.node;

import com.typesafe.config.Config;
import io.steuermann.node.runtime.HollowRuntime;
import java.time.Duration;

/** The node agents' settings ({@code steuermann.node}, documented in reference.conf). */
public record NodeSettings(int hollowNodes, String namePrefix, Duration heartbeatInterval,
    Duration restartBackoff, Duration restartBackoffMax, Duration pendingStatusAfter, Duration retryDelay,
    HollowRuntime.Settings hollow, Duration volumeResync) {

  /** With the default resync of configMap, secret, downwardAPI and projected volumes. */
  public NodeSettings(int hollowNodes, String namePrefix, Duration heartbeatInterval, Duration restartBackoff,
      Duration restartBackoffMax, Duration pendingStatusAfter, Duration retryDelay, HollowRuntime.Settings hollow) {
    this(hollowNodes, namePrefix, heartbeatInterval, restartBackoff, restartBackoffMax, pendingStatusAfter, retryDelay,
        hollow, Duration.ofSeconds(30));
  }

  public static NodeSettings fromConfig(Config node) {
    return new NodeSettings(node.getInt("hollow-nodes"), node.getString("name-prefix"),
        node.getDuration("heartbeat-interval"), node.getDuration("restart-backoff"),
        node.getDuration("restart-backoff-max"), node.getDuration("pending-status-after"),
        node.getDuration("retry-delay"), HollowRuntime.Settings.fromConfig(node.getConfig("hollow")),
        node.getDuration("volume-resync"));
  }

  /**
   * The delay before restarting a container that exited for the {@code (crashes + 1)}th time in
   * a row: at once the first time, then base, doubling, capped — Kubernetes' crash loop
   * (0, 10 s, 20 s, 40 s, ... 5 min).
   */
  public Duration crashBackoff(int crashes) {
    return crashes <= 0 ? Duration.ZERO : backoff(crashes - 1);
  }

  /** The back-off before retry number {@code n + 1} (of a start, an image pull): base, doubling, capped. */
  public Duration backoff(int n) {
    long base = restartBackoff.toMillis();
    long max = restartBackoffMax.toMillis();
    long delay = n >= 30 ? max : Math.min(max, base << n);
    return Duration.ofMillis(Math.max(0, delay));
  }
}
