package io.steuermann.engine.controllers.logic;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.Meta;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * Which pods a ReplicaSet deletes first when it has too many: Kubernetes' {@code ActivePods}
 * order, where the pods that matter least (cheapest to lose) sort first.
 *
 * <ol>
 *   <li>unassigned (no {@code spec.nodeName}) before assigned;
 *   <li>Pending before Unknown before Running;
 *   <li>not ready before ready;
 *   <li>(with {@link #withRanks}) lower {@code controller.kubernetes.io/pod-deletion-cost} first,
 *       then pods doubled up on a node with more of their siblings first;
 *   <li>ready for less time before ready for longer (both ready);
 *   <li>more container restarts before fewer;
 *   <li>newer before older (creationTimestamp); a missing timestamp counts as newest.
 * </ol>
 */
public final class ActivePods {
  public static final String DELETION_COST = "controller.kubernetes.io/pod-deletion-cost";

  private ActivePods() {}

  /** Kubernetes' {@code ActivePods} order (least valuable first). */
  public static Comparator<JsonNode> order() {
    return (a, b) -> compare(a, b, null);
  }

  /**
   * Kubernetes' {@code ActivePodsWithRanks} order, used by ReplicaSets: as {@link #order()},
   * but after readiness the pod-deletion-cost annotation and then {@code rank} (higher first;
   * Kubernetes ranks a pod by how many pods of the same ReplicaSet share its node) decide.
   */
  public static Comparator<JsonNode> withRanks(ToIntFunction<JsonNode> rank) {
    return (a, b) -> compare(a, b, rank);
  }

  /** Ranks for {@link #withRanks}: for each pod, how many of {@code related} run on its node. */
  public static ToIntFunction<JsonNode> colocationRank(Collection<? extends JsonNode> related) {
    Map<String, Integer> perNode = new java.util.HashMap<>();
    for (JsonNode p : related) {
      String node = nodeName(p);
      if (!node.isEmpty()) {
        perNode.merge(node, 1, Integer::sum);
      }
    }
    return p -> nodeName(p).isEmpty() ? 0 : perNode.getOrDefault(nodeName(p), 0);
  }

  /** The {@code count} pods to delete from {@code pods}: the first ones in rank order. */
  public static List<JsonNode> podsToDelete(Collection<? extends JsonNode> pods, int count) {
    List<JsonNode> sorted = new ArrayList<>(pods);
    sorted.sort(withRanks(colocationRank(pods)));
    return List.copyOf(sorted.subList(0, Math.max(0, Math.min(count, sorted.size()))));
  }

  /** Pods that still count toward a ReplicaSet: not Succeeded, not Failed, not being deleted. */
  public static <T extends JsonNode> List<T> filterActive(Collection<T> pods) {
    List<T> out = new ArrayList<>();
    for (T p : pods) {
      if (isActive(p)) {
        out.add(p);
      }
    }
    return out;
  }

  public static boolean isActive(JsonNode pod) {
    String phase = phase(pod);
    return !"Succeeded".equals(phase) && !"Failed".equals(phase)
        && !pod.path("metadata").hasNonNull("deletionTimestamp");
  }

  /** Whether the pod's {@code Ready} condition is {@code True}. */
  public static boolean isReady(JsonNode pod) {
    JsonNode c = readyCondition(pod);
    return c != null && "True".equals(Meta.text(c, "status"));
  }

  /**
   * Whether the pod has been ready for at least {@code minReadySeconds} at {@code now}
   * (Kubernetes' {@code IsPodAvailable}).
   */
  public static boolean isAvailable(JsonNode pod, int minReadySeconds, Instant now) {
    if (!isReady(pod)) {
      return false;
    }
    if (minReadySeconds <= 0) {
      return true;
    }
    Instant since = time(readyCondition(pod), "lastTransitionTime");
    return since != null && !since.plusSeconds(minReadySeconds).isAfter(now);
  }

  private static int compare(JsonNode a, JsonNode b, ToIntFunction<JsonNode> rank) {
    boolean aAssigned = !nodeName(a).isEmpty();
    boolean bAssigned = !nodeName(b).isEmpty();
    if (!nodeName(a).equals(nodeName(b)) && (!aAssigned || !bAssigned)) {
      return aAssigned ? 1 : -1;
    }
    int c = Integer.compare(phaseOrdinal(a), phaseOrdinal(b));
    if (c != 0) {
      return c;
    }
    boolean aReady = isReady(a);
    boolean bReady = isReady(b);
    if (aReady != bReady) {
      return aReady ? 1 : -1;
    }
    if (rank != null) {
      c = Integer.compare(deletionCost(a), deletionCost(b));
      if (c != 0) {
        return c;
      }
      c = Integer.compare(rank.applyAsInt(b), rank.applyAsInt(a));
      if (c != 0) {
        return c;
      }
    }
    if (aReady && bReady) {
      c = newerFirst(time(readyCondition(a), "lastTransitionTime"), time(readyCondition(b), "lastTransitionTime"));
      if (c != 0) {
        return c;
      }
    }
    c = Integer.compare(maxRestarts(b), maxRestarts(a));
    if (c != 0) {
      return c;
    }
    return newerFirst(time(a.path("metadata"), "creationTimestamp"), time(b.path("metadata"), "creationTimestamp"));
  }

  // Kubernetes' afterOrZero: a missing time sorts first, then later times before earlier ones.
  private static int newerFirst(Instant a, Instant b) {
    if (a == null || b == null) {
      return a == b ? 0 : (a == null ? -1 : 1);
    }
    return b.compareTo(a);
  }

  // Pending < Unknown < Running; any other phase counts as Pending, as in Kubernetes' map lookup.
  private static int phaseOrdinal(JsonNode pod) {
    return switch (phase(pod)) {
      case "Unknown" -> 1;
      case "Running" -> 2;
      default -> 0;
    };
  }

  private static int deletionCost(JsonNode pod) {
    String v = Meta.text(pod.path("metadata").path("annotations"), DELETION_COST);
    try {
      return v.isEmpty() ? 0 : Integer.parseInt(v);
    } catch (NumberFormatException e) {
      return 0; // Kubernetes rejects invalid costs at admission; treat leftovers as the default.
    }
  }

  private static int maxRestarts(JsonNode pod) {
    int max = 0;
    for (JsonNode cs : pod.path("status").path("containerStatuses")) {
      max = Math.max(max, cs.path("restartCount").asInt(0));
    }
    return max;
  }

  private static JsonNode readyCondition(JsonNode pod) {
    for (JsonNode c : pod.path("status").path("conditions")) {
      if ("Ready".equals(Meta.text(c, "type"))) {
        return c;
      }
    }
    return null;
  }

  private static String nodeName(JsonNode pod) {
    return Meta.text(pod.path("spec"), "nodeName");
  }

  private static String phase(JsonNode pod) {
    return Meta.text(pod.path("status"), "phase");
  }

  /** An RFC 3339 timestamp field, or null when absent or unparsable. */
  static Instant time(JsonNode node, String field) {
    String t = node == null ? "" : Meta.text(node, field);
    if (t.isEmpty()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(t).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
