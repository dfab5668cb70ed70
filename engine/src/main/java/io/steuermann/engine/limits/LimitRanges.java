package io.steuermann.engine.limits;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.api.ObjectStore;
import io.steuermann.engine.api.ObjectStore.CreateAdmission;
import io.steuermann.engine.model.ObjectKey;
import java.util.concurrent.CompletableFuture;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.scheduling.Quantity;
import io.steuermann.engine.watch.WatchCache;
import io.steuermann.engine.watch.WatchFilter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * LimitRange (v1): kube's defaults for an item ({@code SetDefaults_LimitRangeItem}) and the
 * LimitRanger admission of pod creates: the namespace's Container defaults fill the requests
 * and limits a container leaves out (noted in the {@code kubernetes.io/limit-ranger}
 * annotation), then min, max and maxLimitRequestRatio per Container and per Pod are enforced,
 * a breach refused with 403 in kube's words ({@code pods "x" is forbidden: maximum cpu usage
 * per Container is 1, but limit is 2}). Pod updates are not checked, as in kube.
 */
public final class LimitRanges {
  static final String ANNOTATION = "kubernetes.io/limit-ranger";

  private LimitRanges() {}

  /** For Container items: the default limit from max, the default request from the default limit or min. */
  public static void defaults(ObjectNode limitRange) {
    for (JsonNode item : limitRange.path("spec").path("limits")) {
      if (!(item instanceof ObjectNode i) || !"Container".equals(i.path("type").asText())) {
        continue;
      }
      ObjectNode def = object(i, "default");
      ObjectNode defaultRequest = object(i, "defaultRequest");
      i.path("max").fields().forEachRemaining(e -> putIfAbsent(def, e.getKey(), e.getValue()));
      def.fields().forEachRemaining(e -> putIfAbsent(defaultRequest, e.getKey(), e.getValue()));
      i.path("min").fields().forEachRemaining(e -> putIfAbsent(defaultRequest, e.getKey(), e.getValue()));
      // Go's empty maps are omitted
      if (def.isEmpty()) {
        i.remove("default");
      }
      if (defaultRequest.isEmpty()) {
        i.remove("defaultRequest");
      }
    }
  }

  public static CreateAdmission admission(WatchCache cache) {
    return (key, object, dryRun) -> CompletableFuture.completedFuture(decide(cache, key, object));
  }

  private static ObjectStore.Verdict decide(WatchCache cache, ObjectKey key, ObjectNode object) {
    if (key.kind() != Kind.POD) {
      return new ObjectStore.Admitted(object);
    }
    List<ObjectNode> ranges = cache.list(WatchFilter.of(Kind.LIMIT_RANGE, key.namespace())).items();
    if (ranges.isEmpty()) {
      return new ObjectStore.Admitted(object);
    }
    ObjectNode pod = object.deepCopy();
    applyDefaults(pod, ranges);
    List<String> errors = new ArrayList<>();
    for (ObjectNode range : ranges) {
      for (JsonNode item : range.path("spec").path("limits")) {
        check(pod, item, errors);
      }
    }
    if (errors.isEmpty()) {
      return new ObjectStore.Admitted(pod);
    }
    // Go's aggregate error: one message alone, several in brackets
    String message = errors.size() == 1 ? errors.get(0) : "[" + String.join(", ", errors) + "]";
    return new ObjectStore.Denied(ApiStatus.forbidden(Kind.POD, key.name(), message));
  }

  /** kube's mergePodResourceRequirements with the Container items' default limits and requests. */
  static void applyDefaults(ObjectNode pod, List<ObjectNode> ranges) {
    Map<String, JsonNode> limits = new LinkedHashMap<>();
    Map<String, JsonNode> requests = new LinkedHashMap<>();
    for (ObjectNode range : ranges) {
      for (JsonNode item : range.path("spec").path("limits")) {
        if ("Container".equals(item.path("type").asText())) {
          item.path("default").fields().forEachRemaining(e -> limits.put(e.getKey(), e.getValue()));
          item.path("defaultRequest").fields().forEachRemaining(e -> requests.put(e.getKey(), e.getValue()));
        }
      }
    }
    List<String> notes = new ArrayList<>();
    merge(pod.path("spec").path("initContainers"), "init container", limits, requests, notes);
    merge(pod.path("spec").path("containers"), "container", limits, requests, notes);
    if (!notes.isEmpty() && pod.path("metadata") instanceof ObjectNode meta) {
      object(meta, "annotations").put(ANNOTATION, "LimitRanger plugin set: " + String.join("; ", notes));
    }
  }

  private static void merge(JsonNode containers, String what, Map<String, JsonNode> limits,
      Map<String, JsonNode> requests, List<String> notes) {
    for (JsonNode c : containers) {
      if (!(c instanceof ObjectNode container)) {
        continue;
      }
      ObjectNode resources = object(container, "resources");
      ObjectNode containerLimits = object(resources, "limits");
      ObjectNode containerRequests = object(resources, "requests");
      // the pod defaults (kube's SetDefaults_Pod, applied before admission there): a limit without a request is both
      containerLimits.fields().forEachRemaining(e -> putIfAbsent(containerRequests, e.getKey(), e.getValue()));
      TreeSet<String> setLimits = new TreeSet<>();
      TreeSet<String> setRequests = new TreeSet<>();
      limits.forEach((k, v) -> {
        if (!containerLimits.has(k)) {
          containerLimits.set(k, v);
          setLimits.add(k);
        }
      });
      requests.forEach((k, v) -> {
        if (!containerRequests.has(k)) {
          containerRequests.set(k, v);
          setRequests.add(k);
        }
      });
      if (!setRequests.isEmpty()) {
        notes.add(String.join(", ", setRequests) + " request for " + what + " " + container.path("name").asText());
      }
      if (!setLimits.isEmpty()) {
        notes.add(String.join(", ", setLimits) + " limit for " + what + " " + container.path("name").asText());
      }
      if (containerLimits.isEmpty()) {
        resources.remove("limits");
      }
      if (containerRequests.isEmpty()) {
        resources.remove("requests");
      }
      if (resources.isEmpty()) {
        container.remove("resources");
      }
    }
  }

