package io.steuermann.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * Volumes of real Docker containers, driven with the real kubectl: configMap, secret and
 * downwardAPI files (and a ConfigMap's change reaching the running pod, but not its subPath
 * mount), emptyDir shared by two containers and kept over a restart, a tmpfs emptyDir, hostPath
 * types, and nothing of the pod left on the host after it is deleted.
 */
class DockerPodVolumesTest {
  private static DockerApi api;

  @BeforeAll
  static void start() throws Exception {
    api = DockerApi.start("volumes-docker");
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
  }

  @Test
  void configMapSecretAndDownwardApiFilesFollowTheirSources() throws Exception {
    assertEquals(0, api.kubectl("create", "configmap", "app-config", "--from-literal=greeting=hello").exit());
    api.create("""
        apiVersion: v1
        kind: Pod
        metadata: {name: files, labels: {app: vol, tier: "web"}}
        spec:
          nodeName: %s
          containers:
          - name: main
            image: %s
            command: [sleep, "600"]
            volumeMounts:
            - {name: cfg, mountPath: /etc/cfg}
            - {name: one, mountPath: /etc/single.txt, subPath: g.txt}
            - {name: sec, mountPath: /etc/sec}
            - {name: pod, mountPath: /etc/pod}
          volumes:
          - {name: cfg, configMap: {name: app-config}}
          - {name: one, configMap: {name: app-config, items: [{key: greeting, path: g.txt}]}}
          - {name: sec, secret: {secretName: creds, defaultMode: 0400}}
          - name: pod
            downwardAPI:
              items:
              - {path: labels, fieldRef: {fieldPath: metadata.labels}}
              - {path: name, fieldRef: {fieldPath: metadata.name}}
        """.formatted(api.node, DockerSupport.IMAGE));
    // the Secret is missing: the container waits, with kubelet's event
    await().atMost(DockerApi.WAIT).until(() -> api.pod("files") != null
        && "ContainerCreating".equals(status("files", "main").path("state").path("waiting").path("reason").asText())
        && api.kubectl("get", "events", "-o", "json").output().contains("FailedMount"));
    assertTrue(api.kubectl("get", "events", "-o", "json").output()
        .contains("MountVolume.SetUp failed for volume \\\"sec\\\" : secret \\\"creds\\\" not found"));
    assertEquals(0, api.kubectl("create", "secret", "generic", "creds", "--from-literal=password=vol-s3cr3t").exit());
    api.awaitRunningReady("files");

    assertEquals("hello", exec("files", "main", "cat", "/etc/cfg/greeting"));
    assertEquals("hello", exec("files", "main", "cat", "/etc/single.txt"));
    assertEquals("vol-s3cr3t", exec("files", "main", "cat", "/etc/sec/password"));
    assertEquals("400", exec("files", "main", "busybox", "stat", "-L", "-c", "%a", "/etc/sec/password").strip());
    assertEquals("app=\"vol\"\ntier=\"web\"\n", exec("files", "main", "cat", "/etc/pod/labels"));
    assertEquals("files", exec("files", "main", "cat", "/etc/pod/name"));
    assertFalse(api.kubectl("get", "events", "-o", "json").output().contains("vol-s3cr3t"));
    // kubelet's layout: the key is a symlink into ..data
    assertEquals("..data/greeting", exec("files", "main", "busybox", "readlink", "/etc/cfg/greeting").strip());

    assertEquals(0, api.kubectl("patch", "configmap", "app-config", "--type=merge", "-p",
        "{\"data\":{\"greeting\":\"bye\"}}").exit());
    await().atMost(Duration.ofSeconds(70)).until(() -> "bye".equals(exec("files", "main", "cat", "/etc/cfg/greeting")));
    assertEquals("hello", exec("files", "main", "cat", "/etc/single.txt"), "a subPath mount does not update");
    assertEquals(0, api.kubectl("label", "pod", "files", "tier=db", "--overwrite").exit());
    await().atMost(Duration.ofSeconds(70)).until(() -> exec("files", "main", "cat", "/etc/pod/labels").contains("tier=\"db\""));

    Path dir = podDir("files");
    assertTrue(Files.isDirectory(dir.resolve("volumes").resolve("sec")), dir.toString());
    assertEquals(0, api.kubectl("delete", "pod", "files", "--grace-period=0").exit());
    await().atMost(DockerApi.WAIT).until(() -> !Files.exists(dir));
  }

