package io.steuermann.node.system;

import static io.steuermann.node.system.SystemCluster.done;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.PodConditions;
import io.steuermann.node.NodeAgents;
import io.steuermann.node.docker.DockerSupport;
import io.steuermann.node.runtime.docker.DockerRuntime;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole system with a Docker node: a real engine, the node agent, and real containers on
 * the local engine (busybox from {@link DockerSupport#IMAGE}). Every container the tests make
 * carries the test's own node name and is removed at the end.
 */
class DockerSystemTest {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static SystemCluster cluster;
  private static DockerRuntime runtime;
  private static NodeAgents agents;
  private static String node;

  @BeforeAll
  static void start() throws Exception {
    DockerSupport.requireDocker();
    node = DockerSupport.uniqueNodeName("docker-system");
    cluster = SystemCluster.start("docker-system", DockerSupport.ownPodNetworkConfig());
    runtime = DockerSupport.runtime(node);
    // a small back-off, so restarts are seen within seconds (Kubernetes: 10 s doubling to 5 min)
    agents = NodeAgents.start(cluster.system, cluster.engine,
        cluster.nodeSettings("restart-backoff = 1s\nrestart-backoff-max = 8s"), Map.of(node, runtime));
    agents.whenAllRegistered().toCompletableFuture().get(60, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> {
      ObjectNode n = cluster.node(node);
      return n != null && "True".equals(PodConditions.get(n.path("status"), "Ready"));
    });
  }

  @AfterAll
  static void stop() {
    if (agents != null) {
      agents.stop();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (runtime != null) {
      runtime.close();
    }
    if (node != null) {
      DockerSupport.removeContainersOf(node);
    }
  }

  @Test
  void theNodeReportsTheMachine() {
    JsonNode status = cluster.node(node).path("status");
    assertEquals("110", status.path("capacity").path("pods").asText());
    assertTrue(status.path("capacity").path("memory").asText().endsWith("Ki"));
    assertTrue(status.path("nodeInfo").path("containerRuntimeVersion").asText().startsWith("docker://"));
    assertEquals("127.0.0.1", status.path("addresses").path(0).path("address").asText());
  }

  @Test
  void aDeploymentOfThreeHttpdPodsRunsAndEachAnswersOnItsPublishedPort() throws Exception {
    cluster.namespace("web");
    cluster.create(SystemCluster.deployment("web", "httpd", 3, DockerSupport.IMAGE, "", """
        , "command": ["sh", "-c", "busybox mkdir -p /www; echo $POD_NAME > /www/index.html; exec httpd -f -p 8080 -h /www"],
          "env": [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
          "ports": [{"name": "http", "containerPort": 8080}]"""));
    List<ObjectNode> pods = awaitRunningReady("web", "app=httpd", 3);
    for (ObjectNode pod : pods) {
      JsonNode status = pod.path("status");
      assertEquals("127.0.0.1", status.path("hostIP").asText());
      JsonNode port = status.path("publishedPorts").path(0);
      assertEquals(8080, port.path("containerPort").asInt(), status.toString());
      int hostPort = port.path("hostPort").asInt();
      String name = Meta.name(pod);
      await().atMost(WAIT).ignoreExceptions()
          .until(() -> get("http://127.0.0.1:" + hostPort + "/index.html").equals(name + "\n"));
      assertTrue(status.path("containerStatuses").path(0).path("containerID").asText().startsWith("docker://"));
    }
    assertEquals(3, DockerSupport.containersOf(node).stream()
        .filter(c -> "web".equals(c.getLabels().get("steuermann.io/pod-namespace"))
            && "app".equals(c.getLabels().get("steuermann.io/role"))
            && "running".equals(c.getState())).count());
  }

  @Test
  void anExitingContainerIsRestartedWithAGrowingBackOff() {
    cluster.namespace("crash");
    ObjectNode pod = cluster.create("""
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "crasher", "namespace": "crash"},
         "spec": {"nodeName": "%s", "containers": [{"name": "main", "image": "%s",
                  "command": ["sh", "-c", "sleep 2; exit 1"]}]}}""".formatted(node, DockerSupport.IMAGE));
    ObjectKey key = ObjectKey.of(Kind.POD, "crash", Meta.name(pod));
    // restartCount -> seconds from the previous exit to the start of this instance
    Map<Integer, Long> gaps = new ConcurrentHashMap<>();
    await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
      JsonNode c = cluster.cached(key).path("status").path("containerStatuses").path(0);
      JsonNode started = c.path("state").path("running").path("startedAt");
      JsonNode finished = c.path("lastState").path("terminated").path("finishedAt");
      if (started.isTextual() && finished.isTextual()) {
        gaps.putIfAbsent(c.path("restartCount").asInt(), Duration.between(Instant.parse(finished.asText()),
            Instant.parse(started.asText())).toSeconds());
      }
      return gaps.containsKey(4);
    });
    JsonNode c = cluster.cached(key).path("status").path("containerStatuses").path(0);
    assertEquals(1, c.path("lastState").path("terminated").path("exitCode").asInt(), c.toString());
    assertEquals("Error", c.path("lastState").path("terminated").path("reason").asText(), c.toString());
    // kubelet's crash loop: the first restart at once, then 1 s, 2 s, 4 s (times have whole seconds)
    assertTrue(gaps.get(4) > gaps.getOrDefault(1, 0L) && gaps.get(4) >= 3, "gaps " + gaps);
  }

  @Test
  void deletingAPodStopsItsContainersWithinTheGracePeriod() {
    cluster.namespace("delete");
    ObjectNode pod = cluster.create("""
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "stubborn", "namespace": "delete"},
         "spec": {"nodeName": "%s", "terminationGracePeriodSeconds": 3,
                  "containers": [{"name": "main", "image": "%s",
                                  "command": ["sh", "-c", "trap '' TERM; while true; do sleep 1; done"]}]}}"""
        .formatted(node, DockerSupport.IMAGE));
    ObjectKey key = ObjectKey.of(Kind.POD, "delete", Meta.name(pod));
    await().atMost(WAIT).until(() -> SystemCluster.runningReady(cluster.cached(key)));
    String uid = Meta.uid(pod);
    assertEquals(2, containersOfPod(uid));
    done(cluster.engine.store().delete(key, uid, 0, null, null));
    // it ignores SIGTERM: killed after its 3 s grace period (not the default 30 s), then removed
    await().atMost(Duration.ofSeconds(25)).until(() -> containersOfPod(uid) == 0 && cluster.cached(key) == null);
  }

  private static long containersOfPod(String uid) {
    return DockerSupport.podContainers(node, uid).size();
  }

  private static List<ObjectNode> awaitRunningReady(String namespace, String selector, int count) {
    await().atMost(WAIT).until(() -> {
      List<ObjectNode> pods = cluster.list(Kind.POD, namespace, selector);
      return pods.size() == count && pods.stream().allMatch(SystemCluster::runningReady);
    });
    return cluster.list(Kind.POD, namespace, selector);
  }

  private static String get(String url) throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
    return response.statusCode() == 200 ? response.body() : "HTTP " + response.statusCode();
  }
}
