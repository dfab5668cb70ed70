package io.steuermann.engine.scheduling;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.selector.LabelSelector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Ranks the nodes a pod may run on. Each scorer gives 0..100 per node (Kubernetes'
 * {@code MaxNodeScore}); the total is their weighted sum and the highest total wins.
 *
 * <ul>
 *   <li><b>fit</b> -- {@link Fit#LEAST_ALLOCATED} prefers nodes with more free cpu and memory
 *       (spreading load), {@link Fit#MOST_ALLOCATED} prefers fuller nodes (bin-packing). Both
 *       count pods that request nothing at Kubernetes' defaults (100m, 200Mi), as Kubernetes does.
 *   <li><b>balanced</b> -- prefers nodes whose cpu and memory fractions stay close after placement.
 *   <li><b>spread</b> -- prefers nodes running fewer pods of the same owner, normalised against
 *       the busiest feasible node like Kubernetes' SelectorSpread.
 * </ul>
 *
 * <p>Ties are broken by a hash of the pod name over the tied nodes sorted by name: deterministic
 * (the same pod on the same cluster picks the same node) yet different pods of a burst land on
 * different nodes, where Kubernetes would pick randomly.
 */
public final class Scoring {
  public static final int MAX_SCORE = 100;

  /** The resource-fit scoring strategy (Kubernetes' {@code scoringStrategy.type}). */
  public enum Fit { LEAST_ALLOCATED, MOST_ALLOCATED }

  /** Weights of the three scorers; a weight of 0 switches a scorer off. */
  public record Weights(int fit, int balanced, int spread) {
    public Weights {
      if (fit < 0 || balanced < 0 || spread < 0) {
        throw new IllegalArgumentException("scorer weights must not be negative");
      }
    }
  }

  /** A node with its total and per-scorer scores, for tests and for explaining decisions. */
  public record NodeScore(String node, int total, int fit, int balanced, int spread) {}

  private final Fit fit;
  private final Weights weights;

  public Scoring(Fit fit, Weights weights) {
    this.fit = fit;
    this.weights = weights;
  }

  /** Spreading (the default): least allocated 1, balanced 1, owner spread 2 (Kubernetes' default weights). */
  public static Scoring leastAllocated() {
    return new Scoring(Fit.LEAST_ALLOCATED, new Weights(1, 1, 2));
  }

  /**
   * Bin-packing: most allocated 1, balanced 1, owner spread 0 -- spreading an owner's pods over
   * nodes would defeat filling nodes up.
   */
  public static Scoring mostAllocated() {
    return new Scoring(Fit.MOST_ALLOCATED, new Weights(1, 1, 0));
  }

  /**
   * A scoring by configuration name: {@code LeastAllocated} (alias {@code spread}) or
   * {@code MostAllocated} (alias {@code binpack}, {@code binpacking}), case-insensitive.
   */
  public static Scoring named(String name) {
    return switch (name == null ? "" : name.toLowerCase(Locale.ROOT)) {
      case "leastallocated", "least-allocated", "spread" -> leastAllocated();
      case "mostallocated", "most-allocated", "binpack", "binpacking", "bin-packing" -> mostAllocated();
      default -> throw new IllegalArgumentException("unknown scoring \"" + name
          + "\", expected LeastAllocated or MostAllocated");
    };
  }

  public Fit fit() {
    return fit;
  }

  public Weights weights() {
    return weights;
  }

  /**
   * The best node for {@code pod} among {@code feasible}, or empty when none is feasible.
   *
   * @param ownerPodsPerNode pods of the same owner per node name; absent nodes count 0
   */
  public Optional<String> rank(JsonNode pod, List<NodeInfo> feasible, Map<String, Integer> ownerPodsPerNode) {
    return rank(Meta.name(pod), PodRequests.of(pod), feasible, ownerPodsPerNode);
  }

  /** As {@link #rank(JsonNode, List, Map)}, for requests already computed. */
  public Optional<String> rank(String podName, PodRequests pod, List<NodeInfo> feasible,
                               Map<String, Integer> ownerPodsPerNode) {
    if (feasible.isEmpty()) {
      return Optional.empty();
    }
    List<NodeScore> scores = scores(pod, feasible, ownerPodsPerNode);
    int best = Integer.MIN_VALUE;
    List<String> tied = new ArrayList<>();
    for (NodeScore s : scores) {
      if (s.total() > best) {
        best = s.total();
        tied.clear();
      }
      if (s.total() == best) {
        tied.add(s.node());
      }
    }
    tied.sort(null);
    return Optional.of(tied.get(Math.floorMod(fnv1a(podName), tied.size())));
  }

  /** Every feasible node's scores, in the order given. */
  public List<NodeScore> scores(PodRequests pod, List<NodeInfo> feasible, Map<String, Integer> ownerPodsPerNode) {
    Map<String, Integer> spread = weights.spread() == 0 ? Map.of() : spread(feasible, ownerPodsPerNode);
    List<NodeScore> out = new ArrayList<>(feasible.size());
    for (NodeInfo n : feasible) {
      int f = weights.fit() == 0 ? 0
          : fit == Fit.LEAST_ALLOCATED ? leastAllocated(n, pod) : mostAllocated(n, pod);
      int b = weights.balanced() == 0 ? 0 : balancedAllocation(n, pod);
      int s = spread.getOrDefault(n.name(), 0);
      out.add(new NodeScore(n.name(), weights.fit() * f + weights.balanced() * b + weights.spread() * s, f, b, s));
    }
    return out;
  }

  /** Kubernetes' LeastAllocated: mean over cpu and memory of {@code (allocatable - requested) * 100 / allocatable}. */
  public static int leastAllocated(NodeInfo node, PodRequests pod) {
    Resources alloc = node.allocatable();
    Resources req = node.nonZeroRequested().plus(pod.nonZero());
    return (int) ((least(req.milliCpu(), alloc.milliCpu()) + least(req.memoryBytes(), alloc.memoryBytes())) / 2);
  }

  /** Kubernetes' MostAllocated: mean over cpu and memory of {@code requested * 100 / allocatable}. */
  public static int mostAllocated(NodeInfo node, PodRequests pod) {
    Resources alloc = node.allocatable();
    Resources req = node.nonZeroRequested().plus(pod.nonZero());
    return (int) ((most(req.milliCpu(), alloc.milliCpu()) + most(req.memoryBytes(), alloc.memoryBytes())) / 2);
  }

  /**
   * Kubernetes' BalancedAllocation: {@code (1 - stddev of the cpu and memory fractions) * 100},
   * fractions of allocatable after placing the pod, capped at 1. With two resources the standard
   * deviation is half their difference.
   */
  public static int balancedAllocation(NodeInfo node, PodRequests pod) {
    Resources alloc = node.allocatable();
    Resources req = node.requested().plus(pod.requests());
    if (alloc.milliCpu() <= 0 || alloc.memoryBytes() <= 0) {
      return MAX_SCORE;
    }
    double cpu = Math.min(1.0, (double) req.milliCpu() / alloc.milliCpu());
    double mem = Math.min(1.0, (double) req.memoryBytes() / alloc.memoryBytes());
    double std = Math.abs(cpu - mem) / 2;
    return (int) ((1 - std) * MAX_SCORE);
  }

  /**
   * Owner spreading: {@code 100 * (max - count) / max} where max is the highest count on any
   * feasible node; all 100 when no feasible node runs a pod of the owner.
   */
  public static Map<String, Integer> spread(List<NodeInfo> feasible, Map<String, Integer> ownerPodsPerNode) {
    int max = 0;
    for (NodeInfo n : feasible) {
      max = Math.max(max, ownerPodsPerNode.getOrDefault(n.name(), 0));
    }
    Map<String, Integer> out = new HashMap<>();
    for (NodeInfo n : feasible) {
      int count = ownerPodsPerNode.getOrDefault(n.name(), 0);
      out.put(n.name(), max == 0 ? MAX_SCORE : MAX_SCORE * (max - count) / max);
    }
    return out;
  }

  /** The uid of the pod's controller ownerReference ({@code controller: true}); empty if none. */
  public static String ownerUid(JsonNode pod) {
    for (JsonNode ref : pod.path("metadata").path("ownerReferences")) {
      if (ref.path("controller").asBoolean(false)) {
        return Meta.text(ref, "uid");
      }
    }
    return "";
  }

  /**
   * Pods per node (by {@code spec.nodeName}) that share {@code pod}'s controller, skipping
   * unbound, terminated and terminating pods. Empty when the pod has no controller.
   */
  public static Map<String, Integer> ownerPodsPerNode(JsonNode pod, Collection<? extends JsonNode> pods) {
    String owner = ownerUid(pod);
    Map<String, Integer> out = new LinkedHashMap<>();
    if (owner.isEmpty()) {
      return out;
    }
    for (JsonNode p : pods) {
      if (counts(p) && owner.equals(ownerUid(p))) {
        out.merge(Meta.text(p.path("spec"), "nodeName"), 1, Integer::sum);
      }
    }
    return out;
  }

  /** As {@link #ownerPodsPerNode}, for pods in {@code namespace} matching {@code selector}. */
  public static Map<String, Integer> selectedPodsPerNode(String namespace, LabelSelector selector,
                                                          Collection<? extends JsonNode> pods) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (JsonNode p : pods) {
      if (counts(p) && namespace.equals(Meta.namespace(p)) && selector.matches(Meta.labels(p))) {
        out.merge(Meta.text(p.path("spec"), "nodeName"), 1, Integer::sum);
      }
    }
    return out;
  }

  private static boolean counts(JsonNode p) {
    String phase = Meta.text(p.path("status"), "phase");
    return !Meta.text(p.path("spec"), "nodeName").isEmpty()
        && !p.path("metadata").hasNonNull("deletionTimestamp")
        && !"Succeeded".equals(phase) && !"Failed".equals(phase);
  }

  private static long least(long requested, long capacity) {
    if (capacity <= 0 || requested > capacity) {
      return 0;
    }
    return (capacity - requested) * MAX_SCORE / capacity;
  }

  private static long most(long requested, long capacity) {
    if (capacity <= 0) {
      return 0;
    }
    return Math.min(requested, capacity) * MAX_SCORE / capacity;
  }

  // FNV-1a 32-bit: cheap, stable across JVMs (String.hashCode would do too, but this spreads better).
  static int fnv1a(String s) {
    int h = 0x811c9dc5;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x01000193;
    }
    return h;
  }
}
