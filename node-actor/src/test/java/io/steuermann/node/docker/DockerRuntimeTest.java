package io.steuermann.node.docker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.network.Ipv4Cidr;
import io.steuermann.node.runtime.ContainerRuntime.ContainerConfig;
import io.steuermann.node.runtime.ContainerRuntime.ContainerStatus;
import io.steuermann.node.runtime.ContainerRuntime.ExecResult;
import io.steuermann.node.runtime.ContainerRuntime.LogOptions;
import io.steuermann.node.runtime.ContainerRuntime.PodConfig;
import io.steuermann.node.runtime.ContainerRuntime.PodRef;
import io.steuermann.node.runtime.ContainerRuntime.PublishedPort;
import io.steuermann.node.runtime.ContainerRuntime.Running;
import io.steuermann.node.runtime.ContainerRuntime.RunningPod;
import io.steuermann.node.runtime.ContainerRuntime.Terminated;
import io.steuermann.node.runtime.ContainerRuntime.Waiting;
import io.steuermann.node.runtime.docker.DockerRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@code ContainerRuntime} contract, kept by {@link DockerRuntime} against the real engine. */
class DockerRuntimeTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String IMAGE = DockerSupport.IMAGE;
  private static ActorSystem<Void> system;

  private final List<String> nodes = new ArrayList<>();
  private final List<DockerRuntime> runtimes = new ArrayList<>();
  private final List<String[]> exits = new CopyOnWriteArrayList<>();
  private final List<ContainerStatus> reported = new CopyOnWriteArrayList<>();
  private String node;
  private DockerRuntime runtime;

  @BeforeAll
  static void docker() {
    DockerSupport.requireDocker();
    system = ActorSystem.create(Behaviors.empty(), "docker-runtime-test");
  }

  @AfterAll
  static void stopSystem() {
    if (system != null) {
      system.terminate();
    }
  }

  private final java.util.Map<String, String> cidrs = new java.util.HashMap<>();

  @BeforeEach
  void node() {
    node = DockerSupport.uniqueNodeName("rt");
    runtime = newRuntime(node);
    runtime.setListener((pod, status) -> reported.add(status));
  }

  @AfterEach
  void cleanUp() {
    runtimes.forEach(DockerRuntime::close);
    nodes.forEach(DockerSupport::removeContainersOf);
  }

  private DockerRuntime newRuntime(String name) {
    // one pod CIDR per node name (a restarted runtime of the same node finds its network again)
    String cidr = cidrs.computeIfAbsent(name, n -> "10.244." + (200 + cidrs.size()) + ".0/24");
    DockerRuntime r = DockerSupport.runtimeOnPodNetwork(name, cidr);
    runtimes.add(r);
    if (!nodes.contains(name)) {
      nodes.add(name);
    }
    return r;
  }

  // ---------------------------------------------------------------- tests

  @Test
  void reportsTheMachineAsNodeInfo() {
    var info = runtime.info();
    assertEquals("docker", info.name());
    assertTrue(info.version().startsWith("docker://"), info.version());
    assertTrue(Integer.parseInt(info.capacity().get("cpu")) >= 1);
    assertTrue(info.capacity().get("memory").endsWith("Ki"));
    assertEquals("110", info.capacity().get("pods"));
    assertEquals("127.0.0.1", info.hostIp());
    assertFalse(info.simulated());
  }

  @Test
  void startsAPodAndStopPodRemovesEverything() {
    PodConfig pod = pod("web", """
        {"containers": [{"name": "main", "image": "%s", "command": ["sleep", "3600"]}]}""".formatted(IMAGE));
    RunningPod running = join(runtime.startPod(pod));
    ContainerStatus main = running.containers().get(0);
    assertInstanceOf(Running.class, main.state(), main.toString());
    assertTrue(main.containerId().startsWith("docker://"), main.containerId());
    assertTrue(Ipv4Cidr.parse(cidrs.get(node)).contains(running.podIp()),
        "the pod IP comes from the node's pod CIDR: " + running.podIp());
    // a sandbox and the app container, both labelled with the pod and the node
    List<Container> containers = podContainers(pod.ref());
    assertEquals(2, containers.size());
    assertEquals(List.of("app", "sandbox"),
        containers.stream().map(c -> c.getLabels().get("steuermann.io/role")).sorted().toList());

    join(runtime.stopPod(pod.ref(), Duration.ofSeconds(5)));
    assertEquals(List.of(), podContainers(pod.ref()));
    join(runtime.stopPod(pod.ref(), Duration.ofSeconds(5))); // idempotent
  }

  @Test
  void reportsAnExitWithCodeReasonAndTimes() {
    PodConfig pod = pod("exits", """
        {"containers": [{"name": "main", "image": "%s", "command": ["sh", "-c", "sleep 1; exit 3"]}]}"""
        .formatted(IMAGE));
    ContainerStatus started = join(runtime.startPod(pod)).containers().get(0);
    assertInstanceOf(Running.class, started.state());
    await().atMost(WAIT).until(() -> !reported.isEmpty());
    ContainerStatus exited = reported.get(0);
    assertEquals(started.containerId(), exited.containerId());
    Terminated t = assertInstanceOf(Terminated.class, exited.state());
    assertEquals(3, t.exitCode());
    assertEquals("Error", t.reason());
    assertTrue(t.startedAt() != null && !t.finishedAt().isBefore(t.startedAt()), t.toString());
  }

  @Test
  void aRestartReplacesTheInstanceAndKeepsThePreviousOneForItsLog() {
    ContainerConfig once = container("""
        {"name": "main", "image": "%s", "command": ["sh", "-c", "echo run-$(cat /proc/sys/kernel/random/uuid); exit 1"]}""".formatted(IMAGE));
    PodConfig pod = new PodConfig(ref("restarts"), spec("{\"containers\": []}"), List.of(once));
    String first = join(runtime.startPod(pod)).containers().get(0).containerId();
    ContainerStatus second = join(runtime.startContainer(pod.ref(), once, 1));
    assertNotEquals(first, second.containerId());
    ContainerStatus third = join(runtime.startContainer(pod.ref(), once, 2));
    // the instance before the current one stays (for --previous); older ones are removed
    List<String> ids = appContainers(pod.ref()).stream().map(c -> "docker://" + c.getId()).sorted().toList();
    assertEquals(List.of(second.containerId(), third.containerId()).stream().sorted().toList(), ids);
    await().atMost(WAIT).until(() -> !logs(pod.ref(), "main",
        new LogOptions(false, OptionalInt.empty(), false, true, Optional.empty())).isEmpty());
    String previous = logs(pod.ref(), "main", new LogOptions(false, OptionalInt.empty(), false, true, Optional.empty()));
    String current = logs(pod.ref(), "main", LogOptions.all());
    assertTrue(previous.startsWith("run-"), previous);
    await().atMost(WAIT).until(() -> logs(pod.ref(), "main", LogOptions.all()).startsWith("run-"));
    assertNotEquals(previous, logs(pod.ref(), "main", LogOptions.all()), "current: " + current);
  }

  @Test
  void stopsGracefullyWithSigtermThenSigkillAfterTheGracePeriod() {
    PodConfig pod = pod("graceful", """
        {"containers": [
          {"name": "polite", "image": "%1$s", "command": ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]},
          {"name": "stubborn", "image": "%1$s", "command": ["sh", "-c", "trap '' TERM; while true; do sleep 0.2; done"]}
        ]}""".formatted(IMAGE));
    join(runtime.startPod(pod));
    ContainerStatus polite = join(runtime.stopContainer(pod.ref(), "polite", Duration.ofSeconds(20)));
    assertEquals(0, assertInstanceOf(Terminated.class, polite.state()).exitCode(), polite.toString());

    long begin = System.nanoTime();
    ContainerStatus stubborn = join(runtime.stopContainer(pod.ref(), "stubborn", Duration.ofSeconds(2)));
    long ms = (System.nanoTime() - begin) / 1_000_000;
    assertEquals(137, assertInstanceOf(Terminated.class, stubborn.state()).exitCode(), stubborn.toString());
    assertTrue(ms >= 2000, "killed after " + ms + " ms, before its grace period of 2 s");
    assertEquals(List.of(), reported, "stops the runtime made are not reported as exits");
  }

  @Test
  void publishesDeclaredPortsOnTheNodeAddress() throws Exception {
    PodConfig pod = pod("ports", """
        {"containers": [{"name": "web", "image": "%s",
          "command": ["sh", "-c", "busybox mkdir -p /www; echo hello > /www/index.html; exec httpd -f -p 8080 -h /www"],
          "ports": [{"name": "http", "containerPort": 8080}]}]}""".formatted(IMAGE));
    RunningPod running = join(runtime.startPod(pod));
    assertEquals(1, running.ports().size(), running.toString());
    PublishedPort port = running.ports().get(0);
    assertEquals("web", port.container());
    assertEquals("http", port.name());
    assertEquals(8080, port.containerPort());
    assertEquals("TCP", port.protocol());
    assertEquals("127.0.0.1", port.hostIp());
    assertTrue(port.hostPort() > 0);
    await().atMost(WAIT).ignoreExceptions()
        .until(() -> httpGet("http://127.0.0.1:" + port.hostPort() + "/index.html").equals("hello\n"));
  }

  @Test
  void containersOfAPodTalkOverLocalhostAndExecRunsInThem() {
    PodConfig pod = pod("pair", """
        {"containers": [
          {"name": "web", "image": "%1$s",
           "command": ["sh", "-c", "busybox mkdir -p /www; echo from-web > /www/index.html; exec httpd -f -p 8080 -h /www"]},
          {"name": "client", "image": "%1$s", "command": ["sleep", "3600"]}
        ]}""".formatted(IMAGE));
    join(runtime.startPod(pod));
    await().atMost(WAIT).until(() -> {
      ExecResult r = join(runtime.exec(pod.ref(), "client",
          List.of("wget", "-q", "-O", "-", "http://localhost:8080/index.html"), Duration.ofSeconds(10)));
      return r.exitCode() == 0 && r.output().equals("from-web\n");
    });
    ExecResult failing = join(runtime.exec(pod.ref(), "client", List.of("sh", "-c", "echo oops; exit 7"),
        Duration.ofSeconds(10)));
    assertEquals(7, failing.exitCode());
    assertEquals("oops\n", failing.output());
    ExecResult slow = join(runtime.exec(pod.ref(), "client", List.of("sleep", "30"), Duration.ofMillis(300)));
    assertTrue(slow.timedOut());
    assertThrows(Exception.class, () -> join(runtime.exec(pod.ref(), "nonexistent", List.of("true"),
        Duration.ofSeconds(5))));
  }

  @Test
  void hostNetworkPodsUseTheNodesNetwork() throws Exception {
    int port = freePort();
    PodConfig pod = pod("hostnet", """
        {"hostNetwork": true, "containers": [{"name": "web", "image": "%s",
          "command": ["sh", "-c", "busybox mkdir -p /www; echo on-host > /www/index.html; exec httpd -f -p 127.0.0.1:%d -h /www"],
          "ports": [{"containerPort": %d}]}]}""".formatted(IMAGE, port, port));
    RunningPod running = join(runtime.startPod(pod));
    assertEquals("127.0.0.1", running.podIp());
    assertEquals(port, running.ports().get(0).hostPort());
    await().atMost(WAIT).ignoreExceptions()
        .until(() -> httpGet("http://127.0.0.1:" + port + "/index.html").equals("on-host\n"));
  }

  @Test
  void resourceLimitsEnvAndWorkingDirReachDocker() {
    PodConfig pod = pod("limits", """
        {"containers": [{"name": "main", "image": "%s", "command": ["sleep", "3600"],
          "workingDir": "/etc",
          "env": [{"name": "GREETING", "value": "hi"}, {"name": "BOTH", "value": "$(GREETING) there"},
                  {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
          "resources": {"limits": {"memory": "64Mi", "cpu": "500m"}, "requests": {"cpu": "250m"}}}]}"""
        .formatted(IMAGE));
    String id = join(runtime.startPod(pod)).containers().get(0).containerId().substring("docker://".length());
    InspectContainerResponse inspect = runtime.client().inspectContainerCmd(id).exec();
    assertEquals(64L * 1024 * 1024, inspect.getHostConfig().getMemory());
    assertEquals(500_000_000L, inspect.getHostConfig().getNanoCPUs());
    assertEquals(256, inspect.getHostConfig().getCpuShares());
    assertEquals("/etc", inspect.getConfig().getWorkingDir());
    List<String> env = List.of(inspect.getConfig().getEnv());
    assertTrue(env.containsAll(List.of("GREETING=hi", "BOTH=hi there", "POD=limits")), env.toString());
    assertTrue(inspect.getHostConfig().getNetworkMode().startsWith("container:"));
  }

  @Test
  void aMissingImageIsErrImagePullOrErrImageNeverPull() {
    PodConfig pod = pod("missing", """
        {"containers": [
          {"name": "pull", "image": "steuermann/does-not-exist:1", "imagePullPolicy": "IfNotPresent"},
          {"name": "never", "image": "steuermann/does-not-exist:1", "imagePullPolicy": "Never"}
        ]}""");
    RunningPod running = join(runtime.startPod(pod));
    Waiting pull = assertInstanceOf(Waiting.class, running.containers().get(0).state());
    assertEquals("ErrImagePull", pull.reason());
    assertTrue(pull.message().contains("steuermann/does-not-exist:1") && pull.message().length() > 40, pull.message());
    Waiting never = assertInstanceOf(Waiting.class, running.containers().get(1).state());
    assertEquals("ErrImageNeverPull", never.reason());
    assertEquals("", running.containers().get(0).containerId());
  }

  @Test
  void listPodsSeesOnlyItsNodeAndARestartedRuntimeAdoptsTheSameContainers() {
    String otherNode = DockerSupport.uniqueNodeName("rt-other");
    DockerRuntime other = newRuntime(otherNode);
    PodConfig mine = pod("mine", """
        {"containers": [{"name": "main", "image": "%s", "command": ["sleep", "3600"],
          "ports": [{"containerPort": 80}]}]}""".formatted(IMAGE));
    PodConfig theirs = pod("theirs", """
        {"containers": [{"name": "main", "image": "%s", "command": ["sleep", "3600"]}]}""".formatted(IMAGE));
    RunningPod started = join(runtime.startPod(mine));
    join(other.startPod(theirs));

    List<RunningPod> listed = join(runtime.listPods());
    assertEquals(List.of(mine.ref()), listed.stream().map(RunningPod::ref).toList());
    assertEquals(List.of(theirs.ref()), join(other.listPods()).stream().map(RunningPod::ref).toList());

    // the node's process restarts: a new runtime finds the same containers, ports and address
    DockerRuntime again = newRuntime(node);
    List<RunningPod> adopted = join(again.listPods());
    assertEquals(1, adopted.size());
    assertEquals(started.containers().get(0).containerId(), adopted.get(0).containers().get(0).containerId());
    assertEquals(started.podIp(), adopted.get(0).podIp());
    assertEquals(started.ports(), adopted.get(0).ports());
    // and reports the exits of what it adopted
    List<ContainerStatus> seen = new CopyOnWriteArrayList<>();
    again.setListener((pod, status) -> seen.add(status));
    runtime.close(); // the old process is gone: only the new runtime follows the events
    String id = started.containers().get(0).containerId().substring("docker://".length());
    DockerSupport.client().killContainerCmd(id).exec();
    await().atMost(WAIT).until(() -> seen.stream().anyMatch(s -> s.containerId().endsWith(id)));
    assertEquals(137, ((Terminated) seen.get(0).state()).exitCode());
  }

  @Test
  void aPodWithoutPortsTakesASpareSandboxWhichARestartedRuntimeFindsAgain() {
    await().atMost(WAIT).until(() -> runtime.readySpareSandboxes() == 2);
    PodConfig pod = pod("spare", """
        {"containers": [{"name": "main", "image": "%s", "command": ["sleep", "3600"]}]}""".formatted(IMAGE));
    RunningPod started = join(runtime.startPod(pod));
    Container sandbox = podContainers(pod.ref()).stream()
        .filter(c -> "sandbox".equals(c.getLabels().get("steuermann.io/role"))).findFirst().orElseThrow();
    assertEquals("/stmpod_default_spare_" + pod.ref().uid(), sandbox.getNames()[0]);
    // the pool fills up again
    await().atMost(WAIT).until(() -> runtime.readySpareSandboxes() == 2);
    runtime.close();
    DockerRuntime again = newRuntime(node);
    List<RunningPod> found = join(again.listPods());
    assertEquals(List.of(pod.ref()), found.stream().map(RunningPod::ref).toList());
    assertEquals(started.podIp(), found.get(0).podIp());
    // the new runtime takes over the spares instead of making more
    assertEquals(2, again.readySpareSandboxes());
    assertEquals(2, DockerSupport.containersOf(node).stream().filter(DockerSupport::isSpare).count());
    join(again.stopPod(pod.ref(), Duration.ZERO));
    assertEquals(List.of(), podContainers(pod.ref()));
  }

  @Test
  void aPodWithoutItsSandboxIsRemovedInsteadOfListed() {
    PodConfig pod = pod("broken", """
        {"containers": [{"name": "main", "image": "%s", "command": ["sleep", "3600"]}]}""".formatted(IMAGE));
    join(runtime.startPod(pod));
    Container sandbox = podContainers(pod.ref()).stream()
        .filter(c -> "sandbox".equals(c.getLabels().get("steuermann.io/role"))).findFirst().orElseThrow();
    runtime.client().removeContainerCmd(sandbox.getId()).withForce(true).exec();
    assertEquals(List.of(), join(runtime.listPods()));
    assertEquals(List.of(), podContainers(pod.ref()));
  }

  @Test
  void aStopWinsOverAStartInProgress() {
    PodConfig pod = pod("raced", """
        {"containers": [
          {"name": "a", "image": "%1$s", "command": ["sleep", "3600"]},
          {"name": "b", "image": "%1$s", "command": ["sleep", "3600"]}]}""".formatted(IMAGE));
    CompletionStage<RunningPod> start = runtime.startPod(pod);
    join(runtime.stopPod(pod.ref(), Duration.ZERO));
    await().atMost(WAIT).until(() -> start.toCompletableFuture().isDone());
    assertEquals(List.of(), podContainers(pod.ref()));
  }

  @Test
  void logsTailAndFollow() {
    PodConfig pod = pod("logger", """
        {"containers": [{"name": "main", "image": "%s",
          "command": ["sh", "-c", "for i in 1 2 3 4 5; do echo line-$i; done; while true; do echo tick; sleep 0.2; done"]}]}"""
        .formatted(IMAGE));
    join(runtime.startPod(pod));
    await().atMost(WAIT).until(() -> logs(pod.ref(), "main", LogOptions.all()).contains("tick"));
    String all = logs(pod.ref(), "main", LogOptions.all());
    assertTrue(all.startsWith("line-1\nline-2\nline-3\nline-4\nline-5\ntick\n"), all);
    String tail = logs(pod.ref(), "main", new LogOptions(false, OptionalInt.of(2), false, false, Optional.empty()));
    assertEquals(2, tail.lines().count(), tail);
    String stamped = logs(pod.ref(), "main", new LogOptions(false, OptionalInt.of(1), true, false, Optional.empty()));
    assertTrue(Instant.parse(stamped.substring(0, stamped.indexOf(' '))).isAfter(Instant.now().minusSeconds(600)));
    // follow: more lines than were there when the stream opened
    List<ByteString> followed = join(runtime.logs(pod.ref(), "main",
        new LogOptions(true, OptionalInt.of(0), false, false, Optional.empty()))
        .take(3).runWith(Sink.seq(), system));
    assertEquals(List.of("tick\n", "tick\n", "tick\n"), followed.stream().map(ByteString::utf8String).toList());
    assertThrows(Exception.class, () -> logs(pod.ref(), "main",
        new LogOptions(false, OptionalInt.empty(), false, true, Optional.empty())));
  }

  // ---------------------------------------------------------------- helpers

  private String logs(PodRef pod, String container, LogOptions options) {
    List<ByteString> chunks = join(runtime.logs(pod, container, options).runWith(Sink.seq(), system));
    return chunks.stream().map(ByteString::utf8String).collect(Collectors.joining());
  }

  private List<Container> podContainers(PodRef pod) {
    return DockerSupport.podContainers(node, pod.uid());
  }

  private List<Container> appContainers(PodRef pod) {
    return podContainers(pod).stream().filter(c -> "app".equals(c.getLabels().get("steuermann.io/role"))).toList();
  }

  private static PodRef ref(String name) {
    return new PodRef("default", name, UUID.randomUUID().toString());
  }

  /** A pod of this spec, its containers taken from it. */
  private static PodConfig pod(String name, String specJson) {
    ObjectNode spec = spec(specJson);
    List<ContainerConfig> containers = new ArrayList<>();
    for (JsonNode c : spec.path("containers")) {
      containers.add(new ContainerConfig(c.path("name").asText(), c.path("image").asText(), (ObjectNode) c));
    }
    return new PodConfig(ref(name), spec, containers);
  }

  private static ContainerConfig container(String json) {
    ObjectNode c = spec(json);
    return new ContainerConfig(c.path("name").asText(), c.path("image").asText(), c);
  }

  private static ObjectNode spec(String json) {
    try {
      return (ObjectNode) Json.parse(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static <T> T join(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(90, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String httpGet(String url) throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
    return response.statusCode() == 200 ? response.body() : "HTTP " + response.statusCode();
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
