package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.steuermann.http.KubectlRunner.Result;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ResourceQuotas with the controllers running, driven by the real kubectl: creates past the
 * quota refused 403 as kube-apiserver words it and leaving nothing behind, room made by a delete
 * once the controller recounts, racing creates for the last units, and claims limited by
 * {@code requests.storage}.
 */
class ResourceQuotasTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("ResourceQuotasTest", TestServer.h2(dataDir).withFallback(
        ConfigFactory.parseString("steuermann.controllers.enabled = true")));
    server.namespace("quota");
    server.namespace("race");
    server.namespace("claims");
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void podsPastTheQuotaAreForbiddenUntilOneIsDeleted() throws Exception {
    Result created = kubectl("-n", "quota", "create", "quota", "compute", "--hard=pods=2,limits.cpu=2");
    assertEquals(0, created.exit(), created.err());
    await().atMost(WAIT).until(() -> quota("quota", "compute").path("status").path("used").path("pods").asText()
        .equals("0"));
    assertEquals(0, kubectl("-n", "quota", "create", "-f", pod("a", "1")).exit());

    Result tooMuch = kubectl("-n", "quota", "create", "-f", pod("b", "2"));
    assertEquals(1, tooMuch.exit());
    assertTrue(tooMuch.err().contains("Error from server (Forbidden): error when creating \"" + dataDir.resolve("b.yaml")
        + "\": pods \"b\" is forbidden: exceeded quota: compute, requested: limits.cpu=2, used: limits.cpu=1, "
        + "limited: limits.cpu=2"), tooMuch.err());
    // refused before it was sent: no object, and the quota charged nothing for it
    assertEquals(404, server.get("/api/v1/namespaces/quota/pods/b").statusCode());
    assertEquals("1", quota("quota", "compute").path("status").path("used").path("limits.cpu").asText());

    Path unlimited = Files.writeString(dataDir.resolve("bare.yaml"), """
        apiVersion: v1
        kind: Pod
        metadata: {name: bare}
        spec: {containers: [{name: main, image: busybox}]}
        """);
    Result bare = kubectl("-n", "quota", "create", "-f", unlimited.toString());
    assertTrue(bare.err().contains("pods \"bare\" is forbidden: failed quota: compute: must specify limits.cpu"),
        bare.err());

    assertEquals(0, kubectl("-n", "quota", "create", "-f", pod("b", "500m")).exit());
    Result full = kubectl("-n", "quota", "create", "-f", pod("c", "100m"));
    assertTrue(full.err().contains("pods \"c\" is forbidden: exceeded quota: compute, requested: pods=1, "
        + "used: pods=2, limited: pods=2"), full.err());

    await().atMost(WAIT).until(() -> kubectl("-n", "quota", "get", "quota", "compute").out()
        .matches("(?s)NAME\\s+AGE\\s+REQUEST\\s+LIMIT\\s+compute\\s+\\S+\\s+pods: 2/2\\s+limits.cpu: 1500m/2\\s*"));
    Result described = kubectl("-n", "quota", "describe", "quota", "compute");
    assertTrue(described.out().matches("(?s).*limits.cpu\\s+1500m\\s+2.*pods\\s+2\\s+2.*"), described.out());

    assertEquals(0, kubectl("-n", "quota", "delete", "pod", "a", "--grace-period=0", "--force").exit());
    await().atMost(WAIT).until(() -> quota("quota", "compute").path("status").path("used").path("pods").asText()
        .equals("1"));
    Result room = kubectl("-n", "quota", "create", "-f", pod("c", "100m"));
    assertEquals(0, room.exit(), room.err());
    // a server-side apply that creates is counted too
    Result applied = kubectl("-n", "quota", "apply", "--server-side", "-f", pod("d", "100m"));
    assertTrue(applied.err().contains("pods \"d\" is forbidden: exceeded quota: compute, requested: pods=1, "
        + "used: pods=2, limited: pods=2"), applied.err());
    assertEquals(404, server.get("/api/v1/namespaces/quota/pods/d").statusCode());
  }

  @Test
  void racingCreatesGetExactlyTheLastUnits() throws Exception {
    expect(201, server.post("/api/v1/namespaces/race/resourcequotas", """
        {"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"three"},"spec":{"hard":{"pods":"3"}}}"""));
    await().atMost(WAIT).until(() -> quota("race", "three").path("status").path("used").has("pods"));
    ExecutorService pool = Executors.newFixedThreadPool(10);
    try {
      List<Future<HttpResponse<String>>> answers = new ArrayList<>();
      CompletableFuture<Void> go = new CompletableFuture<>();
      for (int i = 0; i < 10; i++) {
        String name = "p" + i;
        answers.add(pool.submit(() -> {
          go.join();
          return server.post("/api/v1/namespaces/race/pods", TestServer.podJson(name, "{}"));
        }));
      }
      go.complete(null);
      int created = 0;
      int forbidden = 0;
      for (Future<HttpResponse<String>> a : answers) {
        HttpResponse<String> r = a.get();
        if (r.statusCode() == 201) {
          created++;
        } else {
          assertEquals(403, r.statusCode(), r.body());
          assertTrue(r.body().contains("exceeded quota: three"), r.body());
          forbidden++;
        }
      }
      assertEquals(3, created);
      assertEquals(7, forbidden);
    } finally {
      pool.shutdownNow();
    }
    assertEquals(3, expect(200, server.get("/api/v1/namespaces/race/pods")).path("items").size());
    assertEquals("3", quota("race", "three").path("status").path("used").path("pods").asText());
  }

  @Test
  void claimsPastRequestsStorageAreForbidden() throws Exception {
    expect(201, server.post("/api/v1/namespaces/claims/resourcequotas", """
        {"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"storage"},
         "spec":{"hard":{"requests.storage":"1Gi","persistentvolumeclaims":"5"}}}"""));
    await().atMost(WAIT).until(() -> quota("claims", "storage").path("status").path("used").has("requests.storage"));
    String before = expect(200, server.get("/api/v1/namespaces/claims/persistentvolumeclaims")).path("metadata")
        .path("resourceVersion").asText();
    JsonNode refused = expect(403, server.post("/api/v1/namespaces/claims/persistentvolumeclaims", """
        {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"big"},
         "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"2Gi"}}}}"""));
    assertEquals("Forbidden", refused.path("reason").asText());
    assertEquals("persistentvolumeclaims", refused.path("details").path("kind").asText(), refused.toString());
    assertEquals("big", refused.path("details").path("name").asText(), refused.toString());
    assertEquals("persistentvolumeclaims \"big\" is forbidden: exceeded quota: storage, requested: "
        + "requests.storage=2Gi, used: requests.storage=0, limited: requests.storage=1Gi",
        refused.path("message").asText());
    assertEquals(404, server.get("/api/v1/namespaces/claims/persistentvolumeclaims/big").statusCode());
    // a dry run is checked as well, and charges nothing
    expect(403, server.post("/api/v1/namespaces/claims/persistentvolumeclaims?dryRun=All", """
        {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"big"},
         "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"2Gi"}}}}"""));
    expect(201, server.post("/api/v1/namespaces/claims/persistentvolumeclaims?dryRun=All", """
        {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"dry"},
         "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}"""));
    assertEquals("0", quota("claims", "storage").path("status").path("used").path("requests.storage").asText());
    // the refused creates left no event behind
    HttpResponse<String> watch = server.get("/api/v1/namespaces/claims/persistentvolumeclaims?watch=1"
        + "&timeoutSeconds=1&resourceVersion=" + before);
    assertEquals(200, watch.statusCode(), watch.body());
    assertEquals("", watch.body().strip());
    expect(201, server.post("/api/v1/namespaces/claims/persistentvolumeclaims", """
        {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"small"},
         "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"512Mi"}}}}"""));
    expect(201, server.post("/api/v1/namespaces/claims/resourcequotas", """
        {"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"apps"},
         "spec":{"hard":{"count/deployments.apps":"0"}}}"""));
    await().atMost(WAIT).until(() -> quota("claims", "apps").path("status").path("used").has("count/deployments.apps"));
    JsonNode deployment = expect(403, server.post("/apis/apps/v1/namespaces/claims/deployments", """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
         "spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},
           "spec":{"containers":[{"name":"main","image":"busybox"}]}}}}"""));
    assertEquals("deployments.apps \"web\" is forbidden: exceeded quota: apps, requested: count/deployments.apps=1, "
        + "used: count/deployments.apps=0, limited: count/deployments.apps=0", deployment.path("message").asText());
    JsonNode invalid = expect(422, server.post("/api/v1/namespaces/claims/resourcequotas", """
        {"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"bad"},"spec":{"hard":{"pods":"-1"}}}"""));
    assertEquals("spec.hard[pods]", invalid.path("details").path("causes").path(0).path("field").asText(),
        invalid.toString());
  }

  private static String pod(String name, String cpuLimit) throws Exception {
    return Files.writeString(dataDir.resolve(name + ".yaml"), """
        apiVersion: v1
        kind: Pod
        metadata: {name: %s}
        spec:
          containers: [{name: main, image: busybox, resources: {limits: {cpu: "%s"}}}]
        """.formatted(name, cpuLimit)).toString();
  }

  private static JsonNode quota(String namespace, String name) {
    return expect(200, server.get("/api/v1/namespaces/" + namespace + "/resourcequotas/" + name));
  }

  private static Result kubectl(String... args) throws Exception {
    return KubectlRunner.run(server.base, dataDir, args);
  }
}
