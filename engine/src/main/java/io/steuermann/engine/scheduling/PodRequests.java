package io.steuermann.engine.scheduling;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What a pod asks of its node, computed as Kubernetes' {@code resource.PodRequests}: the sum of
 * the app containers' requests, raised per resource to the largest init container's request
 * (init containers run one at a time, before the app containers), plus one pod slot.
 *
 * <p>A container that sets a limit but no request for a resource requests its limit (API
 * defaulting does this in Kubernetes; we apply it here so objects that skipped defaulting are
 * still counted right).
 *
 * @param requests     the effective requests, {@code pods} always 1
 * @param nonZero      the requests with Kubernetes' scoring defaults (100m cpu, 200Mi memory) for
 *                     containers that request nothing, so best-effort pods still spread by load
 * @param hostPorts    the host ports the pod's containers claim
 */
public record PodRequests(Resources requests, Resources nonZero, Set<HostPort> hostPorts) {
  /** Kubernetes' {@code DefaultMilliCPURequest}, used only for scoring. */
  public static final long DEFAULT_MILLI_CPU = 100;
  /** Kubernetes' {@code DefaultMemoryRequest} (200Mi), used only for scoring. */
  public static final long DEFAULT_MEMORY = 200L * 1024 * 1024;

  public PodRequests {
    hostPorts = Set.copyOf(hostPorts);
  }

  /** @throws IllegalArgumentException if a request or limit is not a valid quantity */
  public static PodRequests of(JsonNode pod) {
    JsonNode spec = pod.path("spec");
    Resources sum = Resources.ZERO;
    Resources sumNonZero = Resources.ZERO;
    Set<HostPort> ports = new LinkedHashSet<>();
    for (JsonNode c : spec.path("containers")) {
      sum = sum.plus(container(c, false));
      sumNonZero = sumNonZero.plus(container(c, true));
      for (JsonNode p : c.path("ports")) {
        int hostPort = p.path("hostPort").asInt(0);
        if (hostPort > 0) {
          ports.add(new HostPort(p.path("protocol").asText("TCP"), hostPort));
        }
      }
    }
    for (JsonNode c : spec.path("initContainers")) {
      sum = sum.max(container(c, false));
      sumNonZero = sumNonZero.max(container(c, true));
    }
    // Pod overhead (RuntimeClass) is added on top of the containers, as Kubernetes does.
    Resources overhead = resources(spec.path("overhead"));
    return new PodRequests(
        new Resources(sum.milliCpu() + overhead.milliCpu(), sum.memoryBytes() + overhead.memoryBytes(), 1),
        new Resources(sumNonZero.milliCpu() + overhead.milliCpu(),
            sumNonZero.memoryBytes() + overhead.memoryBytes(), 1),
        ports);
  }

  private static Resources container(JsonNode container, boolean nonZero) {
    JsonNode resources = container.path("resources");
    Resources requests = resources(resources.path("requests"));
    Resources limits = resources(resources.path("limits"));
    long cpu = resources.path("requests").has("cpu") ? requests.milliCpu() : limits.milliCpu();
    long mem = resources.path("requests").has("memory") ? requests.memoryBytes() : limits.memoryBytes();
    if (nonZero) {
      // Kubernetes' GetNonzeroRequests: only an unset request gets the default, an explicit 0 stays 0.
      boolean cpuSet = resources.path("requests").has("cpu") || resources.path("limits").has("cpu");
      boolean memSet = resources.path("requests").has("memory") || resources.path("limits").has("memory");
      cpu = cpuSet ? cpu : DEFAULT_MILLI_CPU;
      mem = memSet ? mem : DEFAULT_MEMORY;
    }
    return new Resources(cpu, mem, 0);
  }

  private static Resources resources(JsonNode list) {
    long cpu = list.has("cpu") ? Quantity.milliCpu(list.get("cpu").asText()) : 0;
    long mem = list.has("memory") ? Quantity.bytes(list.get("memory").asText()) : 0;
    return new Resources(cpu, mem, 0);
  }
}
