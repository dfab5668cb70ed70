package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Server-side apply over HTTP: PATCH with application/apply-patch+yaml, and managedFields. */
class ServerSideApplyHttpTest {
  private static final String APPLY = "application/apply-patch+yaml";
  private static final String PODS = "/api/v1/namespaces/default/pods/";

  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("ServerSideApplyHttpTest", TestServer.h2(dataDir));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** A pod whose labels are {@code labels} (YAML lines); the labels are what the tests own. */
  private static String podYaml(String name, String labels) {
    return """
        apiVersion: v1
        kind: Pod
        metadata:
          name: %s
          labels:
        %s
        spec:
          containers:
          - name: main
            image: busybox:1.36
        """.formatted(name, labels.indent(4));
  }

  private static JsonNode entry(JsonNode object, String manager, String operation) {
    for (JsonNode e : object.path("metadata").path("managedFields")) {
      if (e.path("manager").asText().equals(manager) && e.path("operation").asText().equals(operation)) {
        return e;
      }
    }
    return null;
  }

  @Test
  void anApplyWithoutFieldManagerIsRefusedAsKubeApiserverRefusesIt() {
    JsonNode status = expect(422, server.patch(PODS + "nomanager", APPLY, podYaml("nomanager", "a: \"1\"")));
    assertEquals("Invalid", status.path("reason").asText());
    assertEquals("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
        status.path("message").asText());
    assertEquals("fieldManager", status.at("/details/causes/0/field").asText());
    expect(404, server.get(PODS + "nomanager"));
  }

  @Test
  void aYamlApplyCreatesThenUpdatesAndDropsWhatItNoLongerApplies() {
    String path = PODS + "yaml?fieldManager=tester";
    JsonNode created = expect(201, server.patch(path, APPLY, podYaml("yaml", "a: \"1\"\nb: \"2\"")));
    JsonNode applied = entry(created, "tester", "Apply");
    assertNotNull(applied, created.toString());
    assertEquals("FieldsV1", applied.path("fieldsType").asText());
    assertEquals("v1", applied.path("apiVersion").asText());
    assertTrue(applied.at("/fieldsV1/f:metadata/f:labels").has("f:b"), applied.toString());

    JsonNode updated = expect(200, server.patch(path, APPLY, podYaml("yaml", "a: \"3\"")));
    assertEquals("3", updated.at("/metadata/labels/a").asText());
    assertFalse(updated.at("/metadata/labels").has("b"), updated.toString());
    // managedFields are stored, not only answered
    assertEquals(updated.at("/metadata/managedFields"),
        expect(200, server.get(PODS + "yaml")).at("/metadata/managedFields"));
  }

  @Test
  void changingAnotherManagersFieldConflictsUntilForced() {
    expect(201, server.patch(PODS + "shared?fieldManager=ci", APPLY, podYaml("shared", "k: \"1\"")));
    expect(200, server.patch(PODS + "shared?fieldManager=ops", "application/merge-patch+json",
        "{\"metadata\":{\"labels\":{\"k\":\"2\"}}}"));

    JsonNode conflict = expect(409, server.patch(PODS + "shared?fieldManager=ci", APPLY,
        podYaml("shared", "k: \"3\"")));
    assertEquals("Conflict", conflict.path("reason").asText());
    assertEquals("Apply failed with 1 conflict: conflict with \"ops\" using v1: .metadata.labels.k",
        conflict.path("message").asText());
    assertEquals("FieldManagerConflict", conflict.at("/details/causes/0/reason").asText());
    assertEquals(".metadata.labels.k", conflict.at("/details/causes/0/field").asText());
    assertEquals("2", expect(200, server.get(PODS + "shared")).at("/metadata/labels/k").asText());

    // the value ops set: no conflict, ci co-owns it
    JsonNode same = expect(200, server.patch(PODS + "shared?fieldManager=ci", APPLY,
        podYaml("shared", "k: \"2\"")));
    assertTrue(entry(same, "ops", "Update").at("/fieldsV1/f:metadata/f:labels").has("f:k"));
    assertTrue(entry(same, "ci", "Apply").at("/fieldsV1/f:metadata/f:labels").has("f:k"));

    JsonNode forced = expect(200, server.patch(PODS + "shared?fieldManager=ci&force=true", APPLY,
        podYaml("shared", "k: \"3\"")));
    assertEquals("3", forced.at("/metadata/labels/k").asText());
    assertEquals(null, entry(forced, "ops", "Update"));
  }

  @Test
  void writesWithoutFieldManagerAreRecordedUnderTheUserAgent() {
    JsonNode created = expect(201, server.send(server.request("/api/v1/namespaces/default/pods")
        .header("Content-Type", "application/json").header("User-Agent", "my-tool/1.2 (linux)")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
            TestServer.podJson("agent", "{\"x\":\"1\"}")))
        .build()));
    JsonNode e = entry(created, "my-tool", "Update");
    assertNotNull(e, created.toString());
    assertTrue(e.at("/fieldsV1/f:metadata/f:labels").has("f:x"));
  }

  @Test
  void forceOnAPatchThatIsNoApplyIsRefused() {
    server.pod("default", "forced", "{}");
    JsonNode status = expect(422, server.patch(PODS + "forced?force=true", "application/merge-patch+json",
        "{\"metadata\":{\"labels\":{\"x\":\"1\"}}}"));
    assertEquals("PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be specified for non-apply patch",
        status.path("message").asText());
  }
}
