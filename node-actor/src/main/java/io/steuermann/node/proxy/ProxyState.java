package io.steuermann.node.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.network.Ipv4Cidr;
import io.steuermann.engine.services.ServiceSpecs;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The pure part of the proxy: from the Services and Endpoints of the cluster, which listeners
 * this machine should have and where each forwards to. Every Service port gives a listener on
 * {@code clusterIP:port} (unless headless) and, with a {@code nodePort}, one on
 * {@code nodeAddress:nodePort}, and a LoadBalancer without a {@code loadBalancerClass} one on
 * {@code nodeAddress:port} (k3s' ServiceLB: every node is the load balancer; its
 * {@code loadBalancerSourceRanges} admit the clients). Its backends are the ready addresses
 * ({@code subsets[].addresses}, never {@code notReadyAddresses}) with the Endpoints port of the
 * same name and protocol (the unnamed one for an unnamed Service port), as kube-proxy maps
 * them; with a traffic policy of Local (external for the node-address listeners, internal for
 * the clusterIP) only those on a node of this machine, and none at all when there are none.
 */
public final class ProxyState {
  private ProxyState() {}

  /** The listeners wanted, and a message for each listener two Service ports both claimed (the first by name wins). */
  public record Desired(Map<ListenerKey, ListenerSpec> listeners, List<String> conflicts) {}

  /** Services and Endpoints keyed alike ({@code namespace/name}); the Endpoints of a Service share its key. */
  public static Desired desired(Map<String, ? extends JsonNode> services, Map<String, ? extends JsonNode> endpoints,
      String nodeAddress) {
    return desired(services, endpoints, nodeAddress, Set.of());
  }

  /** {@code localNodes}: the nodes of this machine, whose endpoints a Local traffic policy keeps. */
  public static Desired desired(Map<String, ? extends JsonNode> services, Map<String, ? extends JsonNode> endpoints,
      String nodeAddress, Set<String> localNodes) {
    Map<ListenerKey, ListenerSpec> listeners = new TreeMap<>(
        java.util.Comparator.comparing(ListenerKey::toString));
    List<String> conflicts = new ArrayList<>();
    new TreeMap<>(services).forEach((key, service) -> {
      JsonNode spec = service.path("spec");
      String type = spec.path("type").asText("ClusterIP");
      if ("ExternalName".equals(type)) {
        return;
      }
      String clusterIp = spec.path("clusterIP").asText("");
      boolean hasClusterIp = !clusterIp.isEmpty() && !"None".equals(clusterIp);
      long affinity = affinitySeconds(spec);
      boolean externalLocal = "Local".equals(spec.path("externalTrafficPolicy").asText());
      boolean internalLocal = "Local".equals(spec.path("internalTrafficPolicy").asText());
      boolean loadBalancer = ServiceSpecs.servedByBuiltInLoadBalancer(spec);
      List<Ipv4Cidr> sourceRanges = loadBalancer ? sourceRanges(spec) : List.of();
      JsonNode subsets = endpoints.containsKey(key) ? endpoints.get(key).path("subsets") : null;
      for (JsonNode port : spec.path("ports")) {
        ListenerKey.Protocol protocol = protocol(port.path("protocol").asText("TCP"));
        int number = port.path("port").asInt(0);
        if (protocol == null || number < 1 || number > 65535) {
          continue; // SCTP, or a port validation would have refused
        }
        String name = port.path("name").asText("");
        List<Backend> all = backends(subsets, name, protocol, null);
        List<Backend> local = externalLocal || internalLocal ? backends(subsets, name, protocol, localNodes) : all;
        List<Backend> external = externalLocal ? local : all;
        String servicePort = key + ":" + (name.isEmpty() ? Integer.toString(number) : name);
        if (hasClusterIp) {
          add(listeners, conflicts, new ListenerSpec(new ListenerKey(protocol, clusterIp, number), servicePort,
              affinity, internalLocal ? local : all));
        }
        int nodePort = port.path("nodePort").asInt(0);
        if (nodePort > 0 && nodePort <= 65535) {
          add(listeners, conflicts, new ListenerSpec(new ListenerKey(protocol, nodeAddress, nodePort), servicePort,
              affinity, external));
        }
        if (loadBalancer) {
          add(listeners, conflicts, new ListenerSpec(new ListenerKey(protocol, nodeAddress, number), servicePort,
              affinity, external, true, sourceRanges));
        }
      }
    });
    return new Desired(listeners, conflicts);
  }

