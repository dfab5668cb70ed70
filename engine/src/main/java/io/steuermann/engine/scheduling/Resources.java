package io.steuermann.engine.scheduling;

/**
 * An amount of the resources the scheduler counts: milli-cpu, memory bytes and pods. Used for
 * a node's allocatable capacity, for what is already requested on it, and for one pod's
 * request (whose {@code pods} is 1).
 */
public record Resources(long milliCpu, long memoryBytes, long pods) {
  public static final Resources ZERO = new Resources(0, 0, 0);

  public Resources plus(Resources other) {
    return new Resources(milliCpu + other.milliCpu, memoryBytes + other.memoryBytes, pods + other.pods);
  }

  /** Per-resource maximum; how init containers, which run one at a time, combine. */
  public Resources max(Resources other) {
    return new Resources(Math.max(milliCpu, other.milliCpu), Math.max(memoryBytes, other.memoryBytes),
        Math.max(pods, other.pods));
  }
}
