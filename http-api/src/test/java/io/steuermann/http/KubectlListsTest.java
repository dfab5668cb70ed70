package io.steuermann.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.steuermann.http.KubectlRunner.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real kubectl (on the PATH of every machine of this kind) on lists: it pages with
 * {@code limit}/{@code continue} and must show every page, and {@code kubectl events --for}
 * selects events by the object they are about.
 */
class KubectlListsTest {
  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("KubectlListsTest", TestServer.h2(dataDir));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static Result kubectl(String... args) throws IOException, InterruptedException {
    return KubectlRunner.run(server.base, dataDir, args);
  }

  @Test
  void kubectlGetShowsEveryPageOfAChunkedList() throws Exception {
    server.namespace("chunks");
    for (int i = 1; i <= 7; i++) {
      server.pod("chunks", "pod-" + i, "{}");
    }
    Result table = kubectl("get", "pods", "-n", "chunks", "--chunk-size=2");
    assertEquals(0, table.exit(), table.err());
    for (int i = 1; i <= 7; i++) {
      assertTrue(table.out().contains("pod-" + i), "pod-" + i + " missing from:\n" + table.out());
    }
    // one header: the pages are one table
    assertEquals(1, table.out().lines().filter(l -> l.startsWith("NAME")).count(), table.out());
    Result names = kubectl("get", "pods", "-n", "chunks", "--chunk-size=3", "-o", "name");
    assertEquals(0, names.exit(), names.err());
    assertEquals(List.of("pod/pod-1", "pod/pod-2", "pod/pod-3", "pod/pod-4", "pod/pod-5", "pod/pod-6", "pod/pod-7"),
        names.out().lines().toList());
  }

  @Test
  void kubectlEventsForAPodShowsOnlyThatPodsEvents() throws Exception {
    server.namespace("events");
    server.pod("events", "web-1", "{}");
    server.pod("events", "web-2", "{}");
    event("events", "web-1", "Pod", "BackOffOfWebOne");
    event("events", "web-2", "Pod", "PulledWebTwo");
    Result result = kubectl("events", "-n", "events", "--for", "pod/web-1");
    assertEquals(0, result.exit(), result.err());
    assertTrue(result.out().contains("BackOffOfWebOne"), result.out());
    assertFalse(result.out().contains("PulledWebTwo"), result.out());
  }

  private static void event(String ns, String podName, String kind, String reason) {
    TestServer.expect(201, server.post("/api/v1/namespaces/" + ns + "/events", """
        {"apiVersion":"v1","kind":"Event","metadata":{"name":"%s.%s"},
         "involvedObject":{"apiVersion":"v1","kind":"%s","name":"%s","namespace":"%s"},
         "reason":"%s","message":"about %s","type":"Normal","count":1,
         "firstTimestamp":"2026-12-07T01:00:00Z","lastTimestamp":"2026-12-07T01:00:00Z",
         "source":{"component":"test"}}""".formatted(podName, reason.toLowerCase(), kind, podName, ns, reason,
        podName)));
  }
}
