package io.steuermann.engine.controllers.replicaset;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.gc.TestEngine;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.watch.WatchEvent;
import io.steuermann.engine.watch.WatchFilter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;

/**
 * A ReplicaSet controller that starts again for a ReplicaSet with pods (a restart, a move)
 * must see those pods before it counts them, as an informer's HasSynced guards a Kubernetes
 * controller: counting an empty view would create a second full set.
 */
class ReplicaSetRestartTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void aRestartedControllerCountsThePodsThatExistBeforeItActs() throws Exception {
    Path dir = Files.createTempDirectory("steuermann-rs-restart");
    String config = "steuermann.controllers.wake-interval = 1s\n";
    try (TestEngine first = new TestEngine(dir, config)) {
      first.create(replicaSet(3));
      await().atMost(WAIT).until(() -> activePods(first) == 3);
    }

    try (TestEngine second = new TestEngine(dir, config)) {
      Map<String, Boolean> active = new ConcurrentHashMap<>();
      AtomicInteger most = new AtomicInteger();
      second.engine.cache().watch(WatchFilter.of(Kind.POD, "default"), 0, 10_000)
          .runWith(Sink.foreach((WatchEvent e) -> {
            if (e.type() == WatchEvent.Type.DELETED || terminating(e.object())) {
              active.remove(e.key().name());
            } else {
              active.put(e.key().name(), true);
            }
            most.accumulateAndGet(active.size(), Math::max);
          }), Materializer.matFromSystem(second.system));
      await().atMost(WAIT).until(() -> active.size() == 3);

      // the controller, woken by the waker, must act on what it sees: one more pod, not four
      TestEngine.done(second.engine.store().patch(ObjectKey.of(Kind.REPLICA_SET, "default", "keep"),
          io.steuermann.engine.objects.ObjectCommand.PatchType.MERGE,
          TestEngine.json("{\"spec\":{\"replicas\":4}}"), io.steuermann.engine.objects.ObjectCommand.Part.MAIN)
          .toCompletableFuture().join());
      await().atMost(WAIT).until(() -> active.size() == 4);
      assertEquals(4, most.get(), "at most 4 active pods at any time");
    }
  }

  private static long activePods(TestEngine t) {
    return t.engine.cache().list(WatchFilter.of(Kind.POD, "default")).items().stream()
        .filter(p -> !terminating(p)).count();
  }

  private static boolean terminating(ObjectNode pod) {
    return pod.path("metadata").has("deletionTimestamp");
  }

  private static ObjectNode replicaSet(int replicas) {
    return TestEngine.json("{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"metadata\":{\"name\":\"keep\","
        + "\"namespace\":\"default\"},\"spec\":{\"replicas\":" + replicas + ",\"selector\":{\"matchLabels\":"
        + "{\"app\":\"keep\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"keep\"}},\"spec\":"
        + "{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}}}");
  }
}
