package io.steuermann.engine.controllers.daemonset;

import io.steuermann.engine.controllers.daemonset.DaemonNodes.Fit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The arithmetic of a DaemonSet, as pure functions mirroring Kubernetes' {@code daemon_controller.go}
 * ({@code podsShouldBeOnNode}, {@code updateDaemonSetStatus}) and {@code update.go}
 * ({@code rollingUpdate}): given every node with its fit and the DaemonSet's pods on it, which
 * nodes get a new pod and which pods go. One call is one reconcile; the controller runs
 * {@link #rollingUpdate} only when {@link #manage} had nothing to do, as Kubernetes does (it
 * waits for its expectations in between).
 *
 * <p>Without surge a node's old pod is deleted first and {@link #manage} then creates the new one,
 * never more than {@code maxUnavailable} nodes at a time lacking an available pod (nodes whose old
 * pod is not available anyway are replaced at once); with surge a new pod starts beside the old
 * one on at most {@code maxSurge} nodes, and the old one goes once the new one is available.
 */
public final class DaemonRollout {
  private DaemonRollout() {}

  /**
   * One pod of the DaemonSet, as the arithmetic sees it.
   *
   * @param updated     whether it carries the current revision's hash (or template generation)
   * @param bound       whether it has a {@code spec.nodeName} yet
   * @param terminating whether it has a {@code deletionTimestamp}
   * @param phase       {@code status.phase}
   */
  public record Pod(String name, boolean updated, boolean bound, boolean ready, boolean available,
      boolean terminating, String phase, Instant created) {
    boolean terminal() {
      return "Failed".equals(phase) || "Succeeded".equals(phase);
    }
  }

  /** A node, its fit for the DaemonSet, and the DaemonSet's pods that target it. */
  public record Node(String name, Fit fit, List<Pod> pods) {
    public Node {
      pods = List.copyOf(pods);
    }
  }

  /** What to do: create a pod on each of {@code createOn}, delete each of {@code delete}. */
  public record Plan(List<String> createOn, List<String> delete, List<String> failedPods) {
    public static final Plan NOTHING = new Plan(List.of(), List.of(), List.of());

    public boolean isEmpty() {
      return createOn.isEmpty() && delete.isEmpty();
    }
  }

  /** Resolved fenceposts: pods that may be missing, extra pods that may run, over {@code desired} nodes. */
  public record Fenceposts(int maxSurge, int maxUnavailable, int desired) {}

  /** Kubernetes' {@code podByCreationTimestampAndPhase}: bound pods first, then oldest, then by name. */
  static final Comparator<Pod> OLDEST_FIRST = Comparator.comparing((Pod p) -> !p.bound())
      .thenComparing(Pod::created).thenComparing(Pod::name);

  /**
   * Kubernetes' {@code updatedDesiredNodeCounts}: both fenceposts are percentages of the nodes that
   * should run the pod, rounded up; if both come out 0 (only possible with 0%), one may be unavailable.
   */
  public static Fenceposts fenceposts(com.fasterxml.jackson.databind.JsonNode daemonSet, List<Node> nodes) {
    int desired = (int) nodes.stream().filter(n -> n.fit().shouldRun()).count();
    var rolling = daemonSet.path("spec").path("updateStrategy").path("rollingUpdate");
    boolean isRolling = "RollingUpdate".equals(daemonSet.path("spec").path("updateStrategy").path("type").asText(""));
    int unavailable = isRolling ? scaled(rolling.path("maxUnavailable"), desired, 1) : 0;
    int surge = isRolling ? scaled(rolling.path("maxSurge"), desired, 0) : 0;
    if (desired > 0 && unavailable == 0 && surge == 0) {
      unavailable = 1;
    }
    return new Fenceposts(surge, unavailable, desired);
  }

