package io.steuermann.engine.services;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Where clusterIPs and nodePorts come from ({@code steuermann.services}): an IPv4 block (by
 * default 10.96.0.0/12, made local on every machine that runs nodes) and a port range
 * (by default 30000-32767, as in Kubernetes). {@code orphanGrace} is how old a claim must be
 * before it may be taken from a holder that no longer uses it.
 */
public record ServiceRanges(long network, int prefixLength, int firstPort, int lastPort, Duration orphanGrace) {

  public ServiceRanges {
    if (prefixLength < 8 || prefixLength > 30) {
      throw new IllegalArgumentException("the cluster IP range must be a /8 to /30 block, not /" + prefixLength);
    }
    if (firstPort < 1 || lastPort > 65535 || firstPort > lastPort) {
      throw new IllegalArgumentException("bad node port range " + firstPort + "-" + lastPort);
    }
    network = network & mask(prefixLength);
  }

  public static ServiceRanges fromConfig(Config config) {
    Config c = config.getConfig("steuermann.services");
    String cidr = c.getString("cluster-ip-range");
    int slash = cidr.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("steuermann.services.cluster-ip-range must be a CIDR block: " + cidr);
    }
    long network = ServiceAddresses.parseIpv4(cidr.substring(0, slash));
    if (network < 0) {
      throw new IllegalArgumentException("steuermann.services.cluster-ip-range must be IPv4: " + cidr);
    }
    String ports = c.getString("node-port-range");
    int dash = ports.indexOf('-');
    if (dash < 0) {
      throw new IllegalArgumentException("steuermann.services.node-port-range must be FIRST-LAST: " + ports);
    }
    return new ServiceRanges(network, Integer.parseInt(cidr.substring(slash + 1).trim()),
        Integer.parseInt(ports.substring(0, dash).trim()), Integer.parseInt(ports.substring(dash + 1).trim()),
        c.getDuration("orphan-grace"));
  }

  public String cidr() {
    return ServiceAddresses.formatIpv4(network) + "/" + prefixLength;
  }

  public String portRange() {
    return firstPort + "-" + lastPort;
  }

  public long size() {
    return 1L << (32 - prefixLength);
  }

  /** In the block, and neither its network nor its broadcast address. */
  public boolean containsIp(long ip) {
    return (ip & mask(prefixLength)) == network && ip != network && ip != network + size() - 1;
  }

  public boolean containsPort(int port) {
    return port >= firstPort && port <= lastPort;
  }

  /**
   * Whether the allocator may pick this address by itself: besides the block's own network and
   * broadcast addresses it skips every x.y.z.0 and x.y.z.255 and the block's first host address
   * (the clusterIP of {@code default/kubernetes}) and its 10th (the cluster DNS's default
   * address, which is no Service's). A user may still ask for them explicitly.
   */
  public boolean pickable(long ip) {
    int last = (int) (ip & 0xff);
    return containsIp(ip) && last != 0 && last != 255 && ip != network + 1 && ip != network + 10;
  }

  private static long mask(int prefixLength) {
    return (0xffffffffL << (32 - prefixLength)) & 0xffffffffL;
  }
}