  @Test
  void emptyDirIsSharedKeptOverARestartAndMemoryIsATmpfs() throws Exception {
    api.create("""
        apiVersion: v1
        kind: Pod
        metadata: {name: scratch}
        spec:
          nodeName: %s
          containers:
          - name: worker
            image: %s
            command: [sh, -c, "while [ ! -f /data/stop ]; do sleep 0.2; done; rm /data/stop; exit 1"]
            volumeMounts:
            - {name: shared, mountPath: /data}
            - {name: mem, mountPath: /mem}
          - name: helper
            image: %s
            command: [sleep, "600"]
            volumeMounts:
            - {name: shared, mountPath: /shared}
            - {name: shared, mountPath: /sub, subPath: nested/dir}
          volumes:
          - {name: shared, emptyDir: {}}
          - {name: mem, emptyDir: {medium: Memory, sizeLimit: 16Mi}}
        """.formatted(api.node, DockerSupport.IMAGE, DockerSupport.IMAGE));
    api.awaitRunningReady("scratch");
    exec("scratch", "helper", "sh", "-c", "echo kept > /shared/kept; echo deep > /sub/file");
    assertEquals("kept\n", exec("scratch", "worker", "cat", "/data/kept"));
    assertEquals("deep\n", exec("scratch", "worker", "cat", "/data/nested/dir/file"));
    String mounts = exec("scratch", "worker", "grep", " /mem ", "/proc/mounts");
    assertTrue(mounts.startsWith("tmpfs /mem tmpfs") && mounts.contains("size=16384k"), mounts);
    exec("scratch", "worker", "sh", "-c", "echo in-memory > /mem/kept");

    exec("scratch", "helper", "touch", "/shared/stop"); // the worker exits and is restarted
    await().atMost(DockerApi.WAIT).until(() -> status("scratch", "worker").path("restartCount").asInt() == 1
        && status("scratch", "worker").path("state").has("running"));
    assertEquals("kept\n", exec("scratch", "worker", "cat", "/data/kept"));
    assertEquals("in-memory\n", exec("scratch", "worker", "cat", "/mem/kept"));

    Path dir = podDir("scratch");
    assertEquals(0, api.kubectl("delete", "pod", "scratch", "--grace-period=0").exit());
    await().atMost(DockerApi.WAIT).until(() -> !Files.exists(dir));
    try (var docker = DockerSupport.client()) {
      var left = docker.listVolumesCmd().withFilter("label", java.util.List.of("steuermann.io/node=" + api.node))
          .exec().getVolumes();
      assertTrue(left == null || left.isEmpty(), "the tmpfs volume is removed with the pod: " + left);
    }
  }

  @Test
  void hostPathTypesAreChecked() throws Exception {
    Path made = api.work.resolve("host-made");
    Path missing = api.work.resolve("no-such-file");
    api.create("""
        apiVersion: v1
        kind: Pod
        metadata: {name: host}
        spec:
          nodeName: %s
          containers:
          - name: main
            image: %s
            command: [sh, -c, "echo from-pod > /host/out; sleep 600"]
            volumeMounts:
            - {name: dir, mountPath: /host}
            - {name: dir, mountPath: /host-ro, readOnly: true}
          volumes:
          - {name: dir, hostPath: {path: %s, type: DirectoryOrCreate}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: host-file}
        spec:
          nodeName: %s
          containers:
          - name: main
            image: %s
            command: [sleep, "600"]
            volumeMounts:
            - {name: file, mountPath: /etc/thing}
          volumes:
          - {name: file, hostPath: {path: %s, type: File}}
        """.formatted(api.node, DockerSupport.IMAGE, made, api.node, DockerSupport.IMAGE, missing));
    api.awaitRunningReady("host");
    await().atMost(DockerApi.WAIT).until(() -> Files.exists(made.resolve("out")));
    assertEquals("from-pod\n", Files.readString(made.resolve("out")));
    DockerApi.Result readOnly = api.kubectl("exec", "host", "-c", "main", "--", "touch", "/host-ro/x");
    assertTrue(readOnly.exit() != 0 && readOnly.output().contains("Read-only file system"), readOnly.output());

    await().atMost(DockerApi.WAIT).until(() -> status("host-file", "main").path("state").path("waiting")
        .path("message").asText().contains("is not a file"));
    JsonNode waiting = status("host-file", "main").path("state").path("waiting");
    assertEquals("MountVolume.SetUp failed for volume \"file\" : hostPath type check failed: " + missing + " is not a file",
        waiting.path("message").asText());
    assertFalse(Files.exists(missing), "type File creates nothing");
    assertEquals(0, api.kubectl("delete", "pod", "host", "host-file", "--grace-period=0").exit());
  }

  private static String exec(String pod, String container, String... command) throws Exception {
    String[] args = new String[command.length + 5];
    args[0] = "exec";
    args[1] = pod;
    args[2] = "-c";
    args[3] = container;
    args[4] = "--";
    System.arraycopy(command, 0, args, 5, command.length);
    DockerApi.Result r = api.kubectl(args);
    return r.exit() == 0 ? r.output() : "exit " + r.exit() + ": " + r.output();
  }

  private static Path podDir(String pod) {
    String uid = api.pod(pod).path("metadata").path("uid").asText();
    return DockerSupport.settings().podDir().resolve(api.node).resolve(uid);
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
