package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static io.steuermann.http.TestServer.podJson;
import static io.steuermann.http.TestServer.rv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every refusal is a Kubernetes {@code Status} with the right code and reason, and a refused
 * write leaves no trace: the lists and the resourceVersion are as before, and the next
 * accepted write takes the very next journal ordering.
 */
class ApiErrorsTest {
  private static final String NS = "errors";
  private static final String PODS = "/api/v1/namespaces/" + NS + "/pods";

  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("ApiErrorsTest", TestServer.h2(dataDir));
    server.namespace(NS);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** Everything a client can see: the lists of the kinds touched here, and their versions. */
  private static List<JsonNode> visibleState() {
    List<JsonNode> state = new ArrayList<>();
    for (String path : List.of("/api/v1/pods", "/api/v1/namespaces", "/apis/apps/v1/deployments", "/api/v1/services")) {
      state.add(expect(200, server.get(path)));
    }
    return state;
  }

  /**
   * Runs a write that must be refused with {@code code} and {@code reason}; asserts the Status
   * body and that nothing changed. Answers the Status.
   */
  private static JsonNode refused(int code, String reason, Supplier<HttpResponse<String>> write) {
    List<JsonNode> before = visibleState();
    HttpResponse<String> response = write.get();
    JsonNode status = expect(code, response);
    assertEquals("Status", status.path("kind").asText(), status::toString);
    assertEquals("v1", status.path("apiVersion").asText());
    assertEquals("Failure", status.path("status").asText());
    assertEquals(code, status.path("code").asInt(), status::toString);
    assertEquals(reason, status.path("reason").asText(), status::toString);
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    assertEquals(before, visibleState(), "a refused write changed what clients see");
    return status;
  }

  /** The next accepted write gets the next ordering: nothing was journaled in between. */
  private static void nextWriteIsNextOrdering(Runnable refusals) {
    long before = rv(expect(200, server.get("/api/v1/namespaces")));
    refusals.run();
    String name = "marker-" + before;
    long marker = rv(server.pod(NS, name, "{}"));
    assertEquals(before + 1, marker, "a refused write was journaled");
  }

  private static List<String> causeFields(JsonNode status) {
    List<String> fields = new ArrayList<>();
    status.path("details").path("causes").forEach(c -> fields.add(c.path("field").asText()));
    return fields;
  }

  @Test
  void malformedJsonIsBadRequest() {
    nextWriteIsNextOrdering(() -> {
      refused(400, "BadRequest", () -> server.post(PODS, "{\"apiVersion\":\"v1\",\"kind\":\"Pod\","));
      refused(400, "BadRequest", () -> server.post(PODS, "{} trailing"));
      refused(400, "BadRequest", () -> server.post(PODS, "[1,2]"));
      refused(400, "BadRequest", () -> server.post(PODS, ""));
    });
  }

  @Test
  void wrongKindOrApiVersionInTheBodyIsBadRequest() {
    nextWriteIsNextOrdering(() -> {
      refused(400, "BadRequest", () -> server.post(PODS, podJson("a", "{}").replace("\"Pod\"", "\"Service\"")));
      refused(400, "BadRequest", () -> server.post(PODS, podJson("a", "{}").replace("\"v1\"", "\"apps/v1\"")));
      refused(400, "BadRequest", () -> server.post(PODS, podJson("a", "{}").replace("\"metadata\":{", "\"metadata\":[],\"x\":{")));
    });
  }

  @Test
  void invalidObjectIsUnprocessableNamingEachField() {
    nextWriteIsNextOrdering(() -> {
      JsonNode status = refused(422, "Invalid", () -> server.post(PODS,
          "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"Bad_Name\"},\"spec\":{\"containers\":[]}}"));
      assertEquals(List.of("metadata.name", "spec.containers"), causeFields(status));
      assertEquals("Pod", status.path("details").path("kind").asText());
      assertEquals("Bad_Name", status.path("details").path("name").asText());

      JsonNode deployment = refused(422, "Invalid", () -> server.post("/apis/apps/v1/namespaces/" + NS + "/deployments", """
          {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
           "spec":{"replicas":-2,"selector":{"matchLabels":{"app":"a"}},
                   "template":{"metadata":{"labels":{"app":"b"}},"spec":{"containers":[{"name":"c","image":"x"}]}}}}"""));
      assertEquals(List.of("spec.replicas", "spec.template.metadata.labels"), causeFields(deployment));

      refused(422, "Invalid", () -> server.post(PODS, "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"spec\":{}}"));
    });
  }

  @Test
  void unknownObjectIsNotFound() {
    JsonNode status = expect(404, server.get(PODS + "/nothing-here"));
    assertEquals("NotFound", status.path("reason").asText());
    assertEquals(404, status.path("code").asInt());
    assertEquals("nothing-here", status.path("details").path("name").asText());
    assertEquals("pods", status.path("details").path("kind").asText());
    nextWriteIsNextOrdering(() -> {
      refused(404, "NotFound", () -> server.put(PODS + "/nothing-here", podJson("nothing-here", "{}")));
      refused(404, "NotFound", () -> server.patch(PODS + "/nothing-here", "application/merge-patch+json", "{}"));
      refused(404, "NotFound", () -> server.delete(PODS + "/nothing-here"));
    });
  }

