package io.steuermann.node.podenv;

import java.util.List;
import java.util.Map;

/**
 * What a pod learns of the cluster when it starts, computed by the node agent as kubelet does
 * ({@link PodEnvironments}) and handed to the runtime: its {@code resolv.conf} (null: the
 * runtime's own, for {@code dnsPolicy: Default} and host-network pods), its {@code /etc/hosts}
 * less the pod IP (null: the runtime's own), and the Service variables every container gets
 * beneath its own.
 */
public record PodEnvironment(String resolvConf, EtcHosts hosts, Map<String, String> serviceVariables) {
  public PodEnvironment {
    serviceVariables = Map.copyOf(serviceVariables);
  }

  /** Nothing: the runtime's defaults (tests of a runtime alone). */
  public static PodEnvironment none() {
    return new PodEnvironment(null, null, Map.of());
  }

  /** One {@code hostAliases} entry. */
  public record HostAlias(String ip, List<String> hostnames) {}
}
