package io.steuermann.engine.controllers.daemonset;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Kubernetes' back-off for failed daemon pods ({@code failedPodsBackoff}: 1 s, doubling, at most
 * 15 min, per node): a node whose pod keeps failing (a host port taken, a pod the node refuses)
 * gets its replacement ever more slowly instead of a delete-create loop. An entry idle for twice
 * the maximum starts again at 1 s. One instance per controller; not shared.
 */
final class FailedPodBackoff {
  static final Duration INITIAL = Duration.ofSeconds(1);
  static final Duration MAX = Duration.ofMinutes(15);

  private record Entry(Duration delay, Instant last) {}

  private final Map<String, Entry> byNode = new HashMap<>();

  /** How long {@code node} must still wait before its failed pod may be deleted; empty when it may now. */
  Optional<Duration> waitFor(String node, Instant now) {
    Entry e = byNode.get(node);
    if (e == null) {
      return Optional.empty();
    }
    Instant until = e.last().plus(e.delay());
    return now.isBefore(until) ? Optional.of(Duration.between(now, until)) : Optional.empty();
  }

  /** Records a deletion of {@code node}'s failed pod at {@code now}: the next one waits longer. */
  void deleted(String node, Instant now) {
    Entry e = byNode.get(node);
    Duration delay = e == null || now.isAfter(e.last().plus(MAX.multipliedBy(2)))
        ? INITIAL : min(e.delay().multipliedBy(2), MAX);
    byNode.put(node, new Entry(delay, now));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
