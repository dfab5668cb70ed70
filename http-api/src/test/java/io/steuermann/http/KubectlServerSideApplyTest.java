package io.steuermann.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * The real kubectl's server-side apply: create, update, a conflict with {@code kubectl scale}
 * and {@code --force-conflicts}, and the managedFields {@code --show-managed-fields} shows.
 */
class KubectlServerSideApplyTest {
  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("KubectlServerSideApplyTest", TestServer.h2(dataDir));
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

  private static Path manifest(String name, int replicas, String image) throws IOException {
    Path file = Files.createTempFile(dataDir, name, ".yaml");
    Files.writeString(file, """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: %s
          namespace: default
          labels:
            app: %s
        spec:
          replicas: %d
          selector:
            matchLabels:
              app: %s
          template:
            metadata:
              labels:
                app: %s
            spec:
              containers:
              - name: web
                image: %s
        """.formatted(name, name, replicas, name, name, image));
    return file;
  }

  private static String jsonpath(String name, String path) throws Exception {
    Result r = kubectl("get", "deployment", name, "-n", "default", "-o", "jsonpath={" + path + "}");
    assertEquals(0, r.exit(), r.err());
    return r.out();
  }

  @Test
  void applyServerSideCreatesUpdatesConflictsWithScaleAndForceWins() throws Exception {
    Result created = kubectl("apply", "--server-side", "-f", manifest("web", 2, "nginx:1.25").toString());
    assertEquals(0, created.exit(), created.err());
    assertTrue(created.out().contains("deployment.apps/web serverside-applied"), created.out());
    assertEquals("2", jsonpath("web", ".spec.replicas"));

    Result updated = kubectl("apply", "--server-side", "-f", manifest("web", 2, "nginx:1.27").toString());
    assertEquals(0, updated.exit(), updated.err());
    assertEquals("nginx:1.27", jsonpath("web", ".spec.template.spec.containers[0].image"));

    Result scaled = kubectl("scale", "deployment/web", "-n", "default", "--replicas=5");
    assertEquals(0, scaled.exit(), scaled.err());
    assertEquals("5", jsonpath("web", ".spec.replicas"));

    Result conflict = kubectl("apply", "--server-side", "-f", manifest("web", 3, "nginx:1.27").toString());
    assertNotEquals(0, conflict.exit(), conflict.out());
    assertTrue(conflict.err().contains("conflict"), conflict.err());
    // kubectl scale wrote through the scale subresource, under kubectl's User-Agent
    assertTrue(conflict.err().contains("Apply failed with 1 conflict: conflict with \"kubectl\" with subresource "
        + "\"scale\" using apps/v1: .spec.replicas"), conflict.err());
    assertEquals("5", jsonpath("web", ".spec.replicas"));

    Result forced = kubectl("apply", "--server-side", "--force-conflicts", "-f",
        manifest("web", 3, "nginx:1.27").toString());
    assertEquals(0, forced.exit(), forced.err());
    assertEquals("3", jsonpath("web", ".spec.replicas"));

    Result yaml = kubectl("get", "deployment", "web", "-n", "default", "-o", "yaml", "--show-managed-fields");
    assertEquals(0, yaml.exit(), yaml.err());
    assertTrue(yaml.out().contains("managedFields:"), yaml.out());
    assertTrue(yaml.out().contains("manager: kubectl"), yaml.out());
    assertTrue(yaml.out().contains("operation: Apply"), yaml.out());
    assertTrue(yaml.out().contains("fieldsType: FieldsV1"), yaml.out());
    assertTrue(yaml.out().contains("f:replicas: {}"), yaml.out());
    assertTrue(yaml.out().contains("k:{\"name\":\"web\"}:"), yaml.out());

    // without the flag kubectl hides them, as it does against kube-apiserver
    Result plain = kubectl("get", "deployment", "web", "-n", "default", "-o", "yaml");
    assertEquals(0, plain.exit(), plain.err());
    assertTrue(!plain.out().contains("managedFields"), plain.out());
  }

  @Test
  void clientSideApplyAndCreateRecordUpdateEntriesUnderKubectlsManagers() throws Exception {
    Result created = kubectl("create", "-f", manifest("made", 1, "nginx:1.25").toString());
    assertEquals(0, created.exit(), created.err());
    Result managers = kubectl("get", "deployment", "made", "-n", "default", "--show-managed-fields",
        "-o", "jsonpath={range .metadata.managedFields[*]}{.manager}/{.operation} {end}");
    assertEquals(0, managers.exit(), managers.err());
    assertEquals("kubectl-create/Update", managers.out().trim());
  }
}
