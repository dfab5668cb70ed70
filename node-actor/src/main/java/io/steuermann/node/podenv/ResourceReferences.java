package io.steuermann.node.podenv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.scheduling.Quantity;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;

/**
 * A container's {@code env[].valueFrom.resourceFieldRef} — its own (or a sibling's) limits and
 * requests — as plain values, as kubelet's {@code containerResourceRuntimeValue} computes them
 * when it creates the container; the downward API volume's {@code resourceFieldRef} files use the
 * same {@link #value}.
 */
public final class ResourceReferences {
  private ResourceReferences() {}

  /** Whether the container's environment refers to resources at all. */
  public static boolean hasReferences(JsonNode container) {
    for (JsonNode e : container.path("env")) {
      if (e.path("valueFrom").has("resourceFieldRef")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The container's spec with every {@code resourceFieldRef} replaced by its value, or kubelet's
   * error when it names a container the pod does not have. {@code allocatable} stands in for an
   * unset limit, as kubelet's {@code defaultPodLimitsForDownwardAPI}.
   */
  public static ConfigReferences.Resolution resolve(JsonNode pod, ObjectNode container, Map<String, String> allocatable) {
    if (!hasReferences(container)) {
      return new ConfigReferences.Resolved(container, List.of());
    }
    ObjectNode resolved = container.deepCopy();
    ArrayNode env = resolved.withArray("env");
    for (int i = 0; i < env.size(); i++) {
      JsonNode ref = env.get(i).path("valueFrom").path("resourceFieldRef");
      if (ref.isMissingNode()) {
        continue;
      }
      String containerName = ref.path("containerName").asText("");
      JsonNode target = containerName.isEmpty() ? container : container(pod, containerName);
      if (target == null) {
        return new ConfigReferences.Failed("container " + containerName + " not found");
      }
      ObjectNode plain = env.objectNode().put("name", env.get(i).path("name").asText(""))
          .put("value", value(target, ref, allocatable));
      env.set(i, plain);
    }
    return new ConfigReferences.Resolved(resolved, List.of());
  }

  /** The pod's container (or init container) of that name; null when it has none. */
  public static JsonNode container(JsonNode pod, String name) {
    for (String list : List.of("containers", "initContainers")) {
      for (JsonNode c : pod.path("spec").path(list)) {
        if (c.path("name").asText("").equals(name)) {
          return c;
        }
      }
    }
    return null;
  }

  /**
   * A container's limit or request divided by the divisor, rounded up, as kubelet's
   * {@code ExtractContainerResourceValue}: cpu in cores (or millicores with divisor 1m), memory
   * and ephemeral storage in bytes; an unset limit is the node's allocatable, an unset request
   * the limit's value (the API defaults requests to limits) or 0.
   */
  public static String value(JsonNode container, JsonNode ref, Map<String, String> allocatable) {
    String resource = ref.path("resource").asText("");
    int dot = resource.indexOf('.');
    if (dot < 0) {
      return "";
    }
    String kind = resource.substring(0, dot);
    String name = resource.substring(dot + 1);
    JsonNode resources = container.path("resources");
    String value = resources.path(kind).path(name).asText("");
    if (value.isEmpty() && kind.equals("requests")) {
      value = resources.path("limits").path(name).asText("");
    }
    if (value.isEmpty()) {
      value = kind.equals("limits") ? allocatable.getOrDefault(name, "0") : "0";
    }
    String divisor = ref.path("divisor").asText("");
    BigDecimal d = divisor.isEmpty() || Quantity.parse(divisor).signum() == 0 ? BigDecimal.ONE : Quantity.parse(divisor);
    return Quantity.parse(value).divide(d, 0, RoundingMode.CEILING).toPlainString();
  }
}
