package io.steuermann.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.nodes.NodeLifecycleController;
import io.steuermann.engine.model.Json;
import io.steuermann.node.runtime.ContainerRuntime.RuntimeInfo;
import java.time.Instant;

/** The Node object a node agent registers and the status its heartbeats write. */
final class NodeStatus {
  private NodeStatus() {}

  static ObjectNode labels(String nodeName, RuntimeInfo info) {
    ObjectNode labels = Json.object();
    labels.put("kubernetes.io/hostname", nodeName);
    labels.put("kubernetes.io/os", "linux");
    labels.put("kubernetes.io/arch", info.architecture());
    if (info.simulated()) {
      labels.put("steuermann.io/hollow", "true");
    }
    return labels;
  }

  /**
   * The cluster member the agent runs in ({@code address#uid}), so the node lifecycle
   * controller knows when that member is gone.
   */
  static ObjectNode annotations(String member, RuntimeInfo info) {
    ObjectNode annotations = Json.object();
    annotations.put(NodeLifecycleController.MEMBER_ANNOTATION, member);
    if (!info.localVolumeDir().isEmpty()) {
      // where the PV controller puts this node's local-path volumes
      annotations.put(io.steuermann.engine.storage.PersistentVolumeController.LOCAL_PATH_DIR, info.localVolumeDir());
    }
    return annotations;
  }

  /** A new Node object: labels, member annotation, an empty spec, a first status. */
  static ObjectNode node(String nodeName, RuntimeInfo info, String member, Instant now,
      java.util.Optional<String> networkProblem) {
    ObjectNode node = Json.object();
    node.put("apiVersion", "v1");
    node.put("kind", "Node");
    ObjectNode meta = node.putObject("metadata");
    meta.put("name", nodeName);
    meta.set("labels", labels(nodeName, info));
    meta.set("annotations", annotations(member, info));
    node.putObject("spec");
    node.set("status", status(nodeName, info, null, now, networkProblem));
    return node;
  }

  /**
   * The node's status now: capacity, conditions with a fresh heartbeat (transition times kept
   * from {@code stored}, the Node as last seen, if any), addresses, node info. A node whose pods
   * have no network yet ({@code networkProblem}) is not Ready, in kubelet's words, so nothing is
   * scheduled onto it that could not start.
   */
  private static final java.util.Set<String> KUBELET_CONDITIONS =
      java.util.Set.of("MemoryPressure", "DiskPressure", "PIDPressure", "Ready");

  static ObjectNode status(String nodeName, RuntimeInfo info, ObjectNode stored, Instant instant,
      java.util.Optional<String> networkProblem) {
    String now = PodRun.time(instant);
    ObjectNode status = Json.object();
    ObjectNode capacity = status.putObject("capacity");
    info.capacity().forEach(capacity::put);
    status.set("allocatable", capacity.deepCopy());
    JsonNode previous = stored == null ? Json.object() : stored.path("status").path("conditions");
    ArrayNode conditions = status.putArray("conditions");
    condition(conditions, previous, "MemoryPressure", "False", "KubeletHasSufficientMemory",
        "kubelet has sufficient memory available", now);
    condition(conditions, previous, "DiskPressure", "False", "KubeletHasNoDiskPressure",
        "kubelet has no disk pressure", now);
    condition(conditions, previous, "PIDPressure", "False", "KubeletHasSufficientPID",
        "kubelet has sufficient PID available", now);
    if (networkProblem.isPresent()) {
      condition(conditions, previous, "Ready", "False", "KubeletNotReady",
          "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:"
              + networkProblem.get(), now);
    } else {
      condition(conditions, previous, "Ready", "True", "KubeletReady", "kubelet is posting ready status", now);
    }
    // conditions others own (NetworkUnavailable from node IPAM) stay, as kubelet leaves them
    for (JsonNode p : previous) {
      if (!KUBELET_CONDITIONS.contains(p.path("type").asText())) {
        conditions.add(p);
      }
    }
    ArrayNode addresses = status.putArray("addresses");
    addresses.addObject().put("type", "InternalIP").put("address", info.hostIp());
    addresses.addObject().put("type", "Hostname").put("address", nodeName);
    status.putObject("daemonEndpoints").putObject("kubeletEndpoint").put("Port", 0);
    ObjectNode nodeInfo = status.putObject("nodeInfo");
    nodeInfo.put("machineID", "");
    nodeInfo.put("systemUUID", "");
    nodeInfo.put("bootID", "");
    nodeInfo.put("kernelVersion", info.kernelVersion());
    nodeInfo.put("osImage", info.osImage());
    nodeInfo.put("containerRuntimeVersion", info.version());
    nodeInfo.put("kubeletVersion", NodeAgent.KUBELET_VERSION);
    nodeInfo.put("kubeProxyVersion", NodeAgent.KUBELET_VERSION);
    nodeInfo.put("operatingSystem", "linux");
    nodeInfo.put("architecture", info.architecture());
    return status;
  }

  private static void condition(ArrayNode conditions, JsonNode previous, String type, String value,
      String reason, String message, String now) {
    String transition = now;
    for (JsonNode p : previous) {
      if (type.equals(p.path("type").asText()) && value.equals(p.path("status").asText())
          && p.hasNonNull("lastTransitionTime")) {
        transition = p.path("lastTransitionTime").asText();
      }
    }
    conditions.addObject()
        .put("type", type)
        .put("status", value)
        .put("lastHeartbeatTime", now)
        .put("lastTransitionTime", transition)
        .put("reason", reason)
        .put("message", message);
  }
}
