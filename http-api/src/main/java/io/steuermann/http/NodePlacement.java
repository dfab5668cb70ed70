package io.steuermann.http;

import io.steuermann.engine.model.ApiStatus;
import io.steuermann.node.runtime.ContainerRuntime;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/**
 * Where a pod's node runs, seen from this member: in this process (its runtime serves logs, exec
 * and port-forward), behind another member's API (the request is relayed there once), or nowhere
 * this member reaches.
 */
sealed interface NodePlacement {

  record Here(ContainerRuntime runtime) implements NodePlacement {}

  record Elsewhere(String api) implements NodePlacement {}

  record Unreachable(ApiStatus status) implements NodePlacement {}

  /** {@code served} names what is asked for, for the refusal: "pod logs are", "pods/portforward is". */
  static NodePlacement of(HttpRequest request, String node, PodLogs.NodeRuntimes nodes, NodeForwarding forwarding,
      String served) {
    Optional<ContainerRuntime> runtime = nodes.runtime(node);
    if (runtime.isPresent()) {
      return new Here(runtime.get());
    }
    // a relayed request is not relayed again: two members that each think the other runs the node
    Optional<String> api = NodeForwarding.wasForwarded(request) ? Optional.empty() : forwarding.apiOf(node);
    if (api.isPresent()) {
      return new Elsewhere(api.get());
    }
    return new Unreachable(ApiStatus.unavailable(served + " served by the process that runs node " + node
        + ", and no member with an API runs it"));
  }
}