  /** Kubernetes' {@code AllowsSurge}: a non-zero maxSurge (a percent of one node, rounded up). */
  public static boolean allowsSurge(com.fasterxml.jackson.databind.JsonNode daemonSet) {
    var strategy = daemonSet.path("spec").path("updateStrategy");
    return "RollingUpdate".equals(strategy.path("type").asText(""))
        && scaled(strategy.path("rollingUpdate").path("maxSurge"), 1, 0) != 0;
  }

  private static int scaled(com.fasterxml.jackson.databind.JsonNode value, int total, int absent) {
    if (value.isMissingNode() || value.isNull()) {
      return absent;
    }
    try {
      return io.steuermann.engine.controllers.logic.RollingUpdate.scaledValue(value, total, true);
    } catch (IllegalArgumentException e) {
      return absent;
    }
  }

  /**
   * Kubernetes' {@code manage}: a pod on every node that should run one, none on nodes that
   * should not keep one, failed and succeeded pods replaced, and at most one running pod per
   * node (two while surging: the oldest new one and the oldest old one, until the new one is
   * available or the old one stops being ready). A node whose pod is still terminating gets its
   * new pod once that is gone, except while surging.
   */
  public static Plan manage(List<Node> nodes, boolean surge) {
    List<String> create = new ArrayList<>();
    List<String> delete = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    for (Node node : nodes) {
      // terminal pods whose deletion is under way no longer count (getNodesToDaemonPods)
      List<Pod> pods = node.pods().stream().filter(p -> !(p.terminal() && p.terminating())).toList();
      Fit fit = node.fit();
      if (fit.shouldRun() && pods.isEmpty()) {
        create.add(node.name());
      } else if (fit.shouldContinueRunning()) {
        List<Pod> running = new ArrayList<>();
        for (Pod p : pods) {
          if (p.terminating()) {
            continue;
          }
          if ("Failed".equals(p.phase())) {
            failed.add(p.name());
            delete.add(p.name());
          } else if ("Succeeded".equals(p.phase())) {
            delete.add(p.name());
          } else {
            running.add(p);
          }
        }
        running.sort(OLDEST_FIRST);
        if (!surge) {
          for (int i = 1; i < running.size(); i++) {
            delete.add(running.get(i).name());
          }
          continue;
        }
        if (running.isEmpty()) {
          if (fit.shouldRun()) {
            create.add(node.name());
          }
          continue;
        }
        Pod oldestNew = null;
        Pod oldestOld = null;
        for (Pod p : running) {
          if (p.updated() && oldestNew == null) {
            oldestNew = p;
          } else if (!p.updated() && oldestOld == null) {
            oldestOld = p;
          } else {
            delete.add(p.name());
          }
        }
        if (oldestNew != null && oldestOld != null && (!oldestOld.ready() || oldestNew.available())) {
          delete.add(oldestOld.name());
        }
      } else {
        for (Pod p : pods) {
          if (!p.terminating()) {
            delete.add(p.name());
          }
        }
      }
    }
    return new Plan(create, delete, failed);
  }

  /** The new and old pod of a node, or null when it has more than one of either (manage cleans that up first). */
  private record OnNode(Pod newPod, Pod oldPod) {}

  private static OnNode findUpdated(Node node) {
    Pod newPod = null;
    Pod oldPod = null;
    for (Pod p : node.pods()) {
      if (p.terminating()) {
        continue;
      }
      if (p.updated()) {
        if (newPod != null) {
          return null;
        }
        newPod = p;
      } else {
        if (oldPod != null) {
          return null;
        }
        oldPod = p;
      }
    }
    return new OnNode(newPod, oldPod);
  }

