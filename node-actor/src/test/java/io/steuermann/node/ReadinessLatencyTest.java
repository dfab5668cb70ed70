package io.steuermann.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.objects.PodConditions;
import io.steuermann.engine.watch.WatchEvent;
import io.steuermann.engine.watch.WatchFilter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;

/**
 * A measurement, not a timed assertion: how soon a pod turns unready after its readiness
 * probe reached failureThreshold — from the moment the test's HTTP server answered the
 * failureThreshold-th failure to the moment the pod's Ready=False reached the watch cache
 * (what the Endpoints controller sees). Prints p50 / p99 / max. {@code -Dprobe.pods=N} (100)
 * pods on one hollow node, each probed every second, failureThreshold 3.
 */
class ReadinessLatencyTest extends AgentTestBase {
  private static final int THRESHOLD = 3;

  @Test
  void readinessFailuresReachTheStoreWithinMilliseconds() throws Exception {
    int pods = Integer.getInteger("probe.pods", 100);
    AtomicBoolean failing = new AtomicBoolean();
    Map<String, List<Long>> failedAt = new ConcurrentHashMap<>();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext("/", exchange -> {
      boolean fail = failing.get();
      if (fail) {
        failedAt.computeIfAbsent(exchange.getRequestURI().getPath(), p -> new CopyOnWriteArrayList<>())
            .add(System.nanoTime());
      }
      exchange.sendResponseHeaders(fail ? 503 : 200, -1);
      exchange.close();
    });
    server.start();
    Map<String, Long> unreadyAt = new ConcurrentHashMap<>();
    UniqueKillSwitch watch = null;
    try {
      node("lat-0001", "");
      for (int i = 0; i < pods; i++) {
        create(pod("lat-" + i, "lat-0001", "Always", """
            , "readinessProbe": {"httpGet": {"path": "/lat-%d", "port": %d}, "periodSeconds": 1,
               "failureThreshold": %d}
            """.formatted(i, server.getAddress().getPort(), THRESHOLD), ""));
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        for (int i = 0; i < pods; i++) {
          if (pod("lat-" + i) == null || !PodConditions.get(pod("lat-" + i).path("status"), "Ready").equals("True")) {
            return false;
          }
        }
        return true;
      });
      watch = engine.cache().watch(WatchFilter.of(Kind.POD, "default"), engine.cache().resourceVersion(), 100_000)
          .viaMat(KillSwitches.single(), Keep.right())
          .filter(e -> e.type() == WatchEvent.Type.MODIFIED && e.key().name().startsWith("lat-")
              && PodConditions.get(e.object().path("status"), "Ready").equals("False"))
          .to(Sink.foreach(e -> unreadyAt.putIfAbsent("/" + e.key().name(), System.nanoTime())))
          .run(system);
      long flipped = System.nanoTime();
      failing.set(true);
      await().atMost(Duration.ofSeconds(60)).until(() -> unreadyAt.size() == pods);

      List<Double> latencies = new ArrayList<>();
      List<Double> sinceFlip = new ArrayList<>();
      for (Map.Entry<String, Long> e : unreadyAt.entrySet()) {
        List<Long> failures = failedAt.get(e.getKey());
        long threshold = failures.get(THRESHOLD - 1);
        latencies.add((e.getValue() - threshold) / 1e6);
        sinceFlip.add((e.getValue() - flipped) / 1e6);
        assertEquals(true, failures.size() >= THRESHOLD, e.getKey() + " unready before failureThreshold");
      }
      Collections.sort(latencies);
      Collections.sort(sinceFlip);
      System.out.printf("readiness: %d pods, period 1 s, failureThreshold %d: failureThreshold-th failed answer -> "
              + "Ready=False in the watch cache: p50 %.1f ms, p99 %.1f ms, max %.1f ms; "
              + "server flipped -> unready: p50 %.0f ms, max %.0f ms%n",
          pods, THRESHOLD, pct(latencies, 0.5), pct(latencies, 0.99), latencies.get(latencies.size() - 1),
          pct(sinceFlip, 0.5), sinceFlip.get(sinceFlip.size() - 1));
    } finally {
      if (watch != null) {
        watch.shutdown();
      }
      server.stop(0);
    }
  }

  private static double pct(List<Double> sorted, double p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
  }
}
