package io.steuermann.engine.scheduling;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The message of a FailedScheduling event and of the pod's {@code PodScheduled=False}
 * condition, exactly as Kubernetes' {@code FitError.Error()} builds it: each reason is counted
 * over the nodes that gave it, rendered {@code "<count> <reason>"}, and those strings are sorted
 * as plain strings (so {@code "1 node(s) were unschedulable"} precedes
 * {@code "2 Insufficient cpu"}, and {@code "10 ..."} precedes {@code "2 ..."}).
 *
 * <p>Example: {@code 0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu.}
 */
public final class FailureMessage {
  /** Kubernetes' {@code ErrNoNodesAvailable}, when the cluster has no node at all. */
  public static final String NO_NODES = "no nodes available to schedule pods";

  private FailureMessage() {}

  /**
   * @param totalNodes   every node considered, feasible or not (the {@code N} of {@code 0/N})
   * @param reasonsByNode the failing reasons of each infeasible node
   */
  public static String of(int totalNodes, Map<String, ? extends Collection<String>> reasonsByNode) {
    if (totalNodes == 0) {
      return NO_NODES;
    }
    Map<String, Integer> counts = new TreeMap<>();
    for (Collection<String> reasons : reasonsByNode.values()) {
      for (String r : reasons) {
        counts.merge(r, 1, Integer::sum);
      }
    }
    List<String> parts = new ArrayList<>();
    counts.forEach((reason, count) -> parts.add(count + " " + reason));
    // Go's sort.Strings orders by bytes; for these ASCII texts that is String's natural order.
    parts.sort(null);
    StringBuilder sb = new StringBuilder("0/").append(totalNodes).append(" nodes are available:");
    if (!parts.isEmpty()) {
      sb.append(' ').append(String.join(", ", parts)).append('.');
    }
    return sb.toString();
  }
}
