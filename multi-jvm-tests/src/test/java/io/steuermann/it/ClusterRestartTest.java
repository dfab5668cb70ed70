package io.steuermann.it;

import static io.steuermann.it.ClusterObjects.DEPLOYMENTS;
import static io.steuermann.it.ClusterObjects.deployment;
import static io.steuermann.it.ClusterObjects.missing;
import static io.steuermann.it.ClusterObjects.pods;
import static io.steuermann.it.ClusterObjects.runningPerNode;
import static io.steuermann.it.ClusterObjects.writtenPods;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Three real server processes on one PostgreSQL database restarted one by one while a client
 * writes and watches and a Deployment rolls, and all at once: nothing acknowledged is lost,
 * every watch resumes where it was, no ReplicaSet ever exceeds replicas + maxSurge, and
 * after a full restart everything is back.
 */
@ExtendWith(ServerLogs.class)
@Timeout(value = 420, unit = TimeUnit.SECONDS)
class ClusterRestartTest {
  private static final Duration LONG = Duration.ofSeconds(120);
  /** SIGTERM: the JVM's status for the signal (coordinated shutdown runs in its hook). */
  private static final int EXIT_SIGTERM = 143;

  private PostgresDatabase db;
  private TestCluster cluster;

  @BeforeEach
  void setUp() {
    db = PostgresDatabase.createFresh();
  }

