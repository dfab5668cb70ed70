package io.steuermann.node.proxy;

import io.steuermann.engine.network.Ipv4Cidr;
import java.util.List;

/**
 * What one listener forwards to: the Service port it serves ({@code namespace/name:port}),
 * its session affinity (ClientIP with {@code affinitySeconds} > 0, else None) and the ready
 * backends, in the Endpoints' order. A LoadBalancer's listener ({@code loadBalancer}: the
 * Service's port on the node's address) may admit only clients of {@code sourceRanges}
 * (empty: every client).
 */
public record ListenerSpec(ListenerKey key, String servicePort, long affinitySeconds, List<Backend> backends,
    boolean loadBalancer, List<Ipv4Cidr> sourceRanges) {

  public ListenerSpec {
    backends = List.copyOf(backends);
    sourceRanges = List.copyOf(sourceRanges);
  }

  /** A clusterIP or nodePort listener: every client admitted. */
  public ListenerSpec(ListenerKey key, String servicePort, long affinitySeconds, List<Backend> backends) {
    this(key, servicePort, affinitySeconds, backends, false, List.of());
  }

  /** Whether a client at {@code ip} may be served here. */
  public boolean admits(String ip) {
    return sourceRanges.isEmpty() || sourceRanges.stream().anyMatch(r -> r.contains(ip));
  }
}
