package io.steuermann.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Server-sent events with {@code sendInitialEvents=true}, as the dashboard opens them: the
 * objects as ADDED without ids (a reconnect in the middle must not resume past objects it
 * never got), a BOOKMARK marked {@code k8s.io/initial-events-end} whose id is the list's
 * version, then changes with their versions; a reconnect with Last-Event-ID resumes and lists
 * nothing again.
 */
class SseInitialEventsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("SseInitialEventsTest", TestServer.h2(dataDir));
    server.namespace("sse");
    for (int i = 0; i < 3; i++) {
      server.pod("sse", "p" + i, "{\"app\":\"x\"}");
    }
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void initialObjectsCarryNoIdsAndABookmarkEndsThem() {
    String bookmarkId;
    try (StreamingClient events = StreamingClient.events(server,
        "/api/v1/namespaces/sse/pods?sendInitialEvents=true", null)) {
      Set<String> names = new HashSet<>();
      StreamingClient.Sse e;
      while (!"BOOKMARK".equals((e = events.nextSse(WAIT)).event())) {
        assertEquals("ADDED", e.event());
        assertNull(e.id(), "an initial event has no id");
        names.add(e.data().path("object").path("metadata").path("name").asText());
      }
      assertEquals(Set.of("p0", "p1", "p2"), names);
      assertEquals("true", e.data().path("object").path("metadata").path("annotations")
          .path("k8s.io/initial-events-end").asText());
      assertEquals(e.id(), e.data().path("object").path("metadata").path("resourceVersion").asText());
      assertEquals("Pod", e.data().path("object").path("kind").asText());
      bookmarkId = e.id();
      long created = TestServer.rv(server.pod("sse", "p3", "{\"app\":\"x\"}"));
      StreamingClient.Sse added = events.nextSse(WAIT);
      assertEquals("ADDED", added.event());
      assertEquals(Long.toString(created), added.id());
    }
    // a reconnect resumes after the bookmark: only what came after it, no list again
    try (StreamingClient resumed = StreamingClient.events(server,
        "/api/v1/namespaces/sse/pods?sendInitialEvents=true", bookmarkId)) {
      StreamingClient.Sse e = resumed.nextSse(WAIT);
      assertEquals("ADDED", e.event());
      assertEquals("p3", e.data().path("object").path("metadata").path("name").asText());
      assertTrue(Long.parseLong(e.id()) > Long.parseLong(bookmarkId));
    }
  }

  @Test
  void theChangeStreamOfEveryKindEndsItsListWithABookmarkToo() {
    try (StreamingClient events = StreamingClient.events(server, "/changes?sendInitialEvents=true", null)) {
      Set<String> kinds = new HashSet<>();
      StreamingClient.Sse e;
      while (!"BOOKMARK".equals((e = events.nextSse(WAIT)).event())) {
        assertNull(e.id());
        kinds.add(e.data().path("object").path("kind").asText());
      }
      assertTrue(kinds.containsAll(Set.of("Namespace", "Pod")), kinds::toString);
      assertEquals("true", e.data().path("object").path("metadata").path("annotations")
          .path("k8s.io/initial-events-end").asText());
    }
  }
}
