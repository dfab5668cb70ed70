package io.steuermann.engine.controllers.endpoints;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.selector.LabelSelector;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What Kubernetes' endpoints controller computes for one Service (pkg/controller/endpoint):
 * the subsets of its Endpoints from the pods its selector matches. Pure functions.
 *
 * <p>A pod is left out while it has no podIP, once it is terminating ({@code deletionTimestamp}
 * set: it must stop receiving new connections at once) and once it has ended (Succeeded or
 * Failed). The others are {@code addresses} when their Ready condition is True (or the Service
 * publishes not-ready addresses) and {@code notReadyAddresses} otherwise. A named
 * {@code targetPort} is resolved per pod from its containers' ports; a pod lacking it is left
 * out of that port, and pods with the same resolved ports share a subset.
 */
public final class EndpointsBuilder {
  private EndpointsBuilder() {}

  /** The label Kubernetes (1.33+) puts on the Endpoints its controller manages. */
  public static final String MANAGED_BY = "endpoints.kubernetes.io/managed-by";
  public static final String CONTROLLER = "endpoint-controller";
  private static final String HEADLESS = "service.kubernetes.io/headless";

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** Whether the Endpoints of this Service are this controller's business (it has a selector). */
  public static boolean hasSelector(JsonNode service) {
    JsonNode selector = service.path("spec").path("selector");
    return selector.isObject() && selector.size() > 0;
  }

  /** The Endpoints object the Service should have, given all pods of its namespace. */
  public static ObjectNode build(ObjectNode service, Collection<ObjectNode> podsInNamespace) {
    ObjectNode endpoints = JSON.objectNode();
    endpoints.put("apiVersion", "v1");
    endpoints.put("kind", "Endpoints");
    ObjectNode meta = endpoints.putObject("metadata");
    meta.put("name", Meta.name(service));
    meta.put("namespace", Meta.namespace(service));
    meta.set("labels", labels(service));
    ArrayNode subsets = subsets(service, podsInNamespace);
    if (!subsets.isEmpty()) {
      endpoints.set("subsets", subsets);
    }
    return endpoints;
  }

  /** The Service's labels, plus Kubernetes' managed-by and headless labels. */
  public static ObjectNode labels(JsonNode service) {
    ObjectNode labels = JSON.objectNode();
    Meta.labels(service).forEach(labels::put);
    labels.put(MANAGED_BY, CONTROLLER);
    if ("None".equals(service.path("spec").path("clusterIP").asText())) {
      labels.put(HEADLESS, "");
    }
    return labels;
  }

  /** The subsets: addresses grouped by the ports they resolve to, in a stable order. */
  public static ArrayNode subsets(JsonNode service, Collection<ObjectNode> podsInNamespace) {
    JsonNode spec = service.path("spec");
    boolean publishNotReady = spec.path("publishNotReadyAddresses").asBoolean(false);
    // resolved port list (as JSON text, its identity) -> [ports, addresses, notReadyAddresses]
    Map<String, ObjectNode> byPorts = new LinkedHashMap<>();
    List<ObjectNode> pods = new ArrayList<>(podsInNamespace);
    pods.sort(Comparator.comparing(Meta::name));
    LabelSelector selector = LabelSelector.fromMap(Meta.stringMap(spec.path("selector")));
    for (ObjectNode pod : pods) {
      if (!eligible(pod) || !selector.matches(Meta.labels(pod))) {
        continue;
      }
      ArrayNode ports = ports(spec, pod);
      if (ports.isEmpty() && spec.path("ports").size() > 0) {
        continue;
      }
      ObjectNode subset = byPorts.computeIfAbsent(ports.toString(), k -> {
        ObjectNode s = JSON.objectNode();
        s.putArray("addresses");
        s.putArray("notReadyAddresses");
        if (!ports.isEmpty()) {
          s.set("ports", ports);
        }
        return s;
      });
      boolean ready = publishNotReady || isReady(pod);
      ((ArrayNode) subset.get(ready ? "addresses" : "notReadyAddresses")).add(address(pod, Meta.name(service)));
    }
    List<ObjectNode> ordered = new ArrayList<>(byPorts.values());
    ordered.sort(Comparator.comparing(s -> s.path("ports").toString()));
    ArrayNode subsets = JSON.arrayNode();
    for (ObjectNode subset : ordered) {
      for (String list : List.of("addresses", "notReadyAddresses")) {
        ArrayNode addresses = (ArrayNode) subset.get(list);
        if (addresses.isEmpty()) {
          subset.remove(list);
        } else {
          List<JsonNode> sorted = new ArrayList<>();
          addresses.forEach(sorted::add);
          sorted.sort(Comparator.comparing((JsonNode a) -> a.path("ip").asText())
              .thenComparing(a -> a.path("targetRef").path("name").asText()));
          addresses.removeAll();
          addresses.addAll(sorted);
        }
      }
      // field order as Kubernetes writes it
      ObjectNode out = JSON.objectNode();
      for (String field : List.of("addresses", "notReadyAddresses", "ports")) {
        if (subset.has(field)) {
          out.set(field, subset.get(field));
        }
      }
      subsets.add(out);
    }
    return subsets;
  }

