package io.steuermann.engine.controllers.statefulset;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.steuermann.engine.controllers.statefulset.StatefulPlan.Member;
import io.steuermann.engine.controllers.statefulset.StatefulPlan.Spec;
import io.steuermann.engine.controllers.statefulset.StatefulPlan.Step;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Worked examples of Kubernetes' StatefulSet control loop steps. */
class StatefulPlanTest {
  private static Member healthy(int ordinal, String revision) {
    return new Member(ordinal, "web-" + ordinal, revision, false, true, false);
  }

  private static Member starting(int ordinal, String revision) {
    return new Member(ordinal, "web-" + ordinal, revision, false, false, false);
  }

  private static Member terminating(int ordinal, String revision) {
    return new Member(ordinal, "web-" + ordinal, revision, true, false, false);
  }

  private static Spec ordered(int replicas) {
    return new Spec(replicas, 0, true, 0, "r2");
  }

  @Test
  void orderedReadyMakesOnePodAtATimeAfterItsPredecessorIsReady() {
    assertEquals(new Step(List.of(0), List.of()), StatefulPlan.step(ordered(3), List.of()));
    assertEquals(new Step(List.of(), List.of()), StatefulPlan.step(ordered(3), List.of(starting(0, "r2"))),
        "waits for web-0 to be Running and Ready");
    assertEquals(new Step(List.of(1), List.of()), StatefulPlan.step(ordered(3), List.of(healthy(0, "r2"))));
    assertEquals(new Step(List.of(1), List.of()), StatefulPlan.step(ordered(3), List.of(healthy(0, "r2"),
        healthy(2, "r2"))), "a gap is filled first");
  }

  @Test
  void parallelMakesAllAtOnceAndDeletesAllCondemned() {
    Spec parallel = new Spec(3, 0, false, 0, "r2");
    assertEquals(new Step(List.of(0, 1, 2), List.of()), StatefulPlan.step(parallel, List.of()));
    Spec down = new Spec(1, 0, false, 0, "r2");
    assertEquals(new Step(List.of(), List.of("web-2", "web-1")), StatefulPlan.step(down, List.of(healthy(0, "r2"),
        starting(1, "r2"), healthy(2, "r2"))));
  }

  @Test
  void scaleDownTakesTheHighestOrdinalFirstOneAtATime() {
    List<Member> three = List.of(healthy(0, "r2"), healthy(1, "r2"), healthy(2, "r2"));
    assertEquals(new Step(List.of(), List.of("web-2")), StatefulPlan.step(ordered(1), three));
    assertEquals(new Step(List.of(), List.of()), StatefulPlan.step(ordered(1), List.of(healthy(0, "r2"),
        healthy(1, "r2"), terminating(2, "r2"))), "waits for web-2 to be gone");
    assertEquals(new Step(List.of(), List.of()), StatefulPlan.step(ordered(2), List.of(starting(0, "r2"),
        healthy(1, "r2"), healthy(2, "r2"))), "waits while a pod in range is unhealthy");
    assertEquals(new Step(List.of(), List.of()), StatefulPlan.step(ordered(1), List.of(healthy(0, "r2"),
        starting(1, "r2"), starting(2, "r2"))), "an unhealthy condemned pod that is not the first unhealthy one waits");
    assertEquals(new Step(List.of(), List.of("web-1")), StatefulPlan.step(ordered(1), List.of(healthy(0, "r2"),
        starting(1, "r2"))), "the first unhealthy condemned pod may go");
  }

  @Test
  void rollingUpdateGoesFromTheHighestOrdinalDownToThePartition() {
    List<Member> old = List.of(healthy(0, "r1"), healthy(1, "r1"), healthy(2, "r1"));
    assertEquals(new Step(List.of(), List.of("web-2")), StatefulPlan.step(ordered(3), old));
    assertEquals(new Step(List.of(), List.of("web-1")), StatefulPlan.step(ordered(3), List.of(healthy(0, "r1"),
        healthy(1, "r1"), healthy(2, "r2"))));
    assertEquals(new Step(List.of(), List.of()), StatefulPlan.step(ordered(3), List.of(healthy(0, "r1"),
        healthy(1, "r1"), starting(2, "r2"))), "waits for the updated pod to be Ready");
    Spec partition2 = new Spec(3, 0, true, 2, "r2");
    assertEquals(new Step(List.of(), List.of()), StatefulPlan.step(partition2, List.of(healthy(0, "r1"),
        healthy(1, "r1"), healthy(2, "r2"))), "below the partition stays");
    Spec onDelete = new Spec(3, 0, true, -1, "r2");
    assertEquals(new Step(List.of(), List.of()), StatefulPlan.step(onDelete, old));
  }

  @Test
  void failedPodsAreReplacedAndOrdinalsStartWhereTheSpecSays() {
    Member failed = new Member(1, "web-1", "r2", false, false, true);
    assertEquals(new Step(List.of(), List.of("web-1")), StatefulPlan.step(ordered(3), List.of(healthy(0, "r2"),
        failed)));
    assertEquals(new Step(List.of(5), List.of()), StatefulPlan.step(new Spec(2, 5, true, 0, "r2"), List.of()));
    assertEquals(7, StatefulPlan.ordinal("web", "web-7"));
    assertEquals(-1, StatefulPlan.ordinal("web", "web-x"));
    assertEquals(-1, StatefulPlan.ordinal("web", "webby-1"));
  }
}
