package io.steuermann.engine.autoscaling;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.scheduling.Quantity;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * kube's replica calculator for a Resource metric (pkg/controller/podautoscaler), as a pure
 * function: the target's pods are grouped into ready, unready (pending, or CPU not to be
 * trusted yet after a start), missing (no metric) and ignored (deleted, failed); the ratio of
 * the ready pods' usage to the target decides, within a tolerance of 10%. With missing or unready
 * pods the ratio is computed again the conservative way: missing pods count as at the target
 * (at least 100% of their request) when scaling down and as idle when scaling up, unready pods
 * as idle when scaling up; a second ratio that changes direction or falls into the tolerance
 * keeps the current count.
 */
public final class ReplicaCalculator {
  public static final double TOLERANCE = 0.1;
  public static final Duration CPU_INITIALIZATION_PERIOD = Duration.ofMinutes(5);
  public static final Duration INITIAL_READINESS_DELAY = Duration.ofSeconds(30);

  private ReplicaCalculator() {}

  /** What is targeted: utilisation in percent of the requests, or an average value (millicores or bytes). */
  public sealed interface Target {}

  public record Utilization(int percent) implements Target {}

  public record AverageValue(long value) implements Target {}

  /** The answer: a replica count with what was measured, or why none could be computed. */
  public sealed interface Result {}

  /** {@code utilization} is null for an average-value target; {@code averageValue} in millicores or bytes. */
  public record Replicas(int replicas, Integer utilization, long averageValue, Instant timestamp) implements Result {}

  public record Failed(String reason) implements Result {}

  /**
   * @param resource {@code cpu} or {@code memory}
   * @param container the container whose usage counts (a ContainerResource metric), or null for the whole pod
   * @param usage pod name to its usage
   */
  public static Result compute(int currentReplicas, String resource, String container, Target target,
      List<? extends JsonNode> pods, Map<String, PodMetrics.PodUsage> usage, Instant now) {
    if (pods.isEmpty()) {
      return new Failed("no pods returned by selector while calculating replica count");
    }
    Map<String, Long> metrics = new HashMap<>();
    Instant timestamp = null;
    for (JsonNode pod : pods) {
      PodMetrics.PodUsage u = usage.get(Meta.name(pod));
      if (u != null) {
        metrics.put(Meta.name(pod), total(u, resource, container));
        Instant at = Instant.ofEpochMilli(u.timestampMillis());
        timestamp = timestamp == null || at.isBefore(timestamp) ? at : timestamp;
      }
    }
    int ready = 0;
    Set<String> unready = new HashSet<>();
    Set<String> missing = new HashSet<>();
    for (JsonNode pod : pods) {
      String name = Meta.name(pod);
      String phase = pod.path("status").path("phase").asText("");
      if (pod.path("metadata").hasNonNull("deletionTimestamp") || phase.equals("Failed")) {
        metrics.remove(name);
        continue;
      }
      if (phase.equals("Pending")) {
        unready.add(name);
        metrics.remove(name);
        continue;
      }
      PodMetrics.PodUsage u = usage.get(name);
      if (u == null) {
        missing.add(name);
        continue;
      }
      if (resource.equals("cpu") && cpuUnready(pod, u, now)) {
        unready.add(name);
        metrics.remove(name);
        continue;
      }
      ready++;
    }
    if (metrics.isEmpty()) {
      return new Failed("did not receive metrics for targeted pods (pods might be unready)");
    }
    Map<String, Long> requests = new HashMap<>();
    if (target instanceof Utilization) {
      for (JsonNode pod : pods) {
        long request = 0;
        for (JsonNode c : pod.path("spec").path("containers")) {
          if (container != null && !container.equals(c.path("name").asText())) {
            continue;
          }
          JsonNode r = c.path("resources").path("requests").get(resource);
          if (r == null || r.isNull()) {
            return new Failed("missing request for " + resource + " in container " + c.path("name").asText()
                + " of Pod " + Meta.name(pod));
          }
          request += amount(resource, r.asText());
        }
        requests.put(Meta.name(pod), request);
      }
    }
    Ratio first = ratio(metrics, requests, target);
    if (first == null) {
      return new Failed("no metrics returned matched known pods");
    }
    Instant at = timestamp;
    boolean scaleUpWithUnready = !unready.isEmpty() && first.ratio > 1.0;
    if (!scaleUpWithUnready && missing.isEmpty()) {
      if (Math.abs(1.0 - first.ratio) <= TOLERANCE) {
        return new Replicas(currentReplicas, first.utilization, first.average, at);
      }
      return new Replicas((int) Math.ceil(first.ratio * ready), first.utilization, first.average, at);
    }
    if (!missing.isEmpty()) {
      for (String name : missing) {
        if (first.ratio < 1.0) {
          // kube assumes a missing pod uses its target (at least 100% of its request) when scaling down
          metrics.put(name, target instanceof Utilization u
              ? requests.getOrDefault(name, 0L) * Math.max(u.percent(), 100) / 100
              : ((AverageValue) target).value());
        } else if (first.ratio > 1.0) {
          metrics.put(name, 0L);
        }
      }
    }
    if (scaleUpWithUnready) {
      unready.forEach(name -> metrics.put(name, 0L));
    }
    Ratio second = ratio(metrics, requests, target);
    if (second == null || Math.abs(1.0 - second.ratio) <= TOLERANCE
        || (first.ratio < 1.0 && second.ratio > 1.0) || (first.ratio > 1.0 && second.ratio < 1.0)) {
      return new Replicas(currentReplicas, first.utilization, first.average, at);
    }
    int replicas = (int) Math.ceil(second.ratio * metrics.size());
    if ((second.ratio < 1.0 && replicas > currentReplicas) || (second.ratio > 1.0 && replicas < currentReplicas)) {
      return new Replicas(currentReplicas, first.utilization, first.average, at);
    }
    return new Replicas(replicas, first.utilization, first.average, at);
  }

