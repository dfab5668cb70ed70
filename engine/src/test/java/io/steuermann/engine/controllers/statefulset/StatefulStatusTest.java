package io.steuermann.engine.controllers.statefulset;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Worked examples of Kubernetes' StatefulSet status. */
class StatefulStatusTest {
  private static final Instant NOW = Instant.parse("2026-12-08T00:00:10Z");

  private static ObjectNode set(int replicas, int minReady) {
    ObjectNode set = Json.object();
    set.putObject("metadata").put("name", "web").put("generation", 4);
    ObjectNode spec = set.putObject("spec").put("replicas", replicas).put("minReadySeconds", minReady);
    spec.putObject("updateStrategy").put("type", "RollingUpdate");
    return set;
  }

  private static JsonNode pod(String revision, boolean ready, String since, boolean terminating) {
    ObjectNode pod = Json.object();
    ObjectNode meta = pod.putObject("metadata");
    meta.putObject("labels").put("controller-revision-hash", revision);
    if (terminating) {
      meta.put("deletionTimestamp", "2026-12-08T00:00:09Z");
    }
    ObjectNode status = pod.putObject("status").put("phase", "Running");
    status.putArray("conditions").addObject().put("type", "Ready").put("status", ready ? "True" : "False")
        .put("lastTransitionTime", since);
    return pod;
  }

  @Test
  void aRollingUpdateHalfwayKeepsTheCurrentRevision() {
    ObjectNode s = StatefulStatus.of(set(3, 0), List.of(pod("web-a", true, "2026-12-08T00:00:00Z", false),
        pod("web-a", true, "2026-12-08T00:00:00Z", false), pod("web-b", false, "2026-12-08T00:00:09Z", false)),
        "web-a", "web-b", NOW);
    assertEquals("{\"observedGeneration\":4,\"replicas\":3,\"readyReplicas\":2,\"currentReplicas\":2,"
        + "\"updatedReplicas\":1,\"currentRevision\":\"web-a\",\"updateRevision\":\"web-b\",\"collisionCount\":0,"
        + "\"availableReplicas\":2}", s.toString());
  }

  @Test
  void allUpdatedAndReadyMakesTheUpdateRevisionCurrent() {
    ObjectNode s = StatefulStatus.of(set(2, 5), List.of(pod("web-b", true, "2026-12-08T00:00:00Z", false),
        pod("web-b", true, "2026-12-08T00:00:08Z", false)), "web-a", "web-b", NOW);
    assertEquals("web-b", s.path("currentRevision").asText());
    assertEquals(2, s.path("currentReplicas").asInt());
    assertEquals(1, s.path("availableReplicas").asInt(), "one was ready for less than minReadySeconds");
  }

  @Test
  void aTerminatingPodCountsAsReadyButAtNoRevision() {
    ObjectNode s = StatefulStatus.of(set(1, 0), List.of(pod("web-b", true, "2026-12-08T00:00:00Z", false),
        pod("web-b", true, "2026-12-08T00:00:00Z", true)), "web-b", "web-b", NOW);
    assertEquals(2, s.path("replicas").asInt());
    assertEquals(2, s.path("readyReplicas").asInt());
    assertEquals(1, s.path("updatedReplicas").asInt());
    assertEquals(1, s.path("currentReplicas").asInt(), "not complete while the condemned pod is there");
  }
}
