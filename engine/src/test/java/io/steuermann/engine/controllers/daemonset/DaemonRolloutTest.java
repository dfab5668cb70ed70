package io.steuermann.engine.controllers.daemonset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.controllers.daemonset.DaemonNodes.Fit;
import io.steuermann.engine.controllers.daemonset.DaemonRollout.Fenceposts;
import io.steuermann.engine.controllers.daemonset.DaemonRollout.Node;
import io.steuermann.engine.controllers.daemonset.DaemonRollout.Plan;
import io.steuermann.engine.controllers.daemonset.DaemonRollout.Pod;
import io.steuermann.engine.model.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Worked examples of Kubernetes' DaemonSet manage / rollingUpdate / status arithmetic. */
class DaemonRolloutTest {
  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
  private static int seq;

  static JsonNode json(String text) {
    try {
      return Json.parse(text);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Pod pod(String name, boolean updated, boolean available) {
    return new Pod(name, updated, true, available, available, false, "Running", T0.plusSeconds(seq++));
  }

  private static Pod old(String name) {
    return pod(name, false, true);
  }

  private static Pod fresh(String name, boolean available) {
    return pod(name, true, available);
  }

  private static Node node(String name, Pod... pods) {
    return new Node(name, Fit.YES, List.of(pods));
  }

  private static JsonNode ds(String unavailable, String surge) {
    return json("{\"spec\":{\"updateStrategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":"
        + "{\"maxUnavailable\":" + unavailable + ",\"maxSurge\":" + surge + "}}}}");
  }

  @Test
  void fencepostsArePercentsOfTheNodesThatShouldRunThePodRoundedUp() {
    List<Node> ten = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ten.add(node("n" + i));
    }
    ten.add(new Node("tainted", Fit.NO, List.of()));
    assertEquals(new Fenceposts(0, 3, 10), DaemonRollout.fenceposts(ds("\"25%\"", "0"), ten));
    assertEquals(new Fenceposts(1, 0, 10), DaemonRollout.fenceposts(ds("0", "\"1%\""), ten));
    assertEquals(new Fenceposts(0, 2, 10), DaemonRollout.fenceposts(ds("2", "0"), ten));
    // both 0 (only reachable with 0%): one may be unavailable so the update can move
    assertEquals(new Fenceposts(0, 1, 10), DaemonRollout.fenceposts(ds("\"0%\"", "\"0%\""), ten));
    JsonNode onDelete = json("{\"spec\":{\"updateStrategy\":{\"type\":\"OnDelete\"}}}");
    assertEquals(new Fenceposts(0, 1, 10), DaemonRollout.fenceposts(onDelete, ten));
    assertTrue(DaemonRollout.allowsSurge(ds("0", "\"10%\"")));
    assertFalse(DaemonRollout.allowsSurge(ds("1", "0")));
  }

  @Test
  void manageCreatesOnEmptyNodesDeletesWhereThePodMustNotStayAndPrunesExtras() {
    List<Node> nodes = List.of(
        node("empty"),
        node("fine", old("b-1")),
        node("twice", old("a-1"), old("a-2")),
        new Node("evicting", Fit.NO, List.of(old("c-1"))),
        // NoSchedule taint without NoExecute: no new pod, but the pod there stays
        new Node("tainted", new Fit(false, true), List.of(old("d-1"))),
        new Node("tainted-empty", new Fit(false, true), List.of()),
        node("failed", new Pod("e-1", true, true, false, false, false, "Failed", T0)),
        node("terminating", new Pod("f-1", false, true, true, true, true, "Running", T0)));
    Plan plan = DaemonRollout.manage(nodes, false);
    assertEquals(List.of("empty"), plan.createOn());
    assertEquals(List.of("a-2", "c-1", "e-1"), plan.delete());
    assertEquals(List.of("e-1"), plan.failedPods());
  }

  @Test
  void withSurgeANodeKeepsAnOldAndANewPodUntilTheNewOneIsAvailable() {
    List<Node> nodes = List.of(
        node("waiting", old("a-old"), fresh("a-new", false)),
        node("done", old("b-old"), fresh("b-new", true)),
        node("terminating", new Pod("c-old", false, true, true, true, true, "Running", T0)));
    Plan plan = DaemonRollout.manage(nodes, true);
    assertEquals(List.of("b-old"), plan.delete());
    // the node whose only pod is going gets its new one now, not after it is gone
    assertEquals(List.of("terminating"), plan.createOn());
  }

  @Test
  void withoutSurgeAtMostMaxUnavailableOldPodsGoAtOnceAndBrokenOnesGoAnyway() {
    List<Node> nodes = List.of(node("a", old("a-1")), node("b", old("b-1")), node("c", old("c-1")),
        node("d", old("d-1")), node("e", new Pod("e-1", false, true, false, false, false, "Running", T0)));
    Plan plan = DaemonRollout.rollingUpdate(nodes, new Fenceposts(0, 2, 5));
    // the unavailable old pod is replaced without counting against the budget
    assertEquals(List.of("e-1", "a-1", "b-1"), plan.delete());
    assertEquals(List.of(), plan.createOn());
  }

  @Test
  void withoutSurgeNewPodsThatAreNotAvailableYetUseUpTheBudget() {
    List<Node> nodes = List.of(node("a", fresh("a-2", false)), node("b"), node("c", old("c-1")),
        node("d", old("d-1")));
    // a's new pod is not available and b has none yet: 2 unavailable of maxUnavailable 2
    assertEquals(List.of(), DaemonRollout.rollingUpdate(nodes, new Fenceposts(0, 2, 4)).delete());
    List<Node> later = List.of(node("a", fresh("a-2", true)), node("b"), node("c", old("c-1")),
        node("d", old("d-1")));
    assertEquals(List.of("c-1"), DaemonRollout.rollingUpdate(later, new Fenceposts(0, 2, 4)).delete());
  }

  @Test
  void withSurgeNewPodsStartBesideOldOnesOnAtMostMaxSurgeNodes() {
    List<Node> nodes = List.of(node("a", old("a-1")), node("b", old("b-1")), node("c", old("c-1")),
        node("d", new Pod("d-1", false, true, false, false, false, "Running", T0)));
    Plan plan = DaemonRollout.rollingUpdate(nodes, new Fenceposts(1, 0, 4));
    // d's old pod is unavailable: a new one goes there at once; one more within the surge budget
    assertEquals(List.of("d", "a"), plan.createOn());
    assertEquals(List.of(), plan.delete());

    List<Node> surging = List.of(node("a", old("a-1"), fresh("a-2", false)), node("b", old("b-1")),
        node("c", old("c-1"), fresh("c-2", true)));
    Plan next = DaemonRollout.rollingUpdate(surging, new Fenceposts(1, 0, 3));
    assertEquals(List.of("c-1"), next.delete(), "the old pod goes once the new one is available");
    assertEquals(List.of(), next.createOn(), "a's surge pod is not available yet: the budget is spent");
  }

  @Test
  void statusCountsTheOldestPodOfEachNode() {
    List<Node> nodes = List.of(node("a", fresh("a-1", true)), node("b", old("b-1")),
        node("c", new Pod("c-1", true, true, true, false, false, "Running", T0)), node("d"),
        new Node("off", Fit.NO, List.of(old("x-1"))));
    DaemonRollout.Counts c = DaemonRollout.status(nodes);
    assertEquals(4, c.desired());
    assertEquals(3, c.current());
    assertEquals(3, c.ready());
    assertEquals(2, c.available());
    assertEquals(2, c.updated());
    assertEquals(1, c.misscheduled());
    assertEquals(2, c.unavailable());
  }
}
