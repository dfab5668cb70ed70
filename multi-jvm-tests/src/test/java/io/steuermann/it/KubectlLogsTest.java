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
 * {@code kubectl logs [-f]} against the real server process with a hollow node (a hollow
 * container logs a line when it starts and one when it ends).
 */
@ExtendWith(ServerLogs.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KubectlLogsTest {
  private ServerProcess server;
  private Path work;

  @BeforeEach
  void start() throws IOException {
    work = Files.createTempDirectory(Path.of("target"), "kubectl-logs-");
    server = ServerProcess.builder("kubectl-logs").dataDir(work.resolve("data")).flag("--hollow-nodes", "1").start();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void kubectlLogsAndFollow() throws Exception {
    Path manifest = work.resolve("pods.yaml");
    Files.writeString(manifest, """
        apiVersion: v1
        kind: Pod
        metadata: {name: talker}
        spec:
          containers: [{name: web, image: busybox}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: pair}
        spec:
          containers: [{name: a, image: busybox}, {name: b, image: busybox}]
        """);
    Result created = kubectl(List.of("create", "-f", manifest.toString()));
    assertEquals(0, created.exit, created.output);
    await().atMost(Duration.ofSeconds(60)).until(() ->
        kubectl(List.of("get", "pod", "talker", "-o", "jsonpath={.status.phase}")).output.equals("Running"));

    Result logs = kubectl(List.of("logs", "talker"));
    assertEquals(0, logs.exit, logs.output);
    assertTrue(logs.output.matches("hollow container web \\(hollow://\\S+\\) started\n"), logs.output);

    Result stamped = kubectl(List.of("logs", "talker", "--timestamps", "--tail", "1"));
    assertTrue(stamped.output.matches("\\d{4}-\\d\\d-\\d\\dT\\S+Z hollow container web .*\n"), stamped.output);

    // -f stays open while the container runs and ends with it (here: when its pod is deleted)
    Path followedLog = work.resolve("followed.log");
    Process follower = new ProcessBuilder("kubectl", "--server", server.baseUri().toString(),
        "--cache-dir", work.resolve("kube-cache").toString(), "logs", "-f", "talker", "-c", "web")
        .redirectErrorStream(true).redirectOutput(followedLog.toFile()).start();
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(followedLog).equals(logs.output));
      assertTrue(follower.isAlive(), "kubectl logs -f follows while the container runs");
      assertEquals(0, kubectl(List.of("delete", "pod", "talker", "--wait=false")).exit);
      assertTrue(follower.waitFor(60, TimeUnit.SECONDS), "kubectl logs -f ends when the container ends");
      assertEquals(0, follower.exitValue());
      String followed = Files.readString(followedLog);
      assertTrue(followed.startsWith(logs.output) && followed.matches("(?s).*exited with code \\d+ .*\n"), followed);
    } finally {
      follower.destroyForcibly();
    }

    await().atMost(Duration.ofSeconds(60)).until(() ->
        kubectl(List.of("get", "pod", "pair", "-o", "jsonpath={.status.phase}")).output.equals("Running"));
    Result second = kubectl(List.of("logs", "pair", "-c", "b"));
    assertEquals(0, second.exit, second.output);
    assertTrue(second.output.startsWith("hollow container b "), second.output);

    Result missing = kubectl(List.of("logs", "nobody"));
    assertTrue(missing.exit != 0, missing.output);
    assertTrue(missing.output.contains("pods \"nobody\" not found"), missing.output);
  }

  private Result kubectl(List<String> args) throws IOException {
    List<String> command = new ArrayList<>(List.of("kubectl", "--server", server.baseUri().toString(),
        "--cache-dir", work.resolve("kube-cache").toString()));
    command.addAll(args);
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
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

  private record Result(int exit, String output) {}
}
