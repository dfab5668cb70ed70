package io.steuermann.engine.quota;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.scheduling.Quantity;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What one object uses of a quota, as kube's quota/v1 evaluators count it: every object of a
 * kind is one {@code count/<resource>[.<group>]}; pods also count {@code pods}, their requests
 * ({@code requests.cpu}, {@code cpu}, ...) and limits (init containers as a maximum, as the
 * scheduler does) and terminal pods count nothing; services count their node ports and load
 * balancers; claims count {@code persistentvolumeclaims} and {@code requests.storage}.
 */
public final class Usage {
  private Usage() {}

  /** The object-count name of a kind: {@code count/pods}, {@code count/deployments.apps}. */
  public static String countName(Kind kind) {
    return "count/" + kind.plural() + (kind.group().isEmpty() ? "" : "." + kind.group());
  }

  /** The usage of one object; empty for an object that no longer counts (a finished pod). */
  public static Map<String, BigDecimal> of(Kind kind, JsonNode object) {
    Map<String, BigDecimal> used = new TreeMap<>();
    if (kind == Kind.POD && terminal(object)) {
      return used;
    }
    used.put(countName(kind), BigDecimal.ONE);
    switch (kind) {
      case POD -> pod(object, used);
      case SERVICE -> {
        used.put("services", BigDecimal.ONE);
        String type = object.path("spec").path("type").asText("ClusterIP");
        if (type.equals("LoadBalancer")) {
          used.put("services.loadbalancers", BigDecimal.ONE);
        }
        if (type.equals("NodePort") || type.equals("LoadBalancer")) {
          used.put("services.nodeports", BigDecimal.valueOf(object.path("spec").path("ports").size()));
        }
      }
      case PERSISTENT_VOLUME_CLAIM -> {
        used.put("persistentvolumeclaims", BigDecimal.ONE);
        quantity(object.path("spec").path("resources").path("requests").path("storage"))
            .ifPresent(q -> used.put("requests.storage", q));
      }
      case CONFIG_MAP -> used.put("configmaps", BigDecimal.ONE);
      case SECRET -> used.put("secrets", BigDecimal.ONE);
      case REPLICATION_CONTROLLER -> used.put("replicationcontrollers", BigDecimal.ONE);
      case RESOURCE_QUOTA -> used.put("resourcequotas", BigDecimal.ONE);
      default -> { }
    }
    return used;
  }

  /** A pod that has finished (Succeeded or Failed) holds no quota. */
  public static boolean terminal(JsonNode pod) {
    String phase = pod.path("status").path("phase").asText("");
    return phase.equals("Succeeded") || phase.equals("Failed");
  }

  /** Whether a pod is BestEffort: no container requests or limits cpu or memory. */
  public static boolean bestEffort(JsonNode pod) {
    for (String list : new String[] {"containers", "initContainers"}) {
      for (JsonNode c : pod.path("spec").path(list)) {
        for (String part : new String[] {"requests", "limits"}) {
          JsonNode r = c.path("resources").path(part);
          if (r.has("cpu") || r.has("memory")) {
            return false;
          }
        }
      }
    }
    return true;
  }

  private static void pod(JsonNode pod, Map<String, BigDecimal> used) {
    used.put("pods", BigDecimal.ONE);
    for (String resource : new String[] {"cpu", "memory", "ephemeral-storage"}) {
      BigDecimal request = podTotal(pod, "requests", resource);
      BigDecimal limit = podTotal(pod, "limits", resource);
      if (request != null) {
        used.put("requests." + resource, request);
        used.put(resource, request);
      }
      if (limit != null) {
        used.put("limits." + resource, limit);
      }
    }
  }

  /**
   * The pod's total of one resource: the sum over its containers, or the largest init
   * container's if that is more (they run one at a time, before the others); null when no
   * container names it. A limit without a request counts as the request, as kube defaults it.
   */
  static BigDecimal podTotal(JsonNode pod, String part, String resource) {
    BigDecimal sum = null;
    for (JsonNode c : pod.path("spec").path("containers")) {
      BigDecimal q = containerValue(c, part, resource);
      if (q != null) {
        sum = sum == null ? q : sum.add(q);
      }
    }
    for (JsonNode c : pod.path("spec").path("initContainers")) {
      BigDecimal q = containerValue(c, part, resource);
      if (q != null && (sum == null || q.compareTo(sum) > 0)) {
        sum = q;
      }
    }
    return sum;
  }

  private static BigDecimal containerValue(JsonNode container, String part, String resource) {
    JsonNode resources = container.path("resources");
    Optional<BigDecimal> q = quantity(resources.path(part).path(resource));
    if (q.isEmpty() && part.equals("requests")) {
      q = quantity(resources.path("limits").path(resource));
    }
    return q.orElse(null);
  }

  /**
   * Whether every container names {@code resource} (e.g. {@code limits.cpu}) that a quota
   * constrains: kube refuses a pod that leaves such a resource unspecified.
   */
  public static boolean specifies(JsonNode pod, String resource) {
    String part = resource.startsWith("limits.") ? "limits" : "requests";
    String name = resource.contains(".") ? resource.substring(resource.indexOf('.') + 1) : resource;
    JsonNode containers = pod.path("spec").path("containers");
    for (JsonNode c : containers) {
      if (containerValue(c, part, name) == null) {
        return false;
      }
    }
    return true;
  }

  static Optional<BigDecimal> quantity(JsonNode value) {
    if (value == null || value.isMissingNode() || value.isNull()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Quantity.parse(value.asText()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * A quantity in kube's canonical text: whole numbers plainly or with the largest binary
   * suffix that divides them (as memory is usually given), fractions in milli-units.
   */
  public static String format(BigDecimal value) {
    BigDecimal v = value.stripTrailingZeros();
    if (v.scale() <= 0) {
      java.math.BigInteger n = v.toBigIntegerExact();
      String[] suffixes = {"Ei", "Pi", "Ti", "Gi", "Mi", "Ki"};
      for (int i = 0; i < suffixes.length; i++) {
        java.math.BigInteger unit = java.math.BigInteger.ONE.shiftLeft(10 * (6 - i));
        if (n.signum() != 0 && n.mod(unit).signum() == 0) {
          return n.divide(unit) + suffixes[i];
        }
      }
      return n.toString();
    }
    BigDecimal milli = v.movePointRight(3);
    if (milli.stripTrailingZeros().scale() <= 0) {
      return milli.toBigInteger() + "m";
    }
    return v.toPlainString();
  }
}