  @Test
  void missingNamespaceIsNotFound() {
    nextWriteIsNextOrdering(() -> {
      JsonNode status = refused(404, "NotFound", () -> server.post("/api/v1/namespaces/no-such-ns/pods", podJson("a", "{}")));
      assertEquals("namespaces", status.path("details").path("kind").asText());
      assertTrue(status.path("message").asText().contains("no-such-ns"));
    });
  }

  @Test
  void alreadyExistsIsConflict() {
    server.pod(NS, "twice", "{}");
    nextWriteIsNextOrdering(() -> {
      JsonNode status = refused(409, "AlreadyExists", () -> server.post(PODS, podJson("twice", "{}")));
      assertEquals("twice", status.path("details").path("name").asText());
    });
  }

  @Test
  void staleResourceVersionIsConflict() {
    ObjectNode created = server.pod(NS, "stale", "{\"v\":\"1\"}");
    ObjectNode update = created.deepCopy();
    ((ObjectNode) update.path("metadata").path("labels")).put("v", "2");
    expect(200, server.put(PODS + "/stale", update.toString()));
    ObjectNode stale = created.deepCopy();
    ((ObjectNode) stale.path("metadata").path("labels")).put("v", "3");
    nextWriteIsNextOrdering(() -> {
      refused(409, "Conflict", () -> server.put(PODS + "/stale", stale.toString()));
      refused(409, "Conflict", () -> server.patch(PODS + "/stale", "application/merge-patch+json",
          "{\"metadata\":{\"resourceVersion\":\"" + rv(created) + "\",\"labels\":{\"v\":\"4\"}}}"));
      refused(409, "Conflict", () -> server.send(server.request(PODS + "/stale")
          .header("Content-Type", "application/json")
          .method("DELETE", BodyPublishers.ofString("{\"preconditions\":{\"resourceVersion\":\"" + rv(created) + "\"}}"))
          .build()));
    });
    assertEquals("2", expect(200, server.get(PODS + "/stale")).path("metadata").path("labels").path("v").asText());
  }

  private static String bigPod() {
    String padding = "x".repeat(3 * 1024 * 1024);
    return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"big\",\"annotations\":{\"a\":\""
        + padding + "\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\"}]}}";
  }

  @Test
  void bodyOverThreeMebibytesIsTooLarge() {
    // with Content-Length, as kubectl and client libraries send it
    nextWriteIsNextOrdering(() -> refused(413, "RequestEntityTooLarge", () -> server.post(PODS, bigPod())));
    expect(404, server.get(PODS + "/big"));
  }

  @Test
  void chunkedBodyOverThreeMebibytesIsTooLarge() {
    byte[] body = bigPod().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    // no length known in advance: sent chunked
    nextWriteIsNextOrdering(() -> refused(413, "RequestEntityTooLarge", () -> server.send(server.request(PODS)
        .header("Content-Type", "application/json")
        .POST(BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))).build())));
    expect(404, server.get(PODS + "/big"));
  }

  @Test
  void unknownPathIsNotFound() {
    for (String path : List.of("/api/v1/widgets", "/apis/apps/v1/namespaces/" + NS + "/widgets", "/nothing",
        "/api/v1/namespaces/" + NS + "/pods/a/b/c")) {
      JsonNode status = expect(404, server.get(path));
      assertEquals("Status", status.path("kind").asText());
      assertEquals("NotFound", status.path("reason").asText());
      assertEquals(404, status.path("code").asInt());
    }
    nextWriteIsNextOrdering(() -> refused(404, "NotFound", () -> server.post("/api/v1/widgets", "{}")));
  }

  @Test
  void patchWithAnUnsupportedContentTypeIsUnsupportedMediaType() {
    server.pod(NS, "patched", "{}");
    nextWriteIsNextOrdering(() -> {
      refused(415, "UnsupportedMediaType", () -> server.patch(PODS + "/patched", "application/json",
          "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}"));
      refused(415, "UnsupportedMediaType", () -> server.patch(PODS + "/patched", "text/plain", "x"));
    });
  }

  @Test
  void failingJsonPatchIsUnprocessable() {
    server.pod(NS, "json-patched", "{\"app\":\"web\"}");
    nextWriteIsNextOrdering(() -> refused(422, "Invalid", () -> server.patch(PODS + "/json-patched",
        "application/json-patch+json",
        "[{\"op\":\"add\",\"path\":\"/metadata/labels/x\",\"value\":\"1\"},"
            + "{\"op\":\"test\",\"path\":\"/metadata/labels/app\",\"value\":\"db\"}]")));
  }

  @Test
  void deletingTheDefaultNamespaceIsForbidden() {
    nextWriteIsNextOrdering(() -> refused(403, "Forbidden", () -> server.delete("/api/v1/namespaces/default")));
  }

  @Test
  void nameInTheBodyMustMatchTheUrl() {
    server.pod(NS, "named", "{}");
    nextWriteIsNextOrdering(() -> refused(400, "BadRequest",
        () -> server.put(PODS + "/named", podJson("other-name", "{\"changed\":\"yes\"}"))));
  }
}
