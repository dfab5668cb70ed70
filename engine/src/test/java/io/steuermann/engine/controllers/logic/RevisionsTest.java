package io.steuermann.engine.controllers.logic;

import static io.steuermann.engine.controllers.logic.TestObjects.at;
import static io.steuermann.engine.controllers.logic.TestObjects.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RevisionsTest {

  static RsState rs(String name, long revision, int replicas) {
    return RsState.of(name, replicas, replicas, at(revision), revision);
  }

  @Test
  void readsTheAnnotation() {
    assertEquals(3, Revisions.revision(json(
        "{'metadata':{'annotations':{'deployment.kubernetes.io/revision':'3'}}}")));
    assertEquals(0, Revisions.revision(json("{'metadata':{}}")));
    assertEquals(0, Revisions.revision(json("{'metadata':{'annotations':{'deployment.kubernetes.io/revision':'x'}}}")));
    assertEquals(7, RsState.of(json("{'metadata':{'name':'r','annotations':{'deployment.kubernetes.io/revision':'7'}},"
        + "'spec':{'replicas':2}}")).revision());
  }

  @Test
  void nextRevisionIsOneMoreThanTheOldMaximum() {
    assertEquals(1, Revisions.nextRevision(List.of()));
    assertEquals(5, Revisions.nextRevision(List.of(rs("a", 1, 0), rs("b", 4, 0), rs("c", 2, 0))));
    assertTrue(Revisions.needsRevisionUpdate(rs("back", 2, 3), 5), "a rolled-back set gets the newest number");
    assertFalse(Revisions.needsRevisionUpdate(rs("cur", 5, 3), 5));
  }

  // Kubernetes' TestLastRevision-style cases: the second-highest revision.
  @Test
  void lastRevision() {
    assertEquals(0, Revisions.lastRevision(List.of()));
    assertEquals(0, Revisions.lastRevision(List.of(rs("a", 1, 3))));
    assertEquals(2, Revisions.lastRevision(List.of(rs("a", 1, 0), rs("b", 3, 3), rs("c", 2, 0))));
    assertEquals(3, Revisions.lastRevision(List.of(rs("b", 3, 3), rs("c", 3, 0))), "equal maxima");
  }

  @Test
  void rollbackTarget() {
    List<RsState> all = List.of(rs("v1", 1, 0), rs("v2", 2, 0), rs("v3", 3, 3));
    assertEquals(Optional.of("v2"), Revisions.rollbackTarget(all, 0).map(RsState::name), "undo: previous");
    assertEquals(Optional.of("v1"), Revisions.rollbackTarget(all, 1).map(RsState::name));
    assertEquals(Optional.empty(), Revisions.rollbackTarget(all, 9));
    assertEquals(Optional.empty(), Revisions.rollbackTarget(List.of(rs("v1", 1, 3)), 0), "no history");
    assertEquals("Unable to find last revision.", Revisions.rollbackNotFoundMessage(0));
  }

  @Test
  void templateForRollbackDropsTheHashLabel() {
    var set = json("{'spec':{'template':{'metadata':{'labels':{'app':'web','pod-template-hash':'abc'}},"
        + "'spec':{'containers':[{'name':'web','image':'nginx:1'}]}}}}");
    assertEquals(json("{'metadata':{'labels':{'app':'web'}},'spec':{'containers':[{'name':'web','image':'nginx:1'}]}}"),
        Revisions.templateForRollback(set));
    assertTrue(set.at("/spec/template/metadata/labels").has("pod-template-hash"), "input untouched");
  }

  @Test
  void cleanupDeletesTheLowestRevisionsBeyondTheLimit() {
    List<RsState> old = List.of(rs("r3", 3, 0), rs("r1", 1, 0), rs("r2", 2, 0), rs("r4", 4, 0));
    assertEquals(List.of("r1", "r2"), Revisions.toCleanUp(old, 2));
    assertEquals(List.of(), Revisions.toCleanUp(old, 4));
    assertEquals(List.of("r1", "r2", "r3", "r4"), Revisions.toCleanUp(old, 0));
    assertEquals(List.of(), Revisions.toCleanUp(old, -1), "unset limit keeps everything");
  }

  @Test
  void cleanupSkipsSetsWithPodsOrStaleStatusAndIgnoresDeletingOnes() {
    RsState withPods = rs("r1", 1, 2);
    RsState draining = new RsState("r2", "", 0, 1, 0, 0, at(2), 2, 1, 1, false);
    RsState stale = new RsState("r3", "", 0, 0, 0, 0, at(3), 3, 2, 1, false);
    RsState deleting = new RsState("r0", "", 0, 0, 0, 0, at(0), 0, 1, 1, true);
    RsState fine = rs("r4", 4, 0);
    // 4 cleanable (deleting one excluded), limit 0 -> all 4 candidates, only r4 qualifies
    assertEquals(List.of("r4"), Revisions.toCleanUp(List.of(withPods, draining, stale, deleting, fine), 0));
  }

  @Test
  void historyLimitDefaultsToTen() {
    assertEquals(10, Revisions.historyLimit(json("{'spec':{}}")));
    assertEquals(0, Revisions.historyLimit(json("{'spec':{'revisionHistoryLimit':0}}")));
  }
}
