package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code deletecollection} verb discovery advertises: {@code DELETE} on a collection path
 * deletes what its selectors match in that namespace, and answers the list of what it deleted,
 * as kube-apiserver does (client libraries' {@code delete_collection_namespaced_*}).
 */
class DeleteCollectionTest {
  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("DeleteCollectionTest", TestServer.h2(dataDir));
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

  private static List<String> names(JsonNode list) {
    return StreamSupport.stream(list.path("items").spliterator(), false)
        .map(item -> item.path("metadata").path("name").asText()).sorted().toList();
  }

  @Test
  void deletesWhatTheLabelSelectorMatchesInTheNamespaceOnly() {
    server.namespace("dc-labels");
    server.namespace("dc-other");
    for (String name : List.of("a1", "a2", "a3")) {
      server.pod("dc-labels", name, "{\"app\":\"a\"}");
    }
    server.pod("dc-labels", "b1", "{\"app\":\"b\"}");
    server.pod("dc-other", "a-elsewhere", "{\"app\":\"a\"}");

    JsonNode deleted = expect(200, server.delete(pods("dc-labels") + "?labelSelector=app%3Da"));
    assertEquals("PodList", deleted.path("kind").asText());
    assertEquals(List.of("a1", "a2", "a3"), names(deleted));
    assertEquals(List.of("b1"), names(expect(200, server.get(pods("dc-labels")))));
    assertEquals(List.of("a-elsewhere"), names(expect(200, server.get(pods("dc-other")))));
  }

  @Test
  void aFieldSelectorAndNoSelectorAtAll() {
    server.namespace("dc-fields");
    for (String name : List.of("x", "y", "z")) {
      server.pod("dc-fields", name, "{}");
    }
    assertEquals(List.of("y"), names(expect(200, server.delete(pods("dc-fields") + "?fieldSelector=metadata.name%3Dy"))));
    assertEquals(List.of("x", "z"), names(expect(200, server.delete(pods("dc-fields")))));
    assertEquals(List.of(), names(expect(200, server.get(pods("dc-fields")))));
    // nothing left to delete is an empty list, not an error
    assertEquals(List.of(), names(expect(200, server.delete(pods("dc-fields")))));
  }

  @Test
  void aDryRunDeletesNothing() {
    server.namespace("dc-dry");
    server.pod("dc-dry", "kept", "{}");
    assertEquals(List.of("kept"), names(expect(200, server.delete(pods("dc-dry") + "?dryRun=All"))));
    assertEquals(List.of("kept"), names(expect(200, server.get(pods("dc-dry")))));
  }

  @Test
  void badOptionsAreRefusedBeforeAnythingIsDeleted() {
    server.namespace("dc-bad");
    server.pod("dc-bad", "kept", "{}");
    JsonNode selector = expect(400, server.delete(pods("dc-bad") + "?labelSelector=%3D%3D%3D"));
    assertEquals("BadRequest", selector.path("reason").asText());
    JsonNode policy = expect(400, server.delete(pods("dc-bad") + "?propagationPolicy=Sometimes"));
    assertTrue(policy.path("message").asText().contains("propagationPolicy"), policy.toString());
    expect(400, server.delete(pods("dc-bad") + "?gracePeriodSeconds=soon"));
    assertEquals(List.of("kept"), names(expect(200, server.get(pods("dc-bad")))));
  }

  @Test
  void notServedWhereKubernetesDoesNotServeIt() {
    server.namespace("dc-405");
    server.pod("dc-405", "kept", "{}");
    // namespaces have no deletecollection, and a namespaced kind's all-namespaces path lists only
    assertEquals(405, expect(405, server.delete("/api/v1/namespaces")).path("code").asInt());
    expect(405, server.delete("/api/v1/pods"));
    assertEquals(List.of("kept"), names(expect(200, server.get(pods("dc-405")))));
    assertTrue(server.get("/api/v1/namespaces/dc-405").statusCode() == 200);
  }

  @Test
  void clusterScopedKindsToo() {
    String node = """
        {"apiVersion":"v1","kind":"Node","metadata":{"name":"%s","labels":{"pool":"%s"}}}""";
    expect(201, server.post("/api/v1/nodes", node.formatted("dc-n1", "gone")));
    expect(201, server.post("/api/v1/nodes", node.formatted("dc-n2", "kept")));
    assertEquals(List.of("dc-n1"), names(expect(200, server.delete("/api/v1/nodes?labelSelector=pool%3Dgone"))));
    assertEquals(404, server.get("/api/v1/nodes/dc-n1").statusCode());
    assertEquals(200, server.get("/api/v1/nodes/dc-n2").statusCode());
  }
}
