package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.steuermann.http.KubectlRunner.Result;
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
 * Volumes through the API on a hollow node: bad volumes and mounts refused with 422 naming the
 * field and nothing stored (also in a Deployment's template, through kubectl), and a pod whose
 * configMap volume's ConfigMap is missing waiting in ContainerCreating with kubelet's FailedMount
 * event until it is created.
 */
class PodVolumesApiTest {
  private static final String NS = "vols";
  private static final String PODS = "/api/v1/namespaces/" + NS + "/pods";

  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.startWithNodes("PodVolumesApiTest", TestServer.h2(dataDir).withFallback(
        ConfigFactory.parseString("steuermann.node.hollow-nodes = 1\nsteuermann.node.name-prefix = \"vol-\"")));
    server.namespace(NS);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static List<String> fields(JsonNode status) {
    List<String> fields = new ArrayList<>();
    status.path("details").path("causes").forEach(c -> fields.add(c.path("field").asText()));
    return fields;
  }

  @Test
  void aVolumeNamedTwiceAndAMountOfAnUndeclaredVolumeAreRefused() {
    JsonNode status = expect(422, server.post(PODS, """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"bad-volumes"},
         "spec":{"containers":[{"name":"main","image":"busybox",
           "volumeMounts":[{"name":"nope","mountPath":"/n"},{"name":"data","mountPath":"relative"}]}],
           "volumes":[{"name":"data","emptyDir":{}},{"name":"data","hostPath":{"path":"/x","type":"Dir"}},
                      {"name":"claim","persistentVolumeClaim":{"claimName":""}}]}}"""));
    assertEquals("Invalid", status.path("reason").asText());
    assertEquals(List.of("spec.volumes[1].name", "spec.volumes[1].hostPath.type", "spec.volumes[2].persistentVolumeClaim.claimName",
        "spec.containers[0].volumeMounts[0].name", "spec.containers[0].volumeMounts[1].mountPath"), fields(status));
    assertTrue(status.path("message").asText().contains("spec.volumes[1].name: Duplicate value: \"data\""), status.toString());
    assertTrue(status.path("message").asText().contains("spec.containers[0].volumeMounts[0].name: Not found: \"nope\""),
        status.toString());
    assertEquals(404, server.get(PODS + "/bad-volumes").statusCode());
  }

  @Test
  void kubectlIsToldWhichSourceOfATemplateIsUnsupported() throws Exception {
    Path manifest = Files.writeString(dataDir.resolve("deploy.yaml"), """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: claims, namespace: vols}
        spec:
          selector: {matchLabels: {app: claims}}
          template:
            metadata: {labels: {app: claims}}
            spec:
              containers: [{name: main, image: busybox, volumeMounts: [{name: data, mountPath: /data}]}]
              volumes: [{name: data, nfs: {server: nfs.example, path: /exports}}]
        """);
    Result r = KubectlRunner.run(server.base, dataDir, "create", "-f", manifest.toString());
    assertEquals(1, r.exit(), r.out() + r.err());
    assertTrue(r.err().contains("spec.template.spec.volumes[0].nfs: Unsupported value: \"nfs\""), r.err());
    assertEquals(404, server.get("/apis/apps/v1/namespaces/vols/deployments/claims").statusCode());
  }

  @Test
  void aPodWaitsForTheConfigMapOfItsVolume() {
    expect(201, server.post(PODS, """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"mounted"},
         "spec":{"nodeName":"vol-0001","containers":[{"name":"main","image":"busybox",
           "volumeMounts":[{"name":"cfg","mountPath":"/etc/cfg"}]}],
           "volumes":[{"name":"cfg","configMap":{"name":"later"}},{"name":"opt","secret":{"secretName":"x","optional":true}}]}}"""));
    await().atMost(Duration.ofSeconds(30)).until(() -> "ContainerCreating".equals(expect(200, server.get(PODS + "/mounted"))
        .path("status").path("containerStatuses").path(0).path("state").path("waiting").path("reason").asText()));
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      for (JsonNode e : expect(200, server.get("/api/v1/namespaces/" + NS + "/events")).path("items")) {
        if (e.path("reason").asText().equals("FailedMount") && e.path("message").asText()
            .equals("MountVolume.SetUp failed for volume \"cfg\" : configmap \"later\" not found")) {
          return true;
        }
      }
      return false;
    });
    assertEquals("Pending", expect(200, server.get(PODS + "/mounted")).path("status").path("phase").asText());
    expect(201, server.post("/api/v1/namespaces/" + NS + "/configmaps",
        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"later\"},\"data\":{\"k\":\"v\"}}"));
    await().atMost(Duration.ofSeconds(30)).until(() -> "Running".equals(expect(200, server.get(PODS + "/mounted"))
        .path("status").path("phase").asText()));
  }
}
