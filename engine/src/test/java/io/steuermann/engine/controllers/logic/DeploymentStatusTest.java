package io.steuermann.engine.controllers.logic;

import static io.steuermann.engine.controllers.logic.TestObjects.at;
import static io.steuermann.engine.controllers.logic.TestObjects.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.logic.DeploymentStatus.Condition;
import io.steuermann.engine.controllers.logic.DeploymentStatus.RolloutStatus;
import io.steuermann.engine.controllers.logic.DeploymentStatus.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeploymentStatusTest {

  static ObjectNode deployment(int replicas, long generation, String extraSpec) {
    return json("{'metadata':{'name':'web','generation':" + generation + "},'spec':{'replicas':" + replicas
        + ",'progressDeadlineSeconds':60,'strategy':{'rollingUpdate':{'maxSurge':1,'maxUnavailable':1}}"
        + extraSpec + "}}");
  }

  static ObjectNode withStatus(ObjectNode deployment, Status status) {
    ObjectNode copy = deployment.deepCopy();
    copy.set("status", status.toJson());
    return copy;
  }

  /** A ReplicaSet whose status reports {@code pods} pods, {@code available} of them available (and ready). */
  static RsState rs(String name, int replicas, int pods, int available) {
    return new RsState(name, "", replicas, pods, available, available, at(0), 1, 1, 1, false);
  }

  static final Status EMPTY = new Status(0, 0, 0, 0, 0, 0, null, List.of());

  @Test
  void calculateCountsAndAvailability() {
    ObjectNode d = deployment(4, 3, "");
    Status s = DeploymentStatus.calculate(d, EMPTY, rs("new", 2, 2, 1), List.of(rs("old", 3, 3, 3)), at(0));
    assertEquals(new Status(3, 5, 2, 4, 4, 1, null, s.conditions()), s);
    // 4 available >= 4 - 1
    assertEquals(Optional.of(Condition.of("Available", "True", "MinimumReplicasAvailable",
        "Deployment has minimum availability.", at(0))), s.condition("Available"));

    Status low = DeploymentStatus.calculate(d, s, rs("new", 2, 2, 0), List.of(rs("old", 2, 2, 2)), at(5));
    Condition c = low.condition("Available").orElseThrow();
    assertEquals("False", c.status());
    assertEquals("MinimumReplicasUnavailable", c.reason());
    assertEquals("Deployment does not have minimum availability.", c.message());
    assertEquals(at(5), c.lastTransitionTime());
  }

  @Test
  void setConditionKeepsTimesUnlessStatusOrReasonChanges() {
    Status s = DeploymentStatus.setCondition(EMPTY, Condition.of("Progressing", "True", "A", "a", at(0)));
    assertEquals(s, DeploymentStatus.setCondition(s, Condition.of("Progressing", "True", "A", "other", at(9))),
        "same status and reason: no-op");
    Condition sameStatus = DeploymentStatus.setCondition(s, Condition.of("Progressing", "True", "B", "b", at(9)))
        .condition("Progressing").orElseThrow();
    assertEquals(at(9), sameStatus.lastUpdateTime());
    assertEquals(at(0), sameStatus.lastTransitionTime());
    Condition flipped = DeploymentStatus.setCondition(s, Condition.of("Progressing", "False", "B", "b", at(9)))
        .condition("Progressing").orElseThrow();
    assertEquals(at(9), flipped.lastTransitionTime());
  }

  /**
   * A rollout from start to finish, checked through what `kubectl rollout status` would print at
   * every stage.
   */
  @Test
  void rolloutLifecycleAsKubectlSeesIt() {
    ObjectNode d = deployment(3, 2, "");
    // the spec change is not observed yet
    ObjectNode before = withStatus(d, new Status(1, 3, 3, 3, 3, 0, null, List.of()));
    assertEquals(new RolloutStatus("Waiting for deployment spec update to be observed...", false, Optional.empty()),
        DeploymentStatus.rolloutStatus(before));

    // the controller creates the new ReplicaSet
    Status s = DeploymentStatus.newReplicaSetCreated(d, Status.of(before), "web-v2", at(0));
    assertEquals("Created new replica set \"web-v2\"", s.condition("Progressing").orElseThrow().message());
    s = DeploymentStatus.sync(d, s, rs("web-v2", 1, 1, 0), List.of(rs("web-v1", 3, 3, 3)), at(0));
    assertEquals("Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have been updated...",
        DeploymentStatus.rolloutStatus(withStatus(d, s)).message());
    Condition progressing = s.condition("Progressing").orElseThrow();
    // no counter grew compared to the old status (3 updated, 3 ready before), so the condition
    // stays as the creation left it -- which already restarted the deadline clock
    assertEquals("NewReplicaSetCreated", progressing.reason());

    // all new pods created, old ones still terminating
    Status s2 = DeploymentStatus.sync(d, s, rs("web-v2", 3, 3, 3), List.of(rs("web-v1", 0, 1, 0)), at(20));
    assertEquals("Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending termination...",
        DeploymentStatus.rolloutStatus(withStatus(d, s2)).message());
    assertEquals(at(20), s2.condition("Progressing").orElseThrow().lastUpdateTime(), "progress moves the clock");
    assertEquals("ReplicaSet \"web-v2\" is progressing.", s2.condition("Progressing").orElseThrow().message());
    assertEquals(progressing.lastTransitionTime(), s2.condition("Progressing").orElseThrow().lastTransitionTime());

    // new pods exist but are not all available yet
    Status s3 = DeploymentStatus.sync(d, s2, rs("web-v2", 3, 3, 2), List.of(rs("web-v1", 0, 0, 0)), at(30));
    assertEquals("Waiting for deployment \"web\" rollout to finish: 2 of 3 updated replicas are available...",
        DeploymentStatus.rolloutStatus(withStatus(d, s3)).message());

    // done
    Status s4 = DeploymentStatus.sync(d, s3, rs("web-v2", 3, 3, 3), List.of(rs("web-v1", 0, 0, 0)), at(40));
    Condition done = s4.condition("Progressing").orElseThrow();
    assertEquals("NewReplicaSetAvailable", done.reason());
    assertEquals("ReplicaSet \"web-v2\" has successfully progressed.", done.message());
    assertEquals(new RolloutStatus("deployment \"web\" successfully rolled out", true, Optional.empty()),
        DeploymentStatus.rolloutStatus(withStatus(d, s4)));
    assertEquals(Optional.empty(), DeploymentStatus.recheckAfter(d, s4, at(40)));

    // a resync long after the deadline keeps the completed condition untouched
    assertEquals(s4, DeploymentStatus.sync(d, s4, rs("web-v2", 3, 3, 3), List.of(rs("web-v1", 0, 0, 0)), at(4000)));
  }

  @Test
  void noProgressPastTheDeadlineTimesOut() {
    ObjectNode d = deployment(3, 2, "");
    Status s = DeploymentStatus.newReplicaSetCreated(d, EMPTY, "web-v2", at(0));
    List<RsState> old = List.of(rs("web-v1", 2, 2, 2));
    RsState stuck = rs("web-v2", 2, 2, 0);
    s = DeploymentStatus.sync(d, s, stuck, old, at(0));

    Status within = DeploymentStatus.sync(d, s, stuck, old, at(60));
    assertEquals("ReplicaSetUpdated", within.condition("Progressing").orElseThrow().reason());
    assertEquals(Optional.of(Duration.ofSeconds(11)), DeploymentStatus.recheckAfter(d, within, at(50)));

    Status late = DeploymentStatus.sync(d, within, stuck, old, at(61));
    Condition c = late.condition("Progressing").orElseThrow();
    assertEquals("False", c.status());
    assertEquals("ProgressDeadlineExceeded", c.reason());
    assertEquals("ReplicaSet \"web-v2\" has timed out progressing.", c.message());
    assertEquals(new RolloutStatus("", false, Optional.of("deployment \"web\" exceeded its progress deadline")),
        DeploymentStatus.rolloutStatus(withStatus(d, late)));
    assertEquals(Optional.empty(), DeploymentStatus.recheckAfter(d, late, at(61)));
    assertTrue(DeploymentStatus.timedOut(d, late, at(61)));

    // progress after the timeout brings the rollout back to Progressing=True
    Status recovered = DeploymentStatus.sync(d, late, rs("web-v2", 2, 2, 1), old, at(90));
    assertEquals("True", recovered.condition("Progressing").orElseThrow().status());
    assertEquals(at(90), recovered.condition("Progressing").orElseThrow().lastTransitionTime());
  }

  @Test
  void withoutDeadlineThereIsNoProgressingCondition() {
    ObjectNode d = deployment(1, 1, "");
    ((ObjectNode) d.get("spec")).put("progressDeadlineSeconds", Integer.MAX_VALUE);
    assertFalse(DeploymentStatus.hasProgressDeadline(d));
    Status s = DeploymentStatus.setCondition(EMPTY, Condition.of("Progressing", "True", "X", "x", at(0)));
    Status out = DeploymentStatus.sync(d, s, rs("web-v1", 1, 1, 0), List.of(), at(100));
    assertEquals(Optional.empty(), out.condition("Progressing"));
    assertTrue(out.condition("Available").isPresent());
    assertEquals(s, DeploymentStatus.newReplicaSetCreated(d, s, "x", at(1)));
  }

  @Test
  void foundNewReplicaSetOnlyWithoutAProgressingCondition() {
    ObjectNode d = deployment(1, 1, "");
    Status found = DeploymentStatus.foundNewReplicaSet(d, EMPTY, "web-v1", at(0));
    assertEquals("FoundNewReplicaSet", found.condition("Progressing").orElseThrow().reason());
    assertEquals("Found new replica set \"web-v1\"", found.condition("Progressing").orElseThrow().message());
    assertEquals(found, DeploymentStatus.foundNewReplicaSet(d, found, "web-v1", at(5)));
  }

  @Test
  void pausedAndResumed() {
    ObjectNode paused = deployment(1, 1, ",'paused':true");
    Status p = DeploymentStatus.pausedConditions(paused, EMPTY, at(0));
    Condition c = p.condition("Progressing").orElseThrow();
    assertEquals(List.of("Unknown", "DeploymentPaused", "Deployment is paused"), List.of(c.status(), c.reason(), c.message()));
    assertFalse(DeploymentStatus.timedOut(paused, p, at(10)), "the deadline clock restarts on resume");
    Status r = DeploymentStatus.pausedConditions(deployment(1, 1, ""), p, at(100));
    assertEquals("DeploymentResumed", r.condition("Progressing").orElseThrow().reason());
    assertEquals(at(100), r.condition("Progressing").orElseThrow().lastUpdateTime());
    Status timedOut = DeploymentStatus.setCondition(EMPTY,
        Condition.of("Progressing", "False", "ProgressDeadlineExceeded", "x", at(0)));
    assertEquals(timedOut, DeploymentStatus.pausedConditions(paused, timedOut, at(5)));
  }

  @Test
  void jsonRoundTripWithWholeSecondTimes() {
    Status s = new Status(4, 3, 3, 2, 2, 1, 1, List.of(
        Condition.of("Available", "True", "MinimumReplicasAvailable", "m", Instant.parse("2024-05-01T10:00:00.750Z"))));
    ObjectNode json = s.toJson();
    assertEquals("2024-05-01T10:00:00Z", json.at("/conditions/0/lastUpdateTime").asText());
    assertEquals(1, json.get("collisionCount").asInt());
    ObjectNode d = json("{'metadata':{'name':'web'}}");
    d.set("status", json);
    assertEquals(s, Status.of(d));
  }
}
