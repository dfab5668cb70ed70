package io.steuermann.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.node.PodRun.ContainerRun;
import io.steuermann.node.runtime.ContainerRuntime.ContainerStatus;
import io.steuermann.node.runtime.ContainerRuntime.Running;
import io.steuermann.node.runtime.ContainerRuntime.Terminated;
import io.steuermann.node.runtime.ContainerRuntime.Waiting;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The pod status a node computes: phase as kubelet's getPhase, conditions, container statuses. */
class PodRunTest {
  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

  private static PodRun run(String restartPolicy) throws Exception {
    ObjectNode pod = (ObjectNode) Json.parse("""
        {"apiVersion": "v1", "kind": "Pod",
         "metadata": {"name": "p", "namespace": "default", "uid": "u1", "resourceVersion": "5"},
         "spec": {"nodeName": "n", "restartPolicy": "%s",
                  "containers": [{"name": "a", "image": "busybox"}, {"name": "b", "image": "busybox"}]}}"""
        .formatted(restartPolicy));
    PodRun run = new PodRun(ObjectKey.of(Kind.POD, "default", "p"), pod, T0);
    run.stage = PodRun.Stage.RUNNING;
    return run;
  }

  private static void set(PodRun run, String name, Object state) {
    ContainerRun c = run.containers.get(name);
    c.status = new ContainerStatus(name, "busybox", "img", "hollow://" + name,
        (io.steuermann.node.runtime.ContainerRuntime.ContainerState) state);
  }

  private static Terminated exited(int code) {
    return new Terminated(code, code == 0 ? "Completed" : "Error", null, T0, T0.plusSeconds(5));
  }

  private static PodRun withInit(String restartPolicy) throws Exception {
    ObjectNode pod = (ObjectNode) Json.parse("""
        {"apiVersion": "v1", "kind": "Pod",
         "metadata": {"name": "p", "namespace": "default", "uid": "u1", "resourceVersion": "5"},
         "spec": {"nodeName": "n", "restartPolicy": "%s",
                  "initContainers": [{"name": "i1", "image": "busybox"}, {"name": "i2", "image": "busybox"}],
                  "containers": [{"name": "a", "image": "busybox"}]}}"""
        .formatted(restartPolicy));
    PodRun run = new PodRun(ObjectKey.of(Kind.POD, "default", "p"), pod, T0);
    run.stage = PodRun.Stage.RUNNING;
    return run;
  }

  private static void setInit(PodRun run, String name, Object state) {
    ContainerRun c = run.initContainers.get(name);
    c.status = new ContainerStatus(name, "busybox", "img", "hollow://" + name,
        (io.steuermann.node.runtime.ContainerRuntime.ContainerState) state);
  }

  @Test
  void initializingPodsArePendingWithKubeletsStatuses() throws Exception {
    PodRun run = withInit("Always");
    assertEquals("Pending", run.phase());
    JsonNode status = run.desiredStatus("10.0.0.1", T0);
    assertEquals("PodInitializing", status.path("initContainerStatuses").get(0).path("state").path("waiting")
        .path("reason").asText());
    assertEquals("PodInitializing", status.path("containerStatuses").get(0).path("state").path("waiting")
        .path("reason").asText());
    assertEquals("False", io.steuermann.engine.objects.PodConditions.get(status, "Initialized"));
    assertEquals("ContainersNotInitialized", condition(status, "Initialized").path("reason").asText());
    assertEquals("containers with incomplete status: [i1 i2]", condition(status, "Initialized").path("message").asText());

    setInit(run, "i1", exited(0));
    setInit(run, "i2", new Running(T0));
    status = run.desiredStatus("10.0.0.1", T0);
    assertEquals("Pending", run.phase(), "a running init container: still Pending");
    assertEquals("containers with incomplete status: [i2]", condition(status, "Initialized").path("message").asText());
    assertEquals(true, status.path("initContainerStatuses").get(0).path("ready").asBoolean());
    assertEquals(false, status.path("initContainerStatuses").get(1).path("ready").asBoolean());
    assertEquals(true, status.path("initContainerStatuses").get(1).path("started").asBoolean());

    setInit(run, "i2", exited(1));
    run.initContainers.get("i2").restartPending = true;
    assertEquals("Pending", run.phase(), "a failed init container that is retried");
    assertEquals(false, run.allEndedForGood());

    setInit(run, "i2", exited(0));
    run.initContainers.get("i2").restartPending = false;
    run.initialized = true;
    set(run, "a", new Running(T0));
    run.containers.get("a").ready = true;
    status = run.desiredStatus("10.0.0.1", T0);
    assertEquals("Running", run.phase());
    assertEquals("True", io.steuermann.engine.objects.PodConditions.get(status, "Initialized"));
    assertEquals("True", io.steuermann.engine.objects.PodConditions.get(status, "Ready"));
  }

  @Test
  void aFailedInitContainerFailsThePodOnlyUnderNever() throws Exception {
    PodRun never = withInit("Never");
    setInit(never, "i1", exited(2));
    assertEquals("Failed", never.phase());
    assertEquals(true, never.allEndedForGood());
    assertEquals(false, never.restarts(never.initContainers.get("i1"), 2));
    PodRun always = withInit("Always");
    assertEquals(true, always.restarts(always.initContainers.get("i1"), 2), "retried after a failure");
    assertEquals(false, always.restarts(always.initContainers.get("i1"), 0), "done after a success, even under Always");
  }

