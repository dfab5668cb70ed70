package io.steuermann.it;

import static io.steuermann.it.ClusterObjects.DEPLOYMENTS;
import static io.steuermann.it.ClusterObjects.deployment;
import static io.steuermann.it.ClusterObjects.missing;
import static io.steuermann.it.ClusterObjects.pods;
import static io.steuermann.it.ClusterObjects.runningPerNode;
import static io.steuermann.it.ClusterObjects.writtenPods;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Three real server processes on one PostgreSQL database, one hollow node each, a client
 * writing all the time: a member killed with {@code kill -9} or frozen with SIGSTOP is downed
 * by the majority, its shards and singletons move, nothing acknowledged is lost, its node's
 * pods are replaced on the others, and the frozen member acknowledges nothing it was sent.
 */
@ExtendWith(ServerLogs.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ClusterFailoverTest {
  /** A downed member exits with Pekko's exit code -1 for a downed member. */
  static final int EXIT_DOWNED = 255;
  private static final int REPLICAS = 6;
  private static final Duration LONG = Duration.ofSeconds(90);

  private PostgresDatabase db;
  private TestCluster cluster;
  private final Set<Integer> frozen = new HashSet<>();

  @BeforeEach
  void setUp() {
    db = PostgresDatabase.createFresh();
  }

  @AfterEach
  void tearDown() {
    if (cluster != null) {
      frozen.forEach(i -> cluster.member(i).resume());
      cluster.close();
    }
    db.close();
  }

  private ContinuousWriter writer() {
    return new ContinuousWriter(() -> cluster.alive().stream().filter(i -> !frozen.contains(i))
        .map(i -> cluster.member(i).baseUri()).toList());
  }

  /** Creates the Deployment and waits until its pods run on every member's node. */
  private void deployAcrossAllNodes() {
    assertEquals(201, cluster.api(1).create(DEPLOYMENTS, deployment("web", REPLICAS, "busybox", 1, 0)).status());
    await("web running on all three nodes").atMost(LONG).pollInterval(Duration.ofMillis(200)).until(() -> {
      Map<String, Integer> perNode = runningPerNode(pods(cluster.api(1), "web"));
      return perNode.values().stream().mapToInt(Integer::intValue).sum() == REPLICAS
          && perNode.keySet().containsAll(List.of("m0-0001", "m1-0001", "m2-0001"));
    });
  }

  private void awaitAcknowledged(ContinuousWriter writer, int atLeast) {
    await("at least " + atLeast + " acknowledged writes").atMost(LONG).pollInterval(Duration.ofMillis(100))
        .until(() -> writer.acknowledgedCount() >= atLeast);
  }

  @Test
  void killNineOfAMember() {
    cluster = TestCluster.start("crash", 3, db, 1);
    deployAcrossAllNodes();
    try (ContinuousWriter writer = writer()) {
      awaitAcknowledged(writer, 30);

      // member 0 is the oldest: it hosts the singletons and the shard coordinator
      long killed = System.nanoTime();
      assertEquals(137, cluster.member(0).killHard());
      Map<String, ContinuousWriter.Ack> beforeKill = writer.acknowledged();

      cluster.awaitRemoved(1, 0);
      cluster.awaitRemoved(2, 0);
      long downed = System.nanoTime();
      assertEquals(2, cluster.upSeenBy(1).size());

      // every shard serves again: each object written before the crash (a third of them lived
      // on the dead member) can be changed through either survivor
      Set<String> pending = new HashSet<>(beforeKill.keySet());
      await("every object written before the crash writable again").atMost(LONG)
          .pollInterval(Duration.ofMillis(100)).until(() -> {
            for (String name : List.copyOf(pending)) {
              int via = name.hashCode() % 2 == 0 ? 1 : 2;
              ApiClient.Reply reply = cluster.api(via).patch(ApiClient.PODS + "/" + name,
                  ApiClient.JSON.createObjectNode().set("metadata",
                      ApiClient.JSON.createObjectNode().set("labels",
                          ApiClient.JSON.createObjectNode().put("touched", "after-crash"))));
              if (reply.status() == 200) {
                pending.remove(name);
              }
            }
            return pending.isEmpty();
          });
      long shardsServing = System.nanoTime();

      int ackedAfterDown = writer.acknowledgedCount();
      awaitAcknowledged(writer, ackedAfterDown + 30);

      // the lost node's pods are replaced on the surviving nodes (scheduler and node lifecycle
      // controller moved with the singletons; the ReplicaSet's controller with its shard)
      await("all web pods running on the survivors' nodes").atMost(LONG).pollInterval(Duration.ofMillis(200))
          .until(() -> {
            Map<String, Integer> perNode = runningPerNode(pods(cluster.api(2), "web"));
            List<JsonNode> all = pods(cluster.api(2), "web");
            return !perNode.containsKey("m0-0001")
                && all.stream().noneMatch(p -> "m0-0001".equals(p.path("spec").path("nodeName").asText()))
                && perNode.values().stream().mapToInt(Integer::intValue).sum() == REPLICAS;
          });
      long podsRunning = System.nanoTime();
      System.out.printf("[failover] kill -9 of the oldest of 3 members: downed and removed after %d ms, "
              + "every shard serving after %d ms, all %d pods of its node Running elsewhere after %d ms%n",
          ms(killed, downed), ms(killed, shardsServing), REPLICAS, ms(killed, podsRunning));

      writer.close();
      Map<String, ContinuousWriter.Ack> acknowledged = writer.acknowledged();
      System.out.printf("[failover] writes: %d acknowledged, %d failed or timed out%n",
          acknowledged.size(), writer.failedCount());
      for (int i : List.of(1, 2)) {
        assertEquals(List.of(), missing(acknowledged, writtenPods(cluster.api(i))),
            "acknowledged writes missing on member " + i);
      }

      // the member comes back as a new incarnation and serves the current state
      cluster.restart(0);
      cluster.awaitUpMembers(3);
      assertEquals(List.of(), missing(acknowledged, writtenPods(cluster.api(0))));
    }
  }

  /**
   * Clients of two members write without retrying while the third dies: a third of their
   * writes go to shards of the dead member, and each waits for its shard's new home (a create
   * sent again by the store, since its first message died with the member) instead of failing.
   * {@code -Dit.create-resend-interval=0s -Dit.ask-timeout=15s} measures the server as it was
   * before resends (bin/bench-writes-through-restarts).
   */
  @Test
  void writesThroughTheSurvivorsDoNotFailWhenAMemberDies() {
    String resend = System.getProperty("it.create-resend-interval");
    Map<String, String> settings = new java.util.HashMap<>();
    if (resend != null) {
      settings.put("steuermann.create-resend-interval", resend);
    }
    if (System.getProperty("it.ask-timeout") != null) {
      settings.put("steuermann.ask-timeout", System.getProperty("it.ask-timeout"));
    }
    cluster = TestCluster.start("loss", 3, db, 1, i -> Map.of(), settings);
    // a client timeout beyond the server's ask timeout (15 s): a failure is the server's answer
    List<ContinuousWriter> writers = java.util.stream.IntStream.range(0, 4)
        .mapToObj(w -> new ContinuousWriter("loss" + w + "-",
            () -> List.of(cluster.member(1).baseUri(), cluster.member(2).baseUri()), Duration.ofSeconds(40)))
        .toList();
    try {
      writers.forEach(w -> awaitAcknowledged(w, 10));
      // member 0 is the oldest: the shard coordinator and the singletons move too
      assertEquals(137, cluster.member(0).killHard());
      long killed = System.nanoTime();
      cluster.awaitRemoved(1, 0);
      cluster.awaitRemoved(2, 0);
      long removed = System.nanoTime();
      for (ContinuousWriter w : writers) {
        awaitAcknowledged(w, w.acknowledgedCount() + 20);
      }
      writers.forEach(ContinuousWriter::close);
      int acknowledged = writers.stream().mapToInt(ContinuousWriter::acknowledgedCount).sum();
      int failed = writers.stream().mapToInt(ContinuousWriter::failedCount).sum();
      long slowest = writers.stream().mapToLong(w -> w.slowest().toMillis()).max().orElse(0);
      System.out.printf("[member loss] kill -9 of the oldest of 3 members (removed after %d ms), 4 clients of the "
              + "survivors, settings %s: %d writes acknowledged, %d failed; slowest answer %d ms%n",
          ms(killed, removed), settings.isEmpty() ? "default" : settings, acknowledged, failed, slowest);
      List<String> failures = writers.stream().flatMap(w -> w.failures().stream()).toList();
      assertEquals(List.of(), failures, "writes through the survivors failed");
      for (int i : List.of(1, 2)) {
        for (ContinuousWriter w : writers) {
          assertEquals(List.of(), missing(w.acknowledged(), writtenPods(cluster.api(i))),
              "acknowledged writes missing on member " + i);
        }
      }
    } finally {
      writers.forEach(ContinuousWriter::close);
    }
  }

  @Test
  void aFrozenMemberIsDownedAndAcknowledgesNothing() throws Exception {
    cluster = TestCluster.start("freeze", 3, db, 1);
    deployAcrossAllNodes();
    try (ContinuousWriter writer = writer()) {
      awaitAcknowledged(writer, 30);

      frozen.add(0);
      cluster.member(0).freeze();
      // a write sent to the frozen member: the kernel accepts the connection, nobody reads it
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(120)).build();
      CompletableFuture<HttpResponse<String>> sentWhileFrozen = http.sendAsync(
          HttpRequest.newBuilder(cluster.member(0).baseUri().resolve(ApiClient.PODS))
              .timeout(Duration.ofSeconds(120))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(ContinuousWriter.writePod("sent-while-frozen").toString()))
              .build(),
          HttpResponse.BodyHandlers.ofString());

      // the majority downs it and goes on accepting writes
      cluster.awaitRemoved(1, 0);
      cluster.awaitRemoved(2, 0);
      int ackedAtDown = writer.acknowledgedCount();
      awaitAcknowledged(writer, ackedAtDown + 30);
      assertFalse(sentWhileFrozen.isDone(), "the frozen member answered");

      frozen.remove(0);
      cluster.member(0).resume();
      // it learns that it was downed and exits for its supervisor to restart it
      assertEquals(EXIT_DOWNED, cluster.member(0).awaitExit(Duration.ofSeconds(60)));
      int status;
      try {
        status = sentWhileFrozen.get(60, TimeUnit.SECONDS).statusCode();
      } catch (java.util.concurrent.ExecutionException e) {
        status = -1; // the connection closed with the process: not acknowledged
      }
      assertFalse(status >= 200 && status < 300, "the frozen member acknowledged a write: " + status);

      // a fresh incarnation rejoins and serves the current state
      cluster.restart(0);
      cluster.awaitUpMembers(3);
      writer.close();
      Map<String, ContinuousWriter.Ack> acknowledged = writer.acknowledged();
      for (int i = 0; i < 3; i++) {
        assertEquals(404, cluster.api(i).get(ApiClient.PODS + "/sent-while-frozen").status(),
            "the write sent to the frozen member appeared (member " + i + ")");
        assertEquals(List.of(), missing(acknowledged, writtenPods(cluster.api(i))),
            "acknowledged writes missing on member " + i);
      }
      // and every member acts: a write through the restarted member
      assertEquals(201, cluster.api(0).create(ApiClient.PODS, ContinuousWriter.writePod("after-rejoin")).status());
    }
  }

  private static long ms(long from, long to) {
    return TimeUnit.NANOSECONDS.toMillis(to - from);
  }
}
