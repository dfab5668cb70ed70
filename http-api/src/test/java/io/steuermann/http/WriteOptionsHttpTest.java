package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static io.steuermann.http.TestServer.rv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dryRun} and {@code fieldValidation} through the real HTTP API: what is answered, what
 * is stored (nothing for a dry run; the pruned object otherwise), the Warning headers, and that
 * a watch sees no dry run.
 */
class WriteOptionsHttpTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("WriteOptionsHttpTest", TestServer.h2(dataDir));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static String pods(String ns) {
    return "/api/v1/namespaces/" + ns + "/pods";
  }

  private static final String TYPO_POD = """
      {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s"},
       "spec":{"foo":1,"containers":[{"name":"main","image":"busybox:1.36","bar":true}],"foo":2}}""";

  @Test
  void strictRefusesUnknownAndDuplicateFieldsAndStoresNothing() {
    server.namespace("fv-strict");
    HttpResponse<String> r = server.post(pods("fv-strict") + "?fieldValidation=Strict", TYPO_POD.formatted("p"));
    JsonNode status = expect(400, r);
    assertEquals("BadRequest", status.path("reason").asText());
    assertEquals("strict decoding error: unknown field \"spec.foo\", "
        + "unknown field \"spec.containers[0].bar\"", status.path("message").asText());
    assertEquals(404, server.get(pods("fv-strict") + "/p").statusCode());

    String duplicate = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"d"},
         "spec":{"nodeName":"a","containers":[{"name":"main","image":"busybox:1.36"}],"nodeName":"b"}}""";
    assertEquals("strict decoding error: duplicate field \"spec.nodeName\"",
        expect(400, server.post(pods("fv-strict") + "?fieldValidation=Strict", duplicate)).path("message").asText());
  }

  @Test
  void warnIsTheDefaultAndStoresThePrunedObjectWithOneWarningPerField() {
    server.namespace("fv-warn");
    for (String query : List.of("", "?fieldValidation=Warn")) {
      String name = query.isEmpty() ? "default" : "warn";
      HttpResponse<String> r = server.post(pods("fv-warn") + query, TYPO_POD.formatted(name));
      JsonNode created = expect(201, r);
      assertEquals(List.of("299 - \"unknown field \\\"spec.foo\\\"\"",
          "299 - \"unknown field \\\"spec.containers[0].bar\\\"\""), r.headers().allValues("Warning"));
      JsonNode stored = expect(200, server.get(pods("fv-warn") + "/" + name));
      assertFalse(stored.path("spec").has("foo"));
      assertFalse(stored.path("spec").path("containers").get(0).has("bar"));
      assertEquals(created, stored);
    }
  }

  @Test
  void ignorePrunesSilently() {
    server.namespace("fv-ignore");
    HttpResponse<String> r = server.post(pods("fv-ignore") + "?fieldValidation=Ignore", TYPO_POD.formatted("p"));
    expect(201, r);
    assertEquals(List.of(), r.headers().allValues("Warning"));
    assertFalse(expect(200, server.get(pods("fv-ignore") + "/p")).path("spec").has("foo"));
  }

  @Test
  void updatesAndMergePatchesArePrunedButPatchDirectivesAreNotFields() {
    String ns = "fv-update";
    server.namespace(ns);
    JsonNode pod = server.pod(ns, "p", "{\"a\":\"b\"}");
    String put = pod.toString().replace("\"containers\":[", "\"typo\":1,\"containers\":[");
    JsonNode refused = expect(400, server.put(pods(ns) + "/p?fieldValidation=Strict", put));
    assertEquals("strict decoding error: unknown field \"spec.typo\"", refused.path("message").asText());
    HttpResponse<String> warned = server.put(pods(ns) + "/p", put);
    assertFalse(expect(200, warned).path("spec").has("typo"));
    assertEquals(List.of("299 - \"unknown field \\\"spec.typo\\\"\""), warned.headers().allValues("Warning"));

    JsonNode merge = expect(400, server.patch(pods(ns) + "/p?fieldValidation=Strict",
        "application/merge-patch+json", "{\"metadata\":{\"labelz\":{\"x\":\"y\"}}}"));
    assertEquals("strict decoding error: unknown field \"metadata.labelz\"", merge.path("message").asText());
    HttpResponse<String> strategic = server.patch(pods(ns) + "/p?fieldValidation=Strict",
        "application/strategic-merge-patch+json",
        "{\"metadata\":{\"labels\":{\"$patch\":\"replace\",\"c\":\"d\"}},"
            + "\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"main\"}],"
            + "\"containers\":[{\"name\":\"main\",\"image\":\"busybox:1.37\"}]}}");
    JsonNode patched = expect(200, strategic);
    assertEquals("{\"c\":\"d\"}", patched.path("metadata").path("labels").toString());
    assertEquals("busybox:1.37", patched.path("spec").path("containers").get(0).path("image").asText());
  }

  @Test
  void unsupportedOptionValuesAreInvalidAsKubeApiserverWordsThem() {
    server.namespace("fv-invalid");
    JsonNode dry = expect(422, server.post(pods("fv-invalid") + "?dryRun=Client", TestServer.podJson("p", "{}")));
    assertEquals("Invalid", dry.path("reason").asText());
    assertEquals("CreateOptions.meta.k8s.io \"\" is invalid: dryRun: Unsupported value: []string{\"Client\"}: "
        + "supported values: \"All\"", dry.path("message").asText());
    JsonNode fv = expect(422, server.put(pods("fv-invalid") + "/p?fieldValidation=strict", TestServer.podJson("p", "{}")));
    assertEquals("UpdateOptions.meta.k8s.io \"\" is invalid: fieldValidation: Unsupported value: \"strict\": "
        + "supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"", fv.path("message").asText());
    JsonNode inBody = expect(422, server.send(server.request(pods("fv-invalid") + "/p")
        .header("Content-Type", "application/json")
        .method("DELETE", BodyPublishers.ofString("{\"dryRun\":[\"All\",\"Nope\"]}")).build()));
    assertTrue(inBody.path("message").asText().startsWith("DeleteOptions.meta.k8s.io"), inBody.toString());
    assertEquals(404, server.get(pods("fv-invalid") + "/p").statusCode());
  }

  @Test
  void dryRunCreateAnswersTheStoredShapeAndStoresNothing() {
    String ns = "dry-create";
    server.namespace(ns);
    JsonNode answer = expect(201, server.post(pods(ns) + "?dryRun=All", TestServer.podJson("p", "{}")));
    assertFalse(answer.path("metadata").path("uid").asText().isEmpty());
    assertFalse(answer.path("metadata").has("resourceVersion"));
    assertEquals("Pending", answer.path("status").path("phase").asText());
    assertEquals(404, server.get(pods(ns) + "/p").statusCode());
    // the checks still run: a dry run into a missing namespace is refused as a real create is
    assertEquals(404, server.post(pods("no-such-ns") + "?dryRun=All", TestServer.podJson("p", "{}")).statusCode());
  }

  @Test
  void dryRunUpdatePatchAndDeleteChangeNothing() {
    String ns = "dry-update";
    server.namespace(ns);
    JsonNode pod = server.pod(ns, "p", "{\"a\":\"b\"}");
    String changed = pod.toString().replace("\"a\":\"b\"", "\"a\":\"changed\"");
    JsonNode put = expect(200, server.put(pods(ns) + "/p?dryRun=All", changed));
    assertEquals("changed", put.path("metadata").path("labels").path("a").asText());
    assertEquals(rv(pod), rv(put), "a dry run takes no resourceVersion");
    JsonNode patched = expect(200, server.patch(pods(ns) + "/p?dryRun=All", "application/json-patch+json",
        "[{\"op\":\"add\",\"path\":\"/metadata/labels/x\",\"value\":\"y\"}]"));
    assertEquals("y", patched.path("metadata").path("labels").path("x").asText());
    String stale = pod.toString().replace("\"resourceVersion\":\"" + rv(pod) + "\"",
        "\"resourceVersion\":\"" + (rv(pod) + 1000) + "\"");
    assertEquals(409, server.put(pods(ns) + "/p?dryRun=All", stale).statusCode());
    expect(200, server.delete(pods(ns) + "/p?dryRun=All"));
    expect(200, server.send(server.request(pods(ns) + "/p").header("Content-Type", "application/json")
        .method("DELETE", BodyPublishers.ofString("{\"dryRun\":[\"All\"]}")).build()));
    assertEquals(pod, expect(200, server.get(pods(ns) + "/p")));
  }

  @Test
  void aWatchSeesNoDryRun() {
    String ns = "dry-watch";
    server.namespace(ns);
    long listed = rv(expect(200, server.get(pods(ns))));
    try (StreamingClient watch = StreamingClient.watch(server, pods(ns) + "?watch=true&resourceVersion=" + listed)) {
      expect(201, server.post(pods(ns) + "?dryRun=All", TestServer.podJson("dry", "{}")));
      server.pod(ns, "real", "{}");
      JsonNode first = watch.nextEvent(WAIT);
      assertEquals("ADDED", first.path("type").asText());
      assertEquals("real", first.path("object").path("metadata").path("name").asText(),
          "the dry run must not reach the watch: " + first);
    }
  }
}
