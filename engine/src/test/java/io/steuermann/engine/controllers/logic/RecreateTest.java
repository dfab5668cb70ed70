package io.steuermann.engine.controllers.logic;

import static io.steuermann.engine.controllers.logic.TestObjects.at;
import static io.steuermann.engine.controllers.logic.TestObjects.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RecreateTest {
  final RsState v1 = RsState.of("v1", 3, 3, at(0), 1);

  @Test
  void scalesOldSetsToZeroFirst() {
    Recreate.Step s = Recreate.step(3, null, List.of(v1, RsState.of("v0", 0, 0, at(-10), 0)), true);
    assertEquals(List.of(new Scale("v1", 3, 0)), s.scales());
    assertFalse(s.createNewReplicaSet());
  }

  @Test
  void waitsForOldPodsToBeGone() {
    Recreate.Step s = Recreate.step(3, null, List.of(v1.withReplicas(0)), true);
    assertTrue(s.waitingForOldPods());
    assertEquals(List.of(), s.scales());
    assertFalse(s.createNewReplicaSet());
  }

  @Test
  void thenCreatesTheNewSetAtFullSize() {
    Recreate.Step s = Recreate.step(3, null, List.of(v1.withReplicas(0)), false);
    assertTrue(s.createNewReplicaSet());
    assertEquals(3, s.newReplicaSetReplicas());
  }

  @Test
  void orScalesAnExistingNewSet() {
    RsState v2 = RsState.of("v2", 0, 0, at(5), 2);
    assertEquals(List.of(new Scale("v2", 0, 3)), Recreate.step(3, v2, List.of(v1.withReplicas(0)), false).scales());
    assertEquals(List.of(), Recreate.step(3, v2.withReplicas(3), List.of(v1.withReplicas(0)), false).scales());
  }

  @Test
  void oldPodsRunning() {
    RsState emptied = new RsState("v1", "", 0, 0, 0, 0, at(0), 1, 1, 1, false);
    RsState stillReporting = new RsState("v1", "", 0, 2, 0, 0, at(0), 1, 1, 1, false);
    assertTrue(Recreate.oldPodsRunning(List.of(stillReporting), List.of()));
    assertFalse(Recreate.oldPodsRunning(List.of(emptied), List.of(
        json("{'status':{'phase':'Succeeded'}}"), json("{'status':{'phase':'Failed'}}"))));
    assertTrue(Recreate.oldPodsRunning(List.of(emptied), List.of(json("{'status':{'phase':'Unknown'}}"))));
    assertTrue(Recreate.oldPodsRunning(List.of(emptied), List.of(json("{'status':{'phase':'Pending'}}"))));
  }
}