  private record Ratio(double ratio, Integer utilization, long average) {}

  /** kube's GetResourceUtilizationRatio, or the plain average against an average-value target. */
  private static Ratio ratio(Map<String, Long> metrics, Map<String, Long> requests, Target target) {
    if (metrics.isEmpty()) {
      return null;
    }
    if (target instanceof AverageValue v) {
      long total = metrics.values().stream().mapToLong(Long::longValue).sum();
      long average = total / metrics.size();
      return new Ratio((double) total / metrics.size() / v.value(), null, average);
    }
    long used = 0;
    long requested = 0;
    int counted = 0;
    for (Map.Entry<String, Long> m : metrics.entrySet()) {
      Long request = requests.get(m.getKey());
      if (request == null) {
        continue;
      }
      used += m.getValue();
      requested += request;
      counted++;
    }
    if (requested == 0) {
      return null;
    }
    int utilization = (int) (used * 100 / requested);
    return new Ratio((double) utilization / ((Utilization) target).percent(), utilization, used / counted);
  }

  /**
   * kube's groupPods for CPU: a pod without a Ready condition or start time is unready; within
   * the first 5 minutes after its start, one that is not ready or whose sample began before it
   * turned ready; later, one that is not ready and never was since the first 30 s.
   */
  private static boolean cpuUnready(JsonNode pod, PodMetrics.PodUsage usage, Instant now) {
    JsonNode condition = null;
    for (JsonNode c : pod.path("status").path("conditions")) {
      if (c.path("type").asText().equals("Ready")) {
        condition = c;
      }
    }
    String started = pod.path("status").path("startTime").asText("");
    if (condition == null || started.isEmpty()) {
      return true;
    }
    Instant start = Instant.parse(started);
    String transition = condition.path("lastTransitionTime").asText("");
    Instant changed = transition.isEmpty() ? start : Instant.parse(transition);
    boolean isFalse = condition.path("status").asText().equals("False");
    if (start.plus(CPU_INITIALIZATION_PERIOD).isAfter(now)) {
      return isFalse || Instant.ofEpochMilli(usage.timestampMillis())
          .isBefore(changed.plusMillis(usage.windowMillis()));
    }
    return isFalse && start.plus(INITIAL_READINESS_DELAY).isAfter(changed);
  }

  private static long total(PodMetrics.PodUsage usage, String resource, String container) {
    return usage.containers().stream()
        .filter(c -> container == null || container.equals(c.name()))
        .mapToLong(c -> resource.equals("cpu") ? c.cpuMilli() : c.memoryBytes())
        .sum();
  }

  /** A quantity in the unit usage is counted in: millicores for cpu, bytes otherwise. */
  public static long amount(String resource, String quantity) {
    return resource.equals("cpu") ? Quantity.milliCpu(quantity) : Quantity.bytes(quantity);
  }
}
