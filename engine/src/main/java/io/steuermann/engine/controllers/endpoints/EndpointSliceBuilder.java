package io.steuermann.engine.controllers.endpoints;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.selector.LabelSelector;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What Kubernetes' EndpointSlice controller (pkg/controller/endpointslice) computes for one
 * Service: IPv4 slices of at most {@link #MAX_ENDPOINTS_PER_SLICE} endpoints, one group of
 * slices per set of resolved ports, from the pods its selector matches. Pure functions; the
 * pod selection, readiness and port resolution are {@link EndpointsBuilder}'s.
 *
 * <p>Unlike Endpoints, a terminating pod stays in, with {@code ready: false},
 * {@code serving} its Ready condition and {@code terminating: true}, so a proxy can let its
 * open connections drain. A Service that selects no pod still has one empty slice (kube's
 * placeholder), so a reader can tell "no endpoints" from "not yet computed".
 */
public final class EndpointSliceBuilder {
  private EndpointSliceBuilder() {}

  public static final String SERVICE_NAME = "kubernetes.io/service-name";
  public static final String MANAGED_BY = "endpointslice.kubernetes.io/managed-by";
  public static final String CONTROLLER = "endpointslice-controller.k8s.io";
  /** kube-controller-manager's default {@code --max-endpoints-per-slice}. */
  public static final int MAX_ENDPOINTS_PER_SLICE = 100;
  private static final String HEADLESS = "service.kubernetes.io/headless";

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** Whether a slice is this controller's (and then of which Service: its label). */
  public static boolean managed(JsonNode slice) {
    return CONTROLLER.equals(Meta.labels(slice).get(MANAGED_BY));
  }

  /**
   * The slice contents the Service should have: {@code addressType}, {@code endpoints} and
   * {@code ports} only, in a stable order; none for an ExternalName Service.
   */
  public static List<ObjectNode> contents(JsonNode service, Collection<ObjectNode> podsInNamespace,
      int maxPerSlice) {
    JsonNode spec = service.path("spec");
    if ("ExternalName".equals(spec.path("type").asText())) {
      return List.of();
    }
    boolean publishNotReady = spec.path("publishNotReadyAddresses").asBoolean(false);
    LabelSelector selector = LabelSelector.fromMap(Meta.stringMap(spec.path("selector")));
    // resolved ports (as JSON text, their identity) -> endpoints
    Map<String, List<ObjectNode>> byPorts = new TreeMap<>();
    Map<String, ArrayNode> portsByKey = new TreeMap<>();
    for (ObjectNode pod : podsInNamespace) {
      String ip = pod.path("status").path("podIP").asText("");
      if (!EndpointsBuilder.eligible(pod, true) || !selector.matches(Meta.labels(pod)) || !isIpv4(ip)) {
        continue;
      }
      ArrayNode ports = ports(spec, pod);
      portsByKey.putIfAbsent(ports.toString(), ports);
      byPorts.computeIfAbsent(ports.toString(), k -> new ArrayList<>())
          .add(endpoint(pod, ip, Meta.name(service), publishNotReady));
    }
    List<ObjectNode> slices = new ArrayList<>();
    byPorts.forEach((key, endpoints) -> {
      endpoints.sort(Comparator.comparing((ObjectNode e) -> e.path("addresses").path(0).asText())
          .thenComparing(e -> e.path("targetRef").path("name").asText()));
      for (int from = 0; from < endpoints.size(); from += maxPerSlice) {
        ArrayNode chunk = JSON.arrayNode();
        chunk.addAll(endpoints.subList(from, Math.min(endpoints.size(), from + maxPerSlice)));
        slices.add(content(chunk, portsByKey.get(key)));
      }
    });
    if (slices.isEmpty()) {
      slices.add(content(JSON.arrayNode(), JSON.arrayNode()));
    }
    return slices;
  }

  /** A whole slice: the content with its name, labels and the Service as its controlling owner. */
  public static ObjectNode slice(JsonNode service, String name, ObjectNode content) {
    ObjectNode slice = JSON.objectNode();
    slice.put("apiVersion", Kind.ENDPOINT_SLICE.apiVersion());
    slice.put("kind", Kind.ENDPOINT_SLICE.kindName());
    ObjectNode meta = slice.putObject("metadata");
    meta.put("name", name);
    meta.put("namespace", Meta.namespace(service));
    meta.set("labels", labels(service));
    ObjectNode owner = meta.putArray("ownerReferences").addObject();
    owner.put("apiVersion", "v1");
    owner.put("kind", "Service");
    owner.put("name", Meta.name(service));
    owner.put("uid", Meta.uid(service));
    owner.put("controller", true);
    owner.put("blockOwnerDeletion", true);
    slice.setAll(content);
    return slice;
  }

  /** The part of a stored slice that {@link #contents} computes, for comparing. */
  public static ObjectNode contentOf(JsonNode slice) {
    return content(slice.path("endpoints").isArray() ? (ArrayNode) slice.get("endpoints") : JSON.arrayNode(),
        slice.path("ports").isArray() ? (ArrayNode) slice.get("ports") : JSON.arrayNode(),
        slice.path("addressType").asText(""));
  }

  /** The Service's labels (but the two this controller sets), the headless mark, and its own two. */
  public static ObjectNode labels(JsonNode service) {
    ObjectNode labels = JSON.objectNode();
    Meta.labels(service).forEach((k, v) -> {
      if (!k.equals(SERVICE_NAME) && !k.equals(MANAGED_BY)) {
        labels.put(k, v);
      }
    });
    if ("None".equals(service.path("spec").path("clusterIP").asText())) {
      labels.put(HEADLESS, "");
    }
    labels.put(SERVICE_NAME, Meta.name(service));
    labels.put(MANAGED_BY, CONTROLLER);
    return labels;
  }

  private static ObjectNode content(ArrayNode endpoints, ArrayNode ports) {
    return content(endpoints, ports, "IPv4");
  }

  private static ObjectNode content(ArrayNode endpoints, ArrayNode ports, String addressType) {
    ObjectNode content = JSON.objectNode();
    content.put("addressType", addressType);
    content.set("endpoints", endpoints);
    if (!ports.isEmpty()) {
      content.set("ports", ports);
    }
    return content;
  }

  private static ObjectNode endpoint(JsonNode pod, String ip, String serviceName, boolean publishNotReady) {
    boolean serving = EndpointsBuilder.isReady(pod);
    boolean terminating = EndpointsBuilder.terminating(pod);
    ObjectNode endpoint = JSON.objectNode();
    endpoint.putArray("addresses").add(ip);
    ObjectNode conditions = endpoint.putObject("conditions");
    // as kube: never ready while terminating, unless the Service publishes not-ready addresses
    conditions.put("ready", publishNotReady || (serving && !terminating));
    conditions.put("serving", serving);
    conditions.put("terminating", terminating);
    String hostname = EndpointsBuilder.hostname(pod, serviceName);
    if (hostname != null) {
      endpoint.put("hostname", hostname);
    }
    endpoint.set("targetRef", EndpointsBuilder.podReference(pod));
    String node = pod.path("spec").path("nodeName").asText("");
    if (!node.isEmpty()) {
      endpoint.put("nodeName", node);
    }
    return endpoint;
  }

  /** kube's getEndpointPorts: every Service port the pod resolves, named (perhaps ""), in order. */
  private static ArrayNode ports(JsonNode spec, JsonNode pod) {
    ArrayNode ports = JSON.arrayNode();
    for (JsonNode servicePort : spec.path("ports")) {
      String protocol = servicePort.path("protocol").asText("TCP");
      int target = EndpointsBuilder.targetPort(servicePort, protocol, pod);
      if (target <= 0) {
        continue;
      }
      ObjectNode port = ports.addObject();
      port.put("name", servicePort.path("name").asText(""));
      port.put("protocol", protocol);
      port.put("port", target);
      if (servicePort.hasNonNull("appProtocol")) {
        port.set("appProtocol", servicePort.get("appProtocol"));
      }
    }
    return ports;
  }

  private static boolean isIpv4(String ip) {
    return io.steuermann.engine.services.ServiceAddresses.parseIpv4(ip) >= 0;
  }
}
