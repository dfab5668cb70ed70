package io.steuermann.engine.controllers.logic;

import static io.steuermann.engine.controllers.logic.TestObjects.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ActivePodsTest {

  /** A pod; ready == null means no Ready condition. */
  static ObjectNode pod(String name, String node, String phase, Boolean ready, String readySince, int restarts,
                        String created) {
    ObjectNode p = json("{'metadata':{'name':'" + name + "'},'spec':{'nodeName':'" + node + "'},"
        + "'status':{'phase':'" + phase + "','containerStatuses':[{'restartCount':" + restarts + "}]}}");
    if (created != null) {
      ((ObjectNode) p.get("metadata")).put("creationTimestamp", created);
    }
    if (ready != null) {
      ObjectNode c = ((ObjectNode) p.get("status")).putArray("conditions").addObject();
      c.put("type", "Ready").put("status", ready ? "True" : "False");
      if (readySince != null) {
        c.put("lastTransitionTime", readySince);
      }
    }
    return p;
  }

  static List<String> names(List<? extends JsonNode> pods) {
    return pods.stream().map(p -> p.path("metadata").path("name").asText()).toList();
  }

  // After Kubernetes' TestSortingActivePods: a list in the expected order, shuffled, must sort back.
  @Test
  void sortsLeastValuableFirst() {
    List<ObjectNode> expected = List.of(
        pod("unscheduled", "", "Pending", null, null, 0, "2024-01-01T00:00:00Z"),
        pod("scheduled-pending", "n1", "Pending", null, null, 0, "2024-01-01T00:00:00Z"),
        pod("unknown", "n1", "Unknown", null, null, 0, "2024-01-01T00:00:00Z"),
        pod("running-not-ready", "n1", "Running", false, null, 0, "2024-01-01T00:00:00Z"),
        pod("ready-no-time", "n1", "Running", true, null, 0, "2024-01-01T00:00:00Z"),
        pod("ready-recently", "n1", "Running", true, "2024-01-01T00:10:00Z", 0, "2024-01-01T00:00:00Z"),
        pod("ready-long-many-restarts", "n1", "Running", true, "2024-01-01T00:05:00Z", 5, "2024-01-01T00:00:00Z"),
        pod("ready-long-few-restarts", "n1", "Running", true, "2024-01-01T00:05:00Z", 1, "2024-01-01T00:00:00Z"),
        pod("ready-long-no-created", "n1", "Running", true, "2024-01-01T00:05:00Z", 0, null),
        pod("ready-long-newer", "n1", "Running", true, "2024-01-01T00:05:00Z", 0, "2024-01-01T00:03:00Z"),
        pod("ready-long-older", "n1", "Running", true, "2024-01-01T00:05:00Z", 0, "2024-01-01T00:01:00Z"));
    Random random = new Random(42);
    for (int i = 0; i < 20; i++) {
      List<ObjectNode> shuffled = new ArrayList<>(expected);
      Collections.shuffle(shuffled, random);
      shuffled.sort(ActivePods.order());
      assertEquals(names(expected), names(shuffled));
    }
  }

  @Test
  void withRanksDeletionCostThenDoubledUpPodsGoFirst() {
    ObjectNode cheap = pod("cheap", "n2", "Running", true, "2024-01-01T00:05:00Z", 0, "2024-01-01T00:00:00Z");
    ((ObjectNode) cheap.get("metadata")).putObject("annotations").put(ActivePods.DELETION_COST, "-10");
    ObjectNode a = pod("a", "n1", "Running", true, "2024-01-01T00:05:00Z", 0, "2024-01-01T00:00:00Z");
    ObjectNode b = pod("b", "n1", "Running", true, "2024-01-01T00:05:00Z", 0, "2024-01-01T00:00:00Z");
    ObjectNode c = pod("c", "n3", "Running", true, "2024-01-01T00:00:01Z", 0, "2024-01-01T00:00:00Z");
    ObjectNode notReady = pod("not-ready", "n2", "Running", false, null, 0, "2024-01-01T00:00:00Z");
    // Not ready first, then the negative deletion cost, then one of a/b, doubled up on n1, before c
    // (alone on n3) -- although c has been ready longer, rank comes before ready time.
    List<JsonNode> all = List.of(c, a, notReady, b, cheap);
    assertEquals(List.of("not-ready", "cheap"), names(ActivePods.podsToDelete(all, 2)));
    List<JsonNode> three = ActivePods.podsToDelete(all, 3);
    assertTrue(List.of("a", "b").contains(names(three).get(2)), names(three).toString());
    assertEquals(5, ActivePods.podsToDelete(all, 9).size());
  }

  @Test
  void filterActiveDropsFinishedAndTerminatingPods() {
    ObjectNode running = pod("running", "n1", "Running", true, null, 0, null);
    ObjectNode pending = pod("pending", "", "Pending", null, null, 0, null);
    ObjectNode succeeded = pod("succeeded", "n1", "Succeeded", null, null, 0, null);
    ObjectNode failed = pod("failed", "n1", "Failed", null, null, 0, null);
    ObjectNode deleting = pod("deleting", "n1", "Running", true, null, 0, null);
    ((ObjectNode) deleting.get("metadata")).put("deletionTimestamp", "2024-01-01T00:00:00Z");
    assertEquals(List.of("running", "pending"),
        names(ActivePods.filterActive(List.of(running, pending, succeeded, failed, deleting))));
  }

  @Test
  void availabilityNeedsMinReadySeconds() {
    ObjectNode p = pod("p", "n1", "Running", true, "2024-05-01T10:00:00Z", 0, null);
    assertTrue(ActivePods.isAvailable(p, 0, TestObjects.at(0)));
    assertFalse(ActivePods.isAvailable(p, 10, TestObjects.at(9)));
    assertTrue(ActivePods.isAvailable(p, 10, TestObjects.at(10)));
    assertFalse(ActivePods.isAvailable(pod("q", "n1", "Running", false, null, 0, null), 0, TestObjects.at(0)));
  }
}
