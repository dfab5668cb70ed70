package io.steuermann.node.runtime.docker;

import com.github.dockerjava.api.model.Container;
import io.steuermann.node.runtime.ContainerRuntime.PodRef;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The labels every container of the runtime carries. They are the runtime's only memory that
 * survives a crash: {@code listPods} rebuilds pods from them, and the node label keeps the
 * nodes that share one Docker engine (tests, several agents) out of each other's containers.
 */
final class DockerLabels {
  static final String NODE = "steuermann.io/node";
  static final String POD_NAMESPACE = "steuermann.io/pod-namespace";
  static final String POD_NAME = "steuermann.io/pod-name";
  static final String POD_UID = "steuermann.io/pod-uid";
  static final String CONTAINER = "steuermann.io/container";
  static final String ROLE = "steuermann.io/role";
  static final String ATTEMPT = "steuermann.io/attempt";
  /** On the sandbox: the declared ports (JSON), to report them again after a restart. */
  static final String PORTS = "steuermann.io/ports";

  static final String SANDBOX = "sandbox";
  static final String APP = "app";

  private DockerLabels() {}

  static Map<String, String> sandbox(String node, PodRef pod, String portsJson) {
    Map<String, String> labels = pod(node, pod);
    labels.put(ROLE, SANDBOX);
    labels.put(PORTS, portsJson);
    return labels;
  }

  static Map<String, String> app(String node, PodRef pod, String container, int attempt) {
    Map<String, String> labels = pod(node, pod);
    labels.put(ROLE, APP);
    labels.put(CONTAINER, container);
    labels.put(ATTEMPT, Integer.toString(attempt));
    return labels;
  }

  private static Map<String, String> pod(String node, PodRef pod) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(NODE, node);
    labels.put(POD_NAMESPACE, pod.namespace());
    labels.put(POD_NAME, pod.name());
    labels.put(POD_UID, pod.uid());
    return labels;
  }

  /**
   * The pod a container belongs to: from its labels, or — for a spare sandbox a pod has taken
   * ({@link SandboxPool}) — from its name; empty for an unclaimed spare.
   */
  static Optional<PodRef> podOf(Container c) {
    Map<String, String> labels = c.getLabels() == null ? Map.of() : c.getLabels();
    if (!labels.getOrDefault(POD_UID, "").isEmpty()) {
      return Optional.of(podRef(labels));
    }
    if (c.getNames() != null) {
      for (String name : c.getNames()) {
        Optional<PodRef> claimed = fromClaimedName(name.startsWith("/") ? name.substring(1) : name);
        if (claimed.isPresent()) {
          return claimed;
        }
      }
    }
    return Optional.empty();
  }

  static boolean isSpare(Container c) {
    return SANDBOX.equals(c.getLabels() == null ? "" : c.getLabels().get(ROLE)) && podOf(c).isEmpty();
  }

  static String spareName(String random) {
    return "stm_spare_" + random;
  }

  /**
   * A spare sandbox taken by a pod: {@code stmpod_<namespace>_<name>_<uid>}. Namespaces and pod
   * names are DNS labels and subdomains, uids hex and dashes: no underscore, so it parses back.
   */
  static String claimedSandboxName(PodRef pod) {
    return "stmpod_" + pod.namespace() + "_" + pod.name() + "_" + pod.uid();
  }

  static Optional<PodRef> fromClaimedName(String name) {
    String[] parts = name.split("_");
    if (parts.length == 4 && parts[0].equals("stmpod")) {
      return Optional.of(new PodRef(parts[1], parts[2], parts[3]));
    }
    return Optional.empty();
  }

  static PodRef podRef(Map<String, String> labels) {
    return new PodRef(labels.getOrDefault(POD_NAMESPACE, ""), labels.getOrDefault(POD_NAME, ""),
        labels.getOrDefault(POD_UID, ""));
  }

  static int attempt(Map<String, String> labels) {
    try {
      return Integer.parseInt(labels.getOrDefault(ATTEMPT, "0"));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Docker names for humans ({@code docker ps}); identity is in the labels. */
  static String sandboxName(PodRef pod) {
    return name("stm", pod.namespace(), pod.name(), shortUid(pod), "sandbox");
  }

  static String appName(PodRef pod, String container, int attempt) {
    return name("stm", pod.namespace(), pod.name(), container, shortUid(pod), Integer.toString(attempt));
  }

  private static String shortUid(PodRef pod) {
    String uid = pod.uid().replace("-", "");
    return uid.length() > 8 ? uid.substring(0, 8) : uid;
  }

  private static String name(String... parts) {
    String joined = String.join("_", parts);
    return joined.replaceAll("[^a-zA-Z0-9_.-]", "-");
  }
}
