package io.steuermann.node.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.Meta;
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
 * {@code nodeAddress:nodePort}. Its backends are the ready addresses ({@code subsets[].addresses},
 * never {@code notReadyAddresses}) with the Endpoints port of the same name and protocol (the
 * unnamed one for an unnamed Service port), as kube-proxy maps them.
 */
public final class ProxyState {
  private ProxyState() {}

  /** The listeners wanted, and a message for each listener two Service ports both claimed (the first by name wins). */
  public record Desired(Map<ListenerKey, ListenerSpec> listeners, List<String> conflicts) {}

  /** Services and Endpoints keyed alike ({@code namespace/name}); the Endpoints of a Service share its key. */
  public static Desired desired(Map<String, ? extends JsonNode> services, Map<String, ? extends JsonNode> endpoints,
      String nodeAddress) {
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
      JsonNode subsets = endpoints.containsKey(key) ? endpoints.get(key).path("subsets") : null;
      for (JsonNode port : spec.path("ports")) {
        ListenerKey.Protocol protocol = protocol(port.path("protocol").asText("TCP"));
        int number = port.path("port").asInt(0);
        if (protocol == null || number < 1 || number > 65535) {
          continue; // SCTP, or a port validation would have refused
        }
        String name = port.path("name").asText("");
        List<Backend> backends = backends(subsets, name, protocol);
        String servicePort = key + ":" + (name.isEmpty() ? Integer.toString(number) : name);
        if (hasClusterIp) {
          add(listeners, conflicts, new ListenerSpec(new ListenerKey(protocol, clusterIp, number), servicePort,
              affinity, backends));
        }
        int nodePort = port.path("nodePort").asInt(0);
        if (nodePort > 0 && nodePort <= 65535) {
          add(listeners, conflicts, new ListenerSpec(new ListenerKey(protocol, nodeAddress, nodePort), servicePort,
              affinity, backends));
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

  private static List<Backend> backends(JsonNode subsets, String portName, ListenerKey.Protocol protocol) {
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
        if (!ip.isEmpty()) {
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
