package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static io.steuermann.http.TestServer.rv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The round trip every store must pass: create, get, list and watch on a server, stop its
 * whole actor system, start a new one on the same store, and find every object with the same
 * resourceVersion, the watch history intact, and new writes ordered after the old ones.
 */
abstract class StoreRoundTrip {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String NS = "round-trip";
  private static final String PODS = "/api/v1/namespaces/" + NS + "/pods";

  /** The store configuration ({@code steuermann.store}) of both incarnations. */
  protected abstract Config store();

  @Test
  void objectsAndResourceVersionsSurviveARestartOfTheActorSystem() {
    JsonNode listBefore;
    JsonNode podBefore;
    JsonNode deploymentBefore;
    JsonNode secretBefore;
    long afterFirst;
    List<String> watchedBefore = new ArrayList<>();
    try (TestServer first = TestServer.start("RoundTrip1", store())) {
      first.namespace(NS);
      long p1 = rv(first.pod(NS, "p1", "{\"app\":\"web\"}"));
      afterFirst = p1;
      first.pod(NS, "p2", "{\"app\":\"web\"}");
      expect(200, first.patch(PODS + "/p1", "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"v\":\"2\"}}}"));
      expect(200, first.delete(PODS + "/p2"));
      deploymentBefore = expect(201, first.post("/apis/apps/v1/namespaces/" + NS + "/deployments", """
          {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
           "spec":{"replicas":0,"selector":{"matchLabels":{"app":"x"}},
                   "template":{"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"c","image":"x"}]}}}}"""));
      // sealed in the journal: opened again by the next incarnation
      secretBefore = expect(201, first.post("/api/v1/namespaces/" + NS + "/secrets",
          "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\"},"
              + "\"stringData\":{\"password\":\"round-trip\"}}"));
      podBefore = expect(200, first.get(PODS + "/p1"));
      assertEquals("2", podBefore.path("metadata").path("labels").path("v").asText());
      listBefore = expect(200, first.get(PODS));
      try (StreamingClient watch = StreamingClient.watch(first, PODS + "?watch=true&resourceVersion=" + afterFirst)) {
        for (int i = 0; i < 3; i++) {
          watchedBefore.add(watch.nextEvent(WAIT).toString());
        }
      }
    }

    try (TestServer second = TestServer.start("RoundTrip2", store())) {
      JsonNode podAfter = expect(200, second.get(PODS + "/p1"));
      assertEquals(podBefore, podAfter, "the object and its resourceVersion survive the restart");
      assertEquals(deploymentBefore, expect(200, second.get("/apis/apps/v1/namespaces/" + NS + "/deployments/d")));
      assertEquals(secretBefore, expect(200, second.get("/api/v1/namespaces/" + NS + "/secrets/s")));
      expect(404, second.get(PODS + "/p2"));
      JsonNode listAfter = expect(200, second.get(PODS));
      assertEquals(listBefore.path("items"), listAfter.path("items"));
      assertTrue(rv(listAfter) >= rv(listBefore));

      // the watch history is rebuilt from the journal
      List<String> watchedAfter = new ArrayList<>();
      try (StreamingClient watch = StreamingClient.watch(second, PODS + "?watch=true&resourceVersion=" + afterFirst)) {
        for (int i = 0; i < 3; i++) {
          watchedAfter.add(watch.nextEvent(WAIT).toString());
        }
      }
      assertEquals(watchedBefore, watchedAfter);

      // conflict checks use the recovered version; new writes come after the old ones
      JsonNode stale = podBefore.deepCopy();
      ((com.fasterxml.jackson.databind.node.ObjectNode) stale.path("metadata"))
          .put("resourceVersion", Long.toString(afterFirst));
      expect(409, second.put(PODS + "/p1", stale.toString()));
      JsonNode updated = expect(200, second.put(PODS + "/p1", podAfter.toString().replace("\"v\":\"2\"", "\"v\":\"3\"")));
      assertTrue(rv(updated) > rv(listBefore));
      long p3 = rv(second.pod(NS, "p3", "{}"));
      assertTrue(p3 > rv(updated));
      try (StreamingClient watch = StreamingClient.watch(second, PODS + "?watch=true&resourceVersion=" + rv(listAfter))) {
        assertEquals("MODIFIED", watch.nextEvent(WAIT).path("type").asText());
        assertEquals("p3", watch.nextEvent(WAIT).path("object").path("metadata").path("name").asText());
      }
    }
  }
}
