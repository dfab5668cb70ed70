package io.steuermann.engine.controllers.replicaset;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.gc.TestEngine;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A workload deleted with its pods orphaned and made again under the same name (what
 * {@code kubectl replace --cascade=orphan} does) is a new object: its controller adopts the pods
 * and writes the new object's status even when the counts are those it wrote for the old one.
 */
class RecreatedWorkloadTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static TestEngine t;

  @BeforeAll
  static void start() throws Exception {
    t = new TestEngine("steuermann.controllers.wake-interval = 1s\n");
  }

  @AfterAll
  static void stop() {
    if (t != null) {
      t.close();
    }
  }

  @Test
  void aReplicaSetMadeAgainGetsItsStatus() {
    ObjectKey key = ObjectKey.of(Kind.REPLICA_SET, "default", "again");
    String first = TestEngine.uid(t.create(replicaSet("again")));
    await().atMost(WAIT).until(() -> replicas(key, first) == 2);

    TestEngine.done(t.delete(key, "Orphan"));
    await().atMost(WAIT).until(() -> t.cached(key) == null);
    String second = TestEngine.uid(t.create(replicaSet("again")));
    await().atMost(WAIT).until(() -> replicas(key, second) == 2);
    assertEquals(2, t.engine.cache().list(io.steuermann.engine.watch.WatchFilter.of(Kind.POD, "default")).items()
        .stream().filter(p -> p.path("metadata").path("name").asText().startsWith("again-"))
        .filter(p -> p.path("metadata").path("ownerReferences").path(0).path("uid").asText().equals(second))
        .count(), "the orphans were adopted, none made anew");
  }

  @Test
  void aReplicaSetDeletedWithItsPodsAndMadeAgainGetsItsStatus() {
    ObjectKey key = ObjectKey.of(Kind.REPLICA_SET, "default", "anew");
    String first = TestEngine.uid(t.create(replicaSet("anew")));
    await().atMost(WAIT).until(() -> replicas(key, first) == 2);

    TestEngine.done(t.delete(key, "Background"));
    await().atMost(WAIT).until(() -> t.cached(key) == null);
    String second = TestEngine.uid(t.create(replicaSet("anew")));
    await().atMost(WAIT).until(() -> replicas(key, second) == 2);
  }

  private static int replicas(ObjectKey key, String uid) {
    ObjectNode rs = t.cached(key);
    return rs != null && TestEngine.uid(rs).equals(uid) ? rs.path("status").path("replicas").asInt(-1) : -1;
  }

  private static ObjectNode replicaSet(String name) {
    return TestEngine.json("{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"metadata\":{\"name\":\"" + name + "\","
        + "\"namespace\":\"default\"},\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":"
        + "{\"app\":\"" + name + "\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"" + name + "\"}},\"spec\":"
        + "{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}}}");
  }
}
