package io.steuermann.engine.controllers.disruption;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.controllers.logic.RollingUpdate;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.Owners;
import io.steuermann.engine.controllers.logic.ActivePods;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Meta;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A PodDisruptionBudget's status from the pods it selects, as Kubernetes' disruption controller
 * computes it: how many are healthy (Ready, not being deleted, not just evicted), how many must
 * stay so ({@code minAvailable}, or the expected count less {@code maxUnavailable}; a percentage
 * is of the selected pods' controllers' scale, rounded up), and so how many disruptions are
 * allowed now. Pods an eviction has just removed ({@code disruptedPods}) count as gone for
 * {@link #DELETION_TIMEOUT}; after that the budget stops waiting for them.
 */
public final class BudgetStatus {
  /** Kubernetes' {@code DeletionTimeout}: how long an eviction's pod is expected to take to start terminating. */
  public static final Duration DELETION_TIMEOUT = Duration.ofMinutes(2);

  private BudgetStatus() {}

  /** The scale of a pod's controlling workload: the workload's uid (to count it once) and replicas. */
  public record Scale(String uid, int replicas) {}

  /** Finds the scale of the workload an owner reference names, in a namespace; empty when there is none. */
  public interface Scales {
    Optional<Scale> of(String namespace, JsonNode controllerRef);
  }

  /** The status to write, and when to compute it again (an eviction's pod that may stop counting as disrupted). */
  public record Computed(ObjectNode status, Optional<Instant> recheckAt) {}

  public static Computed compute(JsonNode pdb, Collection<? extends JsonNode> pods, Scales scales, Instant now) {
    JsonNode spec = pdb.path("spec");
    JsonNode old = pdb.path("status");
    long generation = Meta.generation(pdb);
    Map<String, String> disrupted = new TreeMap<>();
    Instant recheck = null;
    for (JsonNode pod : pods) {
      String at = old.path("disruptedPods").path(Meta.name(pod)).asText("");
      Instant since = parse(at);
      if (Owners.isTerminating(pod) || since == null) {
        continue;
      }
      Instant expected = since.plus(DELETION_TIMEOUT);
      if (expected.isAfter(now)) {
        disrupted.put(Meta.name(pod), at);
        recheck = recheck == null || expected.isBefore(recheck) ? expected : recheck;
      }
    }
    int healthy = 0;
    for (JsonNode pod : pods) {
      if (!Owners.isTerminating(pod) && !disrupted.containsKey(Meta.name(pod)) && ActivePods.isReady(pod)) {
        healthy++;
      }
    }
    ObjectNode status = Json.object();
    status.put("observedGeneration", generation);
    if (!disrupted.isEmpty()) {
      ObjectNode map = status.putObject("disruptedPods");
      disrupted.forEach(map::put);
    }
    int expected;
    int desired;
    try {
      if (spec.hasNonNull("maxUnavailable")) {
        expected = expectedScale(Meta.namespace(pdb), pods, scales);
        desired = Math.max(0, expected - scaled(spec.path("maxUnavailable"), expected));
      } else if (spec.path("minAvailable").isIntegralNumber()) {
        desired = spec.path("minAvailable").asInt();
        expected = pods.size();
      } else if (spec.hasNonNull("minAvailable")) {
        expected = expectedScale(Meta.namespace(pdb), pods, scales);
        desired = scaled(spec.path("minAvailable"), expected);
      } else {
        expected = 0;
        desired = 0;
      }
    } catch (NoController e) {
      // Kubernetes' failSafe: nothing may be disrupted while the budget cannot be computed
      ObjectNode failed = old.isObject() ? ((ObjectNode) old).deepCopy() : Json.object();
      failed.put("disruptionsAllowed", 0);
      condition(failed, old, "False", "SyncFailed", e.getMessage(), failed.path("observedGeneration").asLong(0), now);
      return new Computed(failed, Optional.empty());
    }
    int allowed = expected <= 0 ? 0 : Math.max(0, healthy - desired);
    status.put("disruptionsAllowed", allowed);
    status.put("currentHealthy", healthy);
    status.put("desiredHealthy", desired);
    status.put("expectedPods", expected);
    condition(status, old, allowed > 0 ? "True" : "False", allowed > 0 ? "SufficientPods" : "InsufficientPods", "",
        generation, now);
    return new Computed(status, Optional.ofNullable(recheck));
  }

  /** The condition once an eviction took the last allowed disruption (kube's {@code UpdateDisruptionAllowedCondition}). */
  public static void insufficientPods(ObjectNode status, JsonNode old, Instant now) {
    condition(status, old, "False", "InsufficientPods", "", status.path("observedGeneration").asLong(0), now);
  }

  /**
   * The DisruptionAllowed condition, as {@code apimeta.SetStatusCondition}: its transition time
   * moves only when its status does.
   */
  static void condition(ObjectNode status, JsonNode old, String value, String reason, String message, long generation,
      Instant now) {
    String transition = now.truncatedTo(ChronoUnit.SECONDS).toString();
    for (JsonNode c : old.path("conditions")) {
      if ("DisruptionAllowed".equals(c.path("type").asText()) && value.equals(c.path("status").asText())) {
        transition = c.path("lastTransitionTime").asText(transition);
      }
    }
    ArrayNode conditions = status.putArray("conditions");
    ObjectNode c = conditions.addObject();
    c.put("type", "DisruptionAllowed");
    c.put("status", value);
    c.put("observedGeneration", generation);
    c.put("lastTransitionTime", transition);
    c.put("reason", reason);
    c.put("message", message);
  }

  /**
   * The sum of the scales of the controllers of the pods (each counted once); pods that no
   * controller owns are left out, as Kubernetes does since 1.26.
   */
  private static int expectedScale(String namespace, Collection<? extends JsonNode> pods, Scales scales) {
    Set<String> seenRefs = new HashSet<>();
    // by the workload's uid: the pods of a Deployment's two ReplicaSets count its scale once
    Map<String, Integer> workloads = new HashMap<>();
    for (JsonNode pod : pods) {
      JsonNode ref = controllerRef(pod);
      if (ref == null || !seenRefs.add(ref.path("uid").asText())) {
        continue;
      }
      Scale scale = scales.of(namespace, ref)
          .orElseThrow(() -> new NoController("found no controllers for pod \"" + Meta.name(pod) + "\""));
      workloads.put(scale.uid(), scale.replicas());
    }
    return workloads.values().stream().mapToInt(Integer::intValue).sum();
  }

  private static JsonNode controllerRef(JsonNode pod) {
    for (JsonNode r : pod.path("metadata").path("ownerReferences")) {
      if (r.path("controller").asBoolean(false)) {
        return r;
      }
    }
    return null;
  }

  /** {@code intstr.GetScaledValueFromIntOrPercent} rounding up, as the disruption controller does. */
  static int scaled(JsonNode value, int total) {
    try {
      return RollingUpdate.scaledValue(value, total, true);
    } catch (IllegalArgumentException e) {
      return 0; // refused by validation
    }
  }

  private static Instant parse(String text) {
    try {
      return text.isEmpty() ? null : Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static final class NoController extends RuntimeException {
    NoController(String message) {
      super(message, null, false, false);
    }
  }
}
