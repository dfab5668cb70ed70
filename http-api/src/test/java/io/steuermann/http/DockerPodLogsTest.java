package io.steuermann.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import io.steuermann.engine.Engine;
import io.steuermann.node.docker.DockerSupport;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code kubectl logs} (the real kubectl 1.32 process) against the API server in this process,
 * whose node runs pods as real Docker containers (busybox, {@link DockerSupport}): container,
 * tailLines, timestamps, previous after a restart, and follow — lines as the container writes
 * them, ending when the container exits or when kubectl stops. The test decides when a
 * container writes (through {@code docker exec}), so nothing depends on timing.
 */
class DockerPodLogsTest {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static DockerApi api;
  private static Engine engine;
  private static String node;
  private static URI base;
  private static Path work;

  @BeforeAll
  static void start() throws Exception {
    api = DockerApi.start("logs-docker");
    engine = api.engine;
    node = api.node;
    base = api.base;
    work = api.work;
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
  }

  @Test
  void logsOfAContainerWithTailLinesAndTimestamps() throws Exception {
    create("""
        apiVersion: v1
        kind: Pod
        metadata: {name: two}
        spec:
          nodeName: %s
          containers:
          - {name: counter, image: %s, command: [sh, -c, "echo one; echo two; echo three; exec sleep 600"]}
          - {name: other, image: %s, command: [sh, -c, "echo other; exec sleep 600"]}
        """.formatted(node, DockerSupport.IMAGE, DockerSupport.IMAGE));
    awaitRunningReady("two");

    await().atMost(WAIT).until(() -> kubectl("logs", "two", "-c", "counter").output(), "one\ntwo\nthree\n"::equals);
    assertEquals(new DockerApi.Result(0, "other\n"), kubectl("logs", "two", "-c", "other"));
    assertEquals(new DockerApi.Result(0, "three\n"), kubectl("logs", "two", "-c", "counter", "--tail=1"));
    assertEquals(new DockerApi.Result(0, "two\nthree\n"), kubectl("logs", "two", "-c", "counter", "--tail", "2"));

    DockerApi.Result stamped = kubectl("logs", "two", "-c", "counter", "--timestamps");
    assertEquals(0, stamped.exit(), stamped.output());
    List<String> lines = stamped.output().lines().toList();
    assertEquals(3, lines.size(), stamped.output());
    List<String> words = List.of("one", "two", "three");
    for (int i = 0; i < 3; i++) {
      assertTrue(lines.get(i).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z " + words.get(i)),
          stamped.output());
    }

    DockerApi.Result unknown = kubectl("logs", "two", "-c", "nobody");
    assertNotEquals(0, unknown.exit(), unknown.output());
    assertTrue(unknown.output().contains("nobody"), unknown.output());
  }

  @Test
  void previousShowsTheInstanceBeforeARestart() throws Exception {
    // each instance names itself; SIGTERM (sent by the test) ends one with exit code 3
    create("""
        apiVersion: v1
        kind: Pod
        metadata: {name: restarter}
        spec:
          nodeName: %s
          containers:
          - name: main
            image: %s
            command: [sh, -c, "trap 'exit 3' TERM; echo instance $(cat /proc/sys/kernel/random/uuid); while true; do sleep 1; done"]
        """.formatted(node, DockerSupport.IMAGE));
    JsonNode first = awaitRunningReady("restarter");
    String firstLog = await().atMost(WAIT).until(() -> kubectl("logs", "restarter").output(),
        s -> s.startsWith("instance "));
    DockerApi.Result none = kubectl("logs", "restarter", "--previous");
    assertNotEquals(0, none.exit(), none.output());
    assertTrue(none.output().contains("previous terminated container"), none.output());

    dockerExec(first.path("containerID").asText(), "sh", "-c", "kill -TERM 1");
    JsonNode second = await().atMost(WAIT).until(() -> container("restarter"),
        c -> c.path("restartCount").asInt() == 1 && c.path("state").has("running"));
    assertEquals(3, second.path("lastState").path("terminated").path("exitCode").asInt(), second.toString());

    assertEquals(new DockerApi.Result(0, firstLog), kubectl("logs", "restarter", "-p"));
    String secondLog = await().atMost(WAIT).until(() -> kubectl("logs", "restarter").output(),
        s -> s.startsWith("instance "));
    assertNotEquals(firstLog, secondLog);
  }

  @Test
  void followStreamsLinesAsWrittenAndEndsWhenTheContainerExits() throws Exception {
    create("""
        apiVersion: v1
        kind: Pod
        metadata: {name: waiter}
        spec:
          nodeName: %s
          restartPolicy: Never
          containers:
          - name: main
            image: %s
            command: [sh, -c, "busybox mkdir -p /tmp; echo first; while [ ! -e /tmp/go ]; do sleep 1; done; echo second; exit 0"]
        """.formatted(node, DockerSupport.IMAGE));
    JsonNode c = awaitRunningReady("waiter");
    try (Follower follower = new Follower("logs", "-f", "waiter")) {
      await().atMost(WAIT).until(() -> follower.lines.contains("first"));
      assertTrue(follower.process.isAlive(), "follows while the container runs");
      assertEquals(List.of("first"), follower.lines);

      dockerExec(c.path("containerID").asText(), "sh", "-c", "echo > /tmp/go");
      assertTrue(follower.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "ends with the container");
      assertEquals(0, follower.process.exitValue());
      await().atMost(WAIT).until(() -> !follower.reader.isAlive());
      assertEquals(List.of("first", "second"), follower.lines);
    }
    await().atMost(WAIT).until(() -> "Succeeded".equals(pod("waiter").path("status").path("phase").asText()));
    assertEquals(new DockerApi.Result(0, "first\nsecond\n"), kubectl("logs", "waiter"));
  }

