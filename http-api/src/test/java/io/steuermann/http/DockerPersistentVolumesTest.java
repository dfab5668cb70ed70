package io.steuermann.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.node.docker.DockerSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Claims of real Docker containers, driven with the real kubectl: a local-path volume made in
 * the node's directory when its first pod comes, written by one pod and read back by the next
 * (the data outlives the pod), and on the claim's deletion removed with its data under the
 * class's Delete policy, kept under Retain; {@code kubectl get pvc,pv,sc} with kube's columns.
 */
class DockerPersistentVolumesTest {
  private static DockerApi api;

  @BeforeAll
  static void start() throws Exception {
    api = DockerApi.start("pv-docker");
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
  }

  @Test
  void aLocalPathVolumeOutlivesItsPodAndGoesWithItsClaimUnlessRetained() throws Exception {
    api.create("""
        apiVersion: storage.k8s.io/v1
        kind: StorageClass
        metadata: {name: local-keep}
        provisioner: steuermann.io/local-path
        reclaimPolicy: Retain
        volumeBindingMode: WaitForFirstConsumer
        ---
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: notes}
        spec:
          accessModes: [ReadWriteOnce]
          resources: {requests: {storage: 16Mi}}
        ---
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: archive}
        spec:
          storageClassName: local-keep
          accessModes: [ReadWriteOnce]
          resources: {requests: {storage: 16Mi}}
        """);
    api.create(pod("writer", "echo kept > /data/note; echo old > /archive/note; sleep 600"));
    api.awaitRunningReady("writer");
    Path notes = volumeDir("notes");
    Path archive = volumeDir("archive");
    assertEquals(DockerSupport.settings().podDir().toAbsolutePath().resolve(api.node).resolve("persistent-volumes"),
        notes.getParent(), "k3s' local-path layout: one directory per volume under the node's");
    // the container writes after it started
    await().atMost(DockerApi.WAIT).until(() -> Files.exists(notes.resolve("note")));
    await().atMost(DockerApi.WAIT).until(() -> "kept\n".equals(Files.readString(notes.resolve("note"))));

    Kubectl table = new Kubectl("get", "pvc,pv,sc");
    assertTrue(table.out.matches("(?s)NAME\\s+STATUS\\s+VOLUME\\s+CAPACITY\\s+ACCESS MODES\\s+STORAGECLASS\\s+"
        + "VOLUMEATTRIBUTESCLASS\\s+AGE\\s+persistentvolumeclaim/archive\\s+Bound\\s+pvc-\\S+\\s+16Mi\\s+RWO\\s+"
        + "local-keep\\s+<unset>.*persistentvolumeclaim/notes\\s+Bound\\s+pvc-\\S+\\s+16Mi\\s+RWO\\s+local-path\\s+"
        + "<unset>.*NAME\\s+CAPACITY\\s+ACCESS MODES\\s+RECLAIM POLICY\\s+STATUS\\s+CLAIM\\s+STORAGECLASS\\s+"
        + "VOLUMEATTRIBUTESCLASS\\s+REASON\\s+AGE.*16Mi\\s+RWO\\s+(Retain|Delete)\\s+Bound\\s+default/\\S+\\s+"
        + "local-\\S+\\s+<unset>.*NAME\\s+PROVISIONER\\s+RECLAIMPOLICY\\s+VOLUMEBINDINGMODE\\s+ALLOWVOLUMEEXPANSION\\s+"
        + "AGE\\s+storageclass.storage.k8s.io/local-keep\\s+steuermann.io/local-path\\s+Retain\\s+"
        + "WaitForFirstConsumer\\s+false.*storageclass.storage.k8s.io/local-path \\(default\\)\\s+"
        + "steuermann.io/local-path\\s+Delete\\s+WaitForFirstConsumer\\s+false.*"), table.out);

    // the pod goes, its data stays: the next pod of the claim reads it
    assertEquals(0, api.kubectl("delete", "pod", "writer", "--grace-period=0").exit());
    await().atMost(DockerApi.WAIT).until(() -> api.pod("writer") == null);
    assertTrue(Files.exists(notes.resolve("note")));
    api.create(pod("reader", "sleep 600"));
    api.awaitRunningReady("reader");
    assertEquals("kept\n", exec("reader", "cat", "/data/note"));
    assertEquals("old\n", exec("reader", "cat", "/archive/note"));
    assertEquals(0, api.kubectl("delete", "pod", "reader", "--grace-period=0").exit());
    await().atMost(DockerApi.WAIT).until(() -> api.pod("reader") == null);

    // Retain keeps the volume (Released) and its data; Delete removes both
    String archived = claim("archive").path("spec").path("volumeName").asText();
    String deleted = claim("notes").path("spec").path("volumeName").asText();
    assertEquals(0, api.kubectl("delete", "pvc", "archive").exit());
    await().atMost(DockerApi.WAIT).until(() -> "Released".equals(volume(archived).path("status").path("phase").asText()));
    assertEquals(0, api.kubectl("delete", "pvc", "notes").exit());
    await().atMost(DockerApi.WAIT).until(() -> volume(deleted).isMissingNode());
    await().atMost(DockerApi.WAIT).until(() -> !Files.exists(notes));
    // the sweep that removed the deleted volume's data saw the retained one's Released volume
    assertEquals("old\n", Files.readString(archive.resolve("note")));
    assertEquals("Retain", volume(archived).path("spec").path("persistentVolumeReclaimPolicy").asText());
  }

