package io.steuermann.it;

import static io.steuermann.it.ApiClient.PODS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.it.ApiClient.Reply;
import io.steuermann.it.ApiClient.Watch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A watch from a resourceVersion older than the watch cache keeps answers 410 Gone (a
 * Kubernetes Status with reason Expired), so the client lists again. The cache is made small
 * with {@code -Dsteuermann.watch-cache.capacity=50} on the server JVM, which also shows that
 * system properties override the server's configuration.
 */
@ExtendWith(ServerLogs.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TooOldResourceVersionTest {
  private static final int CAPACITY = 50;

  @Test
  void watchFromAnEvictedResourceVersionIsGone() {
    Path dataDir = Path.of("target", "it-data", "too-old-" + System.currentTimeMillis());
    try (ServerProcess server = ServerProcess.builder("too-old").systemProperty("steuermann.controllers.enabled", "false").dataDir(dataDir)
        .systemProperty("steuermann.watch-cache.capacity", Integer.toString(CAPACITY))
        .start()) {
      ApiClient api = server.api();
      java.util.List<Long> rvs = new java.util.ArrayList<>();
      long firstRv = 0;
      long lastRv = 0;
      for (int i = 0; i < CAPACITY + 20; i++) {
        Reply created = api.create(PODS, ApiClient.pod("old-" + i));
        assertEquals(201, created.status(), created.toString());
        lastRv = created.resourceVersion();
        rvs.add(lastRv);
        if (i == 0) {
          firstRv = created.resourceVersion();
        }
      }

      try (Watch gone = api.watch(PODS, 1)) {
        assertEquals(410, gone.awaitStatus(Duration.ofSeconds(10)),
            "a watch from resourceVersion 1 after " + (CAPACITY + 20) + " changes with a cache of "
                + CAPACITY + " (if 200: -Dsteuermann.watch-cache.capacity was not honoured)");
        JsonNode status = gone.errorBody();
        assertEquals("Status", status.path("kind").asText(), status.toString());
        assertEquals("Failure", status.path("status").asText(), status.toString());
        assertEquals("Expired", status.path("reason").asText(), status.toString());
        assertEquals(410, status.path("code").asInt(), status.toString());
      }
      try (Watch alsoGone = api.watch(PODS, firstRv)) {
        assertEquals(410, alsoGone.awaitStatus(Duration.ofSeconds(10)),
            "the first pod's resourceVersion " + firstRv + " is evicted too");
      }

      // within the cache: replays exactly the changes after it
      long from = lastRv - 10;
      try (Watch recent = api.watch(PODS, from)) {
        assertEquals(200, recent.awaitStatus(Duration.ofSeconds(10)), () -> "" + recent.errorBody());
        long last = lastRv;
        List<JsonNode> events = recent.takeUntil(e -> rv(e) >= last, Duration.ofSeconds(10));
        long expected = rvs.stream().filter(v -> v > from).count();
        assertEquals(expected, events.size(), "events after " + from + ": "
            + events.stream().map(Watch::describe).toList());
        assertTrue(events.stream().allMatch(e -> "ADDED".equals(e.path("type").asText())));
      }
    }
  }

  private static long rv(JsonNode event) {
    return Long.parseLong(event.path("object").path("metadata").path("resourceVersion").asText("0"));
  }
}
