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
 * ReplicationControllers (core v1) through the real API on a hollow node, with the controllers
 * running, driven by the real kubectl as an old manifest would be: created without a selector
 * (the template's labels become it), its pods owned and replaced, {@code kubectl scale rc},
 * {@code get rc}, a selector that does not match refused with 422, {@code delete rc} taking the
 * pods.
 */
class ReplicationControllersTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String RCS = "/api/v1/namespaces/rc/replicationcontrollers";
  private static final String PODS = "/api/v1/namespaces/rc/pods";

  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.startWithNodes("ReplicationControllersTest", TestServer.h2(dataDir).withFallback(
        ConfigFactory.parseString("""
            steuermann.controllers.enabled = true
            steuermann.node.hollow-nodes = 1
            steuermann.node.name-prefix = "rc-"
            """)));
    server.namespace("rc");
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void anOldManifestRunsScalesAndIsDeletedWithKubectl() throws Exception {
    Path manifest = Files.writeString(dataDir.resolve("frontend-rc.yaml"), """
        apiVersion: v1
        kind: ReplicationController
        metadata:
          name: frontend
        spec:
          replicas: 3
          template:
            metadata:
              labels:
                app: guestbook
                tier: frontend
            spec:
              containers:
              - name: php-redis
                image: gb-frontend:v4
                ports:
                - containerPort: 80
        """);
    Result created = kubectl("-n", "rc", "create", "-f", manifest.toString());
    assertEquals(0, created.exit(), created.err());
    JsonNode rc = expect(200, server.get(RCS + "/frontend"));
    assertEquals("{\"app\":\"guestbook\",\"tier\":\"frontend\"}", rc.path("spec").path("selector").toString(),
        "the selector defaults to the template's labels");
    assertEquals("guestbook", rc.path("metadata").path("labels").path("app").asText());
    await().atMost(WAIT).until(() -> running("tier=frontend").size() == 3);
    for (JsonNode pod : pods("tier=frontend")) {
      JsonNode owner = pod.path("metadata").path("ownerReferences").path(0);
      assertEquals("ReplicationController", owner.path("kind").asText());
      assertEquals(rc.path("metadata").path("uid").asText(), owner.path("uid").asText());
    }
    await().atMost(WAIT).until(() -> expect(200, server.get(RCS + "/frontend")).path("status")
        .path("readyReplicas").asInt() == 3);
    Result table = kubectl("-n", "rc", "get", "rc");
    assertEquals(0, table.exit(), table.err());
    assertTrue(table.out().matches("(?s)NAME\\s+DESIRED\\s+CURRENT\\s+READY\\s+AGE\\s+frontend\\s+3\\s+3\\s+3\\s+.*"),
        table.out());

    // a pod deleted by hand is replaced
    String gone = pods("tier=frontend").get(0).path("metadata").path("name").asText();
    expect(200, server.delete(PODS + "/" + gone));
    await().atMost(WAIT).until(() -> {
      List<JsonNode> now = running("tier=frontend");
      return now.size() == 3 && now.stream().noneMatch(p -> p.path("metadata").path("name").asText().equals(gone));
    });

    Result scaled = kubectl("-n", "rc", "scale", "rc", "frontend", "--replicas=5");
    assertEquals(0, scaled.exit(), scaled.err());
    await().atMost(WAIT).until(() -> running("tier=frontend").size() == 5);
    assertEquals("app=guestbook,tier=frontend",
        expect(200, server.get(RCS + "/frontend/scale")).path("status").path("selector").asText());

    Result deleted = kubectl("-n", "rc", "delete", "rc", "frontend");
    assertEquals(0, deleted.exit(), deleted.err());
    await().atMost(WAIT).until(() -> pods("tier=frontend").isEmpty());
  }

  @Test
  void aSelectorTheTemplateDoesNotMatchIsRefused() {
    JsonNode refused = expect(422, server.post(RCS, """
        {"apiVersion":"v1","kind":"ReplicationController","metadata":{"name":"mismatch"},
         "spec":{"replicas":1,"selector":{"app":"a"},
          "template":{"metadata":{"labels":{"app":"b"}},
           "spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}}"""));
    String message = refused.path("message").asText();
    assertTrue(message.contains("spec.template.metadata.labels: Invalid value") && message.contains(
        "`selector` does not match template `labels`"), message);
    assertTrue(message.contains("spec.template.spec.restartPolicy: Unsupported value: \"Never\""), message);
    expect(404, server.get(RCS + "/mismatch"));
  }

  private static List<JsonNode> pods(String selector) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode pod : expect(200, server.get(PODS + "?labelSelector=" + selector)).path("items")) {
      if (!pod.path("metadata").has("deletionTimestamp")) {
        out.add(pod);
      }
    }
    return out;
  }

  private static List<JsonNode> running(String selector) {
    return pods(selector).stream().filter(p -> "Running".equals(p.path("status").path("phase").asText())).toList();
  }

  private static Result kubectl(String... args) throws Exception {
    return KubectlRunner.run(server.base, dataDir, args);
  }
}
