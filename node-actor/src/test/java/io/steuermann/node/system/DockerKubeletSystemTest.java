package io.steuermann.node.system;

import static io.steuermann.node.system.SystemCluster.done;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.Info;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.PodConditions;
import io.steuermann.node.NodeAgents;
import io.steuermann.node.docker.DockerSupport;
import io.steuermann.node.runtime.ContainerRuntime.LogOptions;
import io.steuermann.node.runtime.ContainerRuntime.PodRef;
import io.steuermann.node.runtime.docker.DockerRuntime;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kubelet's work on real containers (issue 4): probes of every kind acting on busybox
 * containers of a Docker node, graceful stops, image pull back-off and the node's status, all
 * seen through the engine's objects (and, where the API cannot show it, through the engine's
 * own events). Probes run every second and the back-off starts at 1 s, so each test takes
 * seconds; every container made here carries the test's node name and is removed at the end.
 */
class DockerKubeletSystemTest {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final String IMAGE = DockerSupport.IMAGE;
  private static SystemCluster cluster;
  private static DockerRuntime runtime;
  private static NodeAgents agents;
  private static String node;

  @BeforeAll
  static void start() throws Exception {
    DockerSupport.requireDocker();
    node = DockerSupport.uniqueNodeName("kubelet-docker");
    cluster = SystemCluster.start("kubelet-docker", DockerSupport.ownPodNetworkConfig());
    runtime = DockerSupport.runtime(node);
    agents = NodeAgents.start(cluster.system, cluster.engine,
        cluster.nodeSettings("restart-backoff = 1s\nrestart-backoff-max = 4s"), Map.of(node, runtime));
    agents.whenAllRegistered().toCompletableFuture().get(60, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> {
      ObjectNode n = cluster.node(node);
      return n != null && "True".equals(PodConditions.get(n.path("status"), "Ready"));
    });
  }

