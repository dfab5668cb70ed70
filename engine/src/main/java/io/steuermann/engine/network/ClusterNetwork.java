package io.steuermann.engine.network;

import com.typesafe.config.Config;

/**
 * The cluster's addressing as every part sees it ({@code steuermann.network} and the service
 * range): where pod IPs come from ({@code --cluster-cidr}, cut into one /{@code nodeMaskSize}
 * block per node), the DNS domain ({@code --cluster-domain}), the address pods send their
 * queries to ({@code --cluster-dns}: by default the 10th address of the service range, as
 * kubeadm picks it) and the clusterIP of {@code default/kubernetes} (the range's first address).
 */
public record ClusterNetwork(
    Ipv4Cidr clusterCidr, int nodeMaskSize, Ipv4Cidr serviceRange, String clusterDomain, String clusterDns) {

  public ClusterNetwork {
    if (nodeMaskSize < clusterCidr.prefixLength() || nodeMaskSize > 30) {
      throw new IllegalArgumentException("steuermann.network.node-cidr-mask-size must be between the cluster CIDR's /"
          + clusterCidr.prefixLength() + " and /30, not " + nodeMaskSize);
    }
    if (clusterCidr.overlaps(serviceRange)) {
      throw new IllegalArgumentException("the cluster CIDR " + clusterCidr + " overlaps the service range " + serviceRange);
    }
    if (clusterDomain.isEmpty() || clusterDomain.startsWith(".") || clusterDomain.endsWith(".")) {
      throw new IllegalArgumentException("steuermann.network.cluster-domain must be a domain such as cluster.local, not \""
          + clusterDomain + "\"");
    }
  }

  public static ClusterNetwork fromConfig(Config config) {
    Config c = config.getConfig("steuermann.network");
    Ipv4Cidr services = Ipv4Cidr.parse(config.getString("steuermann.services.cluster-ip-range"));
    String dns = c.getString("cluster-dns").trim();
    return new ClusterNetwork(Ipv4Cidr.parse(c.getString("cluster-cidr")), c.getInt("node-cidr-mask-size"), services,
        c.getString("cluster-domain").trim(), dns.isEmpty() ? defaultDns(services) : dns);
  }

  /** The 10th address of the service range (10.96.0.10 for 10.96.0.0/12), kubeadm's choice. */
  public static String defaultDns(Ipv4Cidr serviceRange) {
    return serviceRange.address(10);
  }

  /** The clusterIP of {@code default/kubernetes}: the range's first address, as kube-apiserver picks it. */
  public String apiServiceIp() {
    return serviceRange.address(1);
  }

  /** How many node blocks the cluster CIDR holds. */
  public long nodeBlocks() {
    return 1L << (nodeMaskSize - clusterCidr.prefixLength());
  }

  /** The {@code index}-th node block (0 = the first). */
  public Ipv4Cidr nodeBlock(long index) {
    return new Ipv4Cidr(clusterCidr.network() + (index << (32 - nodeMaskSize)), nodeMaskSize);
  }
}
