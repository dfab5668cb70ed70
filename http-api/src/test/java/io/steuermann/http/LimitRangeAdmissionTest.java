package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.http.KubectlRunner.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LimitRange (v1) through the real kubectl: defaults filled into a pod at create, a pod over the
 * maximum refused with kube's 403, a bad range refused with 422 naming the field.
 */
class LimitRangeAdmissionTest {
  private static final String NS = "limits";

  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("LimitRangeAdmissionTest", TestServer.h2(dataDir));
    server.namespace(NS);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void podsGetTheDefaultsAndTheMaximumIsEnforced() throws Exception {
    Path range = Files.writeString(dataDir.resolve("range.yaml"), """
        apiVersion: v1
        kind: LimitRange
        metadata: {name: cpu}
        spec:
          limits:
          - type: Container
            max: {cpu: "1"}
            defaultRequest: {cpu: 100m}
        """);
    Result created = kubectl("create", "-f", range.toString());
    assertEquals(0, created.exit(), created.err());
    JsonNode stored = expect(200, server.get("/api/v1/namespaces/" + NS + "/limitranges/cpu"));
    // kube's defaults: the default limit from max
    assertEquals("1", stored.path("spec").path("limits").path(0).path("default").path("cpu").asText(), stored.toString());
    Result table = kubectl("get", "limits");
    assertTrue(table.out().contains("CREATED AT") && table.out().contains("cpu"), table.out());

    Result run = kubectl("run", "small", "--image=busybox");
    assertEquals(0, run.exit(), run.err());
    JsonNode pod = expect(200, server.get("/api/v1/namespaces/" + NS + "/pods/small"));
    JsonNode resources = pod.path("spec").path("containers").path(0).path("resources");
    assertEquals("1", resources.path("limits").path("cpu").asText(), pod.toString());
    assertEquals("100m", resources.path("requests").path("cpu").asText(), pod.toString());
    assertEquals("LimitRanger plugin set: cpu request for container small; cpu limit for container small",
        pod.path("metadata").path("annotations").path("kubernetes.io/limit-ranger").asText());

    Result big = kubectl("run", "big", "--image=busybox", "--overrides",
        "{\"spec\":{\"containers\":[{\"name\":\"big\",\"image\":\"busybox\",\"resources\":{\"limits\":{\"cpu\":\"2\"}}}]}}");
    assertEquals(1, big.exit());
    assertTrue(big.err().contains("pods \"big\" is forbidden: maximum cpu usage per Container is 1, but limit is 2"),
        big.err());
    assertEquals(404, server.get("/api/v1/namespaces/" + NS + "/pods/big").statusCode());
    JsonNode status = TestServer.json(server.post("/api/v1/namespaces/" + NS + "/pods",
        TestServer.podJson("big", "{}").replace("\"image\":", "\"resources\":{\"limits\":{\"cpu\":\"3\"}},\"image\":")));
    assertEquals(403, status.path("code").asInt(), status.toString());
    assertEquals("Forbidden", status.path("reason").asText());
  }

  @Test
  void aBadRangeIsRefusedNamingTheField() throws Exception {
    JsonNode status = TestServer.json(server.post("/api/v1/namespaces/" + NS + "/limitranges", """
        {"apiVersion":"v1","kind":"LimitRange","metadata":{"name":"bad"},
         "spec":{"limits":[{"type":"Container","max":{"memory":"1Gi"},"min":{"memory":"2Gi"}}]}}"""));
    assertEquals(422, status.path("code").asInt(), status.toString());
    assertEquals("spec.limits[0].min[memory]", status.path("details").path("causes").path(0).path("field").asText(),
        status.toString());
    assertTrue(status.path("message").asText().contains("min value 2Gi is greater than max value 1Gi"),
        status.toString());
  }

  private static Result kubectl(String... args) throws Exception {
    java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of("--namespace=" + NS));
    all.addAll(java.util.List.of(args));
    return KubectlRunner.run(server.base, dataDir, all.toArray(String[]::new));
  }
}
