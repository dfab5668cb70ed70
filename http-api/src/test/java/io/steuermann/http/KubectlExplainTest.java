package io.steuermann.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
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
 * The real kubectl (on the PATH of every machine of this kind) reading our OpenAPI v3:
 * {@code kubectl explain} shows Kubernetes' own descriptions, and {@code --validate=strict}
 * leaves field validation to the server, which refuses a misspelled field.
 * Also the caching headers kubectl's disk cache relies on.
 */
class KubectlExplainTest {
  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("KubectlExplainTest", TestServer.h2(dataDir));
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

  private static Result explain(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("explain"));
    all.addAll(List.of(args));
    Result r = kubectl(all.toArray(String[]::new));
    assertEquals(0, r.exit(), r.err());
    return r;
  }

  private static void assertContains(String text, String... parts) {
    for (String part : parts) {
      assertTrue(text.contains(part), "«" + part + "» missing from:\n" + text);
    }
  }

  @Test
  void explainPodsShowsKubernetesDescriptionAndFields() throws Exception {
    Result r = explain("pods");
    assertContains(r.out(), "KIND:       Pod", "VERSION:    v1",
        "Pod is a collection of containers that can run on a host.",
        "FIELDS:", "spec\t<PodSpec>", "status\t<PodStatus>", "metadata\t<ObjectMeta>");
  }

  @Test
  void explainANestedFieldFollowsReferences() throws Exception {
    Result r = explain("pods.spec.containers.livenessProbe");
    assertContains(r.out(), "FIELD: livenessProbe <Probe>",
        "Periodic probe of container liveness.",
        "httpGet\t<HTTPGetAction>", "initialDelaySeconds\t<integer>");
  }

  @Test
  void explainDeploymentStrategyRecursively() throws Exception {
    Result r = explain("deployment.spec.strategy", "--recursive");
    assertContains(r.out(), "GROUP:      apps", "KIND:       Deployment", "FIELD: strategy <DeploymentStrategy>",
        "rollingUpdate\t<RollingUpdateDeployment>", "maxSurge\t<IntOrString>", "maxUnavailable\t<IntOrString>",
        "type\t<string>");
  }

  @Test
  void explainServiceByShortName() throws Exception {
    Result r = explain("svc");
    assertContains(r.out(), "KIND:       Service", "VERSION:    v1",
        "Service is a named abstraction of software service", "spec\t<ServiceSpec>");
  }

  @Test
  void explainScaleSubresourceKindAndNodesAndNamespaces() throws Exception {
    assertContains(explain("nodes.spec.taints").out(), "FIELD: taints <[]Taint>");
    assertContains(explain("namespaces").out(), "KIND:       Namespace");
    assertContains(explain("rs.spec.replicas").out(), "KIND:       ReplicaSet", "FIELD: replicas <integer>");
    assertContains(explain("endpoints").out(), "KIND:       Endpoints");
    assertContains(explain("events").out(), "KIND:       Event");
  }

  @Test
  void createWithAMisspelledFieldUnderStrictValidation() throws Exception {
    server.namespace("strict");
    Path manifest = dataDir.resolve("typo.yaml");
    Files.writeString(manifest, """
        apiVersion: v1
        kind: Pod
        metadata:
          name: typo
          namespace: strict
        spec:
          containers:
          - name: c
            image: busybox
            imagePullPolicyy: Never
        """);
    Result r = kubectl("create", "-f", manifest.toString(), "--validate=strict");
    // kubectl finds fieldValidation on the served PATCH operation, so it leaves validation to the
    // server and sends ?fieldValidation=Strict, which refuses the typo as kube-apiserver does
    assertEquals(1, r.exit(), r.out());
    assertContains(r.err(), "strict decoding error: unknown field \"spec.containers[0].imagePullPolicyy\"");
    assertEquals(404, server.get("/api/v1/namespaces/strict/pods/typo").statusCode());
  }

  @Test
  void documentsAreServedWithTheCachingKubeApiserverOffers() {
    HttpResponse<String> root = server.get("/openapi/v3");
    assertEquals(200, root.statusCode());
    JsonNode paths = TestServer.json(root).get("paths");
    String url = paths.path("api/v1").path("serverRelativeURL").asText();
    String hash = url.substring(url.indexOf("?hash=") + "?hash=".length());
    assertEquals(128, hash.length(), url);

    HttpResponse<String> current = server.get(url);
    assertEquals(200, current.statusCode());
    assertEquals("\"" + hash + "\"", current.headers().firstValue("ETag").orElseThrow());
    assertEquals("public, immutable", current.headers().firstValue("Cache-Control").orElseThrow());
    assertTrue(current.headers().firstValue("Expires").isPresent());

    HttpResponse<String> plain = server.get("/openapi/v3/api/v1");
    assertEquals(200, plain.statusCode());
    assertEquals(current.body(), plain.body());
    assertTrue(plain.headers().firstValue("Cache-Control").isEmpty(), "no hash, no promise");

    HttpResponse<String> revalidated = server.send(server.request("/openapi/v3/api/v1")
        .header("If-None-Match", "\"" + hash + "\"").GET().build());
    assertEquals(304, revalidated.statusCode());

    HttpResponse<String> stale = server.get("/openapi/v3/api/v1?hash=0123");
    assertEquals(301, stale.statusCode());
    assertEquals(url, stale.headers().firstValue("Location").orElseThrow());

    assertEquals(404, server.get("/openapi/v3/apis/policy/v2").statusCode());
    assertEquals(404, server.get("/openapi/v2").statusCode());
  }
}
