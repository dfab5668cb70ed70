package io.steuermann.engine.controllers.daemonset;

import static io.steuermann.engine.controllers.daemonset.DaemonRolloutTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.patch.StrategicMergePatch;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** ControllerRevisions of a DaemonSet: what they hold, how kubectl's rollout undo uses them, what is cleaned up. */
class DaemonRevisionsTest {

  private static ObjectNode ds(String image) {
    return (ObjectNode) json("{\"apiVersion\":\"apps/v1\",\"kind\":\"DaemonSet\",\"metadata\":{\"name\":\"agent\","
        + "\"namespace\":\"ns\",\"uid\":\"u-1\",\"annotations\":{\"kubernetes.io/change-cause\":\"set " + image + "\"}},"
        + "\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"agent\"}},\"template\":{\"metadata\":{\"labels\":"
        + "{\"app\":\"agent\"},\"creationTimestamp\":null},\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"" + image
        + "\"},{\"name\":\"b\",\"image\":\"side\"}]}}}}");
  }

  @Test
  void aSnapshotIsAPatchThatPutsTheTemplateBack() throws Exception {
    ObjectNode v1 = ds("agent:1");
    String hash = DaemonRevisions.hash(v1);
    ObjectNode revision = DaemonRevisions.snapshot(v1, hash, 1);
    assertEquals("agent-" + hash, Meta.name(revision));
    assertEquals(hash, revision.path("metadata").path("labels").path(DaemonRevisions.HASH_LABEL).asText());
    assertEquals("agent", revision.path("metadata").path("labels").path("app").asText());
    assertEquals("u-1", revision.path("metadata").path("ownerReferences").path(0).path("uid").asText());
    assertEquals("set agent:1", revision.path("metadata").path("annotations").path("kubernetes.io/change-cause").asText());
    assertEquals("replace", revision.path("data").path("spec").path("template").path("$patch").asText());
    assertEquals(1, DaemonRevisions.revision(revision));
    assertTrue(DaemonRevisions.matches(v1, revision));

    // kubectl rollout undo sends data as a strategic merge patch; the sidecar container must not survive twice
    ObjectNode v2 = ds("agent:2");
    ((ObjectNode) v2.path("spec").path("template").path("spec")).putArray("containers").addObject()
        .put("name", "a").put("image", "agent:2");
    assertFalse(DaemonRevisions.matches(v2, revision));
    assertNotEquals(hash, DaemonRevisions.hash(v2));
    JsonNode undone = StrategicMergePatch.apply(v2, revision.path("data"));
    assertEquals(v1.path("spec").path("template").path("spec"), undone.path("spec").path("template").path("spec"));
    assertTrue(DaemonRevisions.matches(undone, revision));
  }

  @Test
  void aCollisionCountGivesANewHash() {
    ObjectNode v1 = ds("agent:1");
    String plain = DaemonRevisions.hash(v1);
    v1.putObject("status").put("collisionCount", 1);
    assertNotEquals(plain, DaemonRevisions.hash(v1));
  }

  @Test
  void cleanupRemovesTheOldestBeyondTheLimitButNotOnesLivePodsUse() {
    List<ObjectNode> old = List.of(
        DaemonRevisions.snapshot(ds("agent:1"), "h1", 1),
        DaemonRevisions.snapshot(ds("agent:2"), "h2", 2),
        DaemonRevisions.snapshot(ds("agent:3"), "h3", 3),
        DaemonRevisions.snapshot(ds("agent:4"), "h4", 4));
    assertEquals(List.of("agent-h1", "agent-h3"), DaemonRevisions.toCleanUp(old, Set.of("h2"), 2));
    assertEquals(List.of(), DaemonRevisions.toCleanUp(old, Set.of(), 10));
    assertEquals(List.of("agent-h1", "agent-h2", "agent-h3", "agent-h4"), DaemonRevisions.toCleanUp(old, Set.of(), 0));
    assertEquals(4, DaemonRevisions.maxRevision(old));
    assertEquals("agent-h2", Meta.name(DaemonRevisions.find(old, 2).orElseThrow()));
  }
}