  @Test
  void aStaticLocalVolumeMountsItsPathAndIsPreBoundByName() throws Exception {
    Path disk = Files.createDirectories(api.work.resolve("disk-one"));
    Files.writeString(disk.resolve("seed"), "from the host\n");
    api.create("""
        apiVersion: v1
        kind: PersistentVolume
        metadata: {name: disk-one}
        spec:
          capacity: {storage: 1Gi}
          accessModes: [ReadWriteOnce]
          storageClassName: ""
          local: {path: %s}
          nodeAffinity:
            required:
              nodeSelectorTerms:
              - matchExpressions:
                - {key: kubernetes.io/hostname, operator: In, values: [%s]}
        ---
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: seeded}
        spec:
          storageClassName: ""
          volumeName: disk-one
          accessModes: [ReadWriteOnce]
          resources: {requests: {storage: 1Gi}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: seeded}
        spec:
          containers:
          - name: main
            image: %s
            command: [sh, -c, "echo from the pod > /disk/out; sleep 600"]
            volumeMounts: [{name: disk, mountPath: /disk}]
          volumes: [{name: disk, persistentVolumeClaim: {claimName: seeded}}]
        """.formatted(disk, api.node, DockerSupport.IMAGE));
    api.awaitRunningReady("seeded");
    assertEquals(api.node, api.pod("seeded").path("spec").path("nodeName").asText(), "scheduled to the volume's node");
    assertEquals("", claim("seeded").path("spec").path("storageClassName").asText(), "\"\" is no class, not the default");
    assertEquals("from the host\n", exec("seeded", "cat", "/disk/seed"));
    await().atMost(DockerApi.WAIT).until(() -> Files.exists(disk.resolve("out")));
    assertEquals(0, api.kubectl("delete", "pod", "seeded", "--grace-period=0").exit());
    await().atMost(DockerApi.WAIT).until(() -> api.pod("seeded") == null);
    assertTrue(Files.exists(disk.resolve("seed")), "a static volume's data is the administrator's");
  }

  private static String pod(String name, String script) {
    return """
        apiVersion: v1
        kind: Pod
        metadata: {name: %s}
        spec:
          nodeName: %s
          containers:
          - name: main
            image: %s
            command: [sh, -c, "%s"]
            volumeMounts:
            - {name: notes, mountPath: /data}
            - {name: archive, mountPath: /archive}
          volumes:
          - {name: notes, persistentVolumeClaim: {claimName: notes}}
          - {name: archive, persistentVolumeClaim: {claimName: archive}}
        """.formatted(name, api.node, DockerSupport.IMAGE, script);
  }

  private static JsonNode claim(String name) {
    JsonNode claim = api.engine.cache().get(ObjectKey.of(Kind.PERSISTENT_VOLUME_CLAIM, "default", name));
    return claim == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : claim;
  }

  private static JsonNode volume(String name) {
    JsonNode pv = api.engine.cache().get(ObjectKey.of(Kind.PERSISTENT_VOLUME, "", name));
    return pv == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : pv;
  }

  /** The host directory of the claim's volume, as its PersistentVolume names it. */
  private static Path volumeDir(String claim) {
    JsonNode pv = volume(claim(claim).path("spec").path("volumeName").asText());
    assertEquals("steuermann.io/local-path", pv.path("metadata").path("annotations")
        .path("pv.kubernetes.io/provisioned-by").asText());
    return Path.of(pv.path("spec").path("hostPath").path("path").asText());
  }

  private static String exec(String pod, String... command) throws Exception {
    String[] args = new String[command.length + 3];
    args[0] = "exec";
    args[1] = pod;
    args[2] = "--";
    System.arraycopy(command, 0, args, 3, command.length);
    DockerApi.Result r = api.kubectl(args);
    return r.exit() == 0 ? r.output() : "exit " + r.exit() + ": " + r.output();
  }

  /** One kubectl run whose exit must be 0. */
  private static final class Kubectl {
    final String out;

    Kubectl(String... args) throws Exception {
      DockerApi.Result r = api.kubectl(args);
      assertEquals(0, r.exit(), r.output());
      out = r.output();
    }
  }
}
