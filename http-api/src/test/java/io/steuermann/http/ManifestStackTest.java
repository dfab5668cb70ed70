package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.steuermann.http.KubectlRunner.Result;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application as public examples ship it, in multi-document files of its own
 * ({@code manifests/guestbook-stack}): a database StatefulSet with a claim template behind a
 * headless Service, a frontend Deployment behind a LoadBalancer Service with an Ingress and a
 * HorizontalPodAutoscaler, a cache as a ReplicationController. Created unchanged with
 * {@code kubectl create -f <dir>} on hollow nodes; everything must become ready: pods Running
 * and Ready, claims Bound, the load balancer and the Ingress with their addresses, the
 * autoscaler active at its minimum.
 */
class ManifestStackTest {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final String NS = "guestbook";
  private static final Path STACK = Path.of("src/test/resources/manifests/guestbook-stack");

  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.startWithNodes("ManifestStackTest", TestServer.h2(dataDir).withFallback(
        ConfigFactory.parseString("""
            steuermann.controllers.enabled = true
            steuermann.node.hollow-nodes = 3
            steuermann.node.name-prefix = "stack-"
            """)));
    server.namespace(NS);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static JsonNode get(String path) {
    return TestServer.json(server.get(path));
  }

  @Test
  void anApplicationFromItsManifestsBecomesReady() throws Exception {
    Result created = KubectlRunner.run(server.base, dataDir, "create", "-f", STACK.toString(), "-n", NS);
    assertEquals(0, created.exit(), created.err());
    assertEquals(10, created.out().lines().count(), created.out());

    String core = "/api/v1/namespaces/" + NS;
    String apps = "/apis/apps/v1/namespaces/" + NS;
    await("the database").atMost(WAIT).until(() -> get(apps + "/statefulsets/postgres").path("status")
        .path("readyReplicas").asInt() == 2);
    for (String claim : new String[] {"data-postgres-0", "data-postgres-1"}) {
      await("claim " + claim).atMost(WAIT).until(() -> "Bound".equals(get(core + "/persistentvolumeclaims/" + claim)
          .path("status").path("phase").asText()));
    }
    await("the frontend").atMost(WAIT).until(() -> get(apps + "/deployments/frontend").path("status")
        .path("availableReplicas").asInt() == 3);
    await("the cache").atMost(WAIT).until(() -> get(core + "/replicationcontrollers/redis-replica").path("status")
        .path("readyReplicas").asInt() == 2);
    await("the load balancer's address").atMost(WAIT).until(() -> get(core + "/services/frontend").path("status")
        .path("loadBalancer").path("ingress").size() > 0);
    await("the Ingress's address").atMost(WAIT).until(() -> get("/apis/networking.k8s.io/v1/namespaces/" + NS
        + "/ingresses/guestbook").path("status").path("loadBalancer").path("ingress").size() > 0);
    await("the autoscaler").atMost(WAIT).until(() -> {
      JsonNode status = get("/apis/autoscaling/v2/namespaces/" + NS + "/horizontalpodautoscalers/frontend")
          .path("status");
      return status.path("currentReplicas").asInt() == 3 && condition(status, "AbleToScale").equals("True");
    });
    // the database pods have their stable DNS names behind the headless Service
    JsonNode endpoints = expect(200, server.get(core + "/endpoints/postgres"));
    assertEquals("[\"postgres-0\",\"postgres-1\"]", hostnames(endpoints));
  }

  private static String condition(JsonNode status, String type) {
    for (JsonNode c : status.path("conditions")) {
      if (c.path("type").asText().equals(type)) {
        return c.path("status").asText();
      }
    }
    return "";
  }

  private static String hostnames(JsonNode endpoints) {
    java.util.List<String> names = new java.util.ArrayList<>();
    for (JsonNode subset : endpoints.path("subsets")) {
      for (JsonNode a : subset.path("addresses")) {
        names.add(a.path("hostname").asText());
      }
    }
    java.util.Collections.sort(names);
    return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode()
        .addAll(names.stream().map(com.fasterxml.jackson.databind.node.TextNode::valueOf).toList()).toString();
  }
}
