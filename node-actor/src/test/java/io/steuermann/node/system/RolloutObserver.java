package io.steuermann.node.system;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
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
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Watches one namespace (pods and ReplicaSets through one watch, so that events come in
 * resourceVersion order and the observed state is always a state the store was in) and checks
 * the rolling update bounds of one Deployment at every event:
 * <ul>
 *   <li>surge: the sum of the Deployment's ReplicaSets' {@code spec.replicas} never exceeds
 *       {@code replicas + maxSurge} (what Kubernetes' maxSurge bounds);
 *   <li>availability: the pods that are Ready and not terminating never fall below
 *       {@code replicas - maxUnavailable}.
 * </ul>
 * It starts from a list of the namespace and watches from the list's version.
 */
final class RolloutObserver implements AutoCloseable {
  private final String app;
  private final int maxTotal;
  private final int minAvailable;
  private final Map<String, ObjectNode> replicaSets = new HashMap<>();
  private final Map<String, ObjectNode> pods = new HashMap<>();
  private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
  private final UniqueKillSwitch killSwitch;
  private volatile int events;
  private volatile int maxSpecSum;
  private volatile int minReady = Integer.MAX_VALUE;
  private volatile int maxLivePods;
  private volatile int maxAllPods;
  /** spec.replicas values seen per ReplicaSet, in order of change. */
  private final Map<String, List<Integer>> scaleSteps = Collections.synchronizedMap(new TreeMap<>());
  /** Each scaling of a ReplicaSet with the spec/available of all ReplicaSets just before it. */
  private final List<String> scaleLog = Collections.synchronizedList(new ArrayList<>());
  private final Set<String> imagesSeen = Collections.synchronizedSet(new HashSet<>());

  RolloutObserver(ActorSystem<?> system, WatchCache cache, String namespace, String app, int replicas, int maxSurge,
      int maxUnavailable) {
    this.app = app;
    this.maxTotal = replicas + maxSurge;
    this.minAvailable = replicas - maxUnavailable;
    WatchCache.Snapshot snapshot = cache.list(WatchFilter.of(null, namespace));
    synchronized (this) {
      for (ObjectNode o : snapshot.items()) {
        apply(WatchEvent.Type.ADDED, o.path("kind").asText(), Meta.name(o), o);
      }
      check("initial list at " + snapshot.resourceVersion());
    }
    try {
      killSwitch = cache.watch(WatchFilter.of(null, namespace), snapshot.resourceVersion(), 100_000)
          .viaMat(KillSwitches.single(), Keep.right())
          .to(Sink.foreach(this::onEvent))
          .run(system);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private synchronized void onEvent(WatchEvent e) {
    ObjectKey key = e.key();
    if (key.kind() != Kind.POD && key.kind() != Kind.REPLICA_SET) {
      return;
    }
    events++;
    apply(e.type(), key.kind().kindName(), key.name(), e.object());
    check(e.type() + " " + key + " at " + e.resourceVersion());
  }

  private void apply(WatchEvent.Type type, String kind, String name, ObjectNode object) {
    if (!app.equals(object.path("metadata").path("labels").path("app").asText())) {
      return;
    }
    if ("ReplicaSet".equals(kind)) {
      if (type == WatchEvent.Type.DELETED) {
        replicaSets.remove(name);
      } else {
        ObjectNode previous = replicaSets.get(name);
        if (previous != null
            && previous.path("spec").path("replicas").asInt() != object.path("spec").path("replicas").asInt()) {
          scaleLog.add(name + " " + previous.path("spec").path("replicas").asInt() + "->"
              + object.path("spec").path("replicas").asInt() + " when " + specs());
        }
        replicaSets.put(name, object);
        int spec = object.path("spec").path("replicas").asInt();
        List<Integer> steps = scaleSteps.computeIfAbsent(name, n -> new ArrayList<>());
        if (steps.isEmpty() || steps.get(steps.size() - 1) != spec) {
          steps.add(spec);
        }
      }
    } else if ("Pod".equals(kind)) {
      if (type == WatchEvent.Type.DELETED) {
        pods.remove(name);
      } else {
        pods.put(name, object);
        imagesSeen.add(SystemCluster.image(object));
      }
    }
  }

  private void check(String at) {
    int specSum = 0;
    for (ObjectNode rs : replicaSets.values()) {
      specSum += rs.path("spec").path("replicas").asInt();
    }
    int ready = 0;
    int live = 0;
    for (ObjectNode pod : pods.values()) {
      if (!SystemCluster.terminating(pod)) {
        live++;
        if (SystemCluster.runningReady(pod)) {
          ready++;
        }
      }
    }
    maxSpecSum = Math.max(maxSpecSum, specSum);
    minReady = Math.min(minReady, ready);
    maxLivePods = Math.max(maxLivePods, live);
    maxAllPods = Math.max(maxAllPods, pods.size());
    if (specSum > maxTotal) {
      violations.add("surge: sum of ReplicaSet spec.replicas " + specSum + " > " + maxTotal + " after " + at
          + " " + specs());
    }
    if (ready < minAvailable) {
      violations.add("availability: " + ready + " Ready pods < " + minAvailable + " after " + at + " " + specs());
    }
  }

  private String specs() {
    Map<String, String> out = new TreeMap<>();
    replicaSets.forEach((name, rs) -> out.put(name, rs.path("spec").path("replicas").asInt() + "/"
        + rs.path("status").path("availableReplicas").asInt()));
    return "(spec/available per ReplicaSet: " + out + ")";
  }

  List<String> violations() {
    synchronized (violations) {
      return new ArrayList<>(violations);
    }
  }

  synchronized String summary() {
    return "events=" + events + " maxSpecSum=" + maxSpecSum + " minReady=" + minReady + " maxLivePods=" + maxLivePods
        + " maxPodsInclTerminating=" + maxAllPods + " scaleSteps=" + scaleSteps;
  }

  synchronized List<String> scaleLog() {
    return new ArrayList<>(scaleLog);
  }

  synchronized int events() {
    return events;
  }

  synchronized Map<String, List<Integer>> scaleSteps() {
    return new TreeMap<>(scaleSteps);
  }

  @Override
  public void close() {
    killSwitch.shutdown();
  }
}