  @AfterAll
  static void stop() {
    if (agents != null) {
      agents.stop();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (runtime != null) {
      runtime.close();
    }
    if (node != null) {
      DockerSupport.removeContainersOf(node);
    }
  }

  // ---------------------------------------------------------------- liveness

  @Test
  void aFailingExecLivenessProbeRestartsTheContainer() {
    ObjectKey key = pod("live-exec", "", """
        "command": ["sh", "-c", "busybox mkdir -p /tmp; echo ok > /tmp/healthy; sleep 3; busybox rm /tmp/healthy; sleep 600"],
        "livenessProbe": {"exec": {"command": ["cat", "/tmp/healthy"]},
                          "periodSeconds": 1, "failureThreshold": 2, "terminationGracePeriodSeconds": 2}""");
    String firstId = awaitRunningReady(key).path("containerID").asText();

    JsonNode c = await().atMost(WAIT).until(() -> container(key),
        s -> s.path("restartCount").asInt() >= 1 && s.path("state").has("running"));
    JsonNode last = c.path("lastState").path("terminated");
    // sh as PID 1 ignores SIGTERM: killed after the probe's 2 s grace (137); 143 if it had obeyed
    assertTrue(Set.of(137, 143).contains(last.path("exitCode").asInt()), c.toString());
    assertEquals(firstId, last.path("containerID").asText(), c.toString());
    assertFalse(firstId.equals(c.path("containerID").asText()), "a new container instance: " + c);
    assertTrue(eventMessages(key, "Unhealthy").stream()
        .anyMatch(m -> m.startsWith("Liveness probe failed:")), events(key));
    assertTrue(eventMessages(key, "Killing").contains("Container main failed liveness probe, will be restarted"),
        events(key));
  }

  @Test
  void aFailingHttpGetLivenessProbeOnThePodIpRestartsTheContainer() {
    // httpd serves /healthz for 3 s, then 404
    ObjectKey key = pod("live-http", "", """
        "command": ["sh", "-c", "busybox mkdir -p /www; echo ok > /www/healthz; httpd -p 8080 -h /www; sleep 3; busybox rm /www/healthz; sleep 600"],
        "ports": [{"name": "http", "containerPort": 8080}],
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"},
                          "periodSeconds": 1, "failureThreshold": 2, "terminationGracePeriodSeconds": 1}""");
    awaitRunningReady(key);
    String podIp = cluster.cached(key).path("status").path("podIP").asText();
    assertFalse(podIp.isEmpty());

    await().atMost(WAIT).until(() -> container(key),
        s -> s.path("restartCount").asInt() >= 1 && s.path("state").has("running"));
    assertTrue(eventMessages(key, "Unhealthy").contains(
        "Liveness probe failed: HTTP probe failed with statuscode: 404"), events(key));
    assertTrue(eventMessages(key, "Killing").contains("Container main failed liveness probe, will be restarted"),
        events(key));
  }

  // ---------------------------------------------------------------- readiness

  @Test
  void aFailingReadinessProbeMakesThePodUnreadyWithoutARestartAndReadyAgainWhenItPasses() throws Exception {
    ObjectKey key = pod("ready", "", """
        "command": ["sh", "-c", "busybox mkdir -p /tmp; echo ok > /tmp/ready; exec sleep 600"],
        "readinessProbe": {"exec": {"command": ["cat", "/tmp/ready"]},
                           "periodSeconds": 1, "failureThreshold": 1, "successThreshold": 1}""");
    String id = awaitRunningReady(key).path("containerID").asText();

    dockerExec(id, "busybox", "rm", "/tmp/ready");
    await().atMost(WAIT).until(() -> "False".equals(PodConditions.get(cluster.cached(key).path("status"), "Ready")));
    JsonNode unready = container(key);
    assertFalse(unready.path("ready").asBoolean(), unready.toString());
    assertEquals(0, unready.path("restartCount").asInt(), unready.toString());
    assertEquals(id, unready.path("containerID").asText(), unready.toString());
    assertTrue(unready.path("state").has("running"), unready.toString());
    assertEquals("Running", cluster.cached(key).path("status").path("phase").asText());
    // events are written asynchronously: the Unhealthy one may arrive after the status
    await().atMost(WAIT).until(() ->
        eventMessages(key, "Unhealthy").stream().anyMatch(m -> m.startsWith("Readiness probe failed:")));
    assertTrue(eventMessages(key, "Killing").isEmpty(), events(key));

    dockerExec(id, "sh", "-c", "echo ok > /tmp/ready");
    await().atMost(WAIT).until(() -> SystemCluster.runningReady(cluster.cached(key)));
    JsonNode ready = container(key);
    assertEquals(0, ready.path("restartCount").asInt(), ready.toString());
    assertEquals(id, ready.path("containerID").asText(), ready.toString());
  }

  // ---------------------------------------------------------------- startup

  @Test
  void aStartupProbeHoldsBackLivenessUntilTheSlowStarterIsUp() {
    // up after 4 s; liveness alone (1 failure, every second) would kill it long before
    ObjectKey key = pod("slow-start", "", """
        "command": ["sh", "-c", "busybox mkdir -p /tmp; sleep 4; echo ok > /tmp/up; exec sleep 600"],
        "startupProbe": {"exec": {"command": ["cat", "/tmp/up"]}, "periodSeconds": 1, "failureThreshold": 20},
        "livenessProbe": {"exec": {"command": ["cat", "/tmp/up"]}, "periodSeconds": 1, "failureThreshold": 1}""");
    JsonNode up = awaitRunningReady(key);
    assertTrue(up.path("started").asBoolean(), up.toString());
    // and it stays up: the liveness probe now passes
    await().during(Duration.ofSeconds(3)).atMost(WAIT).until(() -> container(key),
        s -> s.path("restartCount").asInt() == 0 && s.path("containerID").asText().equals(up.path("containerID").asText()));
    assertTrue(eventMessages(key, "Killing").isEmpty(), events(key));
    // the startup probe failed while it slept, and liveness said nothing meanwhile
    assertTrue(eventMessages(key, "Unhealthy").stream().anyMatch(m -> m.startsWith("Startup probe failed:")),
        events(key));
    assertTrue(eventMessages(key, "Unhealthy").stream().noneMatch(m -> m.startsWith("Liveness")), events(key));
  }

  @Test
  void aStartupProbeThatFailsItsThresholdRestartsTheContainer() {
    ObjectKey key = pod("never-up", "", """
        "command": ["sleep", "600"],
        "startupProbe": {"exec": {"command": ["cat", "/nowhere"]}, "periodSeconds": 1, "failureThreshold": 2,
                         "terminationGracePeriodSeconds": 1}""");
    await().atMost(WAIT).until(() -> container(key), s -> s.path("restartCount").asInt() >= 1);
    assertTrue(eventMessages(key, "Killing").contains("Container main failed startup probe, will be restarted"),
        events(key));
    assertFalse(container(key).path("started").asBoolean());
  }

  // ---------------------------------------------------------------- graceful stop

  @Test
  void aContainerThatHandlesSigtermExitsCleanlyWithinItsGracePeriod() throws Exception {
    ObjectKey key = pod("polite", "\"terminationGracePeriodSeconds\": 60,", """
        "command": ["sh", "-c", "trap 'echo cleaning up; exit 0' TERM; while true; do sleep 1; done"]""");
    String id = dockerId(awaitRunningReady(key));
    Instant deleted = delete(key);
    await().atMost(WAIT).until(() -> cluster.cached(key) == null);
    Event die = dieEvent(id, deleted);
    assertEquals("0", die.getActor().getAttributes().get("exitCode"), die.toString());
    // it left after its trap ran (within a second or so), far from its 60 s grace
    assertTrue(Duration.between(deleted, eventTime(die)).toSeconds() < 30, die.toString());
  }

  @Test
  void aContainerThatIgnoresSigtermIsKilledAfterItsGracePeriod() throws Exception {
    ObjectKey key = pod("deaf", "\"terminationGracePeriodSeconds\": 3,", """
        "command": ["sh", "-c", "trap '' TERM; while true; do sleep 1; done"]""");
    String id = dockerId(awaitRunningReady(key));
    Instant deleted = delete(key);
    await().atMost(WAIT).until(() -> cluster.cached(key) == null);
    Event die = dieEvent(id, deleted);
    assertEquals("137", die.getActor().getAttributes().get("exitCode"), die.toString());
    Duration lived = Duration.between(deleted, eventTime(die));
    // not before its 3 s grace (less a little for clocks), not the default 30 s
    assertTrue(lived.toMillis() >= 2500 && lived.toSeconds() < 25, "killed after " + lived);
  }

  // ---------------------------------------------------------------- images

  @Test
  void anImageThatCannotBePulledShowsErrImagePullThenImagePullBackOff() {
    // a registry on loopback where nothing listens: the pull fails at once and goes nowhere else
    String image = "127.0.0.1:" + freePort() + "/steuermann/absent:1";
    ObjectKey key = ObjectKey.of(Kind.POD, namespace(), "absent");
    cluster.create("""
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "absent", "namespace": "%s"},
         "spec": {"nodeName": "%s", "containers": [{"name": "main", "image": "%s"}]}}"""
        .formatted(key.namespace(), node, image));
    List<String> seen = new ArrayList<>();
    await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
      JsonNode waiting = container(key).path("state").path("waiting");
      String entry = waiting.path("reason").asText() + ": " + waiting.path("message").asText();
      if (waiting.has("reason") && (seen.isEmpty() || !seen.get(seen.size() - 1).equals(entry))) {
        seen.add(entry);
      }
      return seen.stream().anyMatch(s -> s.startsWith("ErrImagePull: "))
          && seen.get(seen.size() - 1).startsWith("ImagePullBackOff: ");
    });
    String pullError = seen.stream().filter(s -> s.startsWith("ErrImagePull: ")).findFirst().orElseThrow();
    assertTrue(pullError.contains("127.0.0.1:"), "the engine's reason: " + seen);
    // the back-off keeps the pull's reason in its message, as kubelet does
    assertEquals("ImagePullBackOff: Back-off pulling image \"" + image + "\": ErrImagePull: "
        + pullError.substring("ErrImagePull: ".length()), seen.get(seen.size() - 1), seen.toString());
    JsonNode pod = cluster.cached(key);
    assertEquals("Pending", pod.path("status").path("phase").asText(), pod.toString());
    assertEquals(0, container(key).path("restartCount").asInt());
    assertTrue(eventMessages(key, "Failed").stream().anyMatch(m -> m.startsWith("Failed to pull image \"" + image
        + "\": ")), events(key));
    assertTrue(eventMessages(key, "BackOff").contains("Back-off pulling image \"" + image + "\""), events(key));
  }

  // ---------------------------------------------------------------- logs

  @Test
  void aFollowedLogThatItsReaderCancelsClosesTheEnginesRequest() throws Exception {
    ObjectKey key = pod("quiet", "", """
        "command": ["sh", "-c", "echo hello; exec sleep 600"]""");
    awaitRunningReady(key);
    ObjectNode pod = cluster.cached(key);
    Set<Thread> before = engineStreams();
    var ref = new PodRef(key.namespace(), key.name(), Meta.uid(pod));
    var options = new LogOptions(true, OptionalInt.empty(),
        false, false, Optional.empty());
    // the reader stops after the first line, while the container stays quiet
    List<String> lines = new CopyOnWriteArrayList<>();
    var reading = runtime.logs(ref, "main", options)
        .viaMat(KillSwitches.single(), Keep.right())
        .toMat(Sink.foreach(b -> lines.add(b.utf8String())),
            Keep.left())
        .run(cluster.system);
    await().atMost(WAIT).until(() -> lines.equals(List.of("hello\n")));
    // other pods' exec probes and container waits open short streams of their own meanwhile:
    // the follow's is the one new stream that stays
    Set<Thread> follow = await().atMost(WAIT).until(() -> newStreams(before), s -> s.size() == 1);
    await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> follow.stream().allMatch(Thread::isAlive));
    reading.shutdown();
    await().atMost(WAIT).until(() -> follow.stream().noneMatch(Thread::isAlive));
  }

  /** Streaming requests to the engine open in this process: docker-java reads each on a thread of its own. */
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

  // ---------------------------------------------------------------- node

  @Test
  void theNodeStatusDescribesTheMachineAndItsEngine() throws IOException {
    Info info;
    try (DockerClient docker = DockerSupport.client()) {
      info = docker.infoCmd().exec();
    }
    JsonNode status = cluster.node(node).path("status");
    for (String part : List.of("capacity", "allocatable")) {
      JsonNode r = status.path(part);
      assertEquals(String.valueOf(info.getNCPU()), r.path("cpu").asText(), status.toString());
      assertEquals(info.getMemTotal() / 1024 + "Ki", r.path("memory").asText(), status.toString());
      assertEquals("110", r.path("pods").asText(), status.toString());
    }
    JsonNode nodeInfo = status.path("nodeInfo");
    assertEquals("docker://" + info.getServerVersion(), nodeInfo.path("containerRuntimeVersion").asText());
    assertEquals(info.getKernelVersion(), nodeInfo.path("kernelVersion").asText());
    assertEquals(info.getOperatingSystem(), nodeInfo.path("osImage").asText());
    assertEquals("linux", nodeInfo.path("operatingSystem").asText());
    String arch = System.getProperty("os.arch");
    assertEquals(arch.equals("aarch64") ? "arm64" : arch, nodeInfo.path("architecture").asText());
    assertEquals("True", PodConditions.get(status, "Ready"));
    assertEquals("KubeletReady", SystemCluster.condition(status, "Ready", "reason"));
    for (String pressure : List.of("MemoryPressure", "DiskPressure", "PIDPressure")) {
      assertEquals("False", PodConditions.get(status, pressure), pressure);
    }
    assertEquals("InternalIP", status.path("addresses").path(0).path("type").asText());
    assertEquals("127.0.0.1", status.path("addresses").path(0).path("address").asText());
    assertEquals("Hostname", status.path("addresses").path(1).path("type").asText());
    assertEquals(node, status.path("addresses").path(1).path("address").asText());
    JsonNode labels = cluster.node(node).path("metadata").path("labels");
    assertEquals(node, labels.path("kubernetes.io/hostname").asText());
    assertFalse(labels.has("steuermann.io/hollow"));
  }

  // ---------------------------------------------------------------- helpers

  private static int namespaces;

  /** A fresh namespace per pod, so events and names never mix between tests. */
  private static synchronized String namespace() {
    return cluster.namespace("kd-" + (++namespaces)).path("metadata").path("name").asText();
  }

  /** Creates a one-container ("main", busybox) pod on the Docker node. */
  private static ObjectKey pod(String name, String specExtra, String containerExtra) {
    String ns = namespace();
    cluster.create("""
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "%s", "namespace": "%s"},
         "spec": {%s "nodeName": "%s", "containers": [{"name": "main", "image": "%s", %s}]}}"""
        .formatted(name, ns, specExtra, node, IMAGE, containerExtra));
    return ObjectKey.of(Kind.POD, ns, name);
  }

  /** The pod's only container status (a missing node while there is none yet). */
  private static JsonNode container(ObjectKey key) {
    ObjectNode pod = cluster.cached(key);
    return pod == null ? MissingNode.getInstance()
        : pod.path("status").path("containerStatuses").path(0);
  }

  private static JsonNode awaitRunningReady(ObjectKey key) {
    await().atMost(WAIT).until(() -> SystemCluster.runningReady(cluster.cached(key)));
    return container(key);
  }

  private static Instant delete(ObjectKey key) {
    Instant now = Instant.now();
    done(cluster.engine.store().delete(key, Meta.uid(cluster.cached(key)), 0, null, null));
    return now;
  }

  private static List<ObjectNode> podEvents(ObjectKey key) {
    return cluster.list(Kind.EVENT, key.namespace()).stream()
        .filter(e -> key.name().equals(e.path("involvedObject").path("name").asText())).toList();
  }

  private static List<String> eventMessages(ObjectKey key, String reason) {
    return podEvents(key).stream().filter(e -> reason.equals(e.path("reason").asText()))
        .map(e -> e.path("message").asText()).toList();
  }

  private static String events(ObjectKey key) {
    return podEvents(key).stream().map(e -> e.path("reason").asText() + ": " + e.path("message").asText()).toList()
        .toString();
  }

  private static String dockerId(JsonNode containerStatus) {
    return containerStatus.path("containerID").asText().substring("docker://".length());
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

  /** The engine's own record of the container's end (the runtime removes the container after a stop). */
  private static Event dieEvent(String containerId, Instant since) throws Exception {
    List<Event> dies = new CopyOnWriteArrayList<>();
    try (DockerClient docker = DockerSupport.client()) {
      docker.eventsCmd().withContainerFilter(containerId).withEventFilter("die")
          .withSince(Long.toString(since.getEpochSecond() - 1))
          .withUntil(Long.toString(Instant.now().getEpochSecond() + 1))
          .exec(new ResultCallback.Adapter<Event>() {
            @Override
            public void onNext(Event event) {
              dies.add(event);
            }
          }).awaitCompletion(30, TimeUnit.SECONDS);
    }
    assertEquals(1, dies.size(), "die events of " + containerId + ": " + dies);
    return dies.get(0);
  }

  private static Instant eventTime(Event event) {
    long nanos = event.getTimeNano();
    return Instant.ofEpochSecond(nanos / 1_000_000_000L, nanos % 1_000_000_000L);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
