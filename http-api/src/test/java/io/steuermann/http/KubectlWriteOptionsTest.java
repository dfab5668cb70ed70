package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.steuermann.http.KubectlRunner.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real kubectl 1.32 against server-side field validation (which it asks for with
 * {@code fieldValidation=Strict} by default) and server-side dry runs.
 */
class KubectlWriteOptionsTest {
  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("KubectlWriteOptionsTest", TestServer.h2(dataDir));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static Result kubectl(String... args) throws IOException, InterruptedException {
    return KubectlRunner.run(server.base, dataDir, args);
  }

  private static Result ok(String... args) throws Exception {
    Result r = kubectl(args);
    assertEquals(0, r.exit(), () -> String.join(" ", args) + ": " + r.err());
    return r;
  }

  private static Path manifest(String name, String text) throws IOException {
    Path file = dataDir.resolve(name + ".yaml");
    Files.writeString(file, text);
    return file;
  }

  private static String pod(String ns, String name, String extraContainerField) {
    return """
        apiVersion: v1
        kind: Pod
        metadata:
          name: %s
          namespace: %s
          labels:
            app: web
        spec:
          containers:
          - name: c
            image: busybox:1.36
            %s
        """.formatted(name, ns, extraContainerField);
  }

  private static void assertContains(String text, String part) {
    assertTrue(text.contains(part), "«" + part + "» missing from:\n" + text);
  }

  @Test
  void applyOfAMisspelledFieldFailsWithTheStrictDecodingErrorAndCreatesNothing() throws Exception {
    server.namespace("k-strict");
    Path file = manifest("typo", pod("k-strict", "typo", "imagePullPolicyy: Never"));
    Result r = kubectl("apply", "-f", file.toString());
    assertEquals(1, r.exit(), r.out());
    assertContains(r.err(), "strict decoding error: unknown field \"spec.containers[0].imagePullPolicyy\"");
    assertEquals(404, server.get("/api/v1/namespaces/k-strict/pods/typo").statusCode());
  }

  @Test
  void applyWithoutValidationStoresTheObjectWithoutTheUnknownField() throws Exception {
    server.namespace("k-novalidate");
    Path file = manifest("novalidate", pod("k-novalidate", "typo", "imagePullPolicyy: Never"));
    Result r = ok("apply", "-f", file.toString(), "--validate=false");
    assertEquals("pod/typo created\n", r.out());
    JsonNode stored = expect(200, server.get("/api/v1/namespaces/k-novalidate/pods/typo"));
    JsonNode container = stored.path("spec").path("containers").get(0);
    assertEquals("busybox:1.36", container.path("image").asText());
    assertFalse(container.has("imagePullPolicyy"), container.toString());
  }

  @Test
  void createWithServerDryRunPrintsTheObjectAndStoresNothing() throws Exception {
    server.namespace("k-dry-create");
    Path file = manifest("dry-create", pod("k-dry-create", "dry", ""));
    Result r = ok("create", "-f", file.toString(), "--dry-run=server", "-o", "yaml");
    assertContains(r.out(), "name: dry");
    assertContains(r.out(), "uid: ");
    assertContains(r.out(), "creationTimestamp: ");
    assertContains(r.out(), "restartPolicy: Always");
    assertEquals(404, server.get("/api/v1/namespaces/k-dry-create/pods/dry").statusCode());
  }

  @Test
  void applyWithServerDryRunNeitherCreatesNorChanges() throws Exception {
    server.namespace("k-dry-apply");
    Path file = manifest("dry-apply", pod("k-dry-apply", "web", ""));
    assertEquals("pod/web created (server dry run)\n", ok("apply", "-f", file.toString(), "--dry-run=server").out());
    assertEquals(404, server.get("/api/v1/namespaces/k-dry-apply/pods/web").statusCode());

    ok("apply", "-f", file.toString());
    JsonNode before = expect(200, server.get("/api/v1/namespaces/k-dry-apply/pods/web"));
    Path changed = manifest("dry-apply-changed", pod("k-dry-apply", "web", "").replace("app: web", "app: other"));
    assertEquals("pod/web configured (server dry run)\n",
        ok("apply", "-f", changed.toString(), "--dry-run=server").out());
    assertEquals(before, expect(200, server.get("/api/v1/namespaces/k-dry-apply/pods/web")));
  }

  @Test
  void deleteWithServerDryRunKeepsTheObject() throws Exception {
    server.namespace("k-dry-delete");
    JsonNode pod = server.pod("k-dry-delete", "keep", "{}");
    Result r = ok("delete", "pod", "keep", "-n", "k-dry-delete", "--dry-run=server");
    assertEquals("pod \"keep\" deleted (server dry run)\n", r.out());
    assertEquals(pod, expect(200, server.get("/api/v1/namespaces/k-dry-delete/pods/keep")));
  }
}
