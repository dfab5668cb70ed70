package io.steuermann.engine.controllers.logic;

import static io.steuermann.engine.controllers.logic.TestObjects.at;
import static io.steuermann.engine.controllers.logic.TestObjects.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.steuermann.engine.controllers.logic.RollingUpdate.Fenceposts;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RollingUpdateTest {

  static JsonNode v(String s) {
    return s.endsWith("%") ? TextNode.valueOf(s) : IntNode.valueOf(Integer.parseInt(s));
  }

  @Nested
  class Fenceposts_ {
    // Kubernetes' TestResolveFenceposts plus percent rounding cases.
    @ParameterizedTest
    @CsvSource({
        "0, 0, 1, 0, 1",
        "39%, 39%, 10, 4, 3",
        "oops, 1, 10, -1, -1",
        "55%, urg, 10, -1, -1",
        "5, 1%, 10, 5, 0",
        "25%, 25%, 10, 3, 2",
        "25%, 25%, 4, 1, 1",
        "25%, 25%, 1, 1, 0",
        "0, 10%, 5, 0, 1",
        "0%, 0%, 0, 0, 1",
        "100%, 0, 3, 3, 0"})
    void resolve(String surge, String unavailable, int replicas, int expSurge, int expUnavailable) {
      JsonNode s = surge.matches("-?\\d+%?") ? v(surge) : TextNode.valueOf(surge);
      JsonNode u = unavailable.matches("-?\\d+%?") ? v(unavailable) : TextNode.valueOf(unavailable);
      if (expSurge < 0) {
        assertThrows(IllegalArgumentException.class, () -> RollingUpdate.resolve(s, u, replicas));
      } else {
        assertEquals(new Fenceposts(expSurge, expUnavailable), RollingUpdate.resolve(s, u, replicas));
      }
    }

    @Test
    void nullCountsAsZero() {
      assertEquals(new Fenceposts(0, 1), RollingUpdate.resolve(null, null, 10));
    }

    @Test
    void fromDeploymentWithDefaultsAndClamps() {
      assertEquals(new Fenceposts(3, 2), RollingUpdate.of(json("{'spec':{'replicas':10}}")));
      assertEquals(new Fenceposts(1, 0), RollingUpdate.of(json("{'spec':{}}")), "1 replica: 25% rounds to 1 and 0");
      assertEquals(new Fenceposts(0, 3), RollingUpdate.of(json(
          "{'spec':{'replicas':3,'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':0,'maxUnavailable':5}}}}")),
          "maxUnavailable never exceeds replicas");
      assertEquals(new Fenceposts(2, 0), RollingUpdate.of(json(
          "{'spec':{'replicas':0,'strategy':{'rollingUpdate':{'maxSurge':2,'maxUnavailable':1}}}}")),
          "nothing may be unavailable with 0 replicas");
      assertEquals(new Fenceposts(0, 0), RollingUpdate.of(json("{'spec':{'replicas':5,'strategy':{'type':'Recreate'}}}")));
    }
  }

  // Kubernetes' TestNewRSNewReplicas.
  @ParameterizedTest
  @CsvSource({
      // replicas, maxSurge, current total, new RS replicas, expected
      "1, 1, 1, 0, 1",
      "10, 2, 10, 0, 2",
      "10, 2, 12, 2, 2",
      "10, 2, 5, 0, 7",
      "10, 0, 10, 0, 0",
      "10, 3, 10, 9, 10"})
  void newReplicaSetReplicas(int replicas, int surge, int total, int current, int expected) {
    assertEquals(expected, RollingUpdate.newReplicaSetReplicas(replicas, surge, total, current));
  }

  // Kubernetes' TestDeploymentController_reconcileNewReplicaSet.
  @ParameterizedTest
  @CsvSource({
      // deployment replicas, maxSurge, old replicas, new replicas, expected (-1: no scaling)
      "10, 0, 10, 0, -1",
      "10, 2, 10, 0, 2",
      "10, 2, 5, 0, 7",
      "10, 2, 10, 2, -1",
      "10, 2, 2, 11, 10"})
  void reconcileNewReplicaSet(int replicas, int surge, int oldReplicas, int newReplicas, int expected) {
    RsState newRs = RsState.of("foo-new", newReplicas, 0, at(1), 2);
    RsState oldRs = RsState.of("foo-old", oldReplicas, oldReplicas, at(0), 1);
    Optional<Scale> s = RollingUpdate.reconcileNewReplicaSet(replicas, surge, List.of(oldRs, newRs), newRs);
    assertEquals(expected < 0 ? Optional.empty() : Optional.of(new Scale("foo-new", newReplicas, expected)), s);
  }

  // Kubernetes' TestDeploymentController_reconcileOldReplicaSets (maxSurge 0).
  @ParameterizedTest
  @CsvSource({
      // replicas, maxUnavailable, old, new, old available, new available, expected old (-1: none)
      "10, 0, 10, 0, 10, 0, 9",
      "10, 2, 10, 0, 10, 0, 8",
      "10, 2, 10, 0, 8, 0, 8",   // the 2 unhealthy old replicas are cleaned up
      "10, 2, 10, 0, 9, 0, 8",   // 1 unhealthy cleaned up, 1 ready scaled down
      "10, 2, 8, 2, 8, 0, -1"})  // the new set's unavailable pods hold the budget
  void reconcileOldReplicaSets(int replicas, String maxUnavailable, int old, int neu, int oldAvailable,
                               int newAvailable, int expected) {
    Fenceposts f = RollingUpdate.resolve(IntNode.valueOf(0), v(maxUnavailable), replicas);
    RsState oldRs = RsState.of("foo-old", old, oldAvailable, at(0), 1);
    RsState newRs = RsState.of("foo-new", neu, newAvailable, at(1), 2);
    List<Scale> scales = RollingUpdate.reconcileOldReplicaSets(replicas, f.maxUnavailable(), List.of(oldRs), newRs);
    assertEquals(expected < 0 ? List.of() : List.of(new Scale("foo-old", old, expected)), scales);
  }

  // Kubernetes' TestDeploymentController_cleanupUnhealthyReplicas.
  @ParameterizedTest
  @CsvSource({"10, 8, 1, 1", "10, 8, 3, 2", "10, 8, 0, 0", "10, 10, 3, 0"})
  void cleanupUnhealthyReplicas(int old, int available, int maxCleanup, int expected) {
    RollingUpdate.Cleanup c = RollingUpdate.cleanupUnhealthyReplicas(
        List.of(RsState.of("foo-v2", old, available, at(0), 1)), maxCleanup);
    assertEquals(expected, c.scaledDown());
    assertEquals(old - expected, c.oldRss().get(0).replicas());
  }

  // Kubernetes' TestDeploymentController_scaleDownOldReplicaSetsForRollingUpdate (maxSurge 0).
  @ParameterizedTest
  @CsvSource({
      "10, 0, 10, 10, 9",
      "10, 2, 10, 10, 8",
      "10, 2, 8, 10, -1",
      "10, 2, 10, 0, -1",
      "10, 2, 1, 10, -1"})
  void scaleDownOldReplicaSets(int replicas, String maxUnavailable, int available, int old, int expected) {
    int unavailable = RollingUpdate.resolve(IntNode.valueOf(0), v(maxUnavailable), replicas).maxUnavailable();
    RsState oldRs = RsState.of("foo-v2", old, available, at(0), 1);
    List<RsState> after = RollingUpdate.scaleDownOldReplicaSets(List.of(oldRs), List.of(oldRs), replicas, unavailable);
    assertEquals(expected < 0 ? old : expected, after.get(0).replicas());
  }

  @Test
  void scaleDownTakesTheOldestFirst() {
    RsState older = RsState.of("v1", 2, 2, at(0), 1);
    RsState old = RsState.of("v2", 4, 4, at(10), 2);
    RsState newRs = RsState.of("v3", 4, 4, at(20), 3);
    List<Scale> scales = RollingUpdate.reconcileOldReplicaSets(8, 2, List.of(old, older), newRs);
    // allPods 10, minAvailable 6, new set fully available: budget 4 -> v1 2->0, then v2 4->2
    assertEquals(List.of(new Scale("v1", 2, 0), new Scale("v2", 4, 2)), scales);
  }

  @Test
  void stepScalesUpBeforeDown() {
    RsState old = RsState.of("v1", 3, 3, at(0), 1);
    RsState newRs = RsState.of("v2", 0, 0, at(1), 2);
    Fenceposts f = new Fenceposts(1, 0);
    assertEquals(List.of(new Scale("v2", 0, 1)), RollingUpdate.step(3, f, newRs, List.of(old)));
    // once the surge is used, nothing moves until the new pod is available
    assertEquals(List.of(), RollingUpdate.step(3, f, newRs.withReplicas(1), List.of(old)));
  }

  @Test
  void initialNewReplicas() {
    assertEquals(1, RollingUpdate.initialNewReplicas(3, 1, List.of(RsState.of("v1", 3, 3, at(0), 1))));
    assertEquals(3, RollingUpdate.initialNewReplicas(3, 1, List.of()));
  }

  /**
   * A whole rollout simulated: after every step the ReplicaSets "catch up" (every requested pod
   * becomes available at once). The invariants of the issue must hold at every step.
   */
  @ParameterizedTest
  @CsvSource({"10, 25%, 25%", "6, 1, 0", "6, 0, 1", "3, 100%, 0", "5, 30%, 0%", "1, 0, 1", "7, 2, 3"})
  void fullRolloutKeepsTheBounds(int replicas, String surge, String unavailable) {
    Fenceposts f = RollingUpdate.resolve(v(surge), v(unavailable), replicas);
    Map<String, RsState> sets = new HashMap<>();
    sets.put("v1", RsState.of("v1", replicas, replicas, at(0), 1));
    sets.put("v2", RsState.of("v2", RollingUpdate.initialNewReplicas(replicas, f.maxSurge(), List.of(sets.get("v1"))),
        0, at(1), 2));
    for (int round = 0; round < 100; round++) {
      List<RsState> old = List.of(sets.get("v1"));
      List<Scale> scales = RollingUpdate.step(replicas, f, sets.get("v2"), old);
      for (Scale s : scales) {
        RsState rs = sets.get(s.replicaSet());
        // scaling down removes pods at once (they stop being available); scaling up adds unavailable pods
        int available = Math.min(rs.availableReplicas(), s.to());
        sets.put(rs.name(), new RsState(rs.name(), "", s.to(), s.to(), available, available, rs.createdAt(),
            rs.revision(), 1, 1, false));
      }
      int total = sets.values().stream().mapToInt(RsState::replicas).sum();
      int available = sets.values().stream().mapToInt(RsState::availableReplicas).sum();
      assertTrue(total <= replicas + f.maxSurge(), "total " + total);
      assertTrue(available >= Math.min(replicas - f.maxUnavailable(), replicas), "available " + available);
      if (scales.isEmpty()) {
        // pods become ready: the world catches up
        List<RsState> caughtUp = new ArrayList<>();
        sets.values().forEach(rs -> caughtUp.add(new RsState(rs.name(), "", rs.replicas(), rs.replicas(),
            rs.replicas(), rs.replicas(), rs.createdAt(), rs.revision(), 1, 1, false)));
        caughtUp.forEach(rs -> sets.put(rs.name(), rs));
        if (sets.get("v2").availableReplicas() == replicas && sets.get("v1").replicas() == 0) {
          return;
        }
      }
    }
    throw new AssertionError("rollout did not finish: " + sets);
  }
}
