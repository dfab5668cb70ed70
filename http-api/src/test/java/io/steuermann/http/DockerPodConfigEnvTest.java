package io.steuermann.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.steuermann.node.docker.DockerSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Variables from a ConfigMap, a Secret and the pod's resources inside a real Docker container,
 * made with the real kubectl: the container of a pod created before its Secret waits with
 * {@code CreateContainerConfigError} while the pod's other container runs, and starts once the
 * Secret is there.
 */
class DockerPodConfigEnvTest {
  private static DockerApi api;

  @BeforeAll
  static void start() throws Exception {
    api = DockerApi.start("config-env-docker");
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
  }

  @Test
  void theContainerSeesItsConfigMapAndSecretAsVariables() throws Exception {
    assertEquals(0, api.kubectl("create", "configmap", "settings", "--from-literal=mode=fast",
        "--from-literal=price=$(HOME) costs $5").exit());
    api.create("""
        apiVersion: v1
        kind: Pod
        metadata: {name: configured}
        spec:
          nodeName: %s
          containers:
          - {name: plain, image: %s, command: [sleep, "600"]}
          - name: main
            image: %s
            command: [sleep, "600"]
            envFrom:
            - configMapRef: {name: settings}
              prefix: APP_
            env:
            - name: DB_PASSWORD
              valueFrom: {secretKeyRef: {name: db, key: password}}
            - name: GREETING
              value: "mode is $(APP_mode)"
        """.formatted(api.node, DockerSupport.IMAGE, DockerSupport.IMAGE));
    // the other container runs meanwhile, in the pod's sandbox
    await().atMost(DockerApi.WAIT).until(() -> api.pod("configured") != null
        && "CreateContainerConfigError".equals(status("main").path("state").path("waiting").path("reason").asText())
        && status("plain").path("state").has("running"));
    assertEquals("secret \"db\" not found", status("main").path("state").path("waiting").path("message").asText());
    assertEquals(0, api.kubectl("create", "secret", "generic", "db", "--from-literal=password=s3cr3t-in-docker").exit());
    api.awaitRunningReady("configured");
    DockerApi.Result env = api.kubectl("exec", "configured", "-c", "main", "--", "sh", "-c",
        "echo \"$APP_mode|$APP_price|$DB_PASSWORD|$GREETING\"");
    assertEquals(new DockerApi.Result(0, "fast|$(HOME) costs $5|s3cr3t-in-docker|mode is fast\n"), env);
    DockerApi.Result events = api.kubectl("get", "events", "-o", "json");
    assertFalse(events.output().contains("s3cr3t-in-docker"), events.output());
  }

  @Test
  void theContainerSeesItsResourcesAsVariables() throws Exception {
    api.create("""
        apiVersion: v1
        kind: Pod
        metadata: {name: sized}
        spec:
          nodeName: %s
          containers:
          - name: main
            image: %s
            command: [sleep, "600"]
            resources:
              limits: {cpu: 500m, memory: 64Mi}
            env:
            - name: CPU_MILLIS
              valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}
            - name: MEMORY_MI
              valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}
            - name: REQUESTED
              valueFrom: {resourceFieldRef: {resource: requests.memory}}
            - name: SIDE_CPU
              valueFrom: {resourceFieldRef: {containerName: side, resource: limits.cpu, divisor: 1m}}
            - name: SUMMARY
              value: "$(CPU_MILLIS)m/$(MEMORY_MI)Mi"
          - {name: side, image: %s, command: [sleep, "600"]}
        """.formatted(api.node, DockerSupport.IMAGE, DockerSupport.IMAGE));
    api.awaitRunningReady("sized");
    DockerApi.Result env = api.kubectl("exec", "sized", "-c", "main", "--", "sh", "-c",
        "echo \"$CPU_MILLIS|$MEMORY_MI|$REQUESTED|$SIDE_CPU|$SUMMARY\"");
    // a container without a limit is bounded by the node: its allocatable, as the Node reports it
    String nodeCpu = api.kubectl("get", "node", api.node, "-o", "jsonpath={.status.allocatable.cpu}").output().trim();
    long nodeMillis = io.steuermann.engine.scheduling.Quantity.milliCpu(nodeCpu);
    assertEquals(new DockerApi.Result(0, "500|64|" + (64 * 1024 * 1024) + "|" + nodeMillis + "|500m/64Mi\n"), env);
  }

  private static com.fasterxml.jackson.databind.JsonNode status(String container) {
    for (com.fasterxml.jackson.databind.JsonNode s : api.pod("configured").path("status").path("containerStatuses")) {
      if (s.path("name").asText().equals(container)) {
        return s;
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  @Test
  void aRestartedContainerGetsTheConfigMapAsItIsThen() throws Exception {
    assertEquals(0, api.kubectl("create", "configmap", "phase", "--from-literal=value=first").exit());
    // writes the value it started with where the next instance can read it, then ends
    api.create("""
        apiVersion: v1
        kind: Pod
        metadata: {name: restarter}
        spec:
          nodeName: %s
          containers:
          - name: main
            image: %s
            command: [sh, -c, "echo $VALUE; sleep 1; exit 1"]
            env:
            - name: VALUE
              valueFrom: {configMapKeyRef: {name: phase, key: value}}
        """.formatted(api.node, DockerSupport.IMAGE));
    await().atMost(DockerApi.WAIT).until(() -> api.kubectl("logs", "restarter").output().contains("first"));
    assertEquals(0, api.kubectl("patch", "configmap", "phase", "--type=merge", "-p", "{\"data\":{\"value\":\"second\"}}").exit());
    await().atMost(DockerApi.WAIT).until(() -> api.kubectl("logs", "restarter").output().contains("second"));
    // the key goes: the next instance waits, as kubelet's does
    assertEquals(0, api.kubectl("patch", "configmap", "phase", "--type=json", "-p",
        "[{\"op\":\"remove\",\"path\":\"/data/value\"}]").exit());
    await().atMost(DockerApi.WAIT).until(() -> "couldn't find key value in ConfigMap default/phase".equals(
        api.pod("restarter").path("status").path("containerStatuses").path(0).path("state").path("waiting")
            .path("message").asText()));
  }
}
