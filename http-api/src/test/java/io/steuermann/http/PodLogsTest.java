package io.steuermann.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.steuermann.engine.Engine;
import io.steuermann.node.NodeAgents;
import io.steuermann.node.NodeSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import io.steuermann.node.runtime.ContainerRuntime;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET .../pods/{name}/log} over real HTTP, against a server with a hollow node in the
 * process (hollow containers log one line), with requests shaped as kubectl sends them.
 */
class PodLogsTest {
  private static ActorSystem<Void> system;
  private static NodeAgents nodes;
  private static URI base;
  private static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    Config config = Engine.configure(ConfigFactory.parseString("""
            steuermann.store.kind = h2
            steuermann.node.hollow-nodes = 1
            steuermann.node.name-prefix = "logs-"
            """)
        .withFallback(TestServer.IN_PROCESS)
        .withFallback(ConfigFactory.parseString("steuermann.store.data-dir = \""
            + Files.createTempDirectory("steuermann-logs-test") + "\""))
        .withFallback(ConfigFactory.load()));
    system = ActorSystem.create(Behaviors.empty(), "pod-logs-test", config);
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    Engine engine = Engine.start(system);
    nodes = NodeAgents.start(system, engine,
        NodeSettings.fromConfig(system.settings().config().getConfig("steuermann.node")));
    ServerBinding binding = ApiServer.start(system, engine,
            node -> node.equals("stream-node") ? java.util.Optional.of(STREAMING) : nodes.runtime(node))
        .toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
    base = URI.create("http://127.0.0.1:" + binding.localAddress().getPort());
    nodes.whenAllRegistered().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    if (system != null) {
      nodes.stop();
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
    }
  }

  /** A node runtime whose log the test feeds: one line at once, the next when the test says. */
  private static final CompletableFuture<String> SECOND_LINE = new CompletableFuture<>();
  private static final AtomicReference<ContainerRuntime.LogOptions> ASKED = new AtomicReference<>();
  private static final ContainerRuntime STREAMING = new FedLogs();

  /** Only logs are asked of a node runtime by the API. */
  private static final class FedLogs implements ContainerRuntime {
    @Override
    public Source<ByteString, NotUsed> logs(PodRef pod, String container, LogOptions options) {
      ASKED.set(options);
      return Source.single(ByteString.fromString("first line\n"))
          .concat(Source.completionStage(SECOND_LINE).map(ByteString::fromString));
    }

    @Override
    public RuntimeInfo info() {
      throw new UnsupportedOperationException();
    }

    @Override
    public void setListener(Listener listener) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<RunningPod> startPod(PodConfig pod) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<ContainerStatus> startContainer(PodRef pod, ContainerConfig container, int attempt) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<ContainerStatus> stopContainer(PodRef pod, String container, Duration gracePeriod) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<Void> stopPod(PodRef pod, Duration gracePeriod) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<List<RunningPod>> listPods() {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<ExecResult> exec(PodRef pod, String container, List<String> command, Duration timeout) {
      throw new UnsupportedOperationException();
    }
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
        .header("Accept", "application/json, */*").GET().build(), BodyHandlers.ofString());
  }

  private static HttpResponse<String> send(String method, String path, String body) throws Exception {
    return client.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), BodyHandlers.ofString());
  }

  private static void createPod(String name, String node, String containers) throws Exception {
    // without a node: a selector no node matches keeps the scheduler from binding it
    String spec = (node == null ? "\"nodeSelector\": {\"disk\": \"none\"}, " : "\"nodeName\": \"" + node + "\", ")
        + "\"containers\": " + containers;
    HttpResponse<String> created = send("POST", "/api/v1/namespaces/default/pods",
        "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"" + name + "\"}, \"spec\": {"
            + spec + "}}");
    assertEquals(201, created.statusCode(), created.body());
  }

  private static void awaitRunning(String name) {
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      JsonNode pod = TestServer.json(get("/api/v1/namespaces/default/pods/" + name));
      return pod.path("status").path("phase").asText().equals("Running");
    });
  }

  private static void expectStatus(int code, String message, HttpResponse<String> response) {
    assertEquals(code, response.statusCode(), response.body());
    JsonNode status = TestServer.json(response);
    assertEquals("Status", status.path("kind").asText(), response.body());
    assertEquals(message, status.path("message").asText());
  }

  @Test
  void logsOfARunningContainerStreamAsText() throws Exception {
    createPod("talker", "logs-0001", "[{\"name\": \"web\", \"image\": \"busybox\"}]");
    awaitRunning("talker");

    HttpResponse<String> log = get("/api/v1/namespaces/default/pods/talker/log");
    assertEquals(200, log.statusCode(), log.body());
    assertTrue(log.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), log.headers().toString());
    assertTrue(log.body().matches("hollow container web \\(hollow://\\S+\\) started\n"), log.body());

    assertEquals("hollow ", get("/api/v1/namespaces/default/pods/talker/log?limitBytes=7").body());
    HttpResponse<String> stamped = get("/api/v1/namespaces/default/pods/talker/log?timestamps=true&tailLines=1");
    assertTrue(stamped.body().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z hollow container web .* started\n"),
        stamped.body());
    assertEquals("", get("/api/v1/namespaces/default/pods/talker/log?sinceTime=2999-01-01T00:00:00Z").body());
    expectStatus(400, "previous terminated container \"web\" in pod \"talker\" not found",
        get("/api/v1/namespaces/default/pods/talker/log?previous=true"));
    expectStatus(400, "container db is not valid for pod talker",
        get("/api/v1/namespaces/default/pods/talker/log?container=db"));
  }

  @Test
  void aFollowedHollowLogStaysOpenWhileTheContainerRunsAndEndsWithIt() throws Exception {
    createPod("follower", "logs-0001", "[{\"name\": \"web\", \"image\": \"busybox\"}]");
    awaitRunning("follower");
    HttpResponse<java.io.InputStream> response = client.send(HttpRequest.newBuilder(
            base.resolve("/api/v1/namespaces/default/pods/follower/log?follow=true")).GET().build(),
        BodyHandlers.ofInputStream());
    assertEquals(200, response.statusCode());
    assertEquals("chunked", response.headers().firstValue("Transfer-Encoding").orElse(""), response.headers().toString());
    try (java.io.BufferedReader lines = new java.io.BufferedReader(
        new java.io.InputStreamReader(response.body(), java.nio.charset.StandardCharsets.UTF_8))) {
      assertTrue(lines.readLine().matches("hollow container web \\(hollow://\\S+\\) started"));
      // still open: the container runs until its pod is deleted, then the log ends with it
      assertEquals(200, send("DELETE", "/api/v1/namespaces/default/pods/follower", "{}").statusCode());
      String last = lines.readLine();
      assertTrue(last != null && last.matches("hollow container web \\(hollow://\\S+\\) exited with code 0 .*"), last);
      assertEquals(null, lines.readLine(), "the response ends with the log");
    }
  }

  @Test
  void aFollowedLogStreamsLinesAsTheyCome() throws Exception {
    createPod("streamer", "stream-node", "[{\"name\": \"web\", \"image\": \"busybox\"}]");
    markRunning("streamer");
    HttpResponse<java.io.InputStream> response = client.send(HttpRequest.newBuilder(
            base.resolve("/api/v1/namespaces/default/pods/streamer/log?follow=true&tailLines=5&timestamps=true"
                + "&sinceSeconds=60"))
        .GET().build(), BodyHandlers.ofInputStream());
    assertEquals(200, response.statusCode());
    try (java.io.BufferedReader lines = new java.io.BufferedReader(
        new java.io.InputStreamReader(response.body(), java.nio.charset.StandardCharsets.UTF_8))) {
      assertEquals("first line", lines.readLine(), "the first line arrives while the log is still open");
      SECOND_LINE.complete("second line\n");
      assertEquals("second line", lines.readLine());
      assertEquals(null, lines.readLine(), "the response ends with the log");
    }
    ContainerRuntime.LogOptions asked = ASKED.get();
    assertTrue(asked.follow() && asked.timestamps() && !asked.previous(), asked.toString());
    assertEquals(java.util.OptionalInt.of(5), asked.tailLines());
    long ago = Duration.between(asked.sinceTime().orElseThrow(), java.time.Instant.now()).toSeconds();
    assertTrue(ago >= 59 && ago <= 120, "sinceSeconds=60 asks from a minute ago: " + asked);
  }

  /** Writes a running container status, as the pod's node would. */
  private static void markRunning(String name) throws Exception {
    JsonNode pod = TestServer.json(get("/api/v1/namespaces/default/pods/" + name));
    HttpResponse<String> written = send("PUT", "/api/v1/namespaces/default/pods/" + name + "/status", """
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "%s", "resourceVersion": "%s"},
         "status": {"phase": "Running", "containerStatuses": [{"name": "web", "image": "busybox", "ready": true,
           "restartCount": 0, "containerID": "docker://abc", "state": {"running": {"startedAt": "2026-01-01T00:00:00Z"}}}]}}
        """.formatted(name, pod.path("metadata").path("resourceVersion").asText()));
    assertEquals(200, written.statusCode(), written.body());
  }

  @Test
  void refusalsAreKubernetesStatuses() throws Exception {
    expectStatus(404, "pods \"nobody\" not found", get("/api/v1/namespaces/default/pods/nobody/log"));

    createPod("pair", "logs-0001", "[{\"name\": \"a\", \"image\": \"busybox\"}, {\"name\": \"b\", \"image\": \"busybox\"}]");
    expectStatus(400, "a container name must be specified for pod pair, choose one of: [a b]",
        get("/api/v1/namespaces/default/pods/pair/log"));

    createPod("unbound", null, "[{\"name\": \"web\", \"image\": \"busybox\"}]");
    expectStatus(400, "container \"web\" in pod \"unbound\" is waiting to start: the pod is not scheduled to a node yet",
        get("/api/v1/namespaces/default/pods/unbound/log"));

    HttpResponse<String> invalid = get("/api/v1/namespaces/default/pods/pair/log?container=a&tailLines=-1");
    expectStatus(422, "PodLogOptions \"pair\" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0",
        invalid);
    assertEquals("tailLines", TestServer.json(invalid).path("details").path("causes").path(0).path("field").asText());
    expectStatus(422, "PodLogOptions \"pair\" is invalid: Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified",
        get("/api/v1/namespaces/default/pods/pair/log?container=a&sinceSeconds=5&sinceTime=2026-01-01T00:00:00Z"));
    expectStatus(400, "follow: invalid boolean value \"maybe\"",
        get("/api/v1/namespaces/default/pods/pair/log?container=a&follow=maybe"));
    expectStatus(400, "tailLines: invalid integer value \"ten\"",
        get("/api/v1/namespaces/default/pods/pair/log?container=a&tailLines=ten"));
  }

  @Test
  void aPodOfAnotherProcesssNodeIsServedThere() throws Exception {
    createPod("remote", "elsewhere", "[{\"name\": \"web\", \"image\": \"busybox\"}]");
    expectStatus(400, "container \"web\" in pod \"remote\" is waiting to start: ContainerCreating",
        get("/api/v1/namespaces/default/pods/remote/log"));
    markRunning("remote");
    expectStatus(503, "pod logs are served by the process that runs node elsewhere, and no member with an API runs it",
        get("/api/v1/namespaces/default/pods/remote/log"));
  }
}