  /** kube's PodValidateLimitFunc for one item: per Container, or the Pod's sums. */
  static void check(JsonNode pod, JsonNode item, List<String> errors) {
    String type = item.path("type").asText();
    List<JsonNode> containers = new ArrayList<>();
    pod.path("spec").path("initContainers").forEach(containers::add);
    pod.path("spec").path("containers").forEach(containers::add);
    if (type.equals("Container")) {
      for (JsonNode c : containers) {
        constraints(type, item, text(c.path("resources").path("requests")), text(c.path("resources").path("limits")),
            errors);
      }
    } else if (type.equals("Pod")) {
      List<JsonNode> regular = new ArrayList<>();
      pod.path("spec").path("containers").forEach(regular::add);
      constraints(type, item, sum(regular, "requests"), sum(regular, "limits"), errors);
    }
  }

  private static void constraints(String type, JsonNode item, Map<String, String> requests,
      Map<String, String> limits, List<String> errors) {
    for (Iterator<Map.Entry<String, JsonNode>> it = item.path("min").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String k = e.getKey();
      String enforced = e.getValue().asText();
      String request = requests.get(k);
      String limit = limits.get(k);
      if (request == null) {
        errors.add("minimum " + k + " usage per " + type + " is " + enforced + ".  No request is specified");
      } else if (value(request).compareTo(value(enforced)) < 0) {
        errors.add("minimum " + k + " usage per " + type + " is " + enforced + ", but request is " + request);
      } else if (limit != null && value(limit).compareTo(value(enforced)) < 0) {
        errors.add("minimum " + k + " usage per " + type + " is " + enforced + ", but limit is " + limit);
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = item.path("max").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String k = e.getKey();
      String enforced = e.getValue().asText();
      String request = requests.get(k);
      String limit = limits.get(k);
      if (limit == null) {
        errors.add("maximum " + k + " usage per " + type + " is " + enforced + ".  No limit is specified");
      } else if (value(limit).compareTo(value(enforced)) > 0) {
        errors.add("maximum " + k + " usage per " + type + " is " + enforced + ", but limit is " + limit);
      } else if (request != null && value(request).compareTo(value(enforced)) > 0) {
        errors.add("maximum " + k + " usage per " + type + " is " + enforced + ", but request is " + request);
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = item.path("maxLimitRequestRatio").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String k = e.getKey();
      String enforced = e.getValue().asText();
      String request = requests.get(k);
      String limit = limits.get(k);
      String prefix = k + " max limit to request ratio per " + type + " is " + enforced;
      if (request == null || value(request).signum() == 0) {
        errors.add(prefix + ", but no request is specified or request is 0");
      } else if (limit == null || value(limit).signum() == 0) {
        errors.add(prefix + ", but no limit is specified or limit is 0");
      } else {
        double ratio = value(limit).doubleValue() / value(request).doubleValue();
        if (ratio > value(enforced).doubleValue()) {
          errors.add(prefix + ", but provided ratio is " + String.format(java.util.Locale.ROOT, "%f", ratio));
        }
      }
    }
  }

  private static Map<String, String> sum(List<JsonNode> containers, String field) {
    Map<String, BigDecimal> totals = new LinkedHashMap<>();
    for (JsonNode c : containers) {
      text(c.path("resources").path(field)).forEach((k, v) -> totals.merge(k, value(v), BigDecimal::add));
    }
    Map<String, String> out = new LinkedHashMap<>();
    totals.forEach((k, v) -> out.put(k, format(k, v)));
    return out;
  }

  /**
   * A summed quantity about as kube prints it: CPU fractions in millicores; other resources
   * with the largest binary suffix that divides them exactly ({@code 1536Mi}), else plain.
   */
  private static String format(String resource, BigDecimal v) {
    BigDecimal plain = v.stripTrailingZeros();
    if (plain.scale() > 0) {
      return plain.movePointRight(3).setScale(0, java.math.RoundingMode.UP).toPlainString() + "m";
    }
    if (!resource.equals("cpu") && plain.signum() > 0) {
      String[] suffixes = {"Ei", "Pi", "Ti", "Gi", "Mi", "Ki"};
      for (int i = 0; i < suffixes.length; i++) {
        BigDecimal unit = BigDecimal.valueOf(1L << (10 * (6 - i)));
        BigDecimal[] parts = plain.divideAndRemainder(unit);
        if (parts[1].signum() == 0) {
          return parts[0].toPlainString() + suffixes[i];
        }
      }
    }
    return plain.toPlainString();
  }

  private static Map<String, String> text(JsonNode resources) {
    Map<String, String> out = new LinkedHashMap<>();
    resources.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  private static BigDecimal value(String quantity) {
    try {
      return Quantity.parse(quantity);
    } catch (IllegalArgumentException e) {
      return BigDecimal.ZERO;
    }
  }

  private static void putIfAbsent(ObjectNode node, String field, JsonNode value) {
    if (!node.has(field)) {
      node.set(field, value.deepCopy());
    }
  }

  private static ObjectNode object(ObjectNode parent, String field) {
    if (parent.get(field) instanceof ObjectNode o) {
      return o;
    }
    return parent.putObject(field);
  }
}