  /** The key Services and Endpoints are matched by. */
  public static String key(JsonNode object) {
    return Meta.namespace(object) + "/" + Meta.name(object);
  }

  private static void add(Map<ListenerKey, ListenerSpec> listeners, List<String> conflicts, ListenerSpec spec) {
    ListenerSpec first = listeners.putIfAbsent(spec.key(), spec);
    if (first != null) {
      conflicts.add(spec.key() + " is claimed by " + first.servicePort() + " and " + spec.servicePort()
          + "; " + first.servicePort() + " keeps it");
    }
  }

  private static ListenerKey.Protocol protocol(String protocol) {
    return switch (protocol) {
      case "TCP" -> ListenerKey.Protocol.TCP;
      case "UDP" -> ListenerKey.Protocol.UDP;
      default -> null;
    };
  }

  /** Kubernetes' default ClientIP timeout is 3 hours. */
  private static long affinitySeconds(JsonNode spec) {
    if (!"ClientIP".equals(spec.path("sessionAffinity").asText("None"))) {
      return 0;
    }
    long seconds = spec.path("sessionAffinityConfig").path("clientIP").path("timeoutSeconds").asLong(10800);
    return seconds > 0 ? seconds : 10800;
  }

  /** The IPv4 source ranges (trimmed, as Kubernetes allows them padded); IPv6 ones cannot match an IPv4 client. */
  private static List<Ipv4Cidr> sourceRanges(JsonNode spec) {
    List<Ipv4Cidr> ranges = new ArrayList<>();
    boolean any = false;
    for (JsonNode r : spec.path("loadBalancerSourceRanges")) {
      any = true;
      try {
        ranges.add(Ipv4Cidr.parse(r.asText("").trim()));
      } catch (IllegalArgumentException notIpv4) {
        // validated as a CIDR: an IPv6 range, which admits no client of this IPv4 proxy
      }
    }
    if (any && ranges.isEmpty()) {
      ranges.add(new Ipv4Cidr(0, 32)); // only IPv6 ranges: no IPv4 client is admitted (0.0.0.0/32 is no client)
    }
    return ranges;
  }

  /**
   * The ready backends of one Service port (by its name, "" for the unnamed one) in a Service's
   * Endpoints, as the proxy's listeners get them; for the ingress controller.
   */
  public static List<Backend> readyBackends(JsonNode endpoints, String portName) {
    return backends(endpoints == null ? null : endpoints.path("subsets"), portName, ListenerKey.Protocol.TCP, null);
  }

  /** The ready backends of a port; with {@code onNodes}, only those whose endpoint names one of these nodes. */
  private static List<Backend> backends(JsonNode subsets, String portName, ListenerKey.Protocol protocol,
      Set<String> onNodes) {
    if (subsets == null) {
      return List.of();
    }
    Set<Backend> backends = new LinkedHashSet<>();
    for (JsonNode subset : subsets) {
      int port = endpointPort(subset.path("ports"), portName, protocol);
      if (port <= 0) {
        continue;
      }
      for (JsonNode address : subset.path("addresses")) {
        String ip = address.path("ip").asText("");
        if (!ip.isEmpty() && (onNodes == null || onNodes.contains(address.path("nodeName").asText("")))) {
          backends.add(new Backend(ip, port));
        }
      }
    }
    return List.copyOf(backends);
  }

  private static int endpointPort(JsonNode ports, String name, ListenerKey.Protocol protocol) {
    for (JsonNode p : ports) {
      if (name.equals(p.path("name").asText("")) && protocol.name().equals(p.path("protocol").asText("TCP"))) {
        int port = p.path("port").asInt(0);
        return port <= 65535 ? port : 0;
      }
    }
    return 0;
  }
}