  /** Kubernetes' {@code rollingUpdate}: one step of replacing old pods within the fenceposts. */
  public static Plan rollingUpdate(List<Node> nodes, Fenceposts f) {
    // only nodes that have pods or should run one take part
    List<Node> relevant = nodes.stream().filter(n -> n.fit().shouldRun() || !n.pods().isEmpty()).toList();
    if (f.maxSurge() == 0) {
      int unavailable = 0;
      List<String> replacements = new ArrayList<>();
      List<String> candidates = new ArrayList<>();
      for (Node node : relevant) {
        OnNode on = findUpdated(node);
        if (on == null) {
          unavailable++;
          continue;
        }
        if ((on.oldPod() == null) == (on.newPod() == null)) {
          // nothing there yet, or both: manage acts on it; it is unavailable meanwhile
          unavailable++;
        } else if (on.newPod() != null) {
          if (!on.newPod().available()) {
            unavailable++;
          }
        } else if (!on.oldPod().available()) {
          replacements.add(on.oldPod().name());
        } else if (unavailable < f.maxUnavailable()) {
          candidates.add(on.oldPod().name());
        }
      }
      int remaining = Math.max(0, Math.min(f.maxUnavailable() - unavailable, candidates.size()));
      List<String> delete = new ArrayList<>(replacements);
      delete.addAll(candidates.subList(0, remaining));
      return new Plan(List.of(), delete, List.of());
    }
    List<String> delete = new ArrayList<>();
    List<String> shouldNotRun = new ArrayList<>();
    List<String> candidates = new ArrayList<>();
    List<String> allowed = new ArrayList<>();
    int surged = 0;
    int available = 0;
    for (Node node : relevant) {
      OnNode on = findUpdated(node);
      if (on == null) {
        surged++;
        continue;
      }
      Pod present = on.oldPod() != null ? on.oldPod() : on.newPod();
      if (present != null && present.available()) {
        available++;
      }
      if (on.oldPod() == null) {
        continue;
      }
      if (on.newPod() == null) {
        if (!on.oldPod().available()) {
          if (!node.fit().shouldRun()) {
            delete.add(on.oldPod().name());
          } else {
            allowed.add(node.name());
          }
        } else if (!node.fit().shouldRun()) {
          shouldNotRun.add(on.oldPod().name());
        } else if (surged < f.maxSurge()) {
          candidates.add(node.name());
        }
      } else if (!on.newPod().available()) {
        surged++;
      } else {
        delete.add(on.oldPod().name());
      }
    }
    // with surge the owner expects full availability: a pod on a node it should leave goes only
    // once as many pods are available elsewhere
    int deletable = Math.min(available - f.desired(), shouldNotRun.size());
    if (deletable > 0) {
      delete.addAll(shouldNotRun.subList(0, deletable));
    }
    int remaining = Math.max(0, Math.min(f.maxSurge() - surged, candidates.size()));
    List<String> create = new ArrayList<>(allowed);
    create.addAll(candidates.subList(0, remaining));
    return new Plan(create, delete, List.of());
  }

  /** The status counters {@code kubectl get ds} and {@code kubectl rollout status} read. */
  public record Counts(int desired, int current, int ready, int available, int updated, int misscheduled) {
    public int unavailable() {
      return desired - available;
    }
  }

  /** Kubernetes' {@code updateDaemonSetStatus}: per node, its oldest pod decides. */
  public static Counts status(List<Node> nodes) {
    int desired = 0;
    int current = 0;
    int ready = 0;
    int available = 0;
    int updated = 0;
    int misscheduled = 0;
    for (Node node : nodes) {
      List<Pod> pods = node.pods().stream().filter(p -> !(p.terminal() && p.terminating()))
          .sorted(OLDEST_FIRST).toList();
      if (node.fit().shouldRun()) {
        desired++;
        if (pods.isEmpty()) {
          continue;
        }
        current++;
        Pod oldest = pods.get(0);
        if (oldest.ready()) {
          ready++;
          if (oldest.available()) {
            available++;
          }
        }
        if (oldest.updated()) {
          updated++;
        }
      } else if (!pods.isEmpty()) {
        misscheduled++;
      }
    }
    return new Counts(desired, current, ready, available, updated, misscheduled);
  }
}
