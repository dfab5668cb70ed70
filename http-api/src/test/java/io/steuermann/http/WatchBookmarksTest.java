package io.steuermann.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Watch bookmarks, {@code sendInitialEvents} and {@code resourceVersionMatch}, as client-go's
 * reflectors use them.
 */
class WatchBookmarksTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("WatchBookmarksTest", TestServer.h2(dataDir)
        .withFallback(ConfigFactory.parseString("steuermann.api.watch-bookmark-interval = 200ms")));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static String pods(String ns) {
    return "/api/v1/namespaces/" + ns + "/pods";
  }

  /** The next event that is not a bookmark. */
  private static JsonNode nextChange(StreamingClient watch) {
    JsonNode e;
    do {
      e = watch.nextEvent(WAIT);
    } while (e.path("type").asText().equals("BOOKMARK"));
    return e;
  }

  private static JsonNode nextBookmark(StreamingClient watch) {
    JsonNode e;
    do {
      e = watch.nextEvent(WAIT);
    } while (!e.path("type").asText().equals("BOOKMARK"));
    return e;
  }

  @Test
  void aQuietWatchGetsBookmarksThatMoveWithChangesElsewhere() {
    server.namespace("bm-quiet");
    server.namespace("bm-busy");
    long from = TestServer.rv(TestServer.expect(200, server.get(pods("bm-quiet"))));
    try (StreamingClient watch = StreamingClient.watch(server,
        pods("bm-quiet") + "?watch=true&allowWatchBookmarks=true&resourceVersion=" + from)) {
      JsonNode first = nextBookmark(watch);
      assertEquals("Pod", first.path("object").path("kind").asText());
      assertEquals("v1", first.path("object").path("apiVersion").asText());
      long before = Long.parseLong(first.path("object").path("metadata").path("resourceVersion").asText());
      // changes in another namespace move the version the quiet watch may resume from
      long elsewhere = TestServer.rv(server.pod("bm-busy", "other", "{}"));
      long seen;
      do {
        seen = Long.parseLong(nextBookmark(watch).path("object").path("metadata").path("resourceVersion").asText());
      } while (seen < elsewhere);
      assertTrue(seen > before);
      // and a change of its own still comes as itself
      server.pod("bm-quiet", "mine", "{}");
      JsonNode added = nextChange(watch);
      assertEquals("ADDED", added.path("type").asText());
      assertEquals("mine", added.path("object").path("metadata").path("name").asText());
    }
  }

  @Test
  void noBookmarksUnlessAskedFor() {
    server.namespace("bm-none");
    server.namespace("bm-other");
    long from = TestServer.rv(TestServer.expect(200, server.get(pods("bm-none"))));
    try (StreamingClient watch = StreamingClient.watch(server, pods("bm-none") + "?watch=true&resourceVersion=" + from)) {
      server.pod("bm-other", "x", "{}");
      server.pod("bm-none", "a", "{}");
      server.pod("bm-none", "b", "{}");
      // two changes and nothing in between, though bookmarks went to other watches meanwhile
      assertEquals("ADDED", watch.nextEvent(WAIT).path("type").asText());
      assertEquals("ADDED", watch.nextEvent(WAIT).path("type").asText());
    }
  }

  @Test
  void sendInitialEventsStreamsTheObjectsThenAnEndMarkThenChanges() {
    server.namespace("bm-initial");
    server.pod("bm-initial", "one", "{}");
    server.pod("bm-initial", "two", "{}");
    try (StreamingClient watch = StreamingClient.watch(server, pods("bm-initial")
        + "?watch=true&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan")) {
      List<String> added = new ArrayList<>();
      JsonNode e = watch.nextEvent(WAIT);
      while (e.path("type").asText().equals("ADDED")) {
        added.add(e.path("object").path("metadata").path("name").asText());
        e = watch.nextEvent(WAIT);
      }
      assertEquals(List.of("one", "two"), added);
      assertEquals("BOOKMARK", e.path("type").asText());
      assertEquals("true", e.path("object").path("metadata").path("annotations").path("k8s.io/initial-events-end")
          .asText(), e.toString());
      server.pod("bm-initial", "three", "{}");
      assertEquals("three", nextChange(watch).path("object").path("metadata").path("name").asText());
    }
    JsonNode refused = TestServer.expect(422, server.get(pods("bm-initial") + "?watch=true&sendInitialEvents=true"));
    assertTrue(refused.path("message").asText().contains("sendInitialEvents"), refused.toString());
  }

  @Test
  void resourceVersionMatchExactListsTheObjectsAsTheyWereThen() {
    server.namespace("bm-exact");
    server.pod("bm-exact", "a", "{\"v\":\"1\"}");
    long then = TestServer.rv(TestServer.expect(200, server.get(pods("bm-exact"))));
    TestServer.expect(200, server.patch(pods("bm-exact") + "/a", "application/merge-patch+json",
        "{\"metadata\":{\"labels\":{\"v\":\"2\"}}}"));
    server.pod("bm-exact", "b", "{}");
    JsonNode exact = TestServer.expect(200, server.get(pods("bm-exact") + "?resourceVersion=" + then
        + "&resourceVersionMatch=Exact"));
    assertEquals(1, exact.path("items").size(), exact.toString());
    assertEquals("1", exact.path("items").path(0).path("metadata").path("labels").path("v").asText());
    assertEquals(Long.toString(then), exact.path("metadata").path("resourceVersion").asText());
    JsonNode notOlder = TestServer.expect(200, server.get(pods("bm-exact") + "?resourceVersion=" + then
        + "&resourceVersionMatch=NotOlderThan"));
    assertEquals(2, notOlder.path("items").size());
    TestServer.expect(400, server.get(pods("bm-exact") + "?resourceVersionMatch=Exact"));
    TestServer.expect(400, server.get(pods("bm-exact") + "?resourceVersion=0&resourceVersionMatch=Exact"));
    TestServer.expect(400, server.get(pods("bm-exact") + "?resourceVersion=1&resourceVersionMatch=Sometimes"));
  }
}
