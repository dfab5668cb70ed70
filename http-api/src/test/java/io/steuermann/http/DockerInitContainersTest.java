package io.steuermann.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.steuermann.engine.objects.PodConditions;
import io.steuermann.node.docker.DockerSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Init containers of real Docker pods, watched with the real kubectl: they run one after the
 * other, each to success, before any app container starts; a failing one is retried with
 * back-off while the app waits (restartPolicy Always), or fails the pod (Never).
 */
class DockerInitContainersTest {
  private static DockerApi api;

  @BeforeAll
  static void start() throws Exception {
    api = DockerApi.start("init-docker");
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
  }

  @Test
  void initContainersRunInOrderAndAreRetriedWhileTheAppWaits() throws Exception {
    Path watchOutput = api.work.resolve("watch.txt");
    Process watch = new ProcessBuilder(api.kubectlCommand("get", "pods", "-w", "--no-headers"))
        .redirectErrorStream(true).redirectOutput(watchOutput.toFile()).start();
    try {
      api.create("""
          apiVersion: v1
          kind: Pod
          metadata: {name: init-order}
          spec:
            nodeName: %s
            terminationGracePeriodSeconds: 1
            initContainers:
            - name: flaky
              image: %s
              command: [sh, -c, "echo try >> /work/attempts; echo init attempt; [ $(busybox wc -l < /work/attempts) -ge 3 ] || exit 1; echo first >> /work/order"]
              volumeMounts: [{name: work, mountPath: /work}]
            - name: second
              image: %s
              command: [sh, -c, "while [ ! -f /work/go ]; do sleep 0.2; done; echo second >> /work/order"]
              volumeMounts: [{name: work, mountPath: /work}]
            containers:
            - name: app
              image: %s
              command: [sh, -c, "echo app >> /work/order; sleep 600"]
              volumeMounts: [{name: work, mountPath: /work}]
            volumes: [{name: work, emptyDir: {}}]
          """.formatted(api.node, DockerSupport.IMAGE, DockerSupport.IMAGE, DockerSupport.IMAGE));

      // the first init container failed twice and succeeded; the second one runs: what kubectl shows
      await().atMost(DockerApi.WAIT).until(() -> api.kubectl("get", "pods", "init-order").output().contains("Init:1/2"));
      JsonNode flaky = status("init-order", "initContainerStatuses", "flaky");
      assertEquals(0, flaky.path("state").path("terminated").path("exitCode").asInt(-1), flaky.toString());
      assertEquals("Completed", flaky.path("state").path("terminated").path("reason").asText(), flaky.toString());
      assertEquals(2, flaky.path("restartCount").asInt(), flaky.toString());
      assertTrue(flaky.path("ready").asBoolean(), flaky.toString());
      assertEquals(1, flaky.path("lastState").path("terminated").path("exitCode").asInt(), flaky.toString());
      await().atMost(DockerApi.WAIT).until(() -> status("init-order", "initContainerStatuses", "second")
          .path("state").has("running"));
      JsonNode app = status("init-order", "containerStatuses", "app");
      assertEquals("PodInitializing", app.path("state").path("waiting").path("reason").asText(), app.toString());
      JsonNode pod = api.pod("init-order");
      assertEquals("Pending", pod.path("status").path("phase").asText());
      assertEquals("False", PodConditions.get(pod.path("status"), "Initialized"));
      assertTrue(pod.path("status").toString().contains("containers with incomplete status: [second]"),
          pod.path("status").toString());
      assertEquals("try\ntry\ntry\n", exec("second", "cat", "/work/attempts"));
      assertEquals("first\n", exec("second", "cat", "/work/order"), "the app has not started");

      exec("second", "sh", "-c", "echo > /work/go");
      api.awaitRunningReady("init-order");
      assertEquals("first\nsecond\napp\n", exec("app", "cat", "/work/order"));
      pod = api.pod("init-order");
      assertEquals("True", PodConditions.get(pod.path("status"), "Initialized"));
      assertEquals("Completed", status("init-order", "initContainerStatuses", "second").path("state")
          .path("terminated").path("reason").asText());
      assertEquals(0, status("init-order", "containerStatuses", "app").path("restartCount").asInt());
      await().atMost(DockerApi.WAIT).until(() -> Files.readString(watchOutput).contains("Running"));
      String seen = Files.readString(watchOutput);
      // kubectl's STATUS column went through the back-off of the first init container, then the second, then ran
      int backOff = Math.max(seen.indexOf("Init:CrashLoopBackOff"), seen.indexOf("Init:Error"));
      assertTrue(backOff >= 0 && backOff < seen.indexOf("Init:1/2") && seen.indexOf("Init:1/2") < seen.indexOf("Running"),
          seen);
      // an init container's log is served like an app container's
      DockerApi.Result logs = api.kubectl("logs", "init-order", "-c", "flaky");
      assertEquals(0, logs.exit(), logs.output());
      assertEquals("init attempt\n", logs.output());
    } finally {
      watch.destroy();
    }
    assertEquals(0, api.kubectl("delete", "pod", "init-order", "--grace-period=0").exit());
  }

  @Test
  void aFailedInitContainerFailsThePodWhenItIsNeverRestarted() throws Exception {
    api.create("""
        apiVersion: v1
        kind: Pod
        metadata: {name: init-fails}
        spec:
          nodeName: %s
          restartPolicy: Never
          initContainers:
          - {name: broken, image: %s, command: [sh, -c, "exit 3"]}
          - {name: later, image: %s, command: [sh, -c, "exit 0"]}
          containers:
          - {name: app, image: %s, command: [sleep, "600"]}
        """.formatted(api.node, DockerSupport.IMAGE, DockerSupport.IMAGE, DockerSupport.IMAGE));
    await().atMost(DockerApi.WAIT).until(() -> api.pod("init-fails") != null
        && "Failed".equals(api.pod("init-fails").path("status").path("phase").asText()));
    JsonNode broken = status("init-fails", "initContainerStatuses", "broken");
    assertEquals(3, broken.path("state").path("terminated").path("exitCode").asInt(), broken.toString());
    assertEquals(0, broken.path("restartCount").asInt());
    assertEquals("PodInitializing", status("init-fails", "initContainerStatuses", "later").path("state")
        .path("waiting").path("reason").asText());
    assertEquals("PodInitializing", status("init-fails", "containerStatuses", "app").path("state")
        .path("waiting").path("reason").asText());
    String table = api.kubectl("get", "pods", "init-fails").output();
    assertTrue(table.contains("Init:Error"), table);
    assertEquals(0, api.kubectl("delete", "pod", "init-fails", "--grace-period=0").exit());
  }

  private static String exec(String container, String... command) throws Exception {
    String[] args = new String[command.length + 5];
    args[0] = "exec";
    args[1] = "init-order";
    args[2] = "-c";
    args[3] = container;
    args[4] = "--";
    System.arraycopy(command, 0, args, 5, command.length);
    DockerApi.Result r = api.kubectl(args);
    assertEquals(0, r.exit(), r.output());
    return r.output();
  }

  private static JsonNode status(String pod, String list, String container) {
    JsonNode object = api.pod(pod);
    if (object == null) {
      return MissingNode.getInstance();
    }
    for (JsonNode s : object.path("status").path(list)) {
      if (s.path("name").asText().equals(container)) {
        return s;
      }
    }
    return MissingNode.getInstance();
  }
}
