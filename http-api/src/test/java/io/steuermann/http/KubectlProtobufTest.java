package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real kubectl's generator commands, which send protobuf, against a real server: each
 * must exit 0 and leave the object it made with the fields it asked for.
 */
class KubectlProtobufTest {
  @TempDir
  static Path work;
  static TestServer server;
  static Path kubeconfig;

  private record Result(int exit, String output) {}

  @BeforeAll
  static void start() throws IOException {
    // kubectl is part of this project's test environment: missing is a failure, not a skip
    boolean found = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .anyMatch(dir -> Files.isExecutable(Path.of(dir, "kubectl")));
    assertTrue(found, "kubectl (1.32) must be on the PATH for this test" + ("true".equals(System.getenv("CI")) ? " in CI" : ""));
    server = TestServer.start("KubectlProtobufTest", TestServer.h2(work.resolve("data")));
    kubeconfig = work.resolve("kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters:
        - name: test
          cluster:
            server: %s
        contexts:
        - name: test
          context:
            cluster: test
            namespace: kp
        current-context: test
        users: []
        """.formatted(server.base));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static Result kubectl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString(),
        "--cache-dir", work.resolve("kube-cache").toString(), "--request-timeout=30s"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Result(-1, "timed out: " + command);
    }
    return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  private static String ok(String... args) throws IOException, InterruptedException {
    Result r = kubectl(args);
    assertEquals(0, r.exit(), () -> "kubectl " + String.join(" ", args) + ":\n" + r.output());
    return r.output();
  }

  @Test
  void generatorCommandsWork() throws Exception {
    ok("create", "namespace", "kp");
    expect(200, server.get("/api/v1/namespaces/kp"));

    ok("create", "deployment", "web", "--image=busybox:1.36", "--replicas=2", "--port=8080");
    JsonNode deployment = expect(200, server.get("/apis/apps/v1/namespaces/kp/deployments/web"));
    assertEquals(2, deployment.path("spec").path("replicas").asInt());
    assertEquals("web", deployment.path("spec").path("selector").path("matchLabels").path("app").asText());
    JsonNode container = deployment.path("spec").path("template").path("spec").path("containers").get(0);
    assertEquals("busybox:1.36", container.path("image").asText());
    assertEquals(8080, container.path("ports").get(0).path("containerPort").asInt());

    ok("create", "service", "clusterip", "svc", "--tcp=80:8080");
    JsonNode svc = expect(200, server.get("/api/v1/namespaces/kp/services/svc"));
    assertEquals("ClusterIP", svc.path("spec").path("type").asText());
    assertEquals(80, svc.path("spec").path("ports").get(0).path("port").asInt());
    assertEquals(8080, svc.path("spec").path("ports").get(0).path("targetPort").asInt());

    ok("create", "configmap", "settings", "--from-literal=mode=fast");
    assertEquals("fast", expect(200, server.get("/api/v1/namespaces/kp/configmaps/settings")).path("data").path("mode").asText());
    ok("create", "secret", "generic", "db", "--from-literal=password=s3cr3t");
    assertEquals("czNjcjN0", expect(200, server.get("/api/v1/namespaces/kp/secrets/db")).path("data").path("password").asText());
    String listed = ok("get", "cm,secret");
    assertTrue(listed.contains("configmap/settings") && listed.contains("secret/db"), listed);

    ok("run", "solo", "--image=busybox:1.36", "--labels=run=solo,tier=x", "--", "sleep", "3600");
    JsonNode pod = expect(200, server.get("/api/v1/namespaces/kp/pods/solo"));
    assertEquals("x", pod.path("metadata").path("labels").path("tier").asText());
    assertEquals("[\"sleep\",\"3600\"]",
        pod.path("spec").path("containers").get(0).path("args").toString());

    ok("expose", "deployment", "web", "--name=web-exposed", "--port=81", "--target-port=8080");
    JsonNode exposed = expect(200, server.get("/api/v1/namespaces/kp/services/web-exposed"));
    assertEquals("web", exposed.path("spec").path("selector").path("app").asText());
    assertEquals(81, exposed.path("spec").path("ports").get(0).path("port").asInt());
    assertEquals(8080, exposed.path("spec").path("ports").get(0).path("targetPort").asInt());

    ok("scale", "deployment", "web", "--replicas=3");
    assertEquals(3, expect(200, server.get("/apis/apps/v1/namespaces/kp/deployments/web"))
        .path("spec").path("replicas").asInt());

    String yaml = ok("get", "deployment", "web", "-o", "yaml");
    assertTrue(yaml.contains("replicas: 3"), yaml);
    assertTrue(yaml.contains("image: busybox:1.36"), yaml);
    assertTrue(ok("get", "service", "svc", "-o", "yaml").contains("targetPort: 8080"));
    assertTrue(ok("get", "pod", "solo", "-o", "yaml").contains("tier: x"));
    assertTrue(ok("get", "namespace", "kp", "-o", "yaml").contains("name: kp"));
  }
}
