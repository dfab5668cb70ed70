package io.steuermann.node.probe;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.node.runtime.ContainerRuntime.PodRef;
import java.time.Instant;

/**
 * The container instance a prober checks: its pod, name and instance id (reports about an
 * instance the agent has since replaced are ignored), the pod's IP (the default host of
 * httpGet and tcpSocket), its Kubernetes {@code Container} JSON (named ports) and when it
 * started (initial delays count from then).
 */
public record ProbeTarget(PodRef pod, String container, String containerId, String podIp, JsonNode spec,
    Instant startedAt) {

  /**
   * The port a probe names: a number, or the name of one of the container's ports. Empty
   * when it names none.
   */
  public java.util.OptionalInt port(String port) {
    if (port.matches("\\d{1,5}")) {
      int n = Integer.parseInt(port);
      return n >= 1 && n <= 65535 ? java.util.OptionalInt.of(n) : java.util.OptionalInt.empty();
    }
    for (JsonNode p : spec.path("ports")) {
      if (port.equals(p.path("name").asText()) && p.path("containerPort").canConvertToInt()) {
        return java.util.OptionalInt.of(p.path("containerPort").asInt());
      }
    }
    return java.util.OptionalInt.empty();
  }
}
