package io.steuermann.node.ingress;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The ingress controller's settings ({@code steuermann.ingress}, documented in reference.conf):
 * whether it runs, the address and ports it answers on (0: a free port, for tests), and how long
 * a backend may take to start answering.
 */
public record IngressSettings(boolean enabled, String address, int httpPort, int httpsPort, Duration requestTimeout,
    int maxConnectionsPerEndpoint) {

  public static IngressSettings fromConfig(Config config) {
    Config ingress = config.getConfig("steuermann.ingress");
    String address = ingress.getString("address");
    if (address.isEmpty()) {
      address = config.getString("steuermann.node.address");
    }
    return new IngressSettings(ingress.getBoolean("enabled"), address, ingress.getInt("http-port"),
        ingress.getInt("https-port"), ingress.getDuration("request-timeout"),
        ingress.getInt("max-connections-per-endpoint"));
  }
}
