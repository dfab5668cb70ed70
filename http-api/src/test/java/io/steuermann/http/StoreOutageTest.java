package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL goes away under a running server (a relay in front of it cut: every connection
 * closed, new ones refused) and comes back: writes fail fast with 503 naming the store, never
 * waiting out the ask timeout; /readyz says why; reads at resourceVersion=0 go on from the watch
 * cache; and once
 * the database answers again writes succeed, without a restart, with nothing lost.
 */
class StoreOutageTest {
  private static final String PODS = "/api/v1/namespaces/default/pods";

  private PostgresTestDatabase db;
  private TcpRelay relay;

  @BeforeEach
  void setUp() {
    db = PostgresTestDatabase.create("steuermann_outage");
    relay = new TcpRelay(db.port());
  }

  @AfterEach
  void tearDown() throws Exception {
    relay.close();
    db.close();
  }

  @Test
  void writesFailFastWhileTheDatabaseIsGoneAndWorkWhenItReturns() {
    try (TestServer server = TestServer.start("StoreOutage", db.storeVia("127.0.0.1", relay.port()))) {
      server.pod("default", "before", "{}");
      // the watch cache learns of the pod from the change feed, a moment after the write
      await("the cache shows the pod").atMost(Duration.ofSeconds(30))
          .until(() -> server.get(PODS + "?resourceVersion=0").body().contains("\"before\""));
      relay.cut();

      long start = System.nanoTime();
      HttpResponse<String> first = server.post(PODS, TestServer.podJson("during-1", "{}"));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      System.out.printf("[outage] the first write after the database went away answered %d in %d ms%n",
          first.statusCode(), took.toMillis());
      assertEquals(503, first.statusCode(), first.body());
      // the ask timeout is 30 s: failing fast means answering long before it
      assertTrue(took.compareTo(Duration.ofSeconds(8)) < 0, "the first write took " + took);
      JsonNode refused = expect(503, server.post(PODS, TestServer.podJson("during-2", "{}")));
      assertEquals("ServiceUnavailable", refused.path("reason").asText());
      assertTrue(refused.path("message").asText().startsWith("the store cannot write since"), refused.toString());

      HttpResponse<String> ready = server.get("/readyz?verbose");
      assertEquals(500, ready.statusCode(), ready.body());
      assertTrue(ready.body().contains("[-]store failed"), ready.body());
      // reads that accept the cache's state (resourceVersion=0) go on; consistent reads need the store
      assertEquals("before", expect(200, server.get(PODS + "?resourceVersion=0")).path("items").path(0)
          .path("metadata").path("name").asText());

      relay.restore();
      long restored = System.nanoTime();
      await("writes work again").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
          .until(() -> server.post(PODS, TestServer.podJson("after", "{}")).statusCode() == 201);
      System.out.printf("[outage] writes work again %d ms after the database returned%n",
          Duration.ofNanos(System.nanoTime() - restored).toMillis());
      assertEquals(200, server.get("/readyz").statusCode());
      expect(200, server.get(PODS + "/before"));
      await("the feed shows the new pod").atMost(Duration.ofSeconds(30))
          .until(() -> server.get(PODS + "/after").statusCode() == 200);
      // the refused writes were not stored
      assertEquals(404, server.get(PODS + "/during-2").statusCode());
    }
  }
}
