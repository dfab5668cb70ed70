package io.steuermann.node.proxy;

import com.typesafe.config.Config;
import java.time.Duration;

/** The service proxy's settings ({@code steuermann.proxy}, documented in reference.conf). */
public record ProxySettings(boolean enabled, String nodeAddress, Duration connectTimeout, int maxConnectAttempts,
    int backlog, Duration udpIdleTimeout, int udpPendingDatagrams, Duration bindRetryMin, Duration bindRetryMax) {

  public static ProxySettings fromConfig(Config proxy) {
    return new ProxySettings(proxy.getBoolean("enabled"), proxy.getString("node-address"),
        proxy.getDuration("connect-timeout"), Math.max(1, proxy.getInt("max-connect-attempts")),
        proxy.getInt("backlog"), proxy.getDuration("udp-idle-timeout"), proxy.getInt("udp-pending-datagrams"),
        proxy.getDuration("bind-retry-min"), proxy.getDuration("bind-retry-max"));
  }

  /** The delay before bind attempt number {@code failures + 1}: doubling from the minimum, capped. */
  public Duration bindRetry(int failures) {
    long min = bindRetryMin.toMillis();
    long max = bindRetryMax.toMillis();
    return Duration.ofMillis(failures >= 30 ? max : Math.min(max, min << Math.max(0, failures - 1)));
  }
}
