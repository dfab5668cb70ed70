package io.steuermann.node.proxy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;

/** The service proxy's settings ({@code steuermann.proxy}, documented in reference.conf). */
public record ProxySettings(boolean enabled, String nodeAddress, Duration connectTimeout, int maxConnectAttempts,
    int backlog, Duration udpIdleTimeout, int udpPendingDatagrams, int udpMaxFlows, Duration bindRetryMin,
    Duration bindRetryMax) {

  /**
   * Pekko settings the proxy wants system-wide, for the server to put between the application's
   * configuration and the libraries' reference.conf (a library's reference.conf cannot override
   * Pekko's own: which one wins depends on the classpath order). Pekko's TCP reads at most one
   * direct buffer per read request; at the default 128 KiB bulk transfers through the proxy took
   * about a third more actor round trips per MiB (bin/bench-proxy: about 480 MiB/s at 128 KiB,
   * 560-750 MiB/s at 512 KiB). A buffer is held only during one read, by a selector thread.
   */
  public static final Config PEKKO_DEFAULTS = ConfigFactory.parseString("pekko.io.tcp.direct-buffer-size = 512 KiB");

  public static ProxySettings fromConfig(Config proxy) {
    return new ProxySettings(proxy.getBoolean("enabled"), proxy.getString("node-address"),
        proxy.getDuration("connect-timeout"), Math.max(1, proxy.getInt("max-connect-attempts")),
        proxy.getInt("backlog"), proxy.getDuration("udp-idle-timeout"), proxy.getInt("udp-pending-datagrams"), proxy.getInt("udp-max-flows"),
        proxy.getDuration("bind-retry-min"), proxy.getDuration("bind-retry-max"));
  }

  /** The delay before bind attempt number {@code failures + 1}: doubling from the minimum, capped. */
  public Duration bindRetry(int failures) {
    long min = bindRetryMin.toMillis();
    long max = bindRetryMax.toMillis();
    return Duration.ofMillis(failures >= 30 ? max : Math.min(max, min << Math.max(0, failures - 1)));
  }
}
