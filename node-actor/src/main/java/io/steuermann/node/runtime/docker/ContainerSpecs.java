package io.steuermann.node.runtime.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.HostConfig;
import io.steuermann.engine.scheduling.Quantity;
import io.steuermann.node.runtime.ContainerRuntime.ContainerConfig;
import io.steuermann.node.runtime.ContainerRuntime.PodRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Kubernetes {@code Container} as a Docker container: command and args, env (with
 * {@code $(VAR)} expansion and the pod's own fields through {@code fieldRef}), workingDir,
 * tty, and resource limits that Docker enforces. Ports are the sandbox's business
 * ({@link PodSandboxes}); restarts are the agent's (no Docker restart policy).
 */
final class ContainerSpecs {
  /** What a container may learn about its pod through {@code valueFrom.fieldRef}. */
  record PodFields(PodRef pod, String nodeName, String podIp, String hostIp) {
    String field(String path) {
      return switch (path) {
        case "metadata.name" -> pod.name();
        case "metadata.namespace" -> pod.namespace();
        case "metadata.uid" -> pod.uid();
        case "spec.nodeName" -> nodeName;
        case "status.podIP" -> podIp;
        case "status.hostIP" -> hostIp;
        default -> null;
      };
    }
  }

  private ContainerSpecs() {}

  /** Fills {@code create} (image and labels are set by the caller) from the container's spec. */
  static void apply(CreateContainerCmd create, ContainerConfig container, PodFields fields, String networkMode) {
    apply(create, container, fields, networkMode, Map.of(), List.of());
  }

  /**
   * As above, beneath the container's own environment the pod's Service variables (which its
   * {@code $(VAR)} references see, and which its own entries override, as kubelet does), and
   * the pod's files bound into it.
   */
  static void apply(CreateContainerCmd create, ContainerConfig container, PodFields fields, String networkMode,
      Map<String, String> serviceVariables, List<com.github.dockerjava.api.model.Bind> binds) {
    JsonNode spec = container.spec();
    Map<String, String> env = new LinkedHashMap<>(serviceVariables);
    env.putAll(env(spec.path("env"), fields, env));
    List<String> command = expandAll(strings(spec.path("command")), env);
    List<String> args = expandAll(strings(spec.path("args")), env);
    // Kubernetes: command replaces the image's ENTRYPOINT (and then its CMD is not used), args replace its CMD
    if (!command.isEmpty()) {
      create.withEntrypoint(command);
      create.withCmd(args);
    } else if (!args.isEmpty()) {
      create.withCmd(args);
    }
    List<String> envList = new ArrayList<>();
    env.forEach((k, v) -> envList.add(k + "=" + v));
    create.withEnv(envList);
    String workingDir = spec.path("workingDir").asText("");
    if (!workingDir.isEmpty()) {
      create.withWorkingDir(workingDir);
    }
    if (spec.path("tty").asBoolean(false)) {
      create.withTty(true);
    }
    if (spec.path("stdin").asBoolean(false)) {
      create.withStdinOpen(true);
    }
    HostConfig host = HostConfig.newHostConfig().withNetworkMode(networkMode);
    if (!binds.isEmpty()) {
      host.withBinds(binds);
    }
    resources(host, spec.path("resources"));
    create.withHostConfig(host);
  }

  /** limits.memory -> Memory (and no extra swap), limits.cpu -> NanoCpus, requests.cpu -> CpuShares. */
  static void resources(HostConfig host, JsonNode resources) {
    String memory = resources.path("limits").path("memory").asText("");
    if (!memory.isEmpty()) {
      long bytes = Quantity.bytes(memory);
      host.withMemory(bytes).withMemorySwap(bytes);
    }
    String cpu = resources.path("limits").path("cpu").asText("");
    if (!cpu.isEmpty()) {
      host.withNanoCPUs(Quantity.milliCpu(cpu) * 1_000_000L);
    }
    String request = resources.path("requests").path("cpu").asText("");
    if (!request.isEmpty()) {
      // as the kubelet: shares proportional to the request, at least Docker's minimum of 2
      host.withCpuShares((int) Math.max(2, Quantity.milliCpu(request) * 1024 / 1000));
    }
  }

  /** The container's environment in order; later entries may refer to earlier ones as $(NAME). */
  static Map<String, String> env(JsonNode envSpec, PodFields fields) {
    return env(envSpec, fields, Map.of());
  }

  /** The same, where {@code $(NAME)} may also refer to {@code beneath} (the Service variables). */
  static Map<String, String> env(JsonNode envSpec, PodFields fields, Map<String, String> beneath) {
    Map<String, String> env = new LinkedHashMap<>();
    Map<String, String> visible = new LinkedHashMap<>(beneath);
    for (JsonNode e : envSpec) {
      String name = e.path("name").asText("");
      if (name.isEmpty()) {
        continue;
      }
      String value;
      if (e.has("value")) {
        value = expand(e.path("value").asText(""), visible);
      } else {
        value = fields.field(e.path("valueFrom").path("fieldRef").path("fieldPath").asText(""));
      }
      if (value != null) {
        env.put(name, value);
        visible.put(name, value);
      }
    }
    return env;
  }

  static List<String> strings(JsonNode array) {
    List<String> list = new ArrayList<>();
    array.forEach(n -> list.add(n.asText()));
    return list;
  }

  private static List<String> expandAll(List<String> values, Map<String, String> env) {
    return values.stream().map(v -> expand(v, env)).toList();
  }

  /**
   * Kubernetes' variable expansion: {@code $(NAME)} becomes the variable's value when it is
   * defined and stays as written when not; {@code $$} is a literal {@code $}.
   */
  static String expand(String input, Map<String, String> env) {
    StringBuilder out = new StringBuilder(input.length());
    int i = 0;
    while (i < input.length()) {
      char c = input.charAt(i);
      if (c == '$' && i + 1 < input.length()) {
        char next = input.charAt(i + 1);
        if (next == '$') {
          out.append('$');
          i += 2;
          continue;
        }
        if (next == '(') {
          int close = input.indexOf(')', i + 2);
          if (close > 0) {
            String name = input.substring(i + 2, close);
            String value = env.get(name);
            out.append(value != null ? value : input, value != null ? 0 : i, value != null ? value.length() : close + 1);
            i = close + 1;
            continue;
          }
        }
      }
      out.append(c);
      i++;
    }
    return out.toString();
  }
}
