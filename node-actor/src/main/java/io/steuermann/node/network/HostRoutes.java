package io.steuermann.node.network;

import io.steuermann.engine.network.Ipv4Cidr;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes and the one NAT rule of the pod network on this machine, through {@code ip} and
 * {@code iptables} (blocking; call from a thread of your own). Every change is idempotent
 * ({@code ip route replace}, check-then-append), so a restarted process programs the same
 * state again without error.
 */
public final class HostRoutes {
  private static final Logger log = LoggerFactory.getLogger(HostRoutes.class);
  /** Marks the NAT rule as ours. */
  static final String COMMENT = "steuermann pod egress";

  private final HostCommands commands;

  public HostRoutes(HostCommands commands) {
    this.commands = commands;
  }

  /**
   * Makes every address of {@code range} local (AnyIP): the service proxy and the cluster DNS
   * can bind any clusterIP, pods reach it through their gateway, and a packet to an address
   * nothing serves is answered here instead of following the default route out. A block
   * inside 127.0.0.0/8 is local already.
   */
  public HostCommands.Result ensureLocal(Ipv4Cidr range) {
    if (range.loopback()) {
      return new HostCommands.Result(0, "");
    }
    return commands.run("ip", "route", "replace", "local", range.toString(), "dev", "lo");
  }

  /**
   * Makes the cluster CIDR unreachable except where a more specific route says otherwise (a
   * node's bridge, a route to another node): a pod IP nobody holds never leaves the machine.
   */
  public HostCommands.Result ensureUnreachable(Ipv4Cidr clusterCidr) {
    return commands.run("ip", "route", "replace", "unreachable", clusterCidr.toString());
  }

  /** Host-gw: another node's pod CIDR is reached through that node's address. */
  public HostCommands.Result routeVia(Ipv4Cidr podCidr, String gateway) {
    return commands.run("ip", "route", "replace", podCidr.toString(), "via", gateway);
  }

  public HostCommands.Result remove(Ipv4Cidr podCidr, String gateway) {
    return commands.run("ip", "route", "del", podCidr.toString(), "via", gateway);
  }

  /** The routes with a gateway to blocks inside {@code clusterCidr}, as {@code ip} shows them now. */
  public Map<Ipv4Cidr, String> routesVia(Ipv4Cidr clusterCidr) {
    Map<Ipv4Cidr, String> routes = new LinkedHashMap<>();
    HostCommands.Result shown = commands.run("ip", "-4", "-o", "route", "show");
    if (!shown.ok()) {
      log.warn("Cannot read the routing table: {}", shown.output());
      return routes;
    }
    for (String line : shown.output().split("\n")) {
      String[] words = line.trim().split("\\s+");
      if (words.length >= 3 && "via".equals(words[1]) && words[0].contains("/")) {
        try {
          Ipv4Cidr block = Ipv4Cidr.parse(words[0]);
          if (clusterCidr.overlaps(block) && block.prefixLength() >= clusterCidr.prefixLength()) {
            routes.put(block, words[2]);
          }
        } catch (IllegalArgumentException e) {
          // not a route of ours
        }
      }
    }
    return routes;
  }

  /**
   * Pods' traffic to anything outside the cluster CIDR leaves with the node's address
   * (Docker's own masquerade is off on Steuermann's networks, so that pod-to-pod traffic
   * between machines keeps the pods' addresses, as in flannel's host-gw mode).
   */
  public HostCommands.Result ensureEgressMasquerade(Ipv4Cidr clusterCidr) {
    String[] rule = {"POSTROUTING", "-s", clusterCidr.toString(), "!", "-d", clusterCidr.toString(),
        "-m", "comment", "--comment", COMMENT, "-j", "MASQUERADE"};
    if (commands.run(concat(new String[] {"iptables", "-w", "-t", "nat", "-C"}, rule)).ok()) {
      return new HostCommands.Result(0, "");
    }
    return commands.run(concat(new String[] {"iptables", "-w", "-t", "nat", "-A"}, rule));
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = new String[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
