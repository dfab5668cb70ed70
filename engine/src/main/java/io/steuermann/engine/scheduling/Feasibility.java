package io.steuermann.engine.scheduling;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether a pod may run on a node: yes/no predicates with Kubernetes' reason texts, separate
 * from ranking ({@link Scoring}). Built once per pod ({@link #forPod}) so that its requests,
 * tolerations and affinity are parsed once and then checked against every node.
 *
 * <p>{@link #check} runs the predicates in the order of Kubernetes' default filter plugins
 * (NodeUnschedulable, [NodeReady], TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit)
 * and returns the reasons of the <em>first</em> failing one, as Kubernetes' framework does. Only
 * the resource predicate can give several reasons at once ({@code Insufficient cpu} and
 * {@code Insufficient memory}). The per-node reasons therefore add up to the same
 * {@link FailureMessage} Kubernetes would print.
 */
public final class Feasibility {
  public static final String UNSCHEDULABLE = "node(s) were unschedulable";
  public static final String NOT_READY = "node(s) were not ready";
  public static final String AFFINITY = "node(s) didn't match Pod's node affinity/selector";
  public static final String PORTS = "node(s) didn't have free ports for the requested pod ports";
  public static final String INSUFFICIENT_CPU = "Insufficient cpu";
  public static final String INSUFFICIENT_MEMORY = "Insufficient memory";
  public static final String TOO_MANY_PODS = "Too many pods";

  private final PodRequests requests;
  private final List<Toleration> tolerations;
  private final NodeAffinity affinity;

  private Feasibility(PodRequests requests, List<Toleration> tolerations, NodeAffinity affinity) {
    this.requests = requests;
    this.tolerations = tolerations;
    this.affinity = affinity;
  }

  /** @throws IllegalArgumentException if the pod's resource quantities do not parse */
  public static Feasibility forPod(JsonNode pod) {
    return new Feasibility(PodRequests.of(pod), Toleration.of(pod), NodeAffinity.of(pod));
  }

  /** One-shot form of {@code forPod(pod).check(node)}. */
  public static List<String> check(JsonNode pod, NodeInfo node) {
    return forPod(pod).check(node);
  }

  public PodRequests requests() {
    return requests;
  }

  /** The reasons the pod cannot run on {@code node}; empty when it can. */
  public List<String> check(NodeInfo node) {
    Optional<String> r = nodeUnschedulable(node, tolerations)
        .or(() -> nodeReady(node, tolerations))
        .or(() -> taints(node, tolerations))
        .or(() -> affinity(node, affinity))
        .or(() -> ports(node, requests));
    return r.isPresent() ? List.of(r.get()) : resources(node, requests);
  }

  public boolean fits(NodeInfo node) {
    return check(node).isEmpty();
  }

  /** A cordoned node takes only pods that tolerate the {@code unschedulable} taint. */
  public static Optional<String> nodeUnschedulable(NodeInfo node, List<Toleration> tolerations) {
    return node.unschedulable() && !Toleration.anyTolerates(tolerations, Taint.UNSCHEDULABLE)
        ? Optional.of(UNSCHEDULABLE) : Optional.empty();
  }

  /**
   * A node whose Ready condition is not True takes only pods that tolerate the
   * {@code not-ready} taint. (Kubernetes expresses this by tainting the node; we check the
   * condition directly so a node is excluded the moment it stops being ready.)
   */
  public static Optional<String> nodeReady(NodeInfo node, List<Toleration> tolerations) {
    return !node.ready() && !Toleration.anyTolerates(tolerations, Taint.NOT_READY)
        ? Optional.of(NOT_READY) : Optional.empty();
  }

  /** The first NoSchedule/NoExecute taint no toleration matches, in Kubernetes' wording. */
  public static Optional<String> taints(NodeInfo node, List<Toleration> tolerations) {
    for (Taint t : node.taints()) {
      if (t.blocksScheduling() && !Toleration.anyTolerates(tolerations, t)) {
        return Optional.of("node(s) had untolerated taint {" + t.key() + ": " + t.value() + "}");
      }
    }
    return Optional.empty();
  }

  public static Optional<String> affinity(NodeInfo node, NodeAffinity affinity) {
    return affinity.matches(node) ? Optional.empty() : Optional.of(AFFINITY);
  }

  public static Optional<String> ports(NodeInfo node, PodRequests requests) {
    for (HostPort p : requests.hostPorts()) {
      if (node.usedPorts().contains(p)) {
        return Optional.of(PORTS);
      }
    }
    return Optional.empty();
  }

  /**
   * Kubernetes' NodeResourcesFit: the pod count is always checked; cpu and memory only when the
   * pod requests some (a best-effort pod fits a full node). Reasons in Kubernetes' order.
   */
  public static List<String> resources(NodeInfo node, PodRequests requests) {
    Resources want = requests.requests();
    Resources alloc = node.allocatable();
    Resources used = node.requested();
    List<String> reasons = new ArrayList<>(3);
    if (used.pods() + 1 > alloc.pods()) {
      reasons.add(TOO_MANY_PODS);
    }
    if (want.milliCpu() > 0 && want.milliCpu() > alloc.milliCpu() - used.milliCpu()) {
      reasons.add(INSUFFICIENT_CPU);
    }
    if (want.memoryBytes() > 0 && want.memoryBytes() > alloc.memoryBytes() - used.memoryBytes()) {
      reasons.add(INSUFFICIENT_MEMORY);
    }
    return List.copyOf(reasons);
  }
}
