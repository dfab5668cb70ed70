package io.steuermann.engine.controllers.daemonset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.scheduling.Feasibility;
import io.steuermann.engine.scheduling.NodeAffinity;
import io.steuermann.engine.scheduling.NodeInfo;
import io.steuermann.engine.scheduling.Taint;
import io.steuermann.engine.scheduling.Toleration;
import java.util.List;

/**
 * Which nodes a DaemonSet's pod belongs on, as Kubernetes' {@code NodeShouldRunDaemonPod}: the
 * template's {@code nodeName} (if any), its nodeSelector and required node affinity, and the
 * node's NoSchedule/NoExecute taints against the template's tolerations plus the ones every
 * DaemonSet pod gets. Resources and host ports are not checked (Kubernetes leaves them to the
 * scheduler; such a pod stays Pending). A node that is cordoned is not skipped: DaemonSet pods
 * tolerate {@code unschedulable}. The predicates are the scheduler's own ({@link Feasibility}),
 * so the controller and the scheduler cannot disagree about a node.
 */
public final class DaemonNodes {
  private DaemonNodes() {}

  /** What a node is to a DaemonSet: run a pod there; keep one that is there (NoExecute decides). */
  public record Fit(boolean shouldRun, boolean shouldContinueRunning) {
    public static final Fit NO = new Fit(false, false);
    public static final Fit YES = new Fit(true, true);
  }

  /**
   * The tolerations Kubernetes' DaemonSet controller adds to every daemon pod
   * ({@code AddOrUpdateDaemonPodTolerations}): not-ready and unreachable without a time limit
   * (NoExecute: the pod is never evicted), the node-pressure conditions and cordoning
   * (NoSchedule: a new pod still lands there); network-unavailable for host-network pods.
   */
  static List<Toleration> automaticTolerations(boolean hostNetwork) {
    List<Toleration> base = List.of(
        new Toleration("node.kubernetes.io/not-ready", "Exists", "", Taint.NO_EXECUTE),
        new Toleration("node.kubernetes.io/unreachable", "Exists", "", Taint.NO_EXECUTE),
        new Toleration("node.kubernetes.io/disk-pressure", "Exists", "", Taint.NO_SCHEDULE),
        new Toleration("node.kubernetes.io/memory-pressure", "Exists", "", Taint.NO_SCHEDULE),
        new Toleration("node.kubernetes.io/pid-pressure", "Exists", "", Taint.NO_SCHEDULE),
        new Toleration(Taint.UNSCHEDULABLE.key(), "Exists", "", Taint.NO_SCHEDULE));
    if (!hostNetwork) {
      return base;
    }
    return java.util.stream.Stream.concat(base.stream(),
        java.util.stream.Stream.of(new Toleration("node.kubernetes.io/network-unavailable", "Exists", "",
            Taint.NO_SCHEDULE))).toList();
  }

  /** Adds the automatic tolerations to a pod spec, leaving one the template already has as it is. */
  public static void addTolerations(ObjectNode podSpec) {
    JsonNode existing = podSpec.get("tolerations");
    ArrayNode list = existing instanceof ArrayNode a ? a : podSpec.putArray("tolerations");
    for (Toleration t : automaticTolerations(podSpec.path("hostNetwork").asBoolean(false))) {
      boolean present = false;
      for (JsonNode e : list) {
        if (t.key().equals(Meta.text(e, "key")) && t.effect().equals(Meta.text(e, "effect"))) {
          present = true;
          break;
        }
      }
      if (!present) {
        ObjectNode o = list.addObject();
        o.put("key", t.key());
        o.put("operator", t.operator());
        o.put("effect", t.effect());
      }
    }
  }