  @AfterEach
  void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
    db.close();
  }

  private List<ApiClient> running() {
    return cluster.alive().stream().map(cluster::api).toList();
  }

  @Test
  void rollingRestartUnderWritesWatchesAndARollingUpdate() {
    int replicas = 4;
    int maxSurge = 1;
    // as behind a load balancer with health checks: a stopping member fails /readyz for a second
    // while it still serves, and writes go only to members whose /readyz answers 200
    cluster = TestCluster.start("rolling", 3, db, 1, i -> Map.of("--shutdown-delay", "1s"));
    assertEquals(201, cluster.api(0).create(DEPLOYMENTS, deployment("web", replicas, "busybox:1", maxSurge, 0)).status());
    await("web running").atMost(LONG).pollInterval(Duration.ofMillis(200)).until(() ->
        runningPerNode(pods(cluster.api(0), "web")).values().stream().mapToInt(Integer::intValue).sum() == replicas);
    long from = cluster.api(0).list(ApiClient.PODS).resourceVersion();

    // the pods of each ReplicaSet, as a watch sees them, checked at every event
    Map<String, JsonNode> webPods = new HashMap<>();
    AtomicInteger mostPerReplicaSet = new AtomicInteger();
    List<String> overSurge = new ArrayList<>();
    try (ResumingWatch writes = new ResumingWatch(this::running,
            ApiClient.PODS + "?labelSelector=role%3Dwrite", from, e -> { });
        ResumingWatch web = new ResumingWatch(this::running, ApiClient.PODS + "?labelSelector=app%3Dweb", from,
            e -> {
              String name = e.path("object").path("metadata").path("name").asText();
              if (e.path("type").asText().equals("DELETED")) {
                webPods.remove(name);
              } else {
                webPods.put(name, e.path("object"));
              }
              Map<String, Integer> perOwner = new HashMap<>();
              for (JsonNode pod : webPods.values()) {
                if (!pod.path("metadata").has("deletionTimestamp")) {
                  perOwner.merge(pod.path("metadata").path("ownerReferences").path(0).path("uid").asText(),
                      1, Integer::sum);
                }
              }
              for (Map.Entry<String, Integer> owner : perOwner.entrySet()) {
                mostPerReplicaSet.accumulateAndGet(owner.getValue(), Math::max);
                if (owner.getValue() > replicas + maxSurge) {
                  overSurge.add("ReplicaSet " + owner.getKey() + " had " + owner.getValue() + " pods at "
                      + e.path("object").path("metadata").path("resourceVersion").asText());
                }
              }
            });
        ContinuousWriter writer = new ContinuousWriter(() -> cluster.alive().stream()
            .filter(i -> cluster.api(i).readyz() == 200).map(i -> cluster.member(i).baseUri()).toList(),
            Duration.ofSeconds(60))) {
      for (int i = 0; i < cluster.size(); i++) {
        int before = writer.acknowledgedCount();
        await("writes go on").atMost(LONG).until(() -> writer.acknowledgedCount() >= before + 10);
        if (i == 1) {
          // a rolling update in the middle of the restarts
          assertEquals(200, cluster.api(0).patch(DEPLOYMENTS + "/web", ApiClient.JSON.readTree(
              "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox:2\"}]}}}}"))
              .status());
        }
        assertEquals(EXIT_SIGTERM, cluster.member(i).stop(Duration.ofSeconds(30)));
        cluster.restart(i);
        cluster.awaitUpMembers(3);
      }
      int before = writer.acknowledgedCount();
      await("writes go on").atMost(LONG).until(() -> writer.acknowledgedCount() >= before + 10);
      await("the rollout completes").atMost(LONG).pollInterval(Duration.ofMillis(500)).until(() -> {
        List<JsonNode> all = pods(cluster.api(2), "web");
        return all.size() == replicas && all.stream().allMatch(p ->
            "Running".equals(p.path("status").path("phase").asText())
                && "busybox:2".equals(p.path("spec").path("containers").path(0).path("image").asText()));
      });
      writer.close();

      Map<String, ContinuousWriter.Ack> acknowledged = writer.acknowledged();
      await("the resumed watch saw every acknowledged write").atMost(LONG).pollInterval(Duration.ofMillis(200))
          .until(() -> writes.added().keySet().containsAll(acknowledged.keySet()));
      acknowledged.forEach((name, ack) -> assertEquals(ack.resourceVersion(), writes.added().get(name),
          "the watch's ADDED of " + name + " carries another resourceVersion"));
      assertEquals(List.of(), writes.violations(), "the resumed watch repeated or reordered events");
      assertEquals(List.of(), web.violations(), "the resumed watch repeated or reordered events");
      assertTrue(writes.streams() > 1, "the watch never had to resume");
      System.out.printf("[rolling] %d writes acknowledged, %d failed; the write watch resumed %d times over %d "
              + "events; at most %d pods in one ReplicaSet (replicas %d + maxSurge %d)%n",
          acknowledged.size(), writer.failedCount(), writes.streams() - 1, writes.events(),
          mostPerReplicaSet.get(), replicas, maxSurge);
      assertEquals(List.of(), overSurge);
      // a client that does not retry sees no error: a write that meets a moving shard waits for it
      assertEquals(List.of(), writer.failures(), "writes failed during the rolling restart");
      for (int i = 0; i < cluster.size(); i++) {
        assertEquals(List.of(), missing(acknowledged, writtenPods(cluster.api(i))),
            "acknowledged writes missing on member " + i);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void fullRestartBringsEverythingBack() {
    cluster = TestCluster.start("full", 3, db, 1);
    assertEquals(201, cluster.api(0).create(DEPLOYMENTS, deployment("web", 6, "busybox", 1, 0)).status());
    Map<String, ContinuousWriter.Ack> acknowledged;
    try (ContinuousWriter writer = new ContinuousWriter(
        () -> cluster.alive().stream().map(i -> cluster.member(i).baseUri()).toList())) {
      await("writes").atMost(LONG).until(() -> writer.acknowledgedCount() >= 60);
      writer.close();
      acknowledged = writer.acknowledged();
    }
    await("web running").atMost(LONG).pollInterval(Duration.ofMillis(200)).until(() ->
        runningPerNode(pods(cluster.api(0), "web")).values().stream().mapToInt(Integer::intValue).sum() == 6);
    JsonNode deploymentBefore = cluster.api(1).get(DEPLOYMENTS + "/web").body();
    Map<String, String> webBefore = new HashMap<>();
    pods(cluster.api(1), "web").forEach(p -> webBefore.put(p.path("metadata").path("name").asText(),
        p.path("metadata").path("uid").asText()));
    long versionBefore = cluster.api(1).list(ApiClient.PODS).resourceVersion();

    // all at once, as an operator stops a whole cluster (one by one, the last members would
    // find the first ones' nodes silent for longer than grace + eviction timeout, and evict)
    List<java.util.concurrent.CompletableFuture<Integer>> stops = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      ServerProcess member = cluster.member(i);
      stops.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> member.stop(Duration.ofSeconds(30))));
    }
    for (java.util.concurrent.CompletableFuture<Integer> stop : stops) {
      assertEquals(EXIT_SIGTERM, stop.join());
    }
    for (int i = 0; i < cluster.size(); i++) {
      cluster.relaunch(i);
    }
    for (int i = 0; i < cluster.size(); i++) {
      cluster.member(i).awaitReadiness();
    }
    cluster.awaitUpMembers(3);

    for (int i = 0; i < cluster.size(); i++) {
      ApiClient api = cluster.api(i);
      assertEquals(List.of(), missing(acknowledged, writtenPods(api)), "acknowledged writes missing on member " + i);
      JsonNode deployment = api.get(DEPLOYMENTS + "/web").body();
      assertEquals(deploymentBefore.path("metadata").path("uid"), deployment.path("metadata").path("uid"));
      assertTrue(api.list(ApiClient.PODS).resourceVersion() >= versionBefore);
    }
    // the same pods, running again on their nodes (whose agents came back with their members)
    java.util.concurrent.atomic.AtomicReference<String> lastSeen = new java.util.concurrent.atomic.AtomicReference<>();
    await("the same web pods running again (before: " + webBefore + ")").atMost(LONG)
        .pollInterval(Duration.ofMillis(500))
        .conditionEvaluationListener(c -> {
          if (!c.isSatisfied() && c.getRemainingTimeInMS() < 1000) {
            System.out.println("[full restart] web pods now: " + lastSeen.get());
          }
        })
        .until(() -> {
      List<JsonNode> all = pods(cluster.api(2), "web");
      lastSeen.set(all.stream().map(p -> p.path("metadata").path("name").asText() + "/"
          + p.path("spec").path("nodeName").asText() + "/" + p.path("status").path("phase").asText()
          + (p.path("metadata").has("deletionTimestamp") ? "/deleting" : "")).toList().toString());
      Map<String, String> now = new HashMap<>();
      all.forEach(p -> now.put(p.path("metadata").path("name").asText(), p.path("metadata").path("uid").asText()));
      return now.equals(webBefore)
          && runningPerNode(all).values().stream().mapToInt(Integer::intValue).sum() == 6;
    });
    assertEquals(201, cluster.api(2).create(ApiClient.PODS, ContinuousWriter.writePod("after-full-restart")).status());
  }
}
