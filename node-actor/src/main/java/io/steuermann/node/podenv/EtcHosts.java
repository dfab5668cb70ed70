package io.steuermann.node.podenv;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.network.ClusterNetwork;
import io.steuermann.node.podenv.PodEnvironment.HostAlias;
import java.util.ArrayList;
import java.util.List;

/**
 * A pod's /etc/hosts as kubelet writes it: the localhost lines, the pod's IP with its names
 * ({@code hostname.subdomain.ns.svc.<domain>} before {@code hostname} when it has a subdomain),
 * then the {@code hostAliases}. The IP is known only once the sandbox exists, so this is the
 * file's content less the address, rendered by the runtime.
 */
public record EtcHosts(String hostname, String fqdn, List<HostAlias> aliases) {
  public EtcHosts {
    aliases = List.copyOf(aliases);
  }

  /** The pod's file, or null for a host-network pod (it keeps the machine's). */
  public static EtcHosts of(String podName, String namespace, JsonNode podSpec, ClusterNetwork network) {
    if (podSpec.path("hostNetwork").asBoolean(false)) {
      return null;
    }
    String hostname = hostname(podName, podSpec);
    String subdomain = podSpec.path("subdomain").asText("");
    String fqdn = subdomain.isEmpty() ? ""
        : hostname + "." + subdomain + "." + namespace + ".svc." + network.clusterDomain();
    List<HostAlias> aliases = new ArrayList<>();
    for (JsonNode alias : podSpec.path("hostAliases")) {
      List<String> names = new ArrayList<>();
      alias.path("hostnames").forEach(h -> names.add(h.asText()));
      aliases.add(new HostAlias(alias.path("ip").asText(), names));
    }
    return new EtcHosts(hostname, fqdn, aliases);
  }

  public String render(String podIp) {
    StringBuilder out = new StringBuilder("""
        # Kubernetes-managed hosts file.
        127.0.0.1\tlocalhost
        ::1\tlocalhost ip6-localhost ip6-loopback
        fe00::0\tip6-localnet
        fe00::0\tip6-mcastprefix
        fe00::1\tip6-allnodes
        fe00::2\tip6-allrouters
        """);
    if (!podIp.isEmpty()) {
      out.append(podIp).append('\t');
      if (!fqdn.isEmpty()) {
        out.append(fqdn).append('\t');
      }
      out.append(hostname).append('\n');
    }
    if (!aliases.isEmpty()) {
      out.append("\n# Entries added by HostAliases.\n");
      for (HostAlias alias : aliases) {
        out.append(alias.ip());
        alias.hostnames().forEach(h -> out.append('\t').append(h));
        out.append('\n');
      }
    }
    return out.toString();
  }

  /** {@code spec.hostname}, else the pod name cut to 63 characters (a DNS label), as kubelet. */
  public static String hostname(String podName, JsonNode podSpec) {
    String hostname = podSpec.path("hostname").asText("");
    if (hostname.isEmpty()) {
      hostname = podName.length() > 63 ? podName.substring(0, 63) : podName;
      while (hostname.endsWith("-") || hostname.endsWith(".")) {
        hostname = hostname.substring(0, hostname.length() - 1);
      }
    }
    return hostname;
  }
}
