package io.steuermann.node.system;

import static io.steuermann.node.system.SystemCluster.WAIT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.TreeSet;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Service in front of a Deployment of 3 on hollow nodes: its Endpoints list the Ready pods,
 * and through a rolling update (maxSurge 1, maxUnavailable 0, pods Ready 1 s after start) it
 * never runs empty, drops each old pod as soon as it is terminating and never lists it again.
 */
class ServiceEndpointsSystemTest {
  private static final String NS = "svc-roll";
  private static final String STRATEGY = """
      , "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}""";
  private static ProbeTarget probed;
  private static String PROBE;

  private static SystemCluster cluster;

  @BeforeAll
  static void start() throws java.io.IOException {
    probed = new ProbeTarget();
    PROBE = probed.readinessProbe(1);
    cluster = SystemCluster.start("service-endpoints");
    cluster.hollow("hollow-nodes = 3, name-prefix = \"svc-\", hollow.start-latency = 100ms");
  }

  @AfterAll
  static void stop() throws java.io.IOException {
    if (cluster != null) {
      cluster.close();
    }
    probed.close();
  }

  private static Set<String> readyPodNames() {
    Set<String> names = new TreeSet<>();
    for (ObjectNode pod : cluster.list(Kind.POD, NS, "app=web")) {
      if (SystemCluster.runningReady(pod)) {
        names.add(Meta.name(pod));
      }
    }
    return names;
  }

  static Set<String> addressNames(JsonNode endpoints) {
    Set<String> names = new TreeSet<>();
    if (endpoints != null) {
      for (JsonNode subset : endpoints.path("subsets")) {
        for (JsonNode a : subset.path("addresses")) {
          names.add(a.path("targetRef").path("name").asText());
        }
      }
    }
    return names;
  }

  private static ObjectNode endpoints() {
    return cluster.cached(ObjectKey.of(Kind.ENDPOINTS, NS, "web"));
  }

  @Test
  void endpointsFollowTheReadyPodsThroughARollingUpdate() throws Exception {
    cluster.namespace(NS);
    cluster.create(SystemCluster.deployment(NS, "web", 3, "nginx:1.26", STRATEGY, PROBE));
    cluster.create("""
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "%s"},
         "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 80}]}}""".formatted(NS));
    cluster.awaitRolledOut(NS, "web", 3, "nginx:1.26");
    await().atMost(WAIT).until(() -> addressNames(endpoints()).equals(readyPodNames()));
    for (JsonNode a : endpoints().path("subsets").get(0).path("addresses")) {
      assertTrue(!a.path("nodeName").asText().isEmpty() && !a.path("ip").asText().isEmpty(), a::toString);
    }
    assertEquals(80, endpoints().path("subsets").get(0).path("ports").get(0).path("port").asInt());

    try (EndpointsObserver observer = new EndpointsObserver(cluster.engine.cache())) {
      cluster.mergePatch(ObjectKey.of(Kind.DEPLOYMENT, NS, "web"), """
          {"spec": {"template": {"spec": {"containers": [{"name": "main", "image": "nginx:1.27"%s}]}}}}"""
          .formatted(PROBE));
      cluster.awaitRolledOut(NS, "web", 3, "nginx:1.27");
      await().atMost(WAIT).until(() -> addressNames(endpoints()).equals(readyPodNames()));
      await().atMost(WAIT).until(() -> observer.dropLatenciesMs().size() >= 3);
      assertEquals(List.of(), observer.violations());
      List<Long> latencies = observer.dropLatenciesMs();
      System.out.printf("[system] rolling update behind a Service: %d Endpoints writes, fewest ready addresses %d, "
          + "terminating pod -> out of the Endpoints (ms, as seen by a watch): %s%n",
          observer.endpointsEvents(), observer.fewestReady(), latencies);
      assertTrue(observer.fewestReady() >= 1, "the Endpoints ran empty during the rollout");
    }
  }

  /**
   * Watches the namespace's pods and Endpoints through one watch (journal order): records when
   * each pod turned terminating (or went) and when the Endpoints stopped listing it, and flags a
   * pod listed again after it was dropped, and Endpoints without a ready address.
   */
  static final class EndpointsObserver implements AutoCloseable {
    private final Map<String, Long> terminatingSince = new HashMap<>();
    private final Set<String> dropped = new HashSet<>();
    private final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    private final UniqueKillSwitch killSwitch;
    private volatile int events;
    private volatile int fewestReady = Integer.MAX_VALUE;

    EndpointsObserver(WatchCache cache) throws Exception {
      WatchCache.Snapshot snapshot = cache.list(WatchFilter.of(null, NS));
      killSwitch = cache.watch(WatchFilter.of(null, NS), snapshot.resourceVersion(), 100_000)
          .viaMat(KillSwitches.single(), Keep.right())
          .toMat(Sink.foreach(this::onEvent), Keep.left())
          .run(org.apache.pekko.stream.Materializer.createMaterializer(cluster.system));
    }

    private void onEvent(WatchEvent e) {
      long now = System.nanoTime();
      if (e.key().kind() == Kind.POD) {
        String name = e.key().name();
        if ((e.type() == WatchEvent.Type.DELETED || SystemCluster.terminating(e.object()))) {
          terminatingSince.putIfAbsent(name, now);
        }
      } else if (e.key().kind() == Kind.ENDPOINTS && e.key().name().equals("web")
          && e.type() != WatchEvent.Type.DELETED) {
        events++;
        Set<String> listed = addressNames(e.object());
        fewestReady = Math.min(fewestReady, listed.size());
        for (String name : listed) {
          if (dropped.contains(name)) {
            violations.add("pod " + name + " listed again after it was dropped (rv " + e.resourceVersion() + ")");
          }
        }
        for (Map.Entry<String, Long> t : terminatingSince.entrySet()) {
          if (!listed.contains(t.getKey()) && dropped.add(t.getKey())) {
            latencies.add((now - t.getValue()) / 1_000_000);
          }
        }
      }
    }

    List<Long> dropLatenciesMs() {
      return List.copyOf(latencies);
    }

    List<String> violations() {
      return List.copyOf(violations);
    }

    int endpointsEvents() {
      return events;
    }

    int fewestReady() {
      return fewestReady;
    }

    @Override
    public void close() {
      killSwitch.shutdown();
    }
  }
}
