package io.steuermann.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Meta;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which container of a pod a logs, exec or attach request means, in kube-apiserver's words:
 * the one named, or the pod's only one.
 */
final class PodContainers {
  private PodContainers() {}

  /** The container, or the refusal. */
  record Choice(String container, ApiStatus refusal) {}

  static Choice choose(ObjectNode pod, Optional<String> requested) {
    String name = Meta.name(pod);
    List<String> containers = new ArrayList<>();
    pod.path("spec").path("containers").forEach(c -> containers.add(c.path("name").asText()));
    List<String> initContainers = new ArrayList<>();
    pod.path("spec").path("initContainers").forEach(c -> initContainers.add(c.path("name").asText()));
    if (requested.isPresent()) {
      // init containers too: their logs (and exec while one runs) are how an initialization is debugged
      if (!containers.contains(requested.get()) && !initContainers.contains(requested.get())) {
        return refused("container " + requested.get() + " is not valid for pod " + name);
      }
      return new Choice(requested.get(), null);
    }
    if (containers.size() == 1) {
      return new Choice(containers.get(0), null);
    }
    return refused("a container name must be specified for pod " + name
        + ", choose one of: [" + String.join(" ", containers) + "]"
        + (initContainers.isEmpty() ? "" : " or one of the init containers: [" + String.join(" ", initContainers) + "]"));
  }

  private static Choice refused(String message) {
    return new Choice(null, ApiStatus.badRequest(message));
  }
}