  /**
   * Pins a pod spec to one node as Kubernetes' {@code ReplaceDaemonSetPodNodeNameNodeAffinity}:
   * the required node affinity becomes one term, {@code metadata.name In [node]} (the template's
   * own terms were already checked by {@link #fit}); preferred terms and other affinities stay.
   */
  public static void pinToNode(ObjectNode podSpec, String node) {
    ObjectNode affinity = child(podSpec, "affinity");
    ObjectNode nodeAffinity = child(affinity, "nodeAffinity");
    ObjectNode required = nodeAffinity.putObject("requiredDuringSchedulingIgnoredDuringExecution");
    ObjectNode term = required.putArray("nodeSelectorTerms").addObject();
    ObjectNode field = term.putArray("matchFields").addObject();
    field.put("key", "metadata.name");
    field.put("operator", "In");
    field.putArray("values").add(node);
  }

  /**
   * The node a daemon pod is for: {@code spec.nodeName} once bound, else the single
   * {@code metadata.name} value of its pinning term (Kubernetes' {@code GetTargetNodeName}); empty
   * for a pod that names none.
   */
  public static String targetNode(JsonNode pod) {
    String bound = Meta.text(pod.path("spec"), "nodeName");
    if (!bound.isEmpty()) {
      return bound;
    }
    JsonNode terms = pod.path("spec").path("affinity").path("nodeAffinity")
        .path("requiredDuringSchedulingIgnoredDuringExecution").path("nodeSelectorTerms");
    for (JsonNode term : terms) {
      for (JsonNode f : term.path("matchFields")) {
        if ("metadata.name".equals(Meta.text(f, "key")) && "In".equals(Meta.text(f, "operator"))
            && f.path("values").size() == 1) {
          return f.path("values").get(0).asText();
        }
      }
    }
    return "";
  }

  /**
   * Kubernetes' {@code NodeShouldRunDaemonPod} for the DaemonSet's pod (its template with the
   * automatic tolerations) on {@code node}. A node whose Ready condition is not True counts as
   * tainted {@code not-ready:NoSchedule}, as the scheduler's {@link Feasibility#nodeReady} treats it
   * (Kubernetes puts that taint on it): no new pod there, but a pod already there stays.
   */
  public static Fit fit(JsonNode daemonPod, ObjectNode node) {
    String wantedNode = Meta.text(daemonPod.path("spec"), "nodeName");
    String name = Meta.name(node);
    if (!wantedNode.isEmpty() && !wantedNode.equals(name)) {
      return Fit.NO;
    }
    NodeInfo info = NodeInfo.of(node, List.of());
    if (Feasibility.affinity(info, NodeAffinity.of(daemonPod)).isPresent()) {
      return Fit.NO;
    }
    List<Toleration> tolerations = Toleration.of(daemonPod);
    boolean schedulable = Feasibility.taints(info, tolerations).isEmpty()
        && Feasibility.nodeReady(info, tolerations).isEmpty()
        && Feasibility.nodeUnschedulable(info, tolerations).isEmpty();
    if (schedulable) {
      return Fit.YES;
    }
    for (Taint t : info.taints()) {
      if (Taint.NO_EXECUTE.equals(t.effect()) && !Toleration.anyTolerates(tolerations, t)) {
        return Fit.NO;
      }
    }
    return new Fit(false, true);
  }

  /** The DaemonSet's pod as the predicates see it: its template with the automatic tolerations. */
  public static ObjectNode daemonPod(JsonNode daemonSet) {
    ObjectNode pod = Json.object();
    JsonNode template = daemonSet.path("spec").path("template");
    pod.set("metadata", template.path("metadata").isObject() ? template.get("metadata").deepCopy() : Json.object());
    ObjectNode spec = template.path("spec").isObject() ? ((ObjectNode) template.get("spec")).deepCopy() : Json.object();
    addTolerations(spec);
    pod.set("spec", spec);
    return pod;
  }

  private static ObjectNode child(ObjectNode parent, String field) {
    JsonNode n = parent.get(field);
    return n instanceof ObjectNode o ? o : parent.putObject(field);
  }
}
