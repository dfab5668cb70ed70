package io.steuermann.node.runtime;

import io.steuermann.node.runtime.ContainerRuntime.PodRef;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What a pod's containers used, as metrics-server reports it: the CPU rate over {@code window}
 * (the time between the two samples it was computed from) ending at {@code timestamp}, and the
 * memory working set at that moment.
 */
public record PodUsage(PodRef pod, Instant timestamp, Duration window, List<ContainerUsage> containers) {
  public PodUsage {
    containers = List.copyOf(containers);
  }

  /** One container: CPU in nanocores (1e9 = one core busy), memory working set in bytes. */
  public record ContainerUsage(String name, long cpuNanoCores, long memoryBytes) {}
}
