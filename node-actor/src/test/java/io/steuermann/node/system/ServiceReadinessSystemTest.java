package io.steuermann.node.system;

import static io.steuermann.node.system.SystemCluster.WAIT;
import static io.steuermann.node.system.TestBackends.httpGet;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.PodConditions;
import io.steuermann.node.proxy.ServiceProxy;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole path from a readiness probe to the proxy, on a hollow node: two pods (podIP
 * 127.0.0.1, each with its own containerPort named {@code http} where a real backend of the test
 * listens) behind a Service with a selector and {@code targetPort: http}; the Endpoints
 * controller writes the Endpoints, the proxy forwards. A pod whose readiness probe starts failing
 * stops getting new connections while a client keeps sending, with no failed request.
 */
class ServiceReadinessSystemTest {
  private static final String NS = "svc-ready";
  private static SystemCluster cluster;
  private static ActorRef<ServiceProxy.Command> proxy;

  @BeforeAll
  static void start() throws Exception {
    cluster = SystemCluster.start("service-readiness");
    cluster.hollow("hollow-nodes = 1, name-prefix = \"ready-\"");
    proxy = ServiceProxy.start(cluster.system, cluster.engine).toCompletableFuture().get().orElseThrow();
  }

  @AfterAll
  static void stop() {
    if (proxy != null) {
      proxy.tell(ServiceProxy.Stop.INSTANCE);
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static void pod(String name, int port) {
    cluster.create("""
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "%s", "namespace": "%s", "labels": {"app": "rdy"}},
         "spec": {"containers": [{"name": "main", "image": "busybox",
                                  "ports": [{"name": "http", "containerPort": %d}],
                                  "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"},
                                                     "periodSeconds": 1, "failureThreshold": 1}}]}}"""
        .formatted(name, NS, port));
  }

  private static boolean ready(String pod) {
    ObjectNode p = cluster.cached(ObjectKey.of(Kind.POD, NS, pod));
    return p != null && "True".equals(PodConditions.get(p.path("status"), "Ready"));
  }

  @Test
  void aPodWhoseReadinessFailsGetsNoNewConnectionsAndNoRequestFails() throws Exception {
    AtomicBoolean aReady = new AtomicBoolean(true);
    AtomicBoolean bReady = new AtomicBoolean(true);
    try (TestBackends.Tcp a = TestBackends.httpWithReadiness("a", aReady);
         TestBackends.Tcp b = TestBackends.httpWithReadiness("b", bReady)) {
      cluster.namespace(NS);
      pod("pod-a", a.port());
      pod("pod-b", b.port());
      ObjectNode service = cluster.create("""
          {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "%s"},
           "spec": {"selector": {"app": "rdy"}, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}}"""
          .formatted(NS));
      String ip = service.path("spec").path("clusterIP").asText();
      await().atMost(WAIT).until(() -> ready("pod-a") && ready("pod-b"));
      List<String> seen = Collections.synchronizedList(new ArrayList<>());
      await().atMost(WAIT).ignoreExceptions().until(() -> {
        seen.add(httpGet(ip, 80));
        return seen.contains("a") && seen.contains("b");
      });

      List<String> failures = Collections.synchronizedList(new ArrayList<>());
      List<long[]> servedByA = Collections.synchronizedList(new ArrayList<>()); // nanoTime of each "a"
      List<String> bodies = Collections.synchronizedList(new ArrayList<>());
      AtomicBoolean stop = new AtomicBoolean();
      Thread client = new Thread(() -> {
        while (!stop.get()) {
          try {
            String body = httpGet(ip, 80);
            bodies.add(body);
            if ("a".equals(body)) {
              servedByA.add(new long[] {System.nanoTime()});
            }
          } catch (IOException e) {
            failures.add(e.toString());
          }
        }
      }, "continuous-client");
      client.start();
      try {
        await().atMost(WAIT).until(() -> bodies.size() > 20);
        aReady.set(false); // pod-a's probe fails from now on; it still serves
        await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(() -> !ready("pod-a"));
        long unready = System.nanoTime();
        // new connections go to pod-b only: 50 requests in a row
        await().atMost(WAIT).until(() -> {
          synchronized (bodies) { // the client appends meanwhile
            int n = bodies.size();
            return n > 50 && bodies.subList(n - 50, n).stream().allMatch("b"::equals);
          }
        });
        long lastA = servedByA.isEmpty() ? unready : servedByA.get(servedByA.size() - 1)[0];
        System.out.printf("[proxy] readiness: pod Ready=False in the cache -> last new connection to it: %d ms%n",
            Math.max(0, (lastA - unready) / 1_000_000));
        // and it comes back when its probe passes again
        aReady.set(true);
        await().atMost(WAIT).until(() -> ready("pod-a"));
        int from = bodies.size();
        await().atMost(WAIT).until(() -> {
          synchronized (bodies) {
            return bodies.subList(from, bodies.size()).contains("a");
          }
        });
      } finally {
        stop.set(true);
        client.join(20_000);
      }
      assertEquals(List.of(), failures, "failed requests while a pod turned unready and ready again");
    }
  }
}
