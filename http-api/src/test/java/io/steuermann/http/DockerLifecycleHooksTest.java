package io.steuermann.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.steuermann.node.docker.DockerSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Lifecycle hooks of real Docker containers: preStop runs in the running container before it
 * gets SIGTERM, within the grace period that counts from the hook's start (SIGKILL after it,
 * even when the hook hangs); a failed postStart kills the container, which is restarted, with
 * kubelet's FailedPostStartHook event.
 */
class DockerLifecycleHooksTest {
  private static DockerApi api;

  @BeforeAll
  static void start() throws Exception {
    api = DockerApi.start("hooks-docker");
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
  }

  @Test
  void preStopRunsInTheRunningContainerBeforeSigterm() throws Exception {
    Path host = Files.createDirectories(api.work.resolve("prestop"));
    api.create("""
        apiVersion: v1
        kind: Pod
        metadata: {name: graceful}
        spec:
          nodeName: %s
          terminationGracePeriodSeconds: 20
          containers:
          - name: app
            image: %s
            command: [sh, -c, "trap 'echo sigterm >> /host/log; exit 0' TERM; echo started >> /host/log; while true; do sleep 0.1; done"]
            volumeMounts: [{name: host, mountPath: /host}]
            lifecycle:
              preStop:
                exec:
                  command: [sh, -c, "echo prestop-begin >> /host/log; sleep 1; echo prestop-end >> /host/log"]
          volumes: [{name: host, hostPath: {path: %s}}]
        """.formatted(api.node, DockerSupport.IMAGE, host));
    api.awaitRunningReady("graceful");
    long began = System.nanoTime();
    assertEquals(0, api.kubectl("delete", "pod", "graceful", "--wait=false").exit());
    await().atMost(DockerApi.WAIT).until(() -> api.pod("graceful") == null);
    // the hook ran while the container ran (the exec needs it running), and SIGTERM came after it ended
    assertEquals("started\nprestop-begin\nprestop-end\nsigterm\n", Files.readString(host.resolve("log")));
    Duration took = Duration.ofNanos(System.nanoTime() - began);
    assertTrue(took.compareTo(Duration.ofSeconds(1)) >= 0 && took.compareTo(Duration.ofSeconds(15)) < 0, took.toString());
  }

  @Test
  void anHttpGetPreStopReachesThePodOnANamedPort() throws Exception {
    Path host = Files.createDirectories(api.work.resolve("prestop-http"));
    api.create("""
        apiVersion: v1
        kind: Pod
        metadata: {name: http-hook}
        spec:
          nodeName: %s
          terminationGracePeriodSeconds: 3
          containers:
          - name: web
            image: %s
            command:
            - sh
            - -c
            - |
              busybox mkdir -p /www/cgi-bin
              printf '#!/bin/sh\\necho "$REQUEST_URI" >> /host/log\\necho Content-Type: text/plain\\necho\\necho ok\\n' > /www/cgi-bin/stop
              busybox chmod +x /www/cgi-bin/stop
              exec httpd -f -p 8080 -h /www
            ports: [{name: web, containerPort: 8080}]
            volumeMounts: [{name: host, mountPath: /host}]
            lifecycle:
              preStop:
                httpGet:
                  path: "/cgi-bin/stop?from=prestop"
                  port: web
          volumes: [{name: host, hostPath: {path: %s}}]
        """.formatted(api.node, DockerSupport.IMAGE, host));
    api.awaitRunningReady("http-hook");
    assertEquals(0, api.kubectl("delete", "pod", "http-hook", "--wait=false").exit());
    await().atMost(DockerApi.WAIT).until(() -> api.pod("http-hook") == null);
    assertEquals("/cgi-bin/stop?from=prestop\n", Files.readString(host.resolve("log")));
  }

