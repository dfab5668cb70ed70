package io.steuermann.node.dns;

import com.typesafe.config.Config;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code steuermann.dns}: where the cluster DNS listens, its TTLs and where other names go. */
public record DnsSettings(
    boolean enabled,
    String listenAddress,
    int port,
    Duration ttl,
    Duration negativeTtl,
    List<String> forward,
    Path hostResolvConf,
    Duration forwardTimeout,
    int maxUdpPayload,
    int udpThreads,
    int tcpConnections,
    Duration tcpIdleTimeout,
    Duration rebuildDelay) {

  public DnsSettings {
    forward = List.copyOf(forward);
    if (maxUdpPayload < 512) {
      throw new IllegalArgumentException("steuermann.dns.max-udp-payload must be at least 512, not " + maxUdpPayload);
    }
  }

  public static DnsSettings fromConfig(Config c) {
    return new DnsSettings(c.getBoolean("enabled"), c.getString("listen-address").trim(), c.getInt("port"),
        c.getDuration("ttl"), c.getDuration("negative-ttl"), forwardList(c), Path.of(c.getString("host-resolv-conf")),
        c.getDuration("forward-timeout"), c.getInt("max-udp-payload"), c.getInt("udp-threads"),
        c.getInt("tcp-connections"), c.getDuration("tcp-idle-timeout"), c.getDuration("rebuild-delay"));
  }

  /** A list, or one comma-separated string (what {@code --dns-forward a,b} sets). */
  private static List<String> forwardList(Config c) {
    List<String> out = new ArrayList<>();
    List<String> raw = c.getValue("forward").valueType() == com.typesafe.config.ConfigValueType.LIST
        ? c.getStringList("forward") : List.of(c.getString("forward").split(","));
    raw.stream().map(String::trim).filter(s -> !s.isEmpty()).forEach(out::add);
    return out;
  }

  /**
   * The resolvers names outside the cluster are sent to: the configured ones, "host" replaced
   * by the machine's nameservers; never {@code self} (a loop).
   */
  public List<InetSocketAddress> forwarders(InetSocketAddress self) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (String entry : forward) {
      if (entry.equals("host")) {
        hostNameservers(hostResolvConf).forEach(ns -> out.add(new InetSocketAddress(ns, 53)));
      } else {
        out.add(parse(entry));
      }
    }
    out.removeIf(a -> a.equals(self) || (a.getAddress() != null && a.getAddress().isAnyLocalAddress()));
    return out;
  }

  static InetSocketAddress parse(String entry) {
    int colon = entry.lastIndexOf(':');
    if (colon > 0 && entry.indexOf(':') == colon) {
      return new InetSocketAddress(entry.substring(0, colon), Integer.parseInt(entry.substring(colon + 1)));
    }
    return new InetSocketAddress(entry, 53);
  }

  /** The {@code nameserver} lines of a resolv.conf. */
  static List<String> hostNameservers(Path resolvConf) {
    try {
      return Files.readAllLines(resolvConf).stream()
          .map(String::trim)
          .filter(l -> l.startsWith("nameserver"))
          .map(l -> l.substring("nameserver".length()).trim())
          .filter(s -> !s.isEmpty())
          .toList();
    } catch (IOException e) {
      throw new IllegalStateException("steuermann.dns.forward = host, but " + resolvConf + " cannot be read: " + e, e);
    }
  }
}