  @Test
  void followEndsWhenKubectlStops() throws Exception {
    create("""
        apiVersion: v1
        kind: Pod
        metadata: {name: talker}
        spec:
          nodeName: %s
          containers:
          - {name: main, image: %s, command: [sh, -c, "echo hello; exec sleep 600"]}
        """.formatted(node, DockerSupport.IMAGE));
    JsonNode c = awaitRunningReady("talker");
    for (int round = 1; round <= 2; round++) {
      Set<Thread> before = engineStreams();
      try (Follower follower = new Follower("logs", "-f", "talker")) {
        await().atMost(WAIT).until(() -> follower.lines.contains("hello"));
        // one stream reads the container's log from the engine; the node's usage sampler may have a
        // short stats request of its own open at this moment: wait until that one has ended
        await().atMost(WAIT).until(() -> newStreams(before).size() == 1);
        Set<Thread> follow = newStreams(before);
        // a line the running container writes later arrives on the open stream
        dockerExec(c.path("containerID").asText(), "sh", "-c", "echo later-" + round + " > /proc/1/fd/1");
        int r = round;
        await().atMost(WAIT).until(() -> follower.lines.contains("later-" + r));
        assertTrue(follower.process.isAlive());
        follower.process.destroy();
        assertTrue(follower.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
        // The server closes its request to the engine once it finds the client gone. Pekko HTTP
        // finds that out only when a write to the closed connection fails (akka #18482),
        // not at the client's FIN as Go's server does: so the container writes until then.
        await().atMost(WAIT).until(() -> {
          dockerExec(c.path("containerID").asText(), "sh", "-c", "echo after-" + r + " > /proc/1/fd/1");
          return follow.stream().noneMatch(Thread::isAlive);
        });
      }
    }
    // the server is unharmed by streams its clients dropped
    DockerApi.Result all = kubectl("logs", "talker");
    assertEquals(0, all.exit(), all.output());
    assertTrue(all.output().startsWith("hello\nlater-1\nafter-1\n"), all.output());
    assertTrue(all.output().contains("\nlater-2\nafter-2\n"), all.output());
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Streaming requests to the Docker engine open in this process (the node's event stream,
   * log follows): docker-java reads each on its own thread, named {@code docker-java-stream-*}.
   */
  private static Set<Thread> engineStreams() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("docker-java-stream-"))
        .collect(Collectors.toSet());
  }

  /** The streams opened since {@code before} (other tests' streams may end meanwhile). */
  private static Set<Thread> newStreams(Set<Thread> before) {
    Set<Thread> now = engineStreams();
    now.removeAll(before);
    return now;
  }

  private static ObjectNode pod(String name) {
    return api.pod(name);
  }

  private static JsonNode container(String name) {
    ObjectNode pod = pod(name);
    return pod == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance()
        : pod.path("status").path("containerStatuses").path(0);
  }

  /** Waits until the pod runs and is Ready; answers its first container's status. */
  private static JsonNode awaitRunningReady(String name) {
    api.awaitRunningReady(name);
    return container(name);
  }

  private static void create(String manifest) throws IOException {
    api.create(manifest);
  }

  private static List<String> kubectlCommand(String... args) {
    return api.kubectlCommand(args);
  }

  private static DockerApi.Result kubectl(String... args) throws IOException {
    return api.kubectl(args);
  }

  /** A running {@code kubectl logs -f}: its lines as they arrive. */
  private static final class Follower implements AutoCloseable {
    final Process process;
    final List<String> lines = new CopyOnWriteArrayList<>();
    final Thread reader;

    Follower(String... args) throws IOException {
      process = new ProcessBuilder(kubectlCommand(args)).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
      reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line = in.readLine(); line != null; line = in.readLine()) {
            lines.add(line);
          }
        } catch (IOException e) {
          // the process went away
        }
      }, "kubectl-logs-follow");
      reader.setDaemon(true);
      reader.start();
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }

  /** Runs a command in a container as {@code docker exec} would, from outside the node. */
  private static void dockerExec(String containerId, String... command) throws Exception {
    try (DockerClient docker = DockerSupport.client()) {
      String exec = docker.execCreateCmd(containerId.replace("docker://", "")).withCmd(command)
          .withAttachStdout(true).withAttachStderr(true).exec().getId();
      docker.execStartCmd(exec).exec(new ResultCallback.Adapter<Frame>()).awaitCompletion(30, TimeUnit.SECONDS);
      assertEquals(0L, docker.inspectExecCmd(exec).exec().getExitCodeLong(), String.join(" ", command));
    }
  }
}