  @Test
  void aHangingPreStopIsCutAtTheGracePeriodAndTheContainerKilled() throws Exception {
    Path host = Files.createDirectories(api.work.resolve("hanging"));
    api.create("""
        apiVersion: v1
        kind: Pod
        metadata: {name: hanging}
        spec:
          nodeName: %s
          terminationGracePeriodSeconds: 2
          containers:
          - name: app
            image: %s
            command: [sleep, "600"]
            volumeMounts: [{name: host, mountPath: /host}]
            lifecycle:
              preStop:
                exec:
                  command: [sh, -c, "echo hook-began >> /host/log; sleep 60; echo hook-ended >> /host/log"]
          volumes: [{name: host, hostPath: {path: %s}}]
        """.formatted(api.node, DockerSupport.IMAGE, host));
    api.awaitRunningReady("hanging");
    String containerId = status("hanging", "app").path("containerID").asText().replace("docker://", "");
    long began = System.nanoTime();
    assertEquals(0, api.kubectl("delete", "pod", "hanging", "--wait=false").exit());
    await().atMost(DockerApi.WAIT).pollInterval(Duration.ofMillis(100)).until(() -> !running(containerId));
    Duration took = Duration.ofNanos(System.nanoTime() - began);
    System.out.println("hanging preStop, grace period 2 s: the container ended " + took.toMillis() + " ms after the delete");
    assertEquals("hook-began\n", Files.readString(host.resolve("log")));
    // the hook has the grace period (2 s); then SIGTERM (ignored by sleep as PID 1) and kubelet's minimum
    // 2 s before SIGKILL: about 4 s in all, never the hook's 60 s
    assertTrue(took.compareTo(Duration.ofSeconds(2)) >= 0, "killed before the grace period: " + took);
    assertTrue(took.compareTo(Duration.ofSeconds(12)) < 0, "not killed after the grace period: " + took);
    await().atMost(DockerApi.WAIT).until(() -> api.pod("hanging") == null);
    // a hook cut by the grace period is no failure event (kubelet only logs it)
    assertTrue(!events("hanging").contains("FailedPreStopHook"), events("hanging"));
  }

  @Test
  void aFailingPreStopIsAnEventAndTheContainerStillStops() throws Exception {
    api.create("""
        apiVersion: v1
        kind: Pod
        metadata: {name: failing-hook}
        spec:
          nodeName: %s
          terminationGracePeriodSeconds: 2
          containers:
          - name: app
            image: %s
            command: [sleep, "600"]
            lifecycle:
              preStop:
                exec:
                  command: [sh, -c, "echo no; exit 1"]
        """.formatted(api.node, DockerSupport.IMAGE));
    api.awaitRunningReady("failing-hook");
    assertEquals(0, api.kubectl("delete", "pod", "failing-hook", "--wait=false").exit());
    await().atMost(DockerApi.WAIT).until(() -> api.pod("failing-hook") == null
        && events("failing-hook").contains("\"reason\": \"FailedPreStopHook\""));
    assertTrue(events("failing-hook").contains("PreStopHook failed"), events("failing-hook"));
  }

  private static String events(String pod) throws Exception {
    return api.kubectl("get", "events", "--field-selector", "involvedObject.name=" + pod, "-o", "json").output();
  }

  @Test
  void aFailedPostStartHookKillsTheContainerWhichIsRestarted() throws Exception {
    api.create("""
        apiVersion: v1
        kind: Pod
        metadata: {name: poststart}
        spec:
          nodeName: %s
          terminationGracePeriodSeconds: 1
          containers:
          - name: app
            image: %s
            command: [sleep, "600"]
            volumeMounts: [{name: work, mountPath: /work}]
            lifecycle:
              postStart:
                exec:
                  command: [sh, -c, "echo x >> /work/runs; [ $(busybox wc -l < /work/runs) -ge 2 ]"]
          volumes: [{name: work, emptyDir: {}}]
        """.formatted(api.node, DockerSupport.IMAGE));
    await().atMost(DockerApi.WAIT).until(() -> status("poststart", "app").path("restartCount").asInt() == 1
        && status("poststart", "app").path("state").has("running"));
    api.awaitRunningReady("poststart");
    String events = api.kubectl("get", "events", "--field-selector", "involvedObject.name=poststart", "-o", "json")
        .output();
    assertTrue(events.contains("\"reason\": \"FailedPostStartHook\"") && events.contains("PostStartHook failed"),
        events);
    JsonNode last = status("poststart", "app").path("lastState").path("terminated");
    assertEquals(137, last.path("exitCode").asInt(), last.toString());
    // the second instance's hook passed: it keeps running
    assertEquals("x\nx\n", api.kubectl("exec", "poststart", "--", "cat", "/work/runs").output());
    assertEquals(0, api.kubectl("delete", "pod", "poststart", "--grace-period=0").exit());
  }

  private static boolean running(String containerId) {
    try (var docker = DockerSupport.client()) {
      return Boolean.TRUE.equals(docker.inspectContainerCmd(containerId).exec().getState().getRunning());
    } catch (com.github.dockerjava.api.exception.NotFoundException e) {
      return false;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static JsonNode status(String pod, String container) {
    JsonNode object = api.pod(pod);
    if (object == null) {
      return MissingNode.getInstance();
    }
    for (JsonNode s : object.path("status").path("containerStatuses")) {
      if (s.path("name").asText().equals(container)) {
        return s;
      }
    }
    return MissingNode.getInstance();
  }
}
