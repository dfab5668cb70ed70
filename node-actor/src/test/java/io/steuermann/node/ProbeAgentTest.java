package io.steuermann.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.objects.PodConditions;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Probes run by the node agent against real sockets on 127.0.0.1 (hollow pods have that
 * address): liveness restarts, readiness gates Ready without restarts, startup gates both,
 * exec probes through the runtime. Periods are Kubernetes' minimum, 1 s.
 */
class ProbeAgentTest extends AgentTestBase {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static String ready(String pod) {
    return PodConditions.get(pod(pod).path("status"), "Ready");
  }

  private static boolean running(String name) {
    return pod(name) != null && pod(name).path("status").path("phase").asText().equals("Running")
        && container(name).path("state").has("running");
  }

  @Test
  void aFailingLivenessProbeRestartsTheContainer() throws Exception {
    ScriptedRuntime runtime = node("live-0001", "");
    try (LoopbackHttp http = new LoopbackHttp()) {
      create(pod("live", "live-0001", "Always", """
          , "livenessProbe": {"httpGet": {"path": "/healthz", "port": %d}, "periodSeconds": 1, "failureThreshold": 2}
          """.formatted(http.port()), ", \"terminationGracePeriodSeconds\": 7"));
      await().atMost(WAIT).until(() -> running("live") && http.successes.get() >= 1);
      String first = container("live").path("containerID").asText();
      assertEquals("True", ready("live"));

      http.status.set(500);
      await().atMost(WAIT).until(() -> container("live").path("restartCount").asInt() >= 1);
      http.status.set(200);
      await().atMost(WAIT).until(() -> running("live"));
      JsonNode c = container("live");
      assertNotEquals(first, c.path("containerID").asText(), "a new instance runs");
      assertEquals(first, c.path("lastState").path("terminated").path("containerID").asText(), c.toString());
      assertTrue(http.failures.get() >= 2, "killed only after failureThreshold failures: " + http.failures);
      assertTrue(runtime.stops.contains(new ScriptedRuntime.Stop("live", "web", Duration.ofSeconds(7))),
          "stopped with the pod's grace period: " + runtime.stops);
      await().atMost(WAIT).until(() -> events("live", "Killing").contains(
          "Container web failed liveness probe, will be restarted"));
      await().atMost(WAIT).until(() -> events("live", "Unhealthy").contains(
          "Liveness probe failed: HTTP probe failed with statuscode: 500"));
    }
  }

