package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.steuermann.http.KubectlRunner.Result;
import io.steuermann.node.runtime.HollowRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HorizontalPodAutoscalers on two hollow nodes with the controllers running (sync period 1 s),
 * driven by the real kubectl. The hollow pods' CPU use is set with the hollow-only annotation
 * {@code hollow.steuermann.io/cpu-usage}, which the hollow runtime reports as each container's
 * usage: the autoscaler reads it as it reads real usage (through the members' metrics
 * reporters), so the test exercises the whole loop: metrics, calculation, behaviour, the
 * scale write, status, conditions and events.
 */
class HorizontalPodAutoscalersTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String NS = "hpa";
  private static final String HPAS_V2 = "/apis/autoscaling/v2/namespaces/" + NS + "/horizontalpodautoscalers";
  private static final String HPAS_V1 = "/apis/autoscaling/v1/namespaces/" + NS + "/horizontalpodautoscalers";

  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.startWithNodes("HorizontalPodAutoscalersTest", TestServer.h2(dataDir).withFallback(
        ConfigFactory.parseString("""
            steuermann.controllers.enabled = true
            steuermann.controllers.horizontal-pod-autoscaler.sync-period = 1s
            steuermann.node.hollow-nodes = 2
            steuermann.node.name-prefix = "hpa-"
            """)));
    server.namespace(NS);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static void deployment(String name) throws Exception {
    Path manifest = Files.writeString(dataDir.resolve(name + ".yaml"), """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: %s}
        spec:
          replicas: 1
          selector: {matchLabels: {app: %s}}
          template:
            metadata: {labels: {app: %s}}
            spec:
              containers:
              - name: main
                image: web:1
                resources: {requests: {cpu: 100m}}
        """.formatted(name, name, name));
    Result created = kubectl("create", "-f", manifest.toString());
    assertEquals(0, created.exit(), created.err());
  }

  @Test
  void kubectlAutoscaleScalesUpUnderLoadAndBackDownAfterTheWindow() throws Exception {
    deployment("web");
    Result autoscaled = kubectl("autoscale", "deployment", "web", "--cpu-percent=50", "--min=1", "--max=5");
    assertEquals(0, autoscaled.exit(), autoscaled.err());
    assertTrue(autoscaled.out().contains("horizontalpodautoscaler.autoscaling/web autoscaled"), autoscaled.out());

    // idle pods: 0% of the request
    await().atMost(WAIT).until(() -> kubectl("get", "hpa", "web").out().contains("cpu: 0%/50%"));
    Result table = kubectl("get", "hpa");
    String header = table.out().lines().findFirst().orElse("");
    assertEquals(List.of("NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"),
        List.of(header.trim().split("\\s+")), table.out());
    assertTrue(table.out().contains("Deployment/web"), table.out());

    // a short scale-down window, written through v2 (kubectl's preferred version)
    Result patched = kubectl("patch", "hpa", "web", "--type=merge",
        "-p", "{\"spec\":{\"behavior\":{\"scaleDown\":{\"stabilizationWindowSeconds\":2}}}}");
    assertEquals(0, patched.exit(), patched.err());

    // load: 200m on a 100m request is 200% against 50%: ceil(4 * 1) = 4
    annotate("web", "200m");
    await().atMost(WAIT).until(() -> replicas("web") == 4);
    await().atMost(WAIT).until(() -> events("web").contains(
        "SuccessfulRescale New size: 4; reason: cpu resource utilization (percentage of request) above target"));
    JsonNode hpa = expect(200, server.get(HPAS_V2 + "/web"));
    assertEquals(condition(hpa, "ScalingActive").path("reason").asText(), "ValidMetricFound", hpa.toString());
    assertTrue(hpa.path("status").has("lastScaleTime"), hpa.toString());
    // the new pods are idle: (200 + 0 + 0 + 0) / 400 = 50% is the target, so it stays at 4
    await().atMost(WAIT).until(() -> kubectl("get", "hpa", "web").out().contains("cpu: 50%/50%"));
    assertEquals(4, replicas("web"));

    Result described = kubectl("describe", "hpa", "web");
    assertEquals(0, described.exit(), described.err());
    assertTrue(described.out().contains("Reference:") && described.out().contains("Deployment/web"), described.out());
    assertTrue(described.out().contains("SuccessfulRescale"), described.out());

    // the load goes: after the 2 s window back to the minimum
    annotate("web", "0");
    await().atMost(WAIT).until(() -> replicas("web") == 1);
    await().atMost(WAIT).until(() -> events("web").contains("New size: 1; reason: All metrics below target"));

    // read back at v1, as kubectl autoscale wrote it
    JsonNode v1 = expect(200, server.get(HPAS_V1 + "/web"));
    assertEquals("autoscaling/v1", v1.path("apiVersion").asText());
    assertEquals(50, v1.path("spec").path("targetCPUUtilizationPercentage").asInt(), v1.toString());
    assertEquals(0, v1.path("status").path("currentCPUUtilizationPercentage").asInt(-1), v1.toString());
    JsonNode annotations = v1.path("metadata").path("annotations");
    assertTrue(annotations.has("autoscaling.alpha.kubernetes.io/conditions"), v1.toString());
    assertTrue(annotations.has("autoscaling.alpha.kubernetes.io/behavior"), v1.toString());
  }

  @Test
  void aPodsPolicyLimitsTheScaleUpAndScalingLimitedSaysSo() throws Exception {
    deployment("api");
    Path manifest = Files.writeString(dataDir.resolve("api-hpa.yaml"), """
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: api}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
          minReplicas: 1
          maxReplicas: 10
          metrics:
          - type: Resource
            resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
          behavior:
            scaleUp:
              policies: [{type: Pods, value: 1, periodSeconds: 600}]
        """);
    Result created = kubectl("create", "-f", manifest.toString());
    assertEquals(0, created.exit(), created.err());
    annotate("api", "400m");
    // 800% wants 8; one pod per 600 s allows 2
    await().atMost(WAIT).until(() -> replicas("api") == 2);
    await().atMost(WAIT).until(() -> "ScaleUpLimit".equals(
        condition(expect(200, server.get(HPAS_V2 + "/api")), "ScalingLimited").path("reason").asText()));
    JsonNode hpa = expect(200, server.get(HPAS_V2 + "/api"));
    assertEquals("True", condition(hpa, "ScalingLimited").path("status").asText());
    // kube's defaults filled in the rest of the behavior
    assertEquals(300, hpa.path("spec").path("behavior").path("scaleDown").path("stabilizationWindowSeconds").asInt());
    assertEquals("Max", hpa.path("spec").path("behavior").path("scaleUp").path("selectPolicy").asText());
    assertEquals(2, replicas("api"));
  }

  @Test
  void aMissingTargetIsReportedInTheConditionsAndEvents() throws Exception {
    JsonNode created = expect(201, server.post(HPAS_V1, """
        {"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler","metadata":{"name":"ghost"},
         "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"ghost"},"maxReplicas":3}}"""));
    assertEquals("autoscaling/v1", created.path("apiVersion").asText());
    assertEquals(1, created.path("spec").path("minReplicas").asInt());
    JsonNode stored = expect(200, server.get(HPAS_V2 + "/ghost"));
    // v2's default metric
    assertEquals(80, stored.path("spec").path("metrics").path(0).path("resource").path("target")
        .path("averageUtilization").asInt(), stored.toString());
    await().atMost(WAIT).until(() -> "FailedGetScale".equals(
        condition(expect(200, server.get(HPAS_V2 + "/ghost")), "AbleToScale").path("reason").asText()));
    JsonNode hpa = expect(200, server.get(HPAS_V2 + "/ghost"));
    assertEquals("the HPA controller was unable to get the target's current scale: deployments.apps \"ghost\" "
        + "not found", condition(hpa, "AbleToScale").path("message").asText());
    await().atMost(WAIT).until(() -> events("ghost").contains("FailedGetScale deployments.apps \"ghost\" not found"));
    JsonNode listed = expect(200, server.get(HPAS_V1));
    assertEquals("HorizontalPodAutoscalerList", listed.path("kind").asText());
    assertEquals("autoscaling/v1", listed.path("apiVersion").asText());
  }

  @Test
  void badAutoscalersAreRefusedNamingTheField() throws Exception {
    Path manifest = Files.writeString(dataDir.resolve("bad.yaml"), """
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: bad}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
          minReplicas: 3
          maxReplicas: 2
          behavior:
            scaleDown: {stabilizationWindowSeconds: 4000}
        """);
    Result refused = kubectl("create", "-f", manifest.toString());
    assertEquals(1, refused.exit());
    assertTrue(refused.err().contains("The HorizontalPodAutoscaler \"bad\" is invalid"), refused.err());
    assertTrue(refused.err().contains("spec.maxReplicas: Invalid value: 2: must be greater than or equal to "
        + "`minReplicas`"), refused.err());
    assertTrue(refused.err().contains("spec.behavior.scaleDown.stabilizationWindowSeconds: Invalid value: 4000: "
        + "must be less than or equal to 3600"), refused.err());
    JsonNode v1 = TestServer.json(server.post(HPAS_V1, """
        {"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler","metadata":{"name":"bad"},
         "spec":{"scaleTargetRef":{"kind":"Deployment","name":"web"},"minReplicas":0,"maxReplicas":3,
           "targetCPUUtilizationPercentage":0}}"""));
    assertEquals(422, v1.path("code").asInt(), v1.toString());
    List<String> fields = new ArrayList<>();
    v1.path("details").path("causes").forEach(c -> fields.add(c.path("field").asText()));
    assertEquals(List.of("spec.minReplicas", "spec.metrics[0].resource.target.averageUtilization"), fields);
    assertEquals(404, server.get(HPAS_V2 + "/bad").statusCode());
  }

  /** Sets the CPU use of the app's pods now; pods made later are idle. */
  private static void annotate(String app, String cpu) throws Exception {
    Result annotated = kubectl("annotate", "pods", "-l", "app=" + app, "--overwrite",
        HollowRuntime.CPU_USAGE_ANNOTATION + "=" + cpu);
    assertEquals(0, annotated.exit(), annotated.err());
  }

  private static int replicas(String deployment) {
    return expect(200, server.get("/apis/apps/v1/namespaces/" + NS + "/deployments/" + deployment))
        .path("spec").path("replicas").asInt();
  }

  private static JsonNode condition(JsonNode hpa, String type) {
    for (JsonNode c : hpa.path("status").path("conditions")) {
      if (c.path("type").asText().equals(type)) {
        return c;
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  private static String events(String name) {
    StringBuilder out = new StringBuilder();
    for (JsonNode e : expect(200, server.get("/api/v1/namespaces/" + NS + "/events")).path("items")) {
      if (e.path("involvedObject").path("name").asText().equals(name)
          && e.path("involvedObject").path("kind").asText().equals("HorizontalPodAutoscaler")) {
        out.append(e.path("reason").asText()).append(' ').append(e.path("message").asText()).append('\n');
      }
    }
    return out.toString();
  }

  /** kubectl in the test's namespace. */
  private static Result kubectl(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("--namespace=" + NS));
    all.addAll(List.of(args));
    return KubectlRunner.run(server.base, dataDir, all.toArray(String[]::new));
  }
}
