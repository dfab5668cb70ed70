package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.steuermann.http.KubectlRunner.Result;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PersistentVolumes, claims and classes through the real API on a hollow node with the
 * controllers running: the built-in default class, a static volume bound to the claim that fits
 * it while one that does not stays Pending with the reason as an event, the default class given
 * to a claim that names none and its volume provisioned on the node its first consumer was
 * scheduled to, a pod whose claim's class binds at once waiting unscheduled, Released after the
 * claim goes, kube's columns in {@code kubectl get pvc,pv,sc}, and 422s naming the field.
 */
class PersistentVolumesTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String NS = "storage";
  private static final String PVS = "/api/v1/persistentvolumes";
  private static final String PVCS = "/api/v1/namespaces/" + NS + "/persistentvolumeclaims";
  private static final String PODS = "/api/v1/namespaces/" + NS + "/pods";
  private static final String CLASSES = "/apis/storage.k8s.io/v1/storageclasses";

  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.startWithNodes("PersistentVolumesTest", TestServer.h2(dataDir).withFallback(
        ConfigFactory.parseString("""
            steuermann.controllers.enabled = true
            steuermann.node.hollow-nodes = 2
            steuermann.node.name-prefix = "pv-"
            """)));
    server.namespace(NS);
    await().atMost(WAIT).until(() -> server.get(CLASSES + "/local-path").statusCode() == 200);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void theBuiltInClassIsTheDefault() throws Exception {
    JsonNode sc = expect(200, server.get(CLASSES + "/local-path"));
    assertEquals("steuermann.io/local-path", sc.path("provisioner").asText());
    assertEquals("WaitForFirstConsumer", sc.path("volumeBindingMode").asText());
    assertEquals("Delete", sc.path("reclaimPolicy").asText());
    assertEquals("true", sc.path("metadata").path("annotations").path("storageclass.kubernetes.io/is-default-class")
        .asText());
    Result table = kubectl("get", "sc", "local-path");
    assertEquals(0, table.exit(), table.err());
    assertTrue(table.out().matches("(?s)NAME\\s+PROVISIONER\\s+RECLAIMPOLICY\\s+VOLUMEBINDINGMODE\\s+"
        + "ALLOWVOLUMEEXPANSION\\s+AGE\\s+local-path \\(default\\)\\s+steuermann\\.io/local-path\\s+Delete\\s+"
        + "WaitForFirstConsumer\\s+false\\s+\\S+\\s*"), table.out());
  }

  @Test
  void aStaticVolumeIsBoundToTheClaimThatFitsAndReleasedWhenItGoes() throws Exception {
    expect(201, server.post(PVS, """
        {"apiVersion":"v1","kind":"PersistentVolume","metadata":{"name":"manual-1g","labels":{"tier":"db"}},
         "spec":{"capacity":{"storage":"1Gi"},"accessModes":["ReadWriteOnce","ReadOnlyMany"],
          "storageClassName":"manual","hostPath":{"path":"/tmp/manual-1g"}}}"""));
    JsonNode pv = expect(200, server.get(PVS + "/manual-1g"));
    assertEquals("Retain", pv.path("spec").path("persistentVolumeReclaimPolicy").asText(), "a static volume's default");
    assertEquals("Filesystem", pv.path("spec").path("volumeMode").asText());
    expect(201, server.post(PVCS, claim("too-big", "manual", "5Gi", "")));
    expect(201, server.post(PVCS, claim("fits", "manual", "500Mi", ",\"selector\":{\"matchLabels\":{\"tier\":\"db\"}}")));

    await().atMost(WAIT).until(() -> "Bound".equals(phase(PVCS + "/fits")) && "Bound".equals(phase(PVS + "/manual-1g")));
    JsonNode fits = expect(200, server.get(PVCS + "/fits"));
    assertEquals("manual-1g", fits.path("spec").path("volumeName").asText());
    assertEquals("1Gi", fits.path("status").path("capacity").path("storage").asText(), "the volume's capacity");
    assertEquals("[\"ReadWriteOnce\",\"ReadOnlyMany\"]", fits.path("status").path("accessModes").toString());
    JsonNode ref = expect(200, server.get(PVS + "/manual-1g")).path("spec").path("claimRef");
    assertEquals(NS + "/fits/" + fits.path("metadata").path("uid").asText(),
        ref.path("namespace").asText() + "/" + ref.path("name").asText() + "/" + ref.path("uid").asText());

    // nothing can hold 5Gi of class "manual": Pending, with the reason as an event
    await().atMost(WAIT).until(() -> events("too-big").contains(
        "storageclass.storage.k8s.io \\\"manual\\\" not found"));
    assertEquals("Pending", phase(PVCS + "/too-big"));

    Result table = kubectl("-n", NS, "get", "pvc", "fits");
    assertEquals(0, table.exit(), table.err());
    assertTrue(table.out().matches("(?s)NAME\\s+STATUS\\s+VOLUME\\s+CAPACITY\\s+ACCESS MODES\\s+STORAGECLASS\\s+"
        + "VOLUMEATTRIBUTESCLASS\\s+AGE\\s+fits\\s+Bound\\s+manual-1g\\s+1Gi\\s+RWO,ROX\\s+manual\\s+<unset>\\s+\\S+\\s*"),
        table.out());

    Result deleted = kubectl("-n", NS, "delete", "pvc", "fits");
    assertEquals(0, deleted.exit(), deleted.err());
    await().atMost(WAIT).until(() -> "Released".equals(phase(PVS + "/manual-1g")));
    Result pvs = kubectl("get", "pv", "manual-1g");
    assertEquals(0, pvs.exit(), pvs.err());
    assertTrue(pvs.out().matches("(?s)NAME\\s+CAPACITY\\s+ACCESS MODES\\s+RECLAIM POLICY\\s+STATUS\\s+CLAIM\\s+"
        + "STORAGECLASS\\s+VOLUMEATTRIBUTESCLASS\\s+REASON\\s+AGE\\s+manual-1g\\s+1Gi\\s+RWO,ROX\\s+Retain\\s+Released\\s+"
        + "storage/fits\\s+manual\\s+<unset>\\s+\\S+\\s*"), pvs.out());
  }

  @Test
  void aClaimWithoutClassGetsTheDefaultAndItsVolumeFollowsTheFirstConsumer() throws Exception {
    expect(201, server.post(PVCS, """
        {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"data"},
         "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"64Mi"}}}}"""));
    JsonNode data = expect(200, server.get(PVCS + "/data"));
    assertEquals("local-path", data.path("spec").path("storageClassName").asText(), "the default class, at creation");
    assertEquals("[\"kubernetes.io/pvc-protection\"]", data.path("metadata").path("finalizers").toString());
    // WaitForFirstConsumer: nothing happens until a pod uses it
    await().atMost(WAIT).until(() -> events("data").contains("waiting for first consumer to be created before binding"));
    assertEquals("Pending", phase(PVCS + "/data"));

    expect(201, server.post(PODS, pod("user", "data")));
    await().atMost(WAIT).until(() -> "Bound".equals(phase(PVCS + "/data")));
    data = expect(200, server.get(PVCS + "/data"));
    String node = expect(200, server.get(PODS + "/user")).path("spec").path("nodeName").asText();
    assertEquals(node, data.path("metadata").path("annotations").path("volume.kubernetes.io/selected-node").asText());
    String volume = data.path("spec").path("volumeName").asText();
    assertEquals("pvc-" + data.path("metadata").path("uid").asText(), volume);
    JsonNode pv = expect(200, server.get(PVS + "/" + volume));
    assertEquals("Delete", pv.path("spec").path("persistentVolumeReclaimPolicy").asText(), "the class's policy");
    assertEquals("local-path", pv.path("spec").path("storageClassName").asText());
    assertEquals("64Mi", pv.path("spec").path("capacity").path("storage").asText());
    assertEquals("[\"" + node + "\"]", pv.path("spec").path("nodeAffinity").path("required").path("nodeSelectorTerms")
        .path(0).path("matchExpressions").path(0).path("values").toString());
    await().atMost(WAIT).until(() -> "Running".equals(phase(PODS + "/user")));

    // in use: the claim waits for its pod before it goes, then its provisioned volume goes too (Delete)
    expect(200, server.delete(PVCS + "/data"));
    assertTrue(expect(200, server.get(PVCS + "/data")).path("metadata").has("deletionTimestamp"));
    Result terminating = kubectl("-n", NS, "get", "pvc", "data");
    assertTrue(terminating.out().contains("Terminating"), terminating.out());
    expect(200, server.delete(PODS + "/user?gracePeriodSeconds=0"));
    await().atMost(WAIT).until(() -> server.get(PVCS + "/data").statusCode() == 404);
    await().atMost(WAIT).until(() -> server.get(PVS + "/" + volume).statusCode() == 404);
  }

  @Test
  void aPodWhoseClaimBindsAtOnceWaitsUnscheduledUntilItIsBound() throws Exception {
    expect(201, server.post(CLASSES, """
        {"apiVersion":"storage.k8s.io/v1","kind":"StorageClass","metadata":{"name":"remote"},
         "provisioner":"example.com/remote"}"""));
    assertEquals("Immediate", expect(200, server.get(CLASSES + "/remote")).path("volumeBindingMode").asText());
    expect(201, server.post(PVCS, claim("remote-data", "remote", "1Gi", "")));
    expect(201, server.post(PODS, pod("waiter", "remote-data")));
    await().atMost(WAIT).until(() -> events("waiter").contains("pod has unbound immediate PersistentVolumeClaims"));
    assertEquals("", expect(200, server.get(PODS + "/waiter")).path("spec").path("nodeName").asText());
    assertTrue(events("remote-data").contains("Waiting for a volume to be created either by the external provisioner "
        + "'example.com/remote'"), events("remote-data"));

    // the administrator makes a volume: the claim is bound, and the pod scheduled
    expect(201, server.post(PVS, """
        {"apiVersion":"v1","kind":"PersistentVolume","metadata":{"name":"remote-1"},
         "spec":{"capacity":{"storage":"2Gi"},"accessModes":["ReadWriteOnce"],"storageClassName":"remote",
          "persistentVolumeReclaimPolicy":"Delete","hostPath":{"path":"/tmp/remote-1"}}}"""));
    await().atMost(WAIT).until(() -> "Bound".equals(phase(PVCS + "/remote-data")));
    await().atMost(WAIT).until(() -> !expect(200, server.get(PODS + "/waiter")).path("spec").path("nodeName").asText()
        .isEmpty());
  }

  @Test
  void podsOfAClaimBoundToAVolumeWithNodeAffinityGoOnlyToThatNode() {
    JsonNode nodes = expect(200, server.get("/api/v1/nodes")).path("items");
    assertEquals(2, nodes.size());
    String pinned = nodes.path(1).path("metadata").path("name").asText();
    expect(201, server.post(PVS, """
        {"apiVersion":"v1","kind":"PersistentVolume","metadata":{"name":"pinned-disk"},
         "spec":{"capacity":{"storage":"1Gi"},"accessModes":["ReadWriteOnce"],"storageClassName":"pinned",
          "local":{"path":"/mnt/disks/one"},
          "nodeAffinity":{"required":{"nodeSelectorTerms":[{"matchExpressions":[
            {"key":"kubernetes.io/hostname","operator":"In","values":["%s"]}]}]}}}}""".formatted(pinned)));
    expect(201, server.post(PVCS, claim("pinned-data", "pinned", "1Gi", "")));
    await().atMost(WAIT).until(() -> "Bound".equals(phase(PVCS + "/pinned-data")));
    for (int i = 0; i < 4; i++) {
      expect(201, server.post(PODS, pod("pinned-" + i, "pinned-data")));
    }
    for (int i = 0; i < 4; i++) {
      String pod = PODS + "/pinned-" + i;
      await().atMost(WAIT).until(() -> !expect(200, server.get(pod)).path("spec").path("nodeName").asText().isEmpty());
      assertEquals(pinned, expect(200, server.get(pod)).path("spec").path("nodeName").asText(), pod);
    }
  }

  @Test
  void invalidObjectsAreRefusedNamingTheField() {
    String message = expect(422, server.post(PVCS, """
        {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"bad"},
         "spec":{"accessModes":["ReadWriteSometimes"]}}""")).path("message").asText();
    assertTrue(message.contains("spec.accessModes: Unsupported value: \"ReadWriteSometimes\""), message);
    assertTrue(message.contains("spec.resources[storage]: Required value"), message);
    expect(404, server.get(PVCS + "/bad"));
    message = expect(422, server.post(PVS, """
        {"apiVersion":"v1","kind":"PersistentVolume","metadata":{"name":"bad"},
         "spec":{"accessModes":["ReadWriteOnce"],"hostPath":{"path":"/tmp/bad"}}}""")).path("message").asText();
    assertTrue(message.contains("spec.capacity: Required value"), message);
    expect(404, server.get(PVS + "/bad"));
    message = expect(422, server.post(CLASSES, """
        {"apiVersion":"storage.k8s.io/v1","kind":"StorageClass","metadata":{"name":"bad"},
         "volumeBindingMode":"Eventually"}""")).path("message").asText();
    assertTrue(message.contains("provisioner: Required value"), message);
    assertTrue(message.contains("volumeBindingMode: Unsupported value: \"Eventually\""), message);
    expect(404, server.get(CLASSES + "/bad"));
    message = expect(422, server.patch(CLASSES + "/local-path", "application/merge-patch+json",
        "{\"provisioner\":\"example.com/other\",\"parameters\":{\"a\":\"b\"}}")).path("message").asText();
    assertTrue(message.contains("provisioner: Forbidden: updates to provisioner are forbidden."), message);
    assertTrue(message.contains("parameters: Forbidden: updates to parameters are forbidden."), message);
  }

  private static String claim(String name, String className, String storage, String more) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"PersistentVolumeClaim\",\"metadata\":{\"name\":\"" + name + "\"},"
        + "\"spec\":{\"accessModes\":[\"ReadWriteOnce\"],\"storageClassName\":\"" + className + "\","
        + "\"resources\":{\"requests\":{\"storage\":\"" + storage + "\"}}" + more + "}}";
  }

  private static String pod(String name, String claim) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{"
        + "\"containers\":[{\"name\":\"main\",\"image\":\"busybox\",\"volumeMounts\":[{\"name\":\"data\","
        + "\"mountPath\":\"/data\"}]}],\"volumes\":[{\"name\":\"data\",\"persistentVolumeClaim\":{\"claimName\":\""
        + claim + "\"}}]}}";
  }

  private static String phase(String path) {
    var r = server.get(path);
    return r.statusCode() == 200 ? TestServer.json(r).path("status").path("phase").asText() : "";
  }

  private static String events(String involved) {
    return server.get("/api/v1/namespaces/" + NS + "/events?fieldSelector=involvedObject.name=" + involved).body();
  }

  private static Result kubectl(String... args) throws Exception {
    return KubectlRunner.run(server.base, dataDir, args);
  }
}
