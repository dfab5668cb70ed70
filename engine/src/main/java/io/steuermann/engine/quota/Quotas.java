package io.steuermann.engine.quota;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A ResourceQuota's rules, pure functions: which objects it counts (its scopes), its hard
 * limits, and whether one more object fits, worded as kube's resourcequota admission words it.
 */
public final class Quotas {
  private Quotas() {}

  public static Map<String, BigDecimal> hard(JsonNode quota) {
    return quantities(quota.path("spec").path("hard"));
  }

  public static Map<String, BigDecimal> quantities(JsonNode map) {
    Map<String, BigDecimal> out = new TreeMap<>();
    map.fields().forEachRemaining(e -> Usage.quantity(e.getValue()).ifPresent(q -> out.put(e.getKey(), q)));
    return out;
  }

  public static ObjectNode toJson(Map<String, BigDecimal> values) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    values.forEach((k, v) -> out.put(k, Usage.format(v)));
    return out;
  }

  /** Whether the quota counts this object: a scoped quota counts only the pods its scopes select. */
  public static boolean counts(JsonNode quota, Kind kind, JsonNode object) {
    List<String> scopes = new ArrayList<>();
    quota.path("spec").path("scopes").forEach(s -> scopes.add(s.asText()));
    List<JsonNode> expressions = new ArrayList<>();
    quota.path("spec").path("scopeSelector").path("matchExpressions").forEach(expressions::add);
    if (scopes.isEmpty() && expressions.isEmpty()) {
      return true;
    }
    if (kind != Kind.POD) {
      return false;
    }
    for (String scope : scopes) {
      if (!scopeMatches(scope, "Exists", List.of(), object)) {
        return false;
      }
    }
    for (JsonNode e : expressions) {
      List<String> values = new ArrayList<>();
      e.path("values").forEach(v -> values.add(v.asText()));
      if (!scopeMatches(e.path("scopeName").asText(), e.path("operator").asText(), values, object)) {
        return false;
      }
    }
    return true;
  }

  private static boolean scopeMatches(String scope, String operator, List<String> values, JsonNode pod) {
    boolean terminating = pod.path("spec").hasNonNull("activeDeadlineSeconds");
    return switch (scope) {
      case "Terminating" -> terminating;
      case "NotTerminating" -> !terminating;
      case "BestEffort" -> Usage.bestEffort(pod);
      case "NotBestEffort" -> !Usage.bestEffort(pod);
      case "PriorityClass" -> {
        JsonNode name = pod.path("spec").get("priorityClassName");
        boolean has = name != null && !name.asText("").isEmpty();
        yield switch (operator) {
          case "Exists" -> has;
          case "DoesNotExist" -> !has;
          case "In" -> has && values.contains(name.asText());
          case "NotIn" -> !has || !values.contains(name.asText());
          default -> false;
        };
      }
      default -> false;
    };
  }

  /**
   * Why the object may not be created under this quota, or empty if it fits: used is the
   * quota's {@code status.used}, added what the object uses.
   */
  public static Optional<String> refusal(JsonNode quota, Kind kind, JsonNode object, Map<String, BigDecimal> usage) {
    String name = quota.path("metadata").path("name").asText();
    Map<String, BigDecimal> hard = hard(quota);
    if (kind == Kind.POD) {
      List<String> missing = new ArrayList<>();
      for (String resource : hard.keySet()) {
        if (computeResource(resource) && !Usage.specifies(object, resource)) {
          missing.add(resource);
        }
      }
      if (!missing.isEmpty()) {
        return Optional.of("failed quota: " + name + ": must specify " + String.join(",", missing));
      }
    }
    Map<String, BigDecimal> statusHard = quantities(quota.path("status").path("hard"));
    Map<String, BigDecimal> used = quantities(quota.path("status").path("used"));
    List<String> unknown = new ArrayList<>();
    List<String> requested = new ArrayList<>();
    List<String> wasUsed = new ArrayList<>();
    List<String> limited = new ArrayList<>();
    for (Map.Entry<String, BigDecimal> h : hard.entrySet()) {
      BigDecimal delta = usage.get(h.getKey());
      if (delta == null) {
        continue;
      }
      if (!statusHard.containsKey(h.getKey()) || !used.containsKey(h.getKey())) {
        unknown.add(h.getKey());
        continue;
      }
      BigDecimal now = used.get(h.getKey());
      if (now.add(delta).compareTo(h.getValue()) > 0) {
        requested.add(h.getKey() + "=" + Usage.format(delta));
        wasUsed.add(h.getKey() + "=" + Usage.format(now));
        limited.add(h.getKey() + "=" + Usage.format(h.getValue()));
      }
    }
    if (!unknown.isEmpty()) {
      return Optional.of("status unknown for quota: " + name + ", resources: " + String.join(",", unknown));
    }
    if (!requested.isEmpty()) {
      return Optional.of("exceeded quota: " + name + ", requested: " + String.join(",", requested)
          + ", used: " + String.join(",", wasUsed) + ", limited: " + String.join(",", limited));
    }
    return Optional.empty();
  }

  /** Whether the quota's hard names any resource the object uses (else it is left alone). */
  public static boolean constrains(JsonNode quota, Map<String, BigDecimal> usage, Kind kind) {
    for (String resource : hard(quota).keySet()) {
      if (usage.containsKey(resource) || (kind == Kind.POD && computeResource(resource))) {
        return true;
      }
    }
    return false;
  }

  /** The pod resources every container must name once a quota limits them. */
  static boolean computeResource(String resource) {
    return List.of("cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory")
        .contains(resource);
  }

  /** {@code used} plus {@code delta} for the resources the quota limits. */
  public static Map<String, BigDecimal> charged(JsonNode quota, Map<String, BigDecimal> delta) {
    Map<String, BigDecimal> used = quantities(quota.path("status").path("used"));
    for (String resource : hard(quota).keySet()) {
      BigDecimal d = delta.get(resource);
      if (d != null) {
        used.merge(resource, d, BigDecimal::add);
      }
    }
    return used;
  }
}
