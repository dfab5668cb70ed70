package io.steuermann.node.podenv;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.network.ClusterNetwork;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * A pod's resolv.conf as kubelet writes it for its {@code dnsPolicy}. ClusterFirst: the cluster
 * DNS, the search path {@code <ns>.svc.<domain> svc.<domain> <domain>} and {@code ndots:5};
 * Default (and ClusterFirst with the host's network, as kubelet falls back): the node's own
 * resolution (null: the runtime keeps its file); None: only {@code dnsConfig}. {@code dnsConfig}
 * adds nameservers, searches and options to the policy's, cut to kubelet's limits (3
 * nameservers, 32 searches, 2048 characters of search path). The node's own search domains are
 * not added: they name the machine's network, which pods on the pod network do not share.
 */
public final class ResolvConf {
  static final int MAX_NAMESERVERS = 3;
  static final int MAX_SEARCHES = 32;
  static final int MAX_SEARCH_CHARS = 2048;

  private ResolvConf() {}

  public static String render(JsonNode podSpec, String namespace, ClusterNetwork network) {
    String policy = podSpec.path("dnsPolicy").asText("ClusterFirst");
    boolean hostNetwork = podSpec.path("hostNetwork").asBoolean(false);
    List<String> nameservers = new ArrayList<>();
    LinkedHashSet<String> searches = new LinkedHashSet<>();
    Map<String, String> options = new LinkedHashMap<>();
    switch (policy) {
      case "ClusterFirstWithHostNet", "ClusterFirst" -> {
        if (hostNetwork && policy.equals("ClusterFirst")) {
          return null;
        }
        String domain = network.clusterDomain();
        nameservers.add(network.clusterDns());
        searches.add(namespace + ".svc." + domain);
        searches.add("svc." + domain);
        searches.add(domain);
        options.put("ndots", "5");
      }
      case "None" -> { }
      default -> {
        return null; // Default: the node's resolution
      }
    }
    JsonNode config = podSpec.path("dnsConfig");
    config.path("nameservers").forEach(n -> nameservers.add(n.asText()));
    config.path("searches").forEach(s -> searches.add(s.asText()));
    for (JsonNode o : config.path("options")) {
      String name = o.path("name").asText("");
      if (!name.isEmpty()) {
        options.put(name, o.hasNonNull("value") ? o.path("value").asText() : null);
      }
    }
    StringBuilder out = new StringBuilder();
    List<String> kept = new ArrayList<>();
    int chars = 0;
    for (String s : searches) {
      if (kept.size() == MAX_SEARCHES || chars + s.length() + (kept.isEmpty() ? 0 : 1) > MAX_SEARCH_CHARS) {
        break;
      }
      chars += s.length() + (kept.isEmpty() ? 0 : 1);
      kept.add(s);
    }
    if (!kept.isEmpty()) {
      out.append("search ").append(String.join(" ", kept)).append('\n');
    }
    nameservers.stream().distinct().limit(MAX_NAMESERVERS).forEach(n -> out.append("nameserver ").append(n).append('\n'));
    if (!options.isEmpty()) {
      List<String> rendered = new ArrayList<>();
      options.forEach((k, v) -> rendered.add(v == null ? k : k + ":" + v));
      out.append("options ").append(String.join(" ", rendered)).append('\n');
    }
    return out.toString();
  }
}
