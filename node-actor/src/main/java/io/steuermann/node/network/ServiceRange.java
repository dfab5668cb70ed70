package io.steuermann.node.network;

import com.typesafe.config.Config;
import io.steuermann.engine.network.Ipv4Cidr;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The service range ({@code steuermann.services.cluster-ip-range}) on this machine. */
public final class ServiceRange {
  private static final Logger log = LoggerFactory.getLogger(ServiceRange.class);

  private ServiceRange() {}

  /**
   * Makes every clusterIP a local address of this machine (blocking, once at start; idempotent).
   * Without it (no CAP_NET_ADMIN) clusterIPs outside 127.0.0.0/8 cannot be served here: said
   * once, loudly.
   */
  public static void makeLocal(Config config) {
    Ipv4Cidr range = Ipv4Cidr.parse(config.getString("steuermann.services.cluster-ip-range"));
    HostCommands.Result result = new HostRoutes(HostCommands.local()).ensureLocal(range);
    if (!result.ok()) {
      log.warn("The service range {} could not be made local to this machine (`ip route replace local {} dev lo`: {})."
          + " clusterIPs will not answer here; run as root (or with CAP_NET_ADMIN), or use a range inside "
          + "127.0.0.0/8 (--service-cidr) at the price of pods not reaching Services", range, range, result.output());
    }
  }
}
