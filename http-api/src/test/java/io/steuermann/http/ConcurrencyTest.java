package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static io.steuermann.http.TestServer.rv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Optimistic concurrency under contention: many clients read-modify-write one object with
 * the resourceVersion they read as precondition. No update is lost, every loser gets 409,
 * and a watch sees each accepted write exactly once, in order.
 */
class ConcurrencyTest {
  private static final String NS = "contended";
  private static final String PODS = "/api/v1/namespaces/" + NS + "/pods";
  private static final int CLIENTS = 16;
  private static final int SUCCESSES_EACH = 5;

  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("ConcurrencyTest", TestServer.h2(dataDir));
    server.namespace(NS);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static int counter(JsonNode object) {
    return Integer.parseInt(object.path("metadata").path("annotations").path("counter").asText("0"));
  }

  @Test
  void noLostUpdatesAndEveryAcceptedWriteIsWatchedOnce() throws Exception {
    ObjectNode created = server.pod(NS, "counter", "{\"app\":\"counter\"}");
    try (StreamingClient watch = StreamingClient.watch(server,
        PODS + "?watch=true&fieldSelector=metadata.name%3Dcounter&resourceVersion=" + rv(created))) {
      Map<Long, Integer> accepted = new ConcurrentHashMap<>(); // resourceVersion -> counter written
      List<String> unexpected = new CopyOnWriteArrayList<>();
      AtomicInteger conflicts = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
      try {
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
          boolean usePatch = c % 2 == 0;
          clients.add(pool.submit(() -> {
            int successes = 0;
            while (successes < SUCCESSES_EACH) {
              JsonNode current = expect(200, server.get(PODS + "/counter"));
              int next = counter(current) + 1;
              HttpResponse<String> response;
              if (usePatch) {
                response = server.patch(PODS + "/counter", "application/merge-patch+json",
                    "{\"metadata\":{\"resourceVersion\":\"" + rv(current) + "\",\"annotations\":{\"counter\":\""
                        + next + "\"}}}");
              } else {
                ObjectNode update = current.deepCopy();
                ((ObjectNode) update.get("metadata")).putObject("annotations").put("counter", Integer.toString(next));
                response = server.put(PODS + "/counter", update.toString());
              }
              if (response.statusCode() == 200) {
                JsonNode written = TestServer.json(response);
                assertEquals(next, counter(written));
                Integer previous = accepted.put(rv(written), next);
                if (previous != null) {
                  unexpected.add("resourceVersion " + rv(written) + " answered twice");
                }
                successes++;
              } else if (response.statusCode() == 409) {
                conflicts.incrementAndGet();
                assertEquals("Conflict", TestServer.json(response).path("reason").asText());
              } else {
                unexpected.add(response.statusCode() + ": " + response.body());
              }
            }
            return null;
          }));
        }
        for (Future<?> client : clients) {
          client.get(90, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      assertEquals(List.of(), unexpected, "every write is accepted or 409");
      int total = CLIENTS * SUCCESSES_EACH;
      assertEquals(total, accepted.size());
      JsonNode last = expect(200, server.get(PODS + "/counter"));
      assertEquals(total, counter(last), "lost update: the counter is not the number of accepted writes");
      assertTrue(conflicts.get() > 0, "16 clients on one object must have collided");

      // accepted writes, in resourceVersion order, count 1, 2, 3, ...
      TreeMap<Long, Integer> ordered = new TreeMap<>(accepted);
      List<Integer> counts = new ArrayList<>(ordered.values());
      List<Integer> expected = new ArrayList<>();
      for (int i = 1; i <= total; i++) {
        expected.add(i);
      }
      assertEquals(expected, counts);

      // a last, marker write ends what the watch must have seen
      expect(200, server.patch(PODS + "/counter", "application/merge-patch+json",
          "{\"metadata\":{\"annotations\":{\"done\":\"yes\"}}}"));
      List<Long> watched = new ArrayList<>();
      while (true) {
        JsonNode event = watch.nextEvent(Duration.ofSeconds(10));
        assertEquals("MODIFIED", event.path("type").asText(), event::toString);
        JsonNode object = event.path("object");
        if (object.path("metadata").path("annotations").has("done")) {
          break;
        }
        watched.add(rv(object));
        assertEquals(accepted.get(rv(object)), counter(object), () -> "watched " + object);
      }
      assertEquals(new ArrayList<>(ordered.keySet()), watched,
          "the watch must see each accepted write once, in resourceVersion order");
      List<Long> sorted = new ArrayList<>(watched);
      Collections.sort(sorted);
      assertEquals(sorted, watched);
    }
  }
}
