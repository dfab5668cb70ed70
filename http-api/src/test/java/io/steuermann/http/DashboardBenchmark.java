package io.steuermann.http;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The dashboard under load ({@code bin/bench-ui}): one in-process server with N hollow nodes
 * and a Deployment of M pods, all Running; then headless chromium opens the pods view and the
 * figures are (1) the time to first render, from navigation until every pod's chip is on the
 * page, and (2) the update rate it sustains while pods are annotated through the API as fast
 * as 32 concurrent clients can, with the page's frame rate and its longest frame meanwhile,
 * and how long after the last write the page has seen it.
 */
public final class DashboardBenchmark {
  private DashboardBenchmark() {}

  public static void main(String[] args) throws Exception {
    int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int pods = args.length > 1 ? Integer.parseInt(args[1]) : 10000;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    Path dir = Files.createTempDirectory("steuermann-bench-ui");
    try (Browser browser = Browser.start(1280, 800);
        TestServer server = TestServer.startWithNodes("DashboardBenchmark", TestServer.h2(dir).withFallback(
            ConfigFactory.parseMap(Map.of(
                "steuermann.api.bind-address", browser.serverAddress(),
                "steuermann.controllers.enabled", true,
                "steuermann.node.hollow-nodes", nodes,
                "steuermann.node.name-prefix", "bench-"))))) {
      System.out.printf("bench-ui: %d hollow nodes, %d pods, %d cpus, %s%n", nodes, pods,
          Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"));
      long created = System.nanoTime();
      TestServer.expect(201, server.post("/apis/apps/v1/namespaces/default/deployments", """
          {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"bench"},
           "spec":{"replicas":%d,"selector":{"matchLabels":{"app":"bench"}},
            "template":{"metadata":{"labels":{"app":"bench"}},
             "spec":{"containers":[{"name":"main","image":"busybox:1.36",
               "resources":{"requests":{"cpu":"10m","memory":"16Mi"}}}]}}}}""".formatted(pods)));
      await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(1)).until(() ->
          TestServer.expect(200, server.get("/apis/apps/v1/namespaces/default/deployments/bench"))
              .path("status").path("readyReplicas").asInt() == pods);
      System.out.printf("all %d pods Ready after %.1f s%n", pods, (System.nanoTime() - created) / 1e9);

      long start = System.nanoTime();
      browser.open(server.base + "/ui/#pods");
      browser.until(Duration.ofMinutes(5), "every pod on the page", d -> ((Long) browser.script(
          "return document.querySelectorAll('.chip').length")) >= pods);
      double firstRender = (System.nanoTime() - start) / 1e6;
      double inPage = ((Number) browser.script("return performance.now()")).doubleValue();
      System.out.printf("time to first render (navigation -> %d chips on the page): %.0f ms (page clock %.0f ms)%n",
          pods, firstRender, inPage);

      List<String> names = new ArrayList<>();
      for (JsonNode pod : TestServer.expect(200, server.get("/api/v1/namespaces/default/pods")).path("items")) {
        names.add(pod.path("metadata").path("name").asText());
      }
      // the page counts frames and its longest one while the writes run
      browser.script("""
          const s = window.steuermann; s.bench = {frames: 0, longest: 0, applied0: s.store.applied, t0: performance.now()};
          let last = performance.now();
          const tick = (t) => { s.bench.frames++; s.bench.longest = Math.max(s.bench.longest, t - last); last = t;
            if (!s.bench.stop) requestAnimationFrame(tick); };
          requestAnimationFrame(tick);""");
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      Semaphore inFlight = new Semaphore(32);
      AtomicLong written = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
      long writesStart = System.nanoTime();
      int i = 0;
      String lastName = null;
      while (System.nanoTime() < end) {
        inFlight.acquire();
        String name = names.get(i++ % names.size());
        lastName = name;
        HttpRequest patch = HttpRequest.newBuilder(URI.create(server.base + "/api/v1/namespaces/default/pods/" + name))
            .header("Content-Type", "application/merge-patch+json")
            .method("PATCH", HttpRequest.BodyPublishers.ofString(
                "{\"metadata\":{\"annotations\":{\"bench\":\"" + i + "\"}}}"))
            .build();
        http.sendAsync(patch, HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
          if (e == null && r.statusCode() == 200) {
            written.incrementAndGet();
          } else {
            failed.incrementAndGet();
          }
          inFlight.release();
        });
      }
      inFlight.acquire(32);
      double writeSeconds = (System.nanoTime() - writesStart) / 1e9;
      String lastValue = Integer.toString(i);
      long stopped = System.nanoTime();
      String key = "default/" + lastName;
      browser.until(Duration.ofMinutes(2), "the page has the last write", d -> lastValue.equals(browser.script(
          "const p = window.steuermann.store.get('Pod', arguments[0]);"
              + " return p && p.metadata.annotations && p.metadata.annotations.bench;", key)));
      double lag = (System.nanoTime() - stopped) / 1e6;
      @SuppressWarnings("unchecked")
      Map<String, Object> page = (Map<String, Object>) browser.script("""
          const s = window.steuermann; s.bench.stop = true;
          return {frames: s.bench.frames, longest: s.bench.longest, applied: s.store.applied - s.bench.applied0,
                  ms: performance.now() - s.bench.t0};""");
      double pageSeconds = ((Number) page.get("ms")).doubleValue() / 1000;
      System.out.printf("writes: %d pod patches in %.1f s (%.0f/s), %d refused%n", written.get(), writeSeconds,
          written.get() / writeSeconds, failed.get());
      System.out.printf("page: %d events applied in %.1f s (%.0f/s, node heartbeats included), %.1f frames/s, "
              + "longest frame %.0f ms; the last write shown %.0f ms after it was acknowledged%n",
          ((Number) page.get("applied")).longValue(), pageSeconds,
          ((Number) page.get("applied")).doubleValue() / pageSeconds,
          ((Number) page.get("frames")).doubleValue() / pageSeconds, ((Number) page.get("longest")).doubleValue(), lag);
      browser.screenshot("bench-pods");
    }
  }
}
