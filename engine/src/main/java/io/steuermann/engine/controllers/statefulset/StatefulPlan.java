package io.steuermann.engine.controllers.statefulset;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One step of Kubernetes' StatefulSet control loop ({@code updateStatefulSet} in
 * {@code stateful_set_control.go}) as a pure function of the set's pods:
 * <ol>
 *   <li>every ordinal in range gets its pod; a Failed or Succeeded pod is deleted to be made
 *       again. OrderedReady stops at the first pod it creates, deletes, or that is not yet
 *       Running and Ready (or terminating); Parallel goes on;</li>
 *   <li>pods beyond the range are condemned and deleted, highest ordinal first; OrderedReady
 *       deletes one at a time and only while every other pod is healthy;</li>
 *   <li>RollingUpdate: from the highest ordinal down to the partition, the first pod not at the
 *       update revision is deleted (its successor is made at the new revision), and an unhealthy
 *       one stops the update. OnDelete stops before.</li>
 * </ol>
 */
public final class StatefulPlan {

  /** A pod of the set, by ordinal. {@code healthy}: Running, Ready (and available) and not terminating. */
  public record Member(int ordinal, String name, String revision, boolean terminating, boolean healthy,
      boolean finished) {}

  /**
   * @param start first ordinal ({@code spec.ordinals.start})
   * @param partition the RollingUpdate partition, -1 for OnDelete
   */
  public record Spec(int replicas, int start, boolean orderedReady, int partition, String updateRevision) {}

  /** What to do now: ordinals whose pods to create and names of pods to delete. */
  public record Step(List<Integer> create, List<String> delete) {
    static Step of(List<Integer> create, List<String> delete) {
      return new Step(List.copyOf(create), List.copyOf(delete));
    }
  }

  private StatefulPlan() {}

  public static Step step(Spec spec, List<Member> pods) {
    Map<Integer, Member> byOrdinal = new HashMap<>();
    List<Member> condemned = new ArrayList<>();
    int end = spec.start() + spec.replicas();
    for (Member m : pods) {
      if (m.ordinal() >= spec.start() && m.ordinal() < end) {
        byOrdinal.put(m.ordinal(), m);
      } else {
        condemned.add(m);
      }
    }
    condemned.sort(Comparator.comparingInt(Member::ordinal));
    List<Integer> create = new ArrayList<>();
    List<String> delete = new ArrayList<>();
    boolean ordered = spec.orderedReady();
    for (int ord = spec.start(); ord < end; ord++) {
      Member m = byOrdinal.get(ord);
      if (m == null) {
        create.add(ord);
        if (ordered) {
          return Step.of(create, delete);
        }
      } else if (m.finished() && !m.terminating()) {
        delete.add(m.name());
        if (ordered) {
          return Step.of(create, delete);
        }
      } else if (!m.healthy() && ordered) {
        // "StatefulSet is waiting for Pod to be Running and Ready" (or to finish terminating)
        return Step.of(create, delete);
      }
    }
    if (!create.isEmpty() || !delete.isEmpty()) {
      // Parallel: the pods in range first; Kubernetes goes on in the same pass, one more round costs nothing
      if (!ordered) {
        condemnParallel(condemned, delete);
      }
      return Step.of(create, delete);
    }
    Member firstUnhealthy = condemned.stream().filter(m -> !m.healthy()).findFirst().orElse(null);
    for (int i = condemned.size() - 1; i >= 0; i--) {
      Member m = condemned.get(i);
      if (m.terminating()) {
        if (ordered) {
          return Step.of(create, delete);
        }
        continue;
      }
      if (ordered && !m.healthy() && m != firstUnhealthy) {
        return Step.of(create, delete);
      }
      delete.add(m.name());
      if (ordered) {
        return Step.of(create, delete);
      }
    }
    if (!delete.isEmpty() || spec.partition() < 0) {
      return Step.of(create, delete);
    }
    for (int ord = end - 1; ord >= spec.start() + spec.partition(); ord--) {
      Member m = byOrdinal.get(ord);
      if (!m.revision().equals(spec.updateRevision()) && !m.terminating()) {
        delete.add(m.name());
        return Step.of(create, delete);
      }
      if (!m.healthy()) {
        return Step.of(create, delete);
      }
    }
    return Step.of(create, delete);
  }

  private static void condemnParallel(List<Member> condemned, List<String> delete) {
    for (int i = condemned.size() - 1; i >= 0; i--) {
      if (!condemned.get(i).terminating()) {
        delete.add(condemned.get(i).name());
      }
    }
  }

  /** The ordinal in a pod name {@code <set>-<ordinal>}, or -1 when the name is not of the set. */
  public static int ordinal(String setName, String podName) {
    String prefix = setName + "-";
    if (!podName.startsWith(prefix)) {
      return -1;
    }
    String digits = podName.substring(prefix.length());
    if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(Character::isDigit)) {
      return -1;
    }
    return Integer.parseInt(digits);
  }
}
