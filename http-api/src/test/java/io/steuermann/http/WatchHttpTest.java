package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static io.steuermann.http.TestServer.rv;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lists, watches and server-sent events over HTTP, with selectors. */
class WatchHttpTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("WatchHttpTest", TestServer.h2(dataDir));
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

  private static String q(String selector) {
    return URLEncoder.encode(selector, StandardCharsets.UTF_8);
  }

  private static List<String> names(JsonNode list) {
    List<String> names = new ArrayList<>();
    list.path("items").forEach(i -> names.add(i.path("metadata").path("namespace").asText()
        + "/" + i.path("metadata").path("name").asText()));
    return names;
  }

  private static String describe(JsonNode event) {
    return event.path("type").asText() + " " + event.path("object").path("metadata").path("name").asText();
  }

  @Test
  void watchFromAListSeesEachLaterChangeOnce() {
    String ns = "watch-list";
    server.namespace(ns);
    server.pod(ns, "a", "{}");
    server.pod(ns, "b", "{}");
    JsonNode list = expect(200, server.get(pods(ns)));
    assertEquals("PodList", list.path("kind").asText());
    assertEquals(List.of(ns + "/a", ns + "/b"), names(list));
    long listed = rv(list);

    try (StreamingClient watch = StreamingClient.watch(server, pods(ns) + "?watch=true&resourceVersion=" + listed)) {
      server.pod(ns, "c", "{}");
      expect(200, server.patch(pods(ns) + "/a", "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"x\":\"y\"}}}"));
      expect(200, server.delete(pods(ns) + "/b"));
      server.pod(ns, "zz-end", "{}");

      List<String> seen = new ArrayList<>();
      long last = listed;
      while (seen.isEmpty() || !seen.get(seen.size() - 1).equals("ADDED zz-end")) {
        JsonNode event = watch.nextEvent(WAIT);
        seen.add(describe(event));
        long v = rv(event.path("object"));
        assertTrue(v > last, () -> "versions must increase: " + event);
        last = v;
      }
      assertEquals(List.of("ADDED c", "MODIFIED a", "DELETED b", "ADDED zz-end"), seen);
    }
    // the old /watch/ prefix
    try (StreamingClient watch = StreamingClient.watch(server,
        "/api/v1/watch/namespaces/" + ns + "/pods?resourceVersion=" + listed)) {
      assertEquals("ADDED c", describe(watch.nextEvent(WAIT)));
    }
  }

  @Test
  void watchWithoutAVersionStartsWithTheCurrentObjects() {
    String ns = "watch-zero";
    server.namespace(ns);
    server.pod(ns, "a", "{}");
    try (StreamingClient watch = StreamingClient.watch(server, pods(ns) + "?watch=1")) {
      assertEquals("ADDED a", describe(watch.nextEvent(WAIT)));
      server.pod(ns, "b", "{}");
      assertEquals("ADDED b", describe(watch.nextEvent(WAIT)));
    }
  }

  @Test
  void watchEndsAfterTimeoutSeconds() {
    String ns = "watch-timeout";
    server.namespace(ns);
    try (StreamingClient watch = StreamingClient.watch(server, pods(ns) + "?watch=true&timeoutSeconds=1")) {
      assertEquals(null, watch.nextLine(WAIT));
    }
  }

  @Test
  void serverSentEventsCarryTheResourceVersionAsIdAndResumeWithLastEventId() {
    String ns = "sse";
    server.namespace(ns);
    long listed = rv(expect(200, server.get(pods(ns))));
    List<Long> created = new ArrayList<>();
    String lastId;
    try (StreamingClient events = StreamingClient.events(server, pods(ns) + "?resourceVersion=" + listed, null)) {
      assertTrue(events.response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
      created.add(rv(server.pod(ns, "p1", "{}")));
      created.add(rv(server.pod(ns, "p2", "{}")));
      StreamingClient.Sse first = events.nextSse(WAIT);
      StreamingClient.Sse second = events.nextSse(WAIT);
      assertEquals(Long.toString(created.get(0)), first.id());
      assertEquals("ADDED", first.event());
      assertEquals("ADDED", first.data().path("type").asText());
      assertEquals("p1", first.data().path("object").path("metadata").path("name").asText());
      assertEquals(first.id(), first.data().path("object").path("metadata").path("resourceVersion").asText());
      assertEquals(Long.toString(created.get(1)), second.id());
      lastId = second.id();
    }
    // changes while disconnected are delivered on resumption, and nothing twice
    long p3 = rv(server.pod(ns, "p3", "{}"));
    long p1Deleted = rv(expect(200, server.delete(pods(ns) + "/p1")));
    try (StreamingClient events = StreamingClient.events(server, pods(ns), lastId)) {
      StreamingClient.Sse third = events.nextSse(WAIT);
      assertEquals(Long.toString(p3), third.id());
      assertEquals("p3", third.data().path("object").path("metadata").path("name").asText());
      StreamingClient.Sse deleted = events.nextSse(WAIT);
      assertEquals("DELETED", deleted.event());
      assertEquals(Long.toString(p1Deleted), deleted.id());
    }
    // without Last-Event-ID an event stream starts with the current objects
    try (StreamingClient events = StreamingClient.events(server, pods(ns), null)) {
      Set<String> added = new HashSet<>();
      added.add(events.nextSse(WAIT).data().path("object").path("metadata").path("name").asText());
      added.add(events.nextSse(WAIT).data().path("object").path("metadata").path("name").asText());
      assertEquals(Set.of("p2", "p3"), added);
    }
  }

  @Test
  void theChangeStreamCarriesEveryKind() {
    long from = rv(expect(200, server.get("/api/v1/namespaces")));
    try (StreamingClient changes = StreamingClient.events(server, "/changes?resourceVersion=" + from, null)) {
      server.namespace("changes");
      server.pod("changes", "p", "{}");
      expect(201, server.post("/api/v1/namespaces/changes/services", """
          {"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},
           "spec":{"selector":{"app":"x"},"ports":[{"port":80}]}}"""));
      expect(201, server.post("/apis/apps/v1/namespaces/changes/deployments", """
          {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
           "spec":{"replicas":0,"selector":{"matchLabels":{"app":"x"}},
                   "template":{"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"c","image":"x"}]}}}}"""));
      Set<String> kinds = new HashSet<>();
      long last = from;
      while (!kinds.containsAll(Set.of("Namespace", "Pod", "Service", "Deployment"))) {
        StreamingClient.Sse e = changes.nextSse(WAIT);
        assertNotNull(e.id());
        assertTrue(Long.parseLong(e.id()) > last, "ids increase");
        last = Long.parseLong(e.id());
        kinds.add(e.data().path("object").path("kind").asText());
      }
    }
  }

  @Test
  void theChangeStreamIsAnEventStreamWhateverTheClientAccepts() {
    // curl sends "Accept: */*"; /changes has only the one representation
    for (String accept : List.of("*/*", "application/json")) {
      StreamingClient changes = StreamingClient.open(server, server.request("/changes?timeoutSeconds=1")
          .header("Accept", accept).GET().build());
      try (changes) {
        assertEquals(200, changes.response.statusCode());
        assertTrue(changes.response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"),
            () -> "Accept " + accept + ": Content-Type " + changes.response.headers().firstValue("Content-Type"));
      }
    }
  }

  @Test
  void labelAndFieldSelectorsInANamespaceAndAcrossNamespaces() {
    server.namespace("sel-a");
    server.namespace("sel-b");
    server.pod("sel-a", "x1", "{\"app\":\"x\",\"tier\":\"front\"}");
    server.pod("sel-a", "y1", "{\"app\":\"y\"}");
    server.pod("sel-b", "x2", "{\"app\":\"x\"}");
    expect(201, server.post(pods("sel-b"), """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"x3","labels":{"app":"x"}},
         "spec":{"nodeName":"node-7","containers":[{"name":"main","image":"busybox:1.36"}]}}"""));
    // status is written on its subresource only
    ObjectNode status = (ObjectNode) expect(200, server.get(pods("sel-b") + "/x2"));
    ((ObjectNode) status.get("status")).put("phase", "Running");
    expect(200, server.put(pods("sel-b") + "/x2/status", status.toString()));

    assertEquals(List.of("sel-a/x1", "sel-b/x2", "sel-b/x3"),
        names(expect(200, server.get("/api/v1/pods?labelSelector=app%3Dx"))));
    assertEquals(List.of("sel-a/x1"), names(expect(200, server.get(pods("sel-a") + "?labelSelector=app%3Dx"))));
    assertEquals(List.of("sel-a/x1"), names(expect(200, server.get("/api/v1/pods?labelSelector=" + q("app=x,tier in (front)")))));
    assertEquals(List.of("sel-a/y1"), names(expect(200, server.get("/api/v1/pods?labelSelector=" + q("app!=x") + "&fieldSelector="
        + q("metadata.namespace=sel-a")))));
    assertEquals(List.of("sel-b/x2", "sel-b/x3"),
        names(expect(200, server.get("/api/v1/pods?fieldSelector=" + q("metadata.namespace=sel-b")))));
    assertEquals(List.of("sel-b/x3"), names(expect(200, server.get("/api/v1/pods?fieldSelector=" + q("spec.nodeName=node-7")))));
    assertEquals(List.of("sel-b/x2"), names(expect(200, server.get("/api/v1/pods?fieldSelector=" + q("status.phase=Running")))));
    assertEquals(List.of("sel-a/y1"), names(expect(200, server.get("/api/v1/pods?fieldSelector=" + q("metadata.name=y1")))));
    assertEquals(List.of("sel-a/x1"), names(expect(200, server.get(pods("sel-a") + "?labelSelector=app%3Dx&fieldSelector="
        + q("status.phase=Pending,spec.nodeName=")))));

    assertEquals("BadRequest", expect(400, server.get("/api/v1/pods?fieldSelector=" + q("spec.bogus=1"))).path("reason").asText());
    assertEquals("BadRequest", expect(400, server.get("/api/v1/pods?labelSelector=" + q("app in x"))).path("reason").asText());
  }

  @Test
  void aWatchWithASelectorSeesObjectsEnterAndLeave() {
    String ns = "sel-watch";
    server.namespace(ns);
    long from = rv(server.pod(ns, "p", "{\"app\":\"db\"}"));
    try (StreamingClient watch = StreamingClient.watch(server,
        "/api/v1/pods?watch=true&labelSelector=app%3Dweb&resourceVersion=" + from)) {
      expect(200, server.patch(pods(ns) + "/p", "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"app\":\"web\"}}}"));
      expect(200, server.patch(pods(ns) + "/p", "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"app\":\"cache\"}}}"));
      assertEquals("ADDED p", describe(watch.nextEvent(WAIT)));
      assertEquals("DELETED p", describe(watch.nextEvent(WAIT)));
    }
  }

  @Test
  void aListRightAfterAnAcknowledgedWriteContainsIt() {
    String ns = "ryw";
    server.namespace(ns);
    for (int i = 0; i < 40; i++) {
      String name = "p" + i;
      long created = rv(server.pod(ns, name, "{}"));
      JsonNode list = expect(200, server.get(pods(ns)));
      assertTrue(names(list).contains(ns + "/" + name), () -> "list after create misses " + name);
      assertTrue(rv(list) >= created);
      expect(200, server.delete(pods(ns) + "/" + name));
      assertTrue(!names(expect(200, server.get("/api/v1/pods"))).contains(ns + "/" + name),
          () -> "list after delete still has " + name);
    }
  }

  @Test
  void aClientThatHangsUpEndsItsWatch() throws Exception {
    String ns = "hang-up";
    server.namespace(ns);
    int before = server.engine.cache().watcherCount();
    List<java.net.Socket> clients = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      java.net.Socket socket = new java.net.Socket(server.base.getHost(), server.base.getPort());
      String accept = i % 2 == 0 ? "application/json" : "text/event-stream";
      socket.getOutputStream().write(("GET " + pods(ns) + "?watch=true HTTP/1.1\r\nHost: localhost\r\nAccept: "
          + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
          StandardCharsets.US_ASCII));
      assertTrue(in.readLine().startsWith("HTTP/1.1 200"));
      clients.add(socket);
    }
    await().atMost(WAIT).until(() -> server.engine.cache().watcherCount() == before + 6);
    for (java.net.Socket socket : clients) {
      socket.close();
    }
    // the server notices when it next writes to them, at the latest
    for (int i = 0; i < 3; i++) {
      server.pod(ns, "wake-" + i, "{}");
    }
    await().atMost(WAIT).untilAsserted(() -> assertEquals(before, server.engine.cache().watcherCount(),
        "watches of clients that hung up are still registered"));
  }

  @Test
  void aWatchFromAnUnparseableVersionIsBadRequest() {
    String ns = "watch-gone";
    server.namespace(ns);
    assertEquals("BadRequest", expect(400, server.get(pods(ns) + "?watch=true&resourceVersion=abc")).path("reason").asText());
  }
}