  @Test
  void aFailingReadinessProbeMakesThePodUnreadyWithoutARestart() throws Exception {
    node("ready-0001", "");
    try (LoopbackHttp http = new LoopbackHttp()) {
      create(pod("ready", "ready-0001", "Always", """
          , "readinessProbe": {"httpGet": {"path": "/ready", "port": %d}, "periodSeconds": 1, "failureThreshold": 2,
             "successThreshold": 2}
          """.formatted(http.port()), ""));
      await().atMost(WAIT).until(() -> running("ready") && ready("ready").equals("True"));
      assertTrue(http.successes.get() >= 2, "ready only after successThreshold successes: " + http.successes);
      String id = container("ready").path("containerID").asText();
      assertTrue(container("ready").path("ready").asBoolean());

      http.status.set(503);
      await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> ready("ready").equals("False"));
      assertTrue(http.failures.get() >= 2, "unready only after failureThreshold failures: " + http.failures);
      JsonNode status = pod("ready").path("status");
      assertEquals("False", PodConditions.get(status, "ContainersReady"));
      assertEquals("Running", status.path("phase").asText());
      JsonNode c = status.path("containerStatuses").path(0);
      assertFalse(c.path("ready").asBoolean());
      assertTrue(c.path("started").asBoolean());
      assertEquals(0, c.path("restartCount").asInt());
      assertEquals(id, c.path("containerID").asText(), "no restart");
      await().atMost(WAIT).until(() -> events("ready", "Unhealthy").contains(
          "Readiness probe failed: HTTP probe failed with statuscode: 503"));

      http.status.set(200);
      await().atMost(WAIT).until(() -> ready("ready").equals("True"));
      assertEquals(id, container("ready").path("containerID").asText());
      assertEquals(0, container("ready").path("restartCount").asInt());
    }
  }

  @Test
  void theStartupProbeGatesLivenessAndReadiness() throws Exception {
    node("startup-0001", "");
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    try (LoopbackHttp http = new LoopbackHttp()) {
      create(pod("starting", "startup-0001", "Always", """
          , "startupProbe": {"tcpSocket": {"port": %d}, "periodSeconds": 1, "failureThreshold": 60},
            "livenessProbe": {"httpGet": {"path": "/live", "port": %d}, "periodSeconds": 1}
          """.formatted(port, http.port()), ""));
      await().atMost(WAIT).until(() -> events("starting", "Unhealthy").size() >= 2);
      assertTrue(events("starting", "Unhealthy").contains(
          "Startup probe failed: dial tcp 127.0.0.1:" + port + ": connect: connection refused"),
          events("starting", "Unhealthy").toString());
      assertEquals(0, http.requests.get(), "no liveness probe before the startup probe succeeded");
      JsonNode c = container("starting");
      assertTrue(c.path("state").has("running"), c.toString());
      assertFalse(c.path("started").asBoolean());
      assertFalse(c.path("ready").asBoolean());
      assertEquals("False", ready("starting"));

      try (ServerSocket open = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
        await().atMost(WAIT).until(() -> container("starting").path("started").asBoolean()
            && ready("starting").equals("True"));
        await().atMost(WAIT).until(() -> http.requests.get() > 0);
        assertEquals(0, container("starting").path("restartCount").asInt());
      }
    }
  }

  @Test
  void aStartupProbeThatNeverSucceedsRestartsTheContainer() throws Exception {
    node("nostart-0001", "");
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    create(pod("never-starts", "nostart-0001", "Always", """
        , "startupProbe": {"tcpSocket": {"port": %d}, "periodSeconds": 1, "failureThreshold": 2}
        """.formatted(port), ""));
    await().atMost(WAIT).until(() -> container("never-starts").path("restartCount").asInt() >= 1);
    assertTrue(events("never-starts", "Killing").contains(
        "Container web failed startup probe, will be restarted"), events("never-starts", "Killing").toString());
  }

  @Test
  void execProbesRunThroughTheRuntime() throws Exception {
    ScriptedRuntime runtime = node("exec-0001", "");
    create(pod("exec", "exec-0001", "Always", """
        , "livenessProbe": {"exec": {"command": ["cat", "/tmp/healthy"]}, "periodSeconds": 1, "failureThreshold": 1}
        """, ""));
    await().atMost(WAIT).until(() -> running("exec") && runtime.execCalls.get() >= 2);
    assertEquals(0, container("exec").path("restartCount").asInt());

    runtime.execExitCode.set(1);
    await().atMost(WAIT).until(() -> container("exec").path("restartCount").asInt() >= 1);
    runtime.execExitCode.set(0);
    await().atMost(WAIT).until(() -> events("exec", "Unhealthy").contains(
        "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory"));
  }

  @Test
  void aLivenessFailureUnderRestartPolicyNeverEndsTheContainer() throws Exception {
    ScriptedRuntime runtime = node("never-0001", "");
    create(pod("no-restart", "never-0001", "Never", """
        , "livenessProbe": {"exec": {"command": ["true"]}, "periodSeconds": 1, "failureThreshold": 1,
           "terminationGracePeriodSeconds": 3}
        """, ""));
    await().atMost(WAIT).until(() -> running("no-restart"));
    runtime.execExitCode.set(1);
    await().atMost(WAIT).until(() -> container("no-restart").path("state").has("terminated"));
    assertEquals(0, container("no-restart").path("restartCount").asInt());
    assertTrue(runtime.stops.contains(new ScriptedRuntime.Stop("no-restart", "web", Duration.ofSeconds(3))),
        "the probe's own grace period wins: " + runtime.stops);
    await().atMost(WAIT).until(() -> events("no-restart", "Killing").contains(
        "Container web failed liveness probe"));
  }
}
