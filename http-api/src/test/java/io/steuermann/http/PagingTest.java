package io.steuermann.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paged lists ({@code limit} and {@code continue}) as kube-apiserver pages them: every page shows
 * the objects as they were when the first page was taken, whatever changed in between.
 */
class PagingTest {
  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    // a short history, so that a continue token can expire
    server = TestServer.start("PagingTest", TestServer.h2(dataDir)
        .withFallback(ConfigFactory.parseString("steuermann.watch-cache.capacity = 60")));
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

  private static List<String> names(JsonNode list) {
    List<String> names = new ArrayList<>();
    list.path("items").forEach(i -> names.add(i.path("metadata").path("name").asText()));
    return names;
  }

  private static JsonNode page(String ns, String query) {
    return TestServer.expect(200, server.get(pods(ns) + "?" + query));
  }

  private static String next(JsonNode page) {
    return URLEncoder.encode(page.path("metadata").path("continue").asText(), StandardCharsets.UTF_8);
  }

  @Test
  void aPagedListComesInKeyOrderWithTheRemainingCountAndEnds() {
    server.namespace("paging");
    for (String name : List.of("p5", "p1", "p7", "p3", "p2", "p6", "p4")) {
      server.pod("paging", name, "{}");
    }
    JsonNode first = page("paging", "limit=3");
    assertEquals(List.of("p1", "p2", "p3"), names(first));
    assertEquals(4, first.path("metadata").path("remainingItemCount").asInt());
    JsonNode second = page("paging", "limit=3&continue=" + next(first));
    assertEquals(List.of("p4", "p5", "p6"), names(second));
    assertEquals(1, second.path("metadata").path("remainingItemCount").asInt());
    JsonNode third = page("paging", "limit=3&continue=" + next(second));
    assertEquals(List.of("p7"), names(third));
    assertFalse(third.path("metadata").has("continue"), third::toString);
    assertFalse(third.path("metadata").has("remainingItemCount"));
    String version = first.path("metadata").path("resourceVersion").asText();
    assertEquals(version, second.path("metadata").path("resourceVersion").asText());
    assertEquals(version, third.path("metadata").path("resourceVersion").asText());
    // a limit above the count: one page, no continue
    JsonNode all = page("paging", "limit=100");
    assertEquals(7, names(all).size());
    assertFalse(all.path("metadata").has("continue"));
  }

  @Test
  void laterPagesShowTheObjectsAsTheyWereAtTheFirstPage() {
    server.namespace("paging-snapshot");
    for (int i = 1; i <= 6; i++) {
      server.pod("paging-snapshot", "p" + i, "{\"v\":\"old\"}");
    }
    JsonNode first = page("paging-snapshot", "limit=2");
    assertEquals(List.of("p1", "p2"), names(first));
    TestServer.expect(200, server.delete(pods("paging-snapshot") + "/p5"));
    TestServer.expect(200, server.patch(pods("paging-snapshot") + "/p4", "application/merge-patch+json",
        "{\"metadata\":{\"labels\":{\"v\":\"new\"}}}"));
    server.pod("paging-snapshot", "p3x", "{\"v\":\"new\"}");
    JsonNode second = page("paging-snapshot", "limit=2&continue=" + next(first));
    assertEquals(List.of("p3", "p4"), names(second));
    assertEquals("old", second.path("items").path(1).path("metadata").path("labels").path("v").asText());
    JsonNode third = page("paging-snapshot", "limit=2&continue=" + next(second));
    assertEquals(List.of("p5", "p6"), names(third));
    // a new list sees the changes
    assertEquals(List.of("p1", "p2", "p3", "p3x", "p4", "p6"), names(page("paging-snapshot", "")));
  }

  @Test
  void aPagedListWithASelectorPagesOverTheMatchesAndDoesNotCount() {
    server.namespace("paging-selected");
    for (int i = 1; i <= 6; i++) {
      server.pod("paging-selected", "p" + i, "{\"odd\":\"" + (i % 2 == 1) + "\"}");
    }
    JsonNode first = page("paging-selected", "limit=2&labelSelector=odd%3Dtrue");
    assertEquals(List.of("p1", "p3"), names(first));
    assertTrue(first.path("metadata").has("continue"));
    assertFalse(first.path("metadata").has("remainingItemCount"));
    JsonNode second = page("paging-selected", "limit=2&labelSelector=odd%3Dtrue&continue=" + next(first));
    assertEquals(List.of("p5"), names(second));
    assertFalse(second.path("metadata").has("continue"));
  }

  @Test
  void badContinueTokensAndLimitsAreRefusedWith400() {
    server.namespace("paging-bad");
    JsonNode bad = TestServer.expect(400, server.get(pods("paging-bad") + "?limit=1&continue=not-a-token"));
    assertTrue(bad.path("message").asText().startsWith("continue key is not valid"), bad::toString);
    assertEquals("Status", bad.path("kind").asText());
    server.pod("paging-bad", "a", "{}");
    server.pod("paging-bad", "b", "{}");
    String token = next(page("paging-bad", "limit=1"));
    JsonNode withVersion = TestServer.expect(400,
        server.get(pods("paging-bad") + "?limit=1&resourceVersion=5&continue=" + token));
    assertEquals("specifying resource version is not allowed when using continue",
        withVersion.path("message").asText());
    TestServer.expect(400, server.get(pods("paging-bad") + "?limit=x"));
    // a token of a namespaced list does not continue a cluster-scoped one
    TestServer.expect(400, server.get("/api/v1/namespaces?limit=1&continue=" + token));
  }

  @Test
  void aContinueTokenOlderThanTheHistoryExpiresWith410() {
    server.namespace("paging-expired");
    server.pod("paging-expired", "a", "{}");
    server.pod("paging-expired", "b", "{}");
    JsonNode first = page("paging-expired", "limit=1");
    for (int i = 0; i < 70; i++) {
      server.pod("paging-expired", "later-" + i, "{}");
    }
    JsonNode expired = TestServer.expect(410, server.get(pods("paging-expired") + "?limit=1&continue=" + next(first)));
    assertEquals("Expired", expired.path("reason").asText());
  }
}
