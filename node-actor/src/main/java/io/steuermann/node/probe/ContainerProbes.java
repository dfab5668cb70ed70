package io.steuermann.node.probe;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/** The probes a container declares; each may be absent. */
public record ContainerProbes(Optional<ProbeSpec> startup, Optional<ProbeSpec> liveness,
    Optional<ProbeSpec> readiness) {

  /** Reads {@code startupProbe}, {@code livenessProbe} and {@code readinessProbe} of a container's JSON. */
  public static ContainerProbes of(JsonNode container) {
    return new ContainerProbes(ProbeSpec.of(container, "startupProbe"), ProbeSpec.of(container, "livenessProbe"),
        ProbeSpec.of(container, "readinessProbe"));
  }

  public boolean any() {
    return startup.isPresent() || liveness.isPresent() || readiness.isPresent();
  }

  public Optional<ProbeSpec> get(ProbeType type) {
    return switch (type) {
      case STARTUP -> startup;
      case LIVENESS -> liveness;
      case READINESS -> readiness;
    };
  }
}
