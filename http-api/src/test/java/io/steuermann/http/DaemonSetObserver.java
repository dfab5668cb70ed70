package io.steuermann.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.watch.WatchCache;
import io.steuermann.engine.watch.WatchEvent;
import io.steuermann.engine.watch.WatchFilter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Watches the pods of one namespace from the watch cache and checks, at every event, a
 * DaemonSet's rollout bounds over a fixed set of nodes: how many nodes lack a Ready pod that is
 * not terminating (at most {@code maxUnavailable}), and how many pods a node holds at once (at
 * most 1 + surge). It records the worst it saw, so a test can also show the rollout took steps.
 */
final class DaemonSetObserver implements AutoCloseable {
  private final Set<String> nodes;
  private final int maxUnavailable;
  private final int maxPerNode;
  private final Map<String, ObjectNode> pods = new HashMap<>();
  private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
  private final UniqueKillSwitch watch;
  private int worstUnavailable;
  private int worstPerNode;
  private int events;

  DaemonSetObserver(ActorSystem<?> system, WatchCache cache, String namespace, Set<String> nodes, int maxUnavailable,
      int maxPerNode) {
    this.nodes = Set.copyOf(nodes);
    this.maxUnavailable = maxUnavailable;
    this.maxPerNode = maxPerNode;
    WatchCache.Listed listed = cache.listAndWatch(WatchFilter.of(Kind.POD, namespace), 100_000);
    listed.snapshot().items().forEach(p -> pods.put(Meta.name(p), p));
    check();
    watch = listed.changes().viaMat(KillSwitches.single(), Keep.right())
        .toMat(Sink.foreach(this::apply), Keep.left()).run(system);
  }

  private synchronized void apply(WatchEvent e) {
    events++;
    if (e.type() == WatchEvent.Type.DELETED) {
      pods.remove(e.key().name());
    } else {
      pods.put(e.key().name(), e.object());
    }
    check();
  }

  private void check() {
    Map<String, Integer> perNode = new HashMap<>();
    Set<String> served = new HashSet<>();
    for (JsonNode pod : pods.values()) {
      String node = Meta.text(pod.path("spec"), "nodeName");
      if (node.isEmpty()) {
        node = pod.path("spec").path("affinity").path("nodeAffinity").path("requiredDuringSchedulingIgnoredDuringExecution")
            .path("nodeSelectorTerms").path(0).path("matchFields").path(0).path("values").path(0).asText("");
      }
      perNode.merge(node, 1, Integer::sum);
      if (!pod.path("metadata").has("deletionTimestamp") && ready(pod)) {
        served.add(node);
      }
    }
    int unavailable = 0;
    for (String node : nodes) {
      if (!served.contains(node)) {
        unavailable++;
      }
    }
    int most = perNode.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    worstUnavailable = Math.max(worstUnavailable, unavailable);
    worstPerNode = Math.max(worstPerNode, most);
    if (unavailable > maxUnavailable) {
      violations.add(unavailable + " nodes without a ready pod: " + served);
    }
    if (most > maxPerNode) {
      violations.add(most + " pods on one node: " + perNode);
    }
  }

  private static boolean ready(JsonNode pod) {
    for (JsonNode c : pod.path("status").path("conditions")) {
      if ("Ready".equals(c.path("type").asText())) {
        return "True".equals(c.path("status").asText());
      }
    }
    return false;
  }

  synchronized int worstUnavailable() {
    return worstUnavailable;
  }

  synchronized int worstPerNode() {
    return worstPerNode;
  }

  synchronized String summary() {
    return events + " pod events, at worst " + worstUnavailable + " nodes without a ready pod, " + worstPerNode
        + " pods on one node";
  }

  List<String> violations() {
    return List.copyOf(violations);
  }

  @Override
  public void close() {
    watch.shutdown();
  }

}
