package io.steuermann.engine.controllers.disruption;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A budget's status from its pods, case by case as Kubernetes' disruption controller counts. */
class BudgetStatusTest {
  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
  /** Two workloads: ReplicaSet rs-a (of Deployment web, 4 replicas) and ReplicaSet rs-b (3 replicas, no Deployment). */
  private static final BudgetStatus.Scales SCALES = (namespace, ref) -> Optional.ofNullable(Map.of(
      "rs-a", new BudgetStatus.Scale("deployment-web", 4),
      "rs-a2", new BudgetStatus.Scale("deployment-web", 4),
      "rs-b", new BudgetStatus.Scale("rs-b", 3)).get(ref.path("uid").asText()));

  private static ObjectNode json(String text) {
    try {
      return (ObjectNode) Json.parse(text.replace('\'', '"'));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ObjectNode pdb(String spec, String status) {
    return json("{'metadata':{'name':'web','namespace':'default','generation':2},'spec':" + spec + ",'status':"
        + status + "}");
  }

  private static ObjectNode pod(String name, String owner, boolean ready) {
    return json("{'metadata':{'name':'" + name + "','namespace':'default'" + (owner == null ? ""
        : ",'ownerReferences':[{'kind':'ReplicaSet','name':'" + owner + "','uid':'" + owner + "','controller':true}]")
        + "},'status':{'phase':'Running','conditions':[{'type':'Ready','status':'" + (ready ? "True" : "False") + "'}]}}");
  }

  private static JsonNode status(ObjectNode pdb, List<ObjectNode> pods) {
    return BudgetStatus.compute(pdb, pods, SCALES, NOW).status();
  }

  @Test
  void anIntegerMinAvailableCountsThePodsThemselves() {
    List<ObjectNode> pods = List.of(pod("a", "rs-a", true), pod("b", "rs-a", true), pod("c", "rs-a", false));
    JsonNode s = status(pdb("{'minAvailable':1}", "{}"), pods);
    assertEquals(3, s.path("expectedPods").asInt());
    assertEquals(2, s.path("currentHealthy").asInt());
    assertEquals(1, s.path("desiredHealthy").asInt());
    assertEquals(1, s.path("disruptionsAllowed").asInt());
    assertEquals(2, s.path("observedGeneration").asInt());
    JsonNode condition = s.path("conditions").get(0);
    assertEquals("DisruptionAllowed/True/SufficientPods", condition.path("type").asText() + "/"
        + condition.path("status").asText() + "/" + condition.path("reason").asText());
    assertEquals(NOW.toString(), condition.path("lastTransitionTime").asText());
  }

  @Test
  void maxUnavailableIsOfTheWorkloadsScaleRoundedUpAndEachWorkloadCountsOnce() {
    // four pods of one Deployment across its two ReplicaSets, one of another ReplicaSet; 25% of 7 is 1.75: 2
    List<ObjectNode> pods = List.of(pod("a", "rs-a", true), pod("b", "rs-a", true), pod("c", "rs-a2", true),
        pod("d", "rs-a2", true), pod("e", "rs-b", true));
    JsonNode s = status(pdb("{'maxUnavailable':'25%'}", "{}"), pods);
    assertEquals(7, s.path("expectedPods").asInt());
    assertEquals(5, s.path("desiredHealthy").asInt());
    assertEquals(0, s.path("disruptionsAllowed").asInt(), "5 healthy, 5 needed");
    assertEquals("InsufficientPods", s.path("conditions").get(0).path("reason").asText());
    // a percentage minAvailable rounds up too: 50% of 7 is 4
    assertEquals(4, status(pdb("{'minAvailable':'50%'}", "{}"), pods).path("desiredHealthy").asInt());
    assertEquals(1, status(pdb("{'minAvailable':'50%'}", "{}"), pods).path("disruptionsAllowed").asInt());
  }

  @Test
  void podsJustEvictedAreNotHealthyUntilTheirTimeoutAndTerminatingOnesNever() {
    List<ObjectNode> pods = new ArrayList<>(List.of(pod("a", "rs-a", true), pod("b", "rs-a", true),
        pod("c", "rs-a", true)));
    ObjectNode terminating = pod("d", "rs-a", true);
    terminating.with("metadata").put("deletionTimestamp", "2026-12-07T11:59:00Z");
    pods.add(terminating);
    BudgetStatus.Computed computed = BudgetStatus.compute(pdb("{'minAvailable':1}",
        "{'disruptedPods':{'a':'2026-12-07T11:59:30Z','b':'2026-12-07T11:57:00Z','d':'2026-12-07T11:59:00Z'}}"),
        pods, SCALES, NOW);
    JsonNode s = computed.status();
    // a: evicted 30 s ago, still expected to go; b: 3 minutes ago, no longer; d: terminating
    assertEquals("{\"a\":\"2026-12-07T11:59:30Z\"}", s.path("disruptedPods").toString());
    assertEquals(2, s.path("currentHealthy").asInt());
    assertEquals(Optional.of(Instant.parse("2026-12-07T12:01:30Z")), computed.recheckAt());
  }

  @Test
  void aPercentageOverAPodWithoutAKnownControllerFailsSafe() {
    List<ObjectNode> pods = List.of(pod("a", "rs-gone", true), pod("b", "rs-a", true));
    JsonNode s = status(pdb("{'maxUnavailable':'50%'}", "{'disruptionsAllowed':1,'observedGeneration':1}"), pods);
    assertEquals(0, s.path("disruptionsAllowed").asInt());
    JsonNode condition = s.path("conditions").get(0);
    assertEquals("False", condition.path("status").asText());
    assertEquals("SyncFailed", condition.path("reason").asText());
    assertEquals("found no controllers for pod \"a\"", condition.path("message").asText());
    // pods no controller owns are left out of the scale, not an error
    JsonNode unmanaged = status(pdb("{'maxUnavailable':1}", "{}"), List.of(pod("x", null, true), pod("y", "rs-b", true)));
    assertEquals(3, unmanaged.path("expectedPods").asInt());
  }

  @Test
  void theTransitionTimeStaysWhileTheConditionHolds() {
    JsonNode s = status(pdb("{'minAvailable':0}", "{'conditions':[{'type':'DisruptionAllowed','status':'True',"
        + "'lastTransitionTime':'2026-12-01T00:00:00Z','reason':'SufficientPods','message':''}]}"),
        List.of(pod("a", "rs-a", true)));
    assertEquals("2026-12-01T00:00:00Z", s.path("conditions").get(0).path("lastTransitionTime").asText());
  }
}
