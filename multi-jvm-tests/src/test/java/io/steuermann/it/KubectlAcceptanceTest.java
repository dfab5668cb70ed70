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
 * The acceptance of issue 2: the real kubectl against the real server process can create a
 * manifest of every kind, get, get -o yaml, get -w, delete, and get across namespaces by label.
 */
@ExtendWith(ServerLogs.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KubectlAcceptanceTest {
  private static final String MANIFEST = """
      apiVersion: v1
      kind: Namespace
      metadata: {name: accept}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: p1, namespace: accept, labels: {app: x}}
      spec:
        containers: [{name: c, image: busybox}]
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, namespace: accept}
      spec:
        replicas: 2
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            containers: [{name: web, image: busybox}]
      ---
      apiVersion: apps/v1
      kind: ReplicaSet
      metadata: {name: rs, namespace: accept}
      spec:
        replicas: 1
        selector: {matchLabels: {app: rs}}
        template:
          metadata: {labels: {app: rs}}
          spec:
            containers: [{name: c, image: busybox}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: svc, namespace: accept}
      spec:
        selector: {app: web}
        ports: [{port: 80, targetPort: 8080}]
      ---
      # Endpoints written by hand belong to a Service without a selector: those of a Service
      # with one are the endpoints controller's (it may well have created them already)
      apiVersion: v1
      kind: Service
      metadata: {name: manual, namespace: accept}
      spec:
        ports: [{port: 80}]
      ---
      apiVersion: v1
      kind: Endpoints
      metadata: {name: manual, namespace: accept}
      subsets: [{addresses: [{ip: 127.0.0.1}], ports: [{port: 8080}]}]
      ---
      apiVersion: v1
      kind: Node
      metadata: {name: node-accept, labels: {app: x}}
      ---
      apiVersion: v1
      kind: Event
      metadata: {name: ev1, namespace: accept}
      involvedObject: {kind: Pod, name: p1, namespace: accept}
      reason: Testing
      message: hello
      type: Normal
      """;

  private ServerProcess server;
  private Path work;

  @BeforeEach
  void start() throws IOException {
    boolean kubectl = run(List.of("kubectl", "version", "--client"), Duration.ofSeconds(30)).exit == 0;
    // kubectl is part of the test environment (on the PATH of every machine of this kind)
    assertTrue(kubectl, "kubectl is not on the PATH: the kubectl acceptance test needs it");
    work = Files.createTempDirectory(Path.of("target"), "kubectl-");
    server = ServerProcess.builder("kubectl").dataDir(work.resolve("data")).start();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void kubectlCreatesGetsWatchesAndDeletesEveryKind() throws Exception {
    Path manifest = work.resolve("all.yaml");
    Files.writeString(manifest, MANIFEST);

    Result created = kubectl("create", "-f", manifest.toString());
    assertEquals(0, created.exit, created.output);
    for (String line : List.of("namespace/accept created", "pod/p1 created", "deployment.apps/web created",
        "replicaset.apps/rs created", "service/svc created", "service/manual created", "endpoints/manual created",
        "node/node-accept created", "event/ev1 created")) {
      assertTrue(created.output.contains(line), "missing '" + line + "' in:\n" + created.output);
    }

    Result pods = kubectl("get", "pods", "-A", "-l", "app=x");
    assertEquals(0, pods.exit, pods.output);
    assertTrue(pods.output.matches("(?s)NAMESPACE\\s+NAME\\s+READY\\s+STATUS.*\\n\\s*accept\\s+p1\\s+0/1\\s+Pending.*"),
        pods.output);

    Result deployments = kubectl("get", "deployments", "-n", "accept");
    assertTrue(deployments.output.matches("(?s)NAME\\s+READY\\s+UP-TO-DATE\\s+AVAILABLE\\s+AGE\\s*\\n\\s*web\\s+0/2.*"),
        deployments.output);
    for (String kind : List.of("replicasets", "services", "endpoints", "events", "namespaces", "nodes")) {
      Result got = kubectl("get", kind, "-n", "accept");
      assertEquals(0, got.exit, kind + ": " + got.output);
      assertTrue(got.output.lines().count() >= 2, kind + ": " + got.output);
    }

    Result yaml = kubectl("get", "deployment", "web", "-n", "accept", "-o", "yaml");
    assertEquals(0, yaml.exit, yaml.output);
    assertTrue(yaml.output.contains("kind: Deployment") && yaml.output.contains("name: web")
        && yaml.output.contains("resourceVersion:") && yaml.output.contains("replicas: 2"), yaml.output);

    // get -w: the initial row, then one more row per change
    Path watchOut = work.resolve("watch.out");
    Process watch = new ProcessBuilder(kubectlCommand("get", "pods", "-n", "accept", "-w"))
        .redirectErrorStream(true).redirectOutput(watchOut.toFile()).start();
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(watchOut).contains("p1"));
      Result labelled = kubectl("label", "pod", "p1", "-n", "accept", "tier=web");
      assertEquals(0, labelled.exit, labelled.output);
      await().atMost(Duration.ofSeconds(30)).until(() ->
          Files.readString(watchOut).lines().filter(l -> l.startsWith("p1")).count() >= 2);
    } finally {
      watch.destroyForcibly().waitFor();
    }

    Result scaled = kubectl("scale", "deployment", "web", "-n", "accept", "--replicas=5");
    assertEquals(0, scaled.exit, scaled.output);
    assertEquals("5", kubectl("get", "deployment", "web", "-n", "accept", "-o", "jsonpath={.spec.replicas}").output.trim());

    Result deleted = kubectl("delete", "pod", "p1", "-n", "accept");
    assertEquals(0, deleted.exit, deleted.output);
    assertTrue(deleted.output.contains("pod \"p1\" deleted"), deleted.output);
    Result gone = kubectl("get", "pod", "p1", "-n", "accept");
    assertEquals(1, gone.exit, gone.output);
    assertTrue(gone.output.contains("NotFound") || gone.output.contains("not found"), gone.output);
    assertEquals(404, server.api().get("/api/v1/namespaces/accept/pods/p1").status());

    Path bad = work.resolve("bad.yaml");
    Files.writeString(bad, """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: Bad_Name, namespace: accept}
        spec:
          replicas: -1
          selector: {matchLabels: {app: a}}
          template:
            metadata: {labels: {app: b}}
            spec:
              containers: [{name: c, image: busybox}]
        """);
    Result invalid = kubectl("create", "-f", bad.toString());
    assertTrue(invalid.exit != 0, invalid.output);
    assertTrue(invalid.output.contains("is invalid") && invalid.output.contains("metadata.name")
        && invalid.output.contains("spec.replicas") && invalid.output.contains("spec.template.metadata.labels"),
        invalid.output);
  }

  private Result kubectl(String... args) throws IOException {
    return run(kubectlCommand(args), Duration.ofSeconds(60));
  }

  private List<String> kubectlCommand(String... args) {
    List<String> command = new ArrayList<>(List.of("kubectl", "--server", server.baseUri().toString(),
        "--cache-dir", work.resolve("kube-cache").toString()));
    command.addAll(List.of(args));
    return command;
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
