package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static io.steuermann.http.TestServer.podJson;
import static io.steuermann.http.TestServer.rv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server with small limits: at most 4 writes in flight (beyond: 429 with Retry-After, and
 * nothing half-done), and a watch cache that remembers only a few changes (older: 410 Gone).
 */
class OverloadTest {
  private static final String NS = "overload";
  private static final String PODS = "/api/v1/namespaces/" + NS + "/pods";

  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("OverloadTest", ConfigFactory.parseString("""
        steuermann.api.max-writes-in-flight = 4
        steuermann.watch-cache.capacity = 20
        """).withFallback(TestServer.h2(dataDir)));
    server.namespace(NS);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void writesBeyondTheBoundAreRefusedWholeWith429() throws Exception {
    int total = 200;
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      HttpRequest request = server.request(PODS).header("Content-Type", "application/json")
          .POST(BodyPublishers.ofString(podJson("p" + i, "{\"storm\":\"1\"}"))).build();
      responses.add(server.client.sendAsync(request, BodyHandlers.ofString()));
    }
    Set<String> createdNames = new HashSet<>();
    int tooMany = 0;
    for (CompletableFuture<HttpResponse<String>> f : responses) {
      HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
      if (r.statusCode() == 201) {
        createdNames.add(TestServer.json(r).path("metadata").path("name").asText());
      } else {
        assertEquals(429, r.statusCode(), r::body);
        JsonNode status = TestServer.json(r);
        assertEquals("TooManyRequests", status.path("reason").asText());
        assertEquals(429, status.path("code").asInt());
        String retryAfter = r.headers().firstValue("Retry-After").orElse("");
        assertTrue(retryAfter.matches("\\d+"), () -> "Retry-After: '" + retryAfter + "'");
        tooMany++;
      }
    }
    assertTrue(tooMany > 0, "200 concurrent writes against a bound of 4 must be refused in part");
    assertTrue(!createdNames.isEmpty(), "some writes must get through");

    JsonNode list = expect(200, server.get(PODS + "?labelSelector=storm%3D1"));
    Set<String> stored = new HashSet<>();
    list.path("items").forEach(i -> stored.add(i.path("metadata").path("name").asText()));
    assertEquals(createdNames, stored, "stored objects must be exactly the acknowledged ones");
    assertEquals(total, createdNames.size() + tooMany);

    // the slots are all released again: sequential writes go through
    for (int i = 0; i < 8; i++) {
      server.pod(NS, "after-" + i, "{}");
    }
  }

  @Test
  void aWatchFromBeforeTheRememberedHistoryIsGone() {
    long start = rv(server.pod(NS, "gone-0", "{}"));
    for (int i = 1; i <= 25; i++) {
      server.pod(NS, "gone-" + i, "{}");
    }
    JsonNode status = expect(410, server.get(PODS + "?watch=true&resourceVersion=" + start));
    assertEquals("Status", status.path("kind").asText());
    assertEquals("Expired", status.path("reason").asText());
    assertEquals(410, status.path("code").asInt());
    // a list is never too old, and a watch from it works
    long listed = rv(expect(200, server.get(PODS)));
    try (StreamingClient watch = StreamingClient.watch(server, PODS + "?watch=true&resourceVersion=" + listed)) {
      server.pod(NS, "gone-after", "{}");
      assertEquals("gone-after", watch.nextEvent(java.time.Duration.ofSeconds(10))
          .path("object").path("metadata").path("name").asText());
    }
  }
}
