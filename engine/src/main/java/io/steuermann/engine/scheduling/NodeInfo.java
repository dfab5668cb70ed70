package io.steuermann.engine.scheduling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Meta;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The scheduler's view of one node: what it offers and what the pods bound to it (or assumed
 * to be, before their binding lands) already take. Immutable: {@link #withPod} returns a new
 * view, so a scheduling pass can assume placements without touching shared state.
 *
 * @param allocatable       {@code status.allocatable} (or {@code status.capacity} when the node
 *                          reports no allocatable); a resource the node does not report is 0
 * @param requested         the sum of the effective requests of the pods on the node
 * @param nonZeroRequested  the same with Kubernetes' scoring defaults for pods requesting nothing
 * @param usedPorts         host ports taken by pods on the node
 * @param unschedulable     {@code spec.unschedulable} (cordoned)
 * @param ready             whether the node's {@code Ready} condition is {@code True}
 */
public record NodeInfo(
    String name,
    Map<String, String> labels,
    Resources allocatable,
    Resources requested,
    Resources nonZeroRequested,
    Set<HostPort> usedPorts,
    List<Taint> taints,
    boolean unschedulable,
    boolean ready) {

  public NodeInfo {
    labels = Map.copyOf(labels);
    usedPorts = Set.copyOf(usedPorts);
    taints = List.copyOf(taints);
  }

  /**
   * Builds the view of {@code node} with {@code pods} bound to it. Pods that no longer hold
   * resources (phase Succeeded or Failed) are not counted, as in Kubernetes' scheduler cache.
   */
  public static NodeInfo of(ObjectNode node, Collection<? extends JsonNode> pods) {
    JsonNode status = node.path("status");
    JsonNode alloc = status.has("allocatable") ? status.path("allocatable") : status.path("capacity");
    Resources allocatable = new Resources(
        alloc.has("cpu") ? Quantity.milliCpu(alloc.get("cpu").asText()) : 0,
        alloc.has("memory") ? Quantity.bytes(alloc.get("memory").asText()) : 0,
        alloc.has("pods") ? Quantity.bytes(alloc.get("pods").asText()) : 0);
    Resources requested = Resources.ZERO;
    Resources nonZero = Resources.ZERO;
    Set<HostPort> ports = new HashSet<>();
    for (JsonNode pod : pods) {
      if (terminated(pod)) {
        continue;
      }
      PodRequests r = PodRequests.of(pod);
      requested = requested.plus(r.requests());
      nonZero = nonZero.plus(r.nonZero());
      ports.addAll(r.hostPorts());
    }
    return new NodeInfo(Meta.name(node), Meta.labels(node), allocatable, requested, nonZero, ports,
        Taint.of(node), node.path("spec").path("unschedulable").asBoolean(false), isReady(node));
  }

  /** A new view with {@code pod}'s requests and host ports added; this one is unchanged. */
  public NodeInfo withPod(JsonNode pod) {
    return withRequests(PodRequests.of(pod));
  }

  /** As {@link #withPod}, for requests already computed. */
  public NodeInfo withRequests(PodRequests r) {
    Set<HostPort> ports = new HashSet<>(usedPorts);
    ports.addAll(r.hostPorts());
    return new NodeInfo(name, labels, allocatable, requested.plus(r.requests()),
        nonZeroRequested.plus(r.nonZero()), ports, taints, unschedulable, ready);
  }

  /** Whether the node object's {@code Ready} condition has status {@code True}. */
  public static boolean isReady(JsonNode node) {
    for (JsonNode c : node.path("status").path("conditions")) {
      if ("Ready".equals(Meta.text(c, "type"))) {
        return "True".equals(Meta.text(c, "status"));
      }
    }
    return false;
  }

  private static boolean terminated(JsonNode pod) {
    String phase = Meta.text(pod.path("status"), "phase");
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }
}
