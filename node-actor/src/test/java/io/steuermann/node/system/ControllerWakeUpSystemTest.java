package io.steuermann.node.system;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.watch.WatchFilter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * After a restart nothing may need to touch a ReplicaSet for its controller to run again:
 * the controller waker starts every ReplicaSet and Deployment entity. A pod deleted behind
 * the ReplicaSet's back (no write to the ReplicaSet itself) must be replaced.
 */
class ControllerWakeUpSystemTest {

  @Test
  void afterARestartTheReplicaSetControllerRunsWithoutBeingTouched() {
    SystemCluster first = SystemCluster.start("wake-first");
    first.hollow("hollow-nodes = 2\nname-prefix = \"wake-\"");
    SystemCluster.done(first.engine.store().create(SystemCluster.json(
        SystemCluster.deployment("default", "wake", 3, "busybox", "", ""))));
    first.awaitRolledOut("default", "wake", 3, "busybox");
    first.stopKeepingData();

    try (SystemCluster second = SystemCluster.start("wake-second",
        "steuermann.controllers.wake-interval = 1s", first.dataDir())) {
      List<ObjectNode> pods = activePods(second);
      assertEquals(3, pods.size());
      ObjectNode victim = pods.get(0);
      SystemCluster.done(second.engine.store().delete(
          ObjectKey.of(Kind.POD, "default", Meta.name(victim)), Meta.uid(victim), 0, 0L, null));
      await().atMost(SystemCluster.WAIT).until(() -> {
        List<ObjectNode> now = activePods(second);
        return now.size() == 3 && now.stream().noneMatch(p -> Meta.uid(p).equals(Meta.uid(victim)));
      });
    }
  }

  private static List<ObjectNode> activePods(SystemCluster cluster) {
    return cluster.engine.cache().list(WatchFilter.of(Kind.POD, "default")).items().stream()
        .filter(p -> !SystemCluster.terminating(p))
        .toList();
  }
}
