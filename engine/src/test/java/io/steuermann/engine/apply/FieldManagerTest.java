package io.steuermann.engine.apply;

import static io.steuermann.engine.apply.FieldSetTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.ApiStatus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FieldManagerTest {
  private static final Instant T1 = Instant.parse("2024-01-01T00:00:00Z");
  private static final Instant T2 = Instant.parse("2024-01-01T00:01:00Z");
  private static final String APPS = "apps/v1";

  private static ObjectNode obj(String text) {
    return (ObjectNode) json(text);
  }

  private static ObjectNode deployment(int replicas, String image, String labels) {
    return obj("""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":%s},
         "spec":{"replicas":%d,"template":{"spec":{"containers":[{"name":"app","image":"%s"}]}}}}"""
        .formatted(labels, replicas, image));
  }

  private static ObjectNode applied(ObjectNode live, ObjectNode config, String manager, boolean force) {
    FieldManager.Applied result = FieldManager.apply(live, config, manager, "", force, APPS, T2);
    assertTrue(result.conflicts().isEmpty(), () -> "unexpected conflicts " + result.conflicts());
    return result.object();
  }

  /** An update by {@code manager}: {@code change} edits a copy of {@code before}. */
  private static ObjectNode updated(ObjectNode before, String manager, String subresource,
      java.util.function.Consumer<ObjectNode> change) {
    ObjectNode after = before.deepCopy();
    change.accept(after);
    FieldManager.record(Ownership.update(manager, subresource), before, after, APPS, T2);
    return after;
  }

  private static JsonNode entry(ObjectNode object, String manager, String operation) {
    for (JsonNode e : object.path("metadata").path("managedFields")) {
      if (e.path("manager").asText().equals(manager) && e.path("operation").asText().equals(operation)) {
        return e;
      }
    }
    return null;
  }

  @Test
  void applyToNothingCreatesAndOwnsExactlyTheConfig() {
    ObjectNode created = applied(null, deployment(2, "app:1", "{\"a\":\"1\"}"), "ci", false);
    assertEquals(2, created.at("/spec/replicas").asInt());
    JsonNode e = entry(created, "ci", "Apply");
    assertNotNull(e);
    assertEquals("apps/v1", e.path("apiVersion").asText());
    assertEquals("FieldsV1", e.path("fieldsType").asText());
    assertEquals(T2.toString(), e.path("time").asText());
    assertEquals(json("""
        {"f:metadata":{"f:labels":{".":{},"f:a":{}}},"f:spec":{"f:replicas":{},"f:template":{"f:spec":
         {"f:containers":{"k:{\\"name\\":\\"app\\"}":{".":{},"f:image":{},"f:name":{}}}}}}}"""),
        e.path("fieldsV1"));
  }

  @Test
  void fieldsNoLongerAppliedAreRemovedUnlessSomeoneElseOwnsThem() {
    ObjectNode live = applied(null, deployment(2, "app:1", "{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"}"), "ci", false);
    // another manager sets label c to the same value: it co-owns it now
    live = updated(live, "kubectl-label", "", o -> ((ObjectNode) o.at("/metadata/labels")).put("d", "4"));
    ObjectNode coOwned = applied(live, obj("""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"c":"3"}}}"""), "other", false);
    ObjectNode next = applied(coOwned, deployment(2, "app:1", "{\"a\":\"1\"}"), "ci", false);
    assertEquals(json("{\"a\":\"1\",\"c\":\"3\",\"d\":\"4\"}"), next.at("/metadata/labels"));
  }

  @Test
  void listsMergeByKeyAndElementsOthersAddedStay() {
    ObjectNode live = applied(null, deployment(2, "app:1", "{}"), "ci", false);
    live = updated(live, "kubectl-edit", "", o -> ((com.fasterxml.jackson.databind.node.ArrayNode)
        o.at("/spec/template/spec/containers")).addObject().put("name", "sidecar").put("image", "proxy:1"));
    ObjectNode next = applied(live, deployment(2, "app:2", "{}"), "ci", false);
    JsonNode containers = next.at("/spec/template/spec/containers");
    assertEquals(2, containers.size());
    assertEquals("app:2", containers.get(0).path("image").asText());
    assertEquals("sidecar", containers.get(1).path("name").asText());
  }

  @Test
  void aListElementNoLongerAppliedGoes() {
    ObjectNode two = obj("""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
         "spec":{"containers":[{"name":"a","image":"a","args":["x","y"]},{"name":"b","image":"b"}]}}""");
    ObjectNode one = obj("""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
         "spec":{"containers":[{"name":"a","image":"a","args":["z"]}]}}""");
    ObjectNode next = applied(applied(null, two, "ci", false), one, "ci", false);
    assertEquals(json("[{\"name\":\"a\",\"image\":\"a\",\"args\":[\"z\"]}]"), next.at("/spec/containers"));
  }

  @Test
  void changingAFieldAnotherManagerOwnsConflicts() {
    ObjectNode live = applied(null, deployment(2, "app:1", "{}"), "kubectl", false);
    live = updated(live, "kubectl", "scale", o -> ((ObjectNode) o.get("spec")).put("replicas", 5));
    // the scale took the field: the applier no longer owns it
    assertFalse(entry(live, "kubectl", "Apply").path("fieldsV1").path("f:spec").has("f:replicas"));
    assertEquals("scale", entry(live, "kubectl", "Update").path("subresource").asText());

    FieldManager.Applied refused = FieldManager.apply(live, deployment(3, "app:1", "{}"), "kubectl", "", false, APPS, T2);
    assertEquals(1, refused.conflicts().size());
    ApiStatus status = Conflict.status(refused.conflicts());
    assertEquals(409, status.code());
    assertEquals("Conflict", status.reason());
    assertEquals("Apply failed with 1 conflict: conflict with \"kubectl\" with subresource \"scale\" using apps/v1: "
        + ".spec.replicas", status.message());
    assertEquals(List.of(new ApiStatus.Cause("FieldManagerConflict",
        "conflict with \"kubectl\" with subresource \"scale\" using apps/v1", ".spec.replicas")),
        status.details().causes());
  }

  @Test
  void applyingTheValueAnotherManagerSetMakesACoOwner() {
    ObjectNode live = applied(null, deployment(2, "app:1", "{}"), "ci", false);
    live = updated(live, "hpa", "", o -> ((ObjectNode) o.get("spec")).put("replicas", 5));
    ObjectNode next = applied(live, deployment(5, "app:1", "{}"), "ci", false);
    assertTrue(entry(next, "ci", "Apply").path("fieldsV1").path("f:spec").has("f:replicas"));
    assertTrue(entry(next, "hpa", "Update").path("fieldsV1").path("f:spec").has("f:replicas"));
  }

  @Test
  void forceTakesTheFieldsAndAnOwnerLeftWithNothingGoes() {
    ObjectNode live = applied(null, deployment(2, "app:1", "{}"), "ci", false);
    live = updated(live, "hpa", "", o -> ((ObjectNode) o.get("spec")).put("replicas", 5));
    ObjectNode next = applied(live, deployment(3, "app:1", "{}"), "ci", true);
    assertEquals(3, next.at("/spec/replicas").asInt());
    assertEquals(null, entry(next, "hpa", "Update"));
    assertTrue(entry(next, "ci", "Apply").path("fieldsV1").path("f:spec").has("f:replicas"));
  }

  @Test
  void conflictsWithSeveralFieldsAreListedByManager() {
    ObjectNode live = applied(null, deployment(2, "app:1", "{}"), "ci", false);
    live = updated(live, "ops", "", o -> {
      ((ObjectNode) o.get("spec")).put("replicas", 5);
      ((ObjectNode) o.at("/spec/template/spec/containers/0")).put("image", "app:9");
    });
    FieldManager.Applied refused = FieldManager.apply(live, deployment(3, "app:2", "{}"), "ci", "", false, APPS, T2);
    assertEquals("Apply failed with 2 conflicts: conflicts with \"ops\" using apps/v1:\n"
        + "- .spec.replicas\n- .spec.template.spec.containers[name=\"app\"].image",
        Conflict.message(refused.conflicts()));
  }

  @Test
  void anUpdateOwnsWhatItChangedAndTakesItFromOthers() {
    ObjectNode live = applied(null, deployment(2, "app:1", "{\"a\":\"1\"}"), "ci", false);
    ObjectNode next = updated(live, "kubectl-label", "", o -> ((ObjectNode) o.at("/metadata/labels")).put("a", "2"));
    assertEquals(json("{\"f:metadata\":{\"f:labels\":{\"f:a\":{}}}}"),
        entry(next, "kubectl-label", "Update").path("fieldsV1"));
    assertFalse(entry(next, "ci", "Apply").path("fieldsV1").at("/f:metadata/f:labels").has("f:a"));
    assertEquals(T2.toString(), entry(next, "kubectl-label", "Update").path("time").asText());
  }

  @Test
  void aCreateOwnsEverythingItSet() {
    ObjectNode created = deployment(1, "app:1", "{}");
    FieldManager.record(Ownership.update("kubectl-create", ""), null, created, APPS, T1);
    assertEquals(ObjectFields.paths(created).toFieldsV1(), entry(created, "kubectl-create", "Update").path("fieldsV1"));
  }

  @Test
  void writesWithoutAManagerKeepTheEntriesAndDropRemovedFields() {
    ObjectNode live = applied(null, deployment(2, "app:1", "{\"a\":\"1\"}"), "ci", false);
    ObjectNode after = live.deepCopy();
    ((ObjectNode) after.at("/metadata")).remove("labels");
    FieldManager.record(Ownership.UNTRACKED, live, after, APPS, T2);
    assertFalse(entry(after, "ci", "Apply").path("fieldsV1").path("f:metadata").has("f:labels"));
    assertEquals(1, after.at("/metadata/managedFields").size());
  }

  @Test
  void anApplyThatChangesNothingChangesNothing() {
    ObjectNode live = applied(null, deployment(2, "app:1", "{}"), "ci", false);
    FieldManager.Applied again = FieldManager.apply(live, deployment(2, "app:1", "{}"), "ci", "", false, APPS,
        T2.plusSeconds(60));
    assertEquals(live, again.object());
  }

  @Test
  void clientSentManagedFieldsAreNotTrusted() {
    ObjectNode live = applied(null, deployment(2, "app:1", "{}"), "ci", false);
    ObjectNode after = live.deepCopy();
    ((ObjectNode) after.at("/metadata")).putArray("managedFields").addObject().put("manager", "forged");
    ((ObjectNode) after.get("spec")).put("replicas", 4);
    FieldManager.record(Ownership.update("kubectl-edit", ""), live, after, APPS, T2);
    assertEquals(null, entry(after, "forged", "Update"));
    assertNotNull(entry(after, "ci", "Apply"));
  }
}
