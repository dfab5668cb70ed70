package io.steuermann.node.proxy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;

/** The service proxy's settings ({@code steuermann.proxy}, documented in reference.conf). */
public record ProxySettings(boolean enabled, ProxyMode mode, String nodeAddress, Duration connectTimeout, int maxConnectAttempts,
    int backlog, Duration udpIdleTimeout, int udpPendingDatagrams, int udpMaxFlows, Duration bindRetryMin,
    Duration bindRetryMax, IptablesSettings iptables) {

  /**
   * The kernel path's settings ({@code steuermann.proxy.iptables}): the chains' name prefix (one
   * identity per machine: two processes on one machine in iptables mode would share, and fight
   * over, the same chains unless their prefixes differ), the pod network (traffic from outside
   * it to a clusterIP is masqueraded), the debounce of changes and the period of full resyncs.
   */
  public record IptablesSettings(String chainPrefix, String clusterCidr, Duration minSyncInterval,
      Duration syncPeriod, boolean cleanupOnStop) {
    public IptablesSettings {
      if (!chainPrefix.matches("[A-Z][A-Z0-9]{0,9}")) {
        throw new IllegalArgumentException(
            "steuermann.proxy.iptables.chain-prefix must be 1-10 capital letters or digits (iptables chain names are at most 28 characters): '"
                + chainPrefix + "'");
      }
    }
  }

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
    Config iptables = proxy.getConfig("iptables");
    return new ProxySettings(proxy.getBoolean("enabled"), ProxyMode.parse(proxy.getString("mode")), proxy.getString("node-address"),
        proxy.getDuration("connect-timeout"), Math.max(1, proxy.getInt("max-connect-attempts")),
        proxy.getInt("backlog"), proxy.getDuration("udp-idle-timeout"), proxy.getInt("udp-pending-datagrams"), proxy.getInt("udp-max-flows"),
        proxy.getDuration("bind-retry-min"), proxy.getDuration("bind-retry-max"),
        new IptablesSettings(iptables.getString("chain-prefix"), iptables.getString("cluster-cidr"),
            iptables.getDuration("min-sync-interval"), iptables.getDuration("sync-period"),
            iptables.getBoolean("cleanup-on-stop")));
  }

  /** These settings with the mode resolved and the kernel path's settings completed. */
  public ProxySettings with(ProxyMode mode, IptablesSettings iptables) {
    return new ProxySettings(enabled, mode, nodeAddress, connectTimeout, maxConnectAttempts, backlog, udpIdleTimeout,
        udpPendingDatagrams, udpMaxFlows, bindRetryMin, bindRetryMax, iptables);
  }

  /** The delay before bind attempt number {@code failures + 1}: doubling from the minimum, capped. */
  public Duration bindRetry(int failures) {
    long min = bindRetryMin.toMillis();
    long max = bindRetryMax.toMillis();
    return Duration.ofMillis(failures >= 30 ? max : Math.min(max, min << Math.max(0, failures - 1)));
  }
}
