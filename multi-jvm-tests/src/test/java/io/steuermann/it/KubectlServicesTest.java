package io.steuermann.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Services with the real kubectl against the real server process with 2 hollow nodes: the
 * {@code get svc} and {@code get endpoints} tables, {@code expose}, a nodePort conflict refused
 * with Kubernetes' message, and the Endpoints going with their Service.
 */
@ExtendWith(ServerLogs.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KubectlServicesTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String MANIFEST = """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        replicas: 2
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            containers:
            - name: web
              image: busybox
              ports: [{name: http, containerPort: 8080}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web}
      spec:
        type: NodePort
        selector: {app: web}
        ports:
        - {name: http, port: 80, targetPort: http, nodePort: 30080}
        - {name: dns, port: 53, protocol: UDP}
      """;

  private ServerProcess server;
  private Path work;

  @BeforeEach
  void start() throws IOException {
    assertEquals(0, run(List.of("kubectl", "version", "--client"), Duration.ofSeconds(30)).exit,
        "kubectl is not on the PATH: this test needs it");
    work = Files.createTempDirectory(Path.of("target"), "kubectl-svc-");
    server = ServerProcess.builder("kubectl-services").dataDir(work.resolve("data"))
        .flag("--hollow-nodes", "2").start();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void servicesAndEndpointsThroughKubectl() throws Exception {
    Path manifest = work.resolve("web.yaml");
    Files.writeString(manifest, MANIFEST);
    Result created = kubectl("create", "-f", manifest.toString());
    assertEquals(0, created.exit, created.output);

    Result svc = kubectl("get", "svc", "web");
    assertTrue(svc.output.matches("(?s)NAME\\s+TYPE\\s+CLUSTER-IP\\s+EXTERNAL-IP\\s+PORT\\(S\\)\\s+AGE\\s*\\n"
        + "web\\s+NodePort\\s+10\\.(9[6-9]|10\\d|11[01])\\.\\d+\\.\\d+\\s+<none>\\s+80:30080/TCP,53:3\\d{4}/UDP\\s+.*"), svc.output);

    // the 2 Ready pods, at their named port
    await().atMost(WAIT).until(() -> kubectl("get", "endpoints", "web").output
        .matches("(?s)NAME\\s+ENDPOINTS\\s+AGE\\s*\\nweb\\s+127\\.0\\.0\\.1:8080,127\\.0\\.0\\.1:8080,127\\.0\\.0\\.1:53 \\+ 1 more\\.\\.\\..*"));

    Result exposed = kubectl("expose", "deployment", "web", "--port", "8081", "--target-port", "8080", "--name", "exposed");
    assertEquals(0, exposed.exit, exposed.output);
    assertTrue(exposed.output.contains("service/exposed exposed"), exposed.output);
    await().atMost(WAIT).until(() -> kubectl("get", "endpoints", "exposed").output
        .matches("(?s).*exposed\\s+127\\.0\\.0\\.1:8080,127\\.0\\.0\\.1:8080\\s.*"));

    Path clash = work.resolve("clash.yaml");
    Files.writeString(clash, """
        apiVersion: v1
        kind: Service
        metadata: {name: clash}
        spec:
          type: NodePort
          ports: [{port: 80, nodePort: 30080}]
        """);
    Result refused = kubectl("create", "-f", clash.toString());
    assertTrue(refused.exit != 0, refused.output);
    assertTrue(refused.output.contains(
        "The Service \"clash\" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated"),
        refused.output);

    Result deleted = kubectl("delete", "svc", "web");
    assertEquals(0, deleted.exit, deleted.output);
    await().atMost(WAIT).until(() -> kubectl("get", "endpoints", "web").output.contains("NotFound"));
    // the nodePort is free again
    Result reused = kubectl("create", "-f", clash.toString());
    assertEquals(0, reused.exit, reused.output);
  }

  private Result kubectl(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("kubectl", "--server", server.baseUri().toString(),
        "--cache-dir", work.resolve("kube-cache").toString()));
    command.addAll(List.of(args));
    return run(command, Duration.ofSeconds(60));
  }

  private record Result(int exit, String output) {}

  private static Result run(List<String> command, Duration timeout) throws IOException {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    } catch (IOException e) {
      return new Result(127, String.valueOf(e.getMessage()));
    }
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return new Result(-1, "timed out: " + command);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      return new Result(-1, "interrupted");
    }
    return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }
}
