package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.steuermann.http.KubectlRunner.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PodDisruptionBudgets (policy/v1) and the {@code pods/eviction} subresource on two hollow
 * nodes with the controllers running, driven by the real kubectl: {@code kubectl drain} waits
 * while the budget allows no disruption (the eviction answers 429) and finishes once a third
 * replica elsewhere makes one allowed, evicting one pod at a time; the eviction's refusals as
 * kube-apiserver words them; bad budgets refused with 422.
 */
class DisruptionBudgetsTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String NS = "pdb";
  private static final String PDBS = "/apis/policy/v1/namespaces/" + NS + "/poddisruptionbudgets";
  private static final String PODS = "/api/v1/namespaces/" + NS + "/pods";
  private static final String FIRST = "pdb-0001";
  private static final String SECOND = "pdb-0002";

  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.startWithNodes("DisruptionBudgetsTest", TestServer.h2(dataDir).withFallback(
        ConfigFactory.parseString("""
            steuermann.controllers.enabled = true
            steuermann.node.hollow-nodes = 2
            steuermann.node.name-prefix = "pdb-"
            """)));
    server.namespace(NS);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void drainWaitsForTheBudgetAndEvictsOnePodAtATime() throws Exception {
    await().atMost(WAIT).until(() -> kubectl("get", "node", SECOND).exit() == 0);
    // both replicas on the first node: the second takes none until it is uncordoned
    assertEquals(0, kubectl("cordon", SECOND).exit());
    Path manifest = Files.writeString(dataDir.resolve("web.yaml"), """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: 2
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers: [{name: web, image: web:1}]
        ---
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: {name: web}
        spec:
          minAvailable: 2
          selector: {matchLabels: {app: web}}
        """);
    Result created = kubectl("-n", NS, "create", "-f", manifest.toString());
    assertEquals(0, created.exit(), created.err());
    await().atMost(WAIT).until(() -> budget().path("status").path("currentHealthy").asInt() == 2);
    JsonNode status = budget().path("status");
    assertEquals(0, status.path("disruptionsAllowed").asInt(), status.toString());
    assertEquals(2, status.path("desiredHealthy").asInt(), status.toString());
    assertEquals("InsufficientPods", status.path("conditions").path(0).path("reason").asText(), status.toString());
    Result table = kubectl("-n", NS, "get", "pdb", "web");
    assertTrue(table.out().matches("(?s)NAME\\s+MIN AVAILABLE\\s+MAX UNAVAILABLE\\s+ALLOWED DISRUPTIONS\\s+AGE\\s+"
        + "web\\s+2\\s+N/A\\s+0\\s+.*"), table.out());
    List<String> before = podNames();
    assertEquals(2, before.size(), before.toString());

    assertEquals(0, kubectl("uncordon", SECOND).exit());
    KubectlRunner.Running drain = KubectlRunner.start(server.base, dataDir, "drain", FIRST, "--ignore-daemonsets",
        "--timeout=120s");
    // kubectl's own words for a 429 from the eviction, which it retries every 5 s
    await().atMost(WAIT).until(() -> drain.errSoFar().contains("Cannot evict pod as it would violate the pod's "
        + "disruption budget."));
    assertTrue(drain.process().isAlive(), "drain waits");
    assertEquals(before, podNames(), "no pod was evicted");
    assertTrue(expect(200, server.get("/api/v1/nodes/" + FIRST)).path("spec").path("unschedulable").asBoolean());

    // a third replica on the second node makes one disruption allowed, and then the next
    assertEquals(0, kubectl("-n", NS, "scale", "deployment", "web", "--replicas=3").exit());
    Result drained = drain.finish(Duration.ofSeconds(120));
    assertEquals(0, drained.exit(), drained.err());
    assertTrue(drained.out().contains("pod/" + before.get(0) + " evicted"), drained.out());
    assertTrue(drained.out().contains("pod/" + before.get(1) + " evicted"), drained.out());
    assertTrue(drained.out().contains("node/" + FIRST + " drained"), drained.out());
    await().atMost(WAIT).until(() -> {
      JsonNode pods = expect(200, server.get(PODS + "?labelSelector=app%3Dweb")).path("items");
      int onSecond = 0;
      for (JsonNode p : pods) {
        if (SECOND.equals(p.path("spec").path("nodeName").asText()) && !p.path("metadata").has("deletionTimestamp")) {
          onSecond++;
        }
      }
      return onSecond == 3;
    });
  }

  @Test
  void anEvictionTheBudgetForbidsIs429AndOthersAnswerAsKubeApiserver() throws Exception {
    for (String name : List.of("solo-a", "solo-b")) {
      expect(201, server.post(PODS, TestServer.podJson(name, "{\"app\":\"solo\"}")));
    }
    expect(201, server.post(PDBS, """
        {"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"solo"},
         "spec":{"minAvailable":2,"selector":{"matchLabels":{"app":"solo"}}}}"""));
    await().atMost(WAIT).until(() -> expect(200, server.get(PDBS + "/solo")).path("status").path("currentHealthy")
        .asInt() == 2);

    JsonNode refused = expect(429, server.post(PODS + "/solo-a/eviction",
        "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"solo-a\"}}"));
    assertEquals("TooManyRequests", refused.path("reason").asText());
    assertEquals("Cannot evict pod as it would violate the pod's disruption budget.", refused.path("message").asText());
    assertEquals("DisruptionBudget", refused.path("details").path("causes").path(0).path("reason").asText());
    assertEquals("The disruption budget solo needs 2 healthy pods and has 2 currently",
        refused.path("details").path("causes").path(0).path("message").asText());
    assertEquals(200, server.get(PODS + "/solo-a").statusCode(), "still there");

    JsonNode mismatch = expect(400, server.post(PODS + "/solo-a/eviction",
        "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"solo-b\"}}"));
    assertEquals("name in URL does not match name in Eviction object", mismatch.path("message").asText());
    expect(404, server.post(PODS + "/nobody/eviction",
        "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"nobody\"}}"));

    // a second budget over the same pod: kube-apiserver cannot tell which one to ask
    expect(201, server.post(PDBS, """
        {"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"solo-too"},
         "spec":{"selector":{"matchLabels":{"app":"solo"}}}}"""));
    JsonNode two = expect(500, server.post(PODS + "/solo-b/eviction",
        "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"solo-b\"}}"));
    assertTrue(two.path("message").asText().contains("more than one PodDisruptionBudget"), two.toString());
    assertEquals(1, expect(200, server.get(PDBS + "/solo-too")).path("spec").path("minAvailable").asInt(),
        "a budget without bounds keeps one pod");

    // without budgets the eviction is a delete
    expect(200, server.delete(PDBS + "/solo"));
    expect(200, server.delete(PDBS + "/solo-too"));
    await().atMost(WAIT).until(() -> server.get(PDBS + "/solo").statusCode() == 404
        && server.get(PDBS + "/solo-too").statusCode() == 404);
    JsonNode evicted = expect(201, server.post(PODS + "/solo-b/eviction",
        "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"solo-b\"},"
            + "\"deleteOptions\":{\"gracePeriodSeconds\":0}}"));
    assertEquals("Success", evicted.path("status").asText(), evicted.toString());
    await().atMost(WAIT).until(() -> server.get(PODS + "/solo-b").statusCode() == 404);
  }

  @Test
  void badBudgetsAreRefusedNamingTheField() {
    JsonNode both = expect(422, server.post(PDBS, """
        {"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"both"},
         "spec":{"minAvailable":1,"maxUnavailable":1,"selector":{}}}"""));
    assertEquals("spec", both.path("details").path("causes").path(0).path("field").asText(), both.toString());
    assertTrue(both.path("message").asText().contains("minAvailable and maxUnavailable cannot be both set"),
        both.toString());
    JsonNode percent = expect(422, server.post(PDBS, """
        {"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"percent"},
         "spec":{"minAvailable":"150%","unhealthyPodEvictionPolicy":"Sometimes"}}"""));
    List<String> fields = new ArrayList<>();
    percent.path("details").path("causes").forEach(c -> fields.add(c.path("field").asText()));
    assertEquals(List.of("spec.minAvailable", "spec.unhealthyPodEvictionPolicy"), fields, percent.toString());
    assertEquals(404, server.get(PDBS + "/both").statusCode());
    assertEquals(404, server.get(PDBS + "/percent").statusCode());
  }

  private static JsonNode budget() {
    return expect(200, server.get(PDBS + "/web"));
  }

  private static List<String> podNames() {
    List<String> names = new ArrayList<>();
    for (JsonNode p : expect(200, server.get(PODS + "?labelSelector=app%3Dweb")).path("items")) {
      if (!p.path("metadata").has("deletionTimestamp")) {
        names.add(p.path("metadata").path("name").asText());
      }
    }
    names.sort(null);
    return names;
  }

  private static Result kubectl(String... args) throws Exception {
    return KubectlRunner.run(server.base, dataDir, args);
  }
}
