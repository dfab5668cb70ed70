package io.steuermann.node.proxy;

import java.util.List;

/**
 * What one listener forwards to: the Service port it serves ({@code namespace/name:port}),
 * its session affinity (ClientIP with {@code affinitySeconds} > 0, else None) and the ready
 * backends, in the Endpoints' order.
 */
public record ListenerSpec(ListenerKey key, String servicePort, long affinitySeconds, List<Backend> backends) {

  public ListenerSpec {
    backends = List.copyOf(backends);
  }
}
