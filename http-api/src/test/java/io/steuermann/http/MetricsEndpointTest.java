package io.steuermann.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics}: the server's requests, watches and JVM in Prometheus' text format. */
class MetricsEndpointTest {
  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("MetricsEndpointTest", TestServer.h2(dataDir));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** The value of the sample whose name and labels match {@code pattern} (a regex of the line's head), or -1. */
  private static double sample(String text, String head) {
    Matcher m = Pattern.compile("(?m)^" + head + " ([0-9.eE+-]+)$").matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }

  @Test
  void requestsAreCountedByVerbResourceAndCode() {
    server.namespace("metrics");
    server.pod("metrics", "a", "{}");
    server.pod("metrics", "b", "{}");
    TestServer.expect(200, server.get("/api/v1/namespaces/metrics/pods"));
    TestServer.expect(404, server.get("/api/v1/namespaces/metrics/pods/ghost"));
    HttpResponse<String> scraped = server.get("/metrics");
    assertEquals(200, scraped.statusCode());
    assertTrue(scraped.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
        scraped.headers().toString());
    String text = scraped.body();
    assertEquals(2.0, sample(text, "apiserver_request_total\\{code=\"201\",resource=\"pods\",verb=\"create\"\\}"), text);
    assertTrue(sample(text, "apiserver_request_total\\{code=\"200\",resource=\"pods\",verb=\"list\"\\}") >= 1, text);
    assertEquals(1.0, sample(text, "apiserver_request_total\\{code=\"404\",resource=\"pods\",verb=\"get\"\\}"), text);
    assertTrue(sample(text, "apiserver_request_duration_seconds_count\\{resource=\"pods\",verb=\"create\"\\}") >= 2, text);
    assertTrue(text.contains("apiserver_request_duration_seconds_bucket{"), "a histogram: " + text.length());
    assertTrue(sample(text, "apiserver_registered_watchers") >= 0, text);
    assertTrue(sample(text, "jvm_threads_live_threads") > 0, text);
  }

  @Test
  void anOpenWatchIsCounted() {
    server.namespace("metrics-watch");
    try (StreamingClient watch = StreamingClient.watch(server, "/api/v1/namespaces/metrics-watch/pods?watch=true")) {
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
          .until(() -> sample(server.get("/metrics").body(), "apiserver_registered_watchers") >= 1);
      assertTrue(sample(server.get("/metrics").body(),
          "apiserver_request_total\\{code=\"200\",resource=\"pods\",verb=\"watch\"\\}") >= 1);
    }
  }

  @Test
  void journalWritesAreMeasuredByResource() {
    server.namespace("metrics-engine");
    double before = sample(server.get("/metrics").body(),
        "steuermann_journal_write_duration_seconds_count\\{resource=\"pods\"\\}");
    server.pod("metrics-engine", "written", "{}");
    String text = server.get("/metrics").body();
    assertTrue(sample(text, "steuermann_journal_write_duration_seconds_count\\{resource=\"pods\"\\}") >= before + 1, text);
    assertTrue(text.contains("steuermann_journal_write_duration_seconds_bucket{"), "a histogram");
  }

  /** With the controllers on (this class's server has them off): the scheduler's queue is seen. */
  @Test
  void theSchedulersQueueIsMeasured(@TempDir Path dir) {
    try (TestServer withControllers = TestServer.start("MetricsScheduler", TestServer.h2(dir)
        .withFallback(com.typesafe.config.ConfigFactory.parseString("steuermann.controllers.enabled = true")))) {
      // this server has no nodes: the pod waits in the scheduler's queue as unschedulable
      withControllers.pod("default", "waiting", "{}");
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
          .until(() -> sample(withControllers.get("/metrics").body(), "scheduler_unschedulable_pods") >= 1);
      assertTrue(sample(withControllers.get("/metrics").body(), "scheduler_pending_pods") >= 1);
    }
  }
}