  @Test
  void phaseFollowsKubelet() throws Exception {
    PodRun never = run("Never");
    assertEquals("Pending", never.phase(), "containers still creating");
    set(never, "a", new Running(T0));
    assertEquals("Pending", never.phase(), "one waits to start: Pending, as kubelet says");
    set(never, "b", new Running(T0));
    assertEquals("Running", never.phase());
    set(never, "a", exited(1));
    assertEquals("Running", never.phase(), "one still runs");
    set(never, "b", exited(0));
    assertEquals("Failed", never.phase());
    set(never, "a", exited(0));
    assertEquals("Succeeded", never.phase());

    PodRun onFailure = run("OnFailure");
    set(onFailure, "a", exited(0));
    set(onFailure, "b", exited(2));
    assertEquals("Running", onFailure.phase(), "the failed one restarts");
    set(onFailure, "b", exited(0));
    assertEquals("Succeeded", onFailure.phase());

    PodRun always = run("Always");
    set(always, "a", exited(0));
    set(always, "b", exited(0));
    assertEquals("Running", always.phase(), "all restarting");
    // a container in back-off after a crash counts as stopped, not as waiting to start
    always.containers.get("a").lastTermination = exited(1);
    set(always, "a", new Waiting("CrashLoopBackOff", "back-off 10s"));
    assertEquals("Running", always.phase());
  }

  @Test
  void conditionsChangeTheirTransitionTimeOnlyOnATransition() throws Exception {
    PodRun run = run("Always");
    set(run, "a", new Running(T0));
    set(run, "b", new Running(T0));
    run.containers.values().forEach(c -> {
      c.ready = true;
      c.started = true;
    });
    ObjectNode first = run.desiredStatus("127.0.0.1", T0);
    assertEquals("True", condition(first, "Ready").path("status").asText());
    assertEquals("True", condition(first, "PodReadyToStartContainers").path("status").asText());
    run.pod.set("status", first);

    ObjectNode later = run.desiredStatus("127.0.0.1", T0.plus(Duration.ofMinutes(1)));
    assertEquals(T0.toString(), condition(later, "Ready").path("lastTransitionTime").asText());

    run.containers.get("b").ready = false;
    run.pod.set("status", later);
    ObjectNode unready = run.desiredStatus("127.0.0.1", T0.plus(Duration.ofMinutes(2)));
    JsonNode ready = condition(unready, "Ready");
    assertEquals("False", ready.path("status").asText());
    assertEquals("ContainersNotReady", ready.path("reason").asText());
    assertEquals("containers with unready status: [b]", ready.path("message").asText());
    assertEquals(T0.plus(Duration.ofMinutes(2)).toString(), ready.path("lastTransitionTime").asText());
    assertEquals(T0.toString(), condition(unready, "PodScheduled").path("lastTransitionTime").asText());
    JsonNode b = unready.path("containerStatuses").get(1);
    assertEquals(false, b.path("ready").asBoolean());
    assertEquals(true, b.path("started").asBoolean());
  }

  @Test
  void containerStatusesCarryExitCodesTimesAndIds() throws Exception {
    PodRun run = run("Always");
    ContainerRun a = run.containers.get("a");
    a.lastTermination = exited(3);
    a.lastContainerId = "hollow://old";
    a.restartCount = 2;
    set(run, "a", new Running(T0.plusSeconds(30)));
    JsonNode status = run.desiredStatus("127.0.0.1", T0.plusSeconds(31)).path("containerStatuses").get(0);
    assertEquals("2026-01-01T10:00:30Z", status.path("state").path("running").path("startedAt").asText());
    JsonNode last = status.path("lastState").path("terminated");
    assertEquals(3, last.path("exitCode").asInt());
    assertEquals("Error", last.path("reason").asText());
    assertEquals("2026-01-01T10:00:00Z", last.path("startedAt").asText());
    assertEquals("2026-01-01T10:00:05Z", last.path("finishedAt").asText());
    assertEquals("hollow://old", last.path("containerID").asText());
    assertEquals(2, status.path("restartCount").asInt());
    assertEquals("hollow://a", status.path("containerID").asText());
  }

  @Test
  void crashBackOffIsImmediateThenDoublesToTheCap() {
    NodeSettings settings = new NodeSettings(0, "x", Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofSeconds(1), null);
    assertEquals(Duration.ZERO, settings.crashBackoff(0));
    assertEquals(Duration.ofSeconds(10), settings.crashBackoff(1));
    assertEquals(Duration.ofSeconds(20), settings.crashBackoff(2));
    assertEquals(Duration.ofSeconds(40), settings.crashBackoff(3));
    assertEquals(Duration.ofSeconds(160), settings.crashBackoff(5));
    assertEquals(Duration.ofMinutes(5), settings.crashBackoff(6));
    assertEquals(Duration.ofMinutes(5), settings.crashBackoff(100));
    assertEquals(Duration.ofSeconds(10), settings.backoff(0), "image pulls wait from the first failure");
    assertEquals("10s", NodeAgent.human(Duration.ofSeconds(10)));
    assertEquals("2m40s", NodeAgent.human(Duration.ofSeconds(160)));
    assertEquals("5m0s", NodeAgent.human(Duration.ofMinutes(5)));
    assertEquals("200ms", NodeAgent.human(Duration.ofMillis(200)));
    assertEquals("1.2s", NodeAgent.human(Duration.ofMillis(1200)));
  }

  private static JsonNode condition(JsonNode status, String type) {
    for (JsonNode c : status.path("conditions")) {
      if (c.path("type").asText().equals(type)) {
        return c;
      }
    }
    return Json.object();
  }
}