  /** Has an address, is not terminating, has not ended. */
  static boolean eligible(JsonNode pod) {
    return eligible(pod, false);
  }

  /**
   * Has an address and has not ended; terminating pods count only when asked for (the
   * EndpointSlice controller keeps them, marked terminating, so proxies can drain them).
   */
  static boolean eligible(JsonNode pod, boolean includeTerminating) {
    String phase = pod.path("status").path("phase").asText("");
    return !pod.path("status").path("podIP").asText("").isEmpty()
        && (includeTerminating || !terminating(pod))
        && !phase.equals("Succeeded") && !phase.equals("Failed");
  }

  static boolean terminating(JsonNode pod) {
    return pod.path("metadata").has("deletionTimestamp");
  }

  /** The hostname a pod has in this Service's DNS, or null. */
  static String hostname(JsonNode pod, String serviceName) {
    // as Kubernetes' endpoints controller: a pod names itself in the Service's DNS
    // (hostname.svc.ns.svc.<domain>) only when its subdomain is that Service
    String hostname = pod.path("spec").path("hostname").asText("");
    return !hostname.isEmpty() && serviceName.equals(pod.path("spec").path("subdomain").asText(""))
        ? hostname : null;
  }

  static ObjectNode podReference(JsonNode pod) {
    ObjectNode ref = JSON.objectNode();
    ref.put("kind", "Pod");
    ref.put("namespace", Meta.namespace(pod));
    ref.put("name", Meta.name(pod));
    ref.put("uid", Meta.uid(pod));
    return ref;
  }

  static boolean isReady(JsonNode pod) {
    for (JsonNode condition : pod.path("status").path("conditions")) {
      if ("Ready".equals(condition.path("type").asText())) {
        return "True".equals(condition.path("status").asText());
      }
    }
    return false;
  }

  private static ObjectNode address(JsonNode pod, String serviceName) {
    ObjectNode address = JSON.objectNode();
    address.put("ip", pod.path("status").path("podIP").asText());
    String hostname = hostname(pod, serviceName);
    if (hostname != null) {
      address.put("hostname", hostname);
    }
    String node = pod.path("spec").path("nodeName").asText("");
    if (!node.isEmpty()) {
      address.put("nodeName", node);
    }
    address.set("targetRef", podReference(pod));
    return address;
  }

  /** The Service's ports as this pod serves them; ports it cannot serve are left out. */
  private static ArrayNode ports(JsonNode spec, JsonNode pod) {
    ArrayNode ports = JSON.arrayNode();
    for (JsonNode servicePort : spec.path("ports")) {
      String protocol = servicePort.path("protocol").asText("TCP");
      int target = targetPort(servicePort, protocol, pod);
      if (target <= 0) {
        continue;
      }
      ObjectNode port = ports.addObject();
      String name = servicePort.path("name").asText("");
      if (!name.isEmpty()) {
        port.put("name", name);
      }
      port.put("port", target);
      port.put("protocol", protocol);
      if (servicePort.hasNonNull("appProtocol")) {
        port.set("appProtocol", servicePort.get("appProtocol"));
      }
    }
    return ports;
  }

  /** Kubernetes' {@code podutil.FindPort}: a number as is, a name looked up among the containers' ports. */
  static int targetPort(JsonNode servicePort, String protocol, JsonNode pod) {
    JsonNode target = servicePort.path("targetPort");
    if (target.isMissingNode() || target.isNull()) {
      return servicePort.path("port").asInt(0);
    }
    if (!target.isTextual()) {
      return target.asInt(0);
    }
    String name = target.asText();
    for (JsonNode container : pod.path("spec").path("containers")) {
      for (JsonNode port : container.path("ports")) {
        if (name.equals(port.path("name").asText()) && protocol.equals(port.path("protocol").asText("TCP"))) {
          return port.path("containerPort").asInt(0);
        }
      }
    }
    return 0;
  }
}
