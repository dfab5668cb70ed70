package io.steuermann.engine.controllers.daemonset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.Owners;
import io.steuermann.engine.controllers.logic.ActivePods;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.scheduling.NodeInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The controller's view of the cluster as {@link DaemonRollout} takes it: every node with its fit
 * and the DaemonSet's pods on it, each pod reduced to what the arithmetic reads. Pure functions.
 */
final class DaemonView {
  private DaemonView() {}

  /** Every existing node with its fit and the DaemonSet's pods that target it. */
  static List<DaemonRollout.Node> nodeStates(JsonNode ds, List<ObjectNode> owned, Collection<ObjectNode> nodes, String hash,
      Instant now) {
    Map<String, List<DaemonRollout.Pod>> byNode = new HashMap<>();
    String generation = ds.path("metadata").path("annotations").path(DaemonRevisions.GENERATION_ANNOTATION).asText("");
    int minReady = ds.path("spec").path("minReadySeconds").asInt(0);
    for (ObjectNode pod : owned) {
      JsonNode labels = pod.path("metadata").path("labels");
      boolean updated = hash.equals(labels.path(DaemonRevisions.HASH_LABEL).asText(""))
          || (!generation.isEmpty() && generation.equals(labels.path(DaemonRevisions.GENERATION_LABEL).asText("")));
      byNode.computeIfAbsent(DaemonNodes.targetNode(pod), n -> new ArrayList<>()).add(new DaemonRollout.Pod(
          Meta.name(pod), updated, !Meta.text(pod.path("spec"), "nodeName").isEmpty(), ActivePods.isReady(pod),
          ActivePods.isAvailable(pod, minReady, now), Owners.isTerminating(pod),
          Meta.text(pod.path("status"), "phase"), created(pod)));
    }
    ObjectNode daemonPod = DaemonNodes.daemonPod(ds);
    List<DaemonRollout.Node> states = new ArrayList<>(nodes.size());
    for (ObjectNode node : nodes) {
      String name = Meta.name(node);
      states.add(new DaemonRollout.Node(name, DaemonNodes.fit(daemonPod, node), byNode.getOrDefault(name, List.of())));
    }
    return states;
  }

  /**
   * Pods for nodes that do not exist and that no node was ever bound to (Kubernetes'
   * {@code getUnscheduledPodsWithoutNode}); a pod bound to a node that is gone is the node
   * lifecycle controller's to delete, as it is PodGC's in Kubernetes.
   */
  static List<String> podsForMissingNodes(List<ObjectNode> owned, Set<String> nodes) {
    List<String> out = new ArrayList<>();
    for (ObjectNode pod : owned) {
      if (!Owners.isTerminating(pod) && Meta.text(pod.path("spec"), "nodeName").isEmpty()
          && !nodes.contains(DaemonNodes.targetNode(pod))) {
        out.add(Meta.name(pod));
      }
    }
    return out;
  }

  /** What decides a node's fit: a heartbeat that changes none of it needs no reconcile. */
  static String fitInputs(ObjectNode node) {
    return node.path("metadata").path("labels") + "|" + node.path("spec").path("taints") + "|"
        + node.path("spec").path("unschedulable") + "|" + NodeInfo.isReady(node);
  }

  private static Instant created(JsonNode pod) {
    try {
      return Instant.parse(pod.path("metadata").path("creationTimestamp").asText());
    } catch (RuntimeException e) {
      return Instant.EPOCH;
    }
  }
}
