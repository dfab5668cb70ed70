package io.steuermann.node.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses the backends a new connection (or UDP flow) tries, in order: round-robin over the
 * current backends, and with ClientIP affinity the backend this client used last first (while
 * its affinity has not expired and the backend is still ready). Thread-safe: connections of a
 * listener ask it concurrently while the proxy replaces its backends. Time is passed in (nanoseconds
 * of {@link System#nanoTime()}), so tests control it.
 */
public final class Balancer {
  /** Affinity entries are swept of expired ones once the table grows past this size. */
  private static final int SWEEP_ABOVE = 4096;

  private record Config(List<Backend> backends, long affinityNanos, ListenerSpec admission) {}

  private record Sticky(Backend backend, long lastUsedNanos) {}

  private volatile Config config;
  private final AtomicInteger next = new AtomicInteger();
  private final Map<String, Sticky> affinity = new ConcurrentHashMap<>();

  public Balancer(List<Backend> backends, long affinitySeconds) {
    this.config = new Config(List.copyOf(backends), affinitySeconds * 1_000_000_000L, null);
  }

  /** A listener's balancer: its backends and affinity, and (a LoadBalancer's source ranges) who is admitted. */
  public Balancer(ListenerSpec spec) {
    this.config = new Config(spec.backends(), spec.affinitySeconds() * 1_000_000_000L, spec);
  }

  /** Takes a listener's new backends, affinity and source ranges at once. */
  public void update(ListenerSpec spec) {
    config = new Config(spec.backends(), spec.affinitySeconds() * 1_000_000_000L, spec);
    if (spec.affinitySeconds() <= 0) {
      affinity.clear();
    }
  }

  /**
   * Replaces the backends and the affinity at once. Connections established before keep
   * running; affinity to a backend that left is forgotten when that client comes again.
   */
  public void update(List<Backend> backends, long affinitySeconds) {
    config = new Config(List.copyOf(backends), affinitySeconds * 1_000_000_000L, config.admission());
    if (affinitySeconds <= 0) {
      affinity.clear();
    }
  }

  public List<Backend> backends() {
    return config.backends();
  }

  /**
   * Up to {@code max} distinct backends for a new connection from {@code clientIp}, best first;
   * none for a client outside the listener's source ranges (it is refused as if there were no
   * endpoint, as kube-proxy drops it).
   */
  public List<Backend> candidates(String clientIp, long nowNanos, int max) {
    Config c = config;
    List<Backend> backends = c.backends();
    int n = backends.size();
    if (n == 0 || max <= 0 || (c.admission() != null && !c.admission().admits(clientIp))) {
      return List.of();
    }
    List<Backend> result = new ArrayList<>(Math.min(n, max));
    if (c.affinityNanos() > 0) {
      Sticky sticky = affinity.get(clientIp);
      if (sticky != null && nowNanos - sticky.lastUsedNanos() <= c.affinityNanos()
          && backends.contains(sticky.backend())) {
        result.add(sticky.backend());
      }
    }
    int start = Math.floorMod(next.getAndIncrement(), n);
    for (int i = 0; i < n && result.size() < max; i++) {
      Backend b = backends.get((start + i) % n);
      if (!result.contains(b)) {
        result.add(b);
      }
    }
    return result;
  }

  /** A connection from {@code clientIp} reached {@code backend}: with ClientIP affinity, it sticks there. */
  public void connected(String clientIp, Backend backend, long nowNanos) {
    long timeout = config.affinityNanos();
    if (timeout <= 0) {
      return;
    }
    affinity.put(clientIp, new Sticky(backend, nowNanos));
    if (affinity.size() > SWEEP_ABOVE) {
      affinity.values().removeIf(s -> nowNanos - s.lastUsedNanos() > timeout);
    }
  }

  /** How many clients have an affinity entry (expired ones included until swept); for tests. */
  int affinityEntries() {
    return affinity.size();
  }
}
