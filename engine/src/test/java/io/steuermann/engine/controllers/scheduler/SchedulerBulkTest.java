package io.steuermann.engine.controllers.scheduler;

import static io.steuermann.engine.controllers.scheduler.SchedulerTestKit.node;
import static io.steuermann.engine.controllers.scheduler.SchedulerTestKit.ownedBy;
import static io.steuermann.engine.controllers.scheduler.SchedulerTestKit.pod;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Meta;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import io.steuermann.engine.objects.ObjectCommand;
import java.util.function.IntFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler alone under bulk arrivals: N nodes and M pods created directly in the store, no
 * node agents; every pod must be bound and no node over-committed. Small by default (part of
 * the suite); {@code -Dnodes=1000 -Dpods=10000} makes it the scheduler's throughput run, whose
 * figures it logs (decisions/s, latency p50/p99).
 *
 * <p>Two phases on the same cluster: "backlog" (M pods exist before the scheduler starts: pure
 * decision and binding throughput) and "streaming" (the scheduler runs while M more pods are
 * created as fast as the store takes them: latency from creation to binding).
 */
class SchedulerBulkTest {
  private static final Logger log = LoggerFactory.getLogger(SchedulerBulkTest.class);

  @TempDir
  Path dataDir;

  @Test
  void thousandsOfPodsOnThousandsOfNodes() throws Exception {
    int nodes = Integer.getInteger("nodes", 50);
    int pods = Integer.getInteger("pods", 500);
    try (SchedulerTestKit kit = new SchedulerTestKit(dataDir, "steuermann.ask-timeout = 30s\n")) {
      long t0 = System.nanoTime();
      createAll(kit, nodes, i -> node(String.format("node-%05d", i), "4", "16Gi", 110));
      log.info("BENCH created {} nodes in {} ms", nodes, ms(t0));

      // phase 1: a backlog
      t0 = System.nanoTime();
      createAll(kit, pods, i -> ownedBy(pod(String.format("backlog-%05d", i), "100m"), "owner-backlog"));
      log.info("BENCH created {} pods in {} ms ({} pods/s)", pods, ms(t0), rate(pods, t0));
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
          .conditionEvaluationListener(c -> log.info("BENCH cache: {} pods at version {}", kit.pods().size(),
              kit.engine.cache().resourceVersion()))
          .until(() -> kit.pods().size() == pods);

      long start = System.nanoTime();
      ActorRef<Scheduler.Command> scheduler = kit.startScheduler();
      await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(20))
          .until(() -> kit.stats(scheduler).binds() >= pods);
      long bindMs = ms(start);
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20))
          .until(() -> kit.pods().stream().noneMatch(p -> Meta.text(p.path("spec"), "nodeName").isEmpty()));
      long visibleMs = ms(start);
      Scheduler.Stats s = reset(kit, scheduler);
      log.info("BENCH backlog: {} nodes x {} pods: all bindings acknowledged in {} ms, all visible bound in {} ms; "
              + "{} decisions/s wall clock, {} decisions/s of scheduler busy time ({} ms busy); "
              + "latency p50 {} ms p99 {} ms; {}",
          nodes, pods, bindMs, visibleMs, s.decisions() * 1000 / Math.max(1, bindMs),
          s.decisions() * 1000 / Math.max(1, s.busyMillis()), s.busyMillis(), s.p50LatencyMs(), s.p99LatencyMs(), s);
      assertEquals(pods, s.binds());
      assertMaxPerNode(kit, 40);

      // phase 2: streaming arrivals
      start = System.nanoTime();
      createAll(kit, pods, i -> ownedBy(pod(String.format("stream-%05d", i), "100m"), "owner-stream"));
      long createdMs = ms(start);
      await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(20))
          .until(() -> kit.stats(scheduler).binds() >= pods);
      long streamMs = ms(start);
      s = reset(kit, scheduler);
      long heap = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
      log.info("BENCH streaming: {} pods created in {} ms, all bound in {} ms ({} pods/s end to end); "
              + "latency p50 {} ms p99 {} ms; {} decisions/s of busy time; heap used {} MB; {}",
          pods, createdMs, streamMs, pods * 1000L / Math.max(1, streamMs), s.p50LatencyMs(), s.p99LatencyMs(),
          s.decisions() * 1000 / Math.max(1, s.busyMillis()), heap >> 20, s);
      assertEquals(pods, s.binds());
      assertMaxPerNode(kit, 40);
    }
  }

  private static Scheduler.Stats reset(SchedulerTestKit kit, ActorRef<Scheduler.Command> scheduler)
      throws Exception {
    return AskPattern.<Scheduler.Command, Scheduler.Stats>ask(scheduler, Scheduler.ResetStats::new,
        Duration.ofSeconds(10), kit.system.scheduler()).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static void assertMaxPerNode(SchedulerTestKit kit, int max) {
    Map<String, Integer> perNode = new HashMap<>();
    for (ObjectNode p : kit.pods()) {
      perNode.merge(Meta.text(p.path("spec"), "nodeName"), 1, Integer::sum);
    }
    int most = perNode.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    log.info("BENCH pods per node: max {}, nodes used {}", most, perNode.size());
    assertTrue(most <= max, "a node holds " + most + " pods of 100m on 4 cpu");
  }

  /**
   * Creates {@code count} objects with at most 256 creations in flight; a refused or failed
   * creation (other than AlreadyExists) is sent again.
   */
  private static void createAll(SchedulerTestKit kit, int count, IntFunction<ObjectNode> make) throws Exception {
    Semaphore inFlight = new Semaphore(256);
    AtomicInteger retries = new AtomicInteger();
    CompletableFuture<?>[] all = new CompletableFuture<?>[count];
    for (int i = 0; i < count; i++) {
      inFlight.acquire();
      all[i] = createWithRetries(kit, make.apply(i), 5, retries).whenComplete((r, e) -> inFlight.release());
    }
    CompletableFuture.allOf(all).get(5, TimeUnit.MINUTES);
    if (retries.get() > 0) {
      log.info("BENCH {} creations had to be sent again", retries.get());
    }
  }

  private static CompletableFuture<Void> createWithRetries(SchedulerTestKit kit, ObjectNode object, int left,
      AtomicInteger retries) {
    return kit.createAsync(object).toCompletableFuture().handle((reply, error) -> {
      boolean ok = error == null && (reply instanceof ObjectCommand.Done
          || (reply instanceof ObjectCommand.Refused r && r.status().code() == 409));
      if (ok) {
        return CompletableFuture.<Void>completedFuture(null);
      }
      if (left <= 0) {
        return CompletableFuture.<Void>failedFuture(new IllegalStateException(
            "cannot create " + Meta.name(object) + ": " + (error != null ? error : reply)));
      }
      retries.incrementAndGet();
      return createWithRetries(kit, object, left - 1, retries);
    }).thenCompose(f -> f);
  }

  private static long ms(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  private static long rate(int count, long startNanos) {
    return count * 1000L / Math.max(1, ms(startNanos));
  }
}
