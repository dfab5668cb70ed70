package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.steuermann.http.KubectlRunner.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * StatefulSets through the real API on two hollow nodes (each pod takes 2 s to become Ready),
 * with the controllers running: pods made one at a time in ordinal order, each after its
 * predecessor is Ready, or all at once (Parallel); stable names, hostnames and the headless
 * Service's per-pod records; a claim per pod and template, kept across scaling (Retain) or taken
 * with the pod and the set (Delete); scale down from the highest ordinal; a rolling update held
 * at its partition, then rolled from the highest ordinal down; and the real kubectl
 * ({@code create -f}, {@code get sts}, {@code scale}, {@code rollout status|history|undo}).
 */
class StatefulSetsTest {
  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.startWithNodes("StatefulSetsTest", TestServer.h2(dataDir).withFallback(
        ConfigFactory.parseString("""
            steuermann.controllers.enabled = true
            steuermann.node.hollow-nodes = 2
            steuermann.node.name-prefix = "sts-"
            steuermann.node.hollow.start-latency = 2s
            """)));
    await().atMost(WAIT).until(() -> server.get("/apis/storage.k8s.io/v1/storageclasses/local-path").statusCode() == 200);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static String sets(String ns) {
    return "/apis/apps/v1/namespaces/" + ns + "/statefulsets";
  }

  private static String manifest(String name, int replicas, String extraSpec) {
    return """
        apiVersion: v1
        kind: Service
        metadata:
          name: %1$s
        spec:
          clusterIP: None
          selector:
            app: %1$s
          ports:
          - name: web
            port: 80
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: %1$s
        spec:
          serviceName: %1$s
          replicas: %2$d
        %3$s
          selector:
            matchLabels:
              app: %1$s
          template:
            metadata:
              labels:
                app: %1$s
            spec:
              containers:
              - name: nginx
                image: nginx:1.25
                ports:
                - containerPort: 80
                  name: web
                volumeMounts:
                - name: www
                  mountPath: /usr/share/nginx/html
          volumeClaimTemplates:
          - metadata:
              name: www
            spec:
              accessModes: ["ReadWriteOnce"]
              resources:
                requests:
                  storage: 1Gi
        """.formatted(name, replicas, extraSpec.indent(2).stripTrailing());
  }

  private static void create(String ns, String yaml) throws Exception {
    server.namespace(ns);
    Path file = Files.writeString(dataDir.resolve(ns + ".yaml"), yaml);
    Result created = kubectl("-n", ns, "create", "-f", file.toString());
    assertEquals(0, created.exit(), created.err());
  }

  /** Pod name -> pod, of the namespace. */
  private static Map<String, JsonNode> pods(String ns) {
    Map<String, JsonNode> out = new TreeMap<>();
    expect(200, server.get("/api/v1/namespaces/" + ns + "/pods")).path("items")
        .forEach(p -> out.put(p.path("metadata").path("name").asText(), p));
    return out;
  }

  private static Map<String, JsonNode> claims(String ns) {
    Map<String, JsonNode> out = new TreeMap<>();
    expect(200, server.get("/api/v1/namespaces/" + ns + "/persistentvolumeclaims")).path("items")
        .forEach(p -> out.put(p.path("metadata").path("name").asText(), p));
    return out;
  }

  private static Instant readySince(JsonNode pod) {
    for (JsonNode c : pod.path("status").path("conditions")) {
      if ("Ready".equals(c.path("type").asText()) && "True".equals(c.path("status").asText())) {
        return Instant.parse(c.path("lastTransitionTime").asText());
      }
    }
    return null;
  }

  private static Instant created(JsonNode pod) {
    return Instant.parse(pod.path("metadata").path("creationTimestamp").asText());
  }

  private static JsonNode status(String ns, String name) {
    return expect(200, server.get(sets(ns) + "/" + name)).path("status");
  }

  private static void awaitReady(String ns, String name, int replicas) {
    await().atMost(WAIT).untilAsserted(() -> {
      JsonNode s = status(ns, name);
      assertEquals(replicas, s.path("readyReplicas").asInt(), s.toString());
      assertEquals(replicas, s.path("replicas").asInt(), s.toString());
      assertEquals(replicas, s.path("updatedReplicas").asInt(), s.toString());
      assertEquals(pods(ns).size(), replicas, "no pod left over: " + pods(ns).keySet());
    });
  }

  private static String image(JsonNode pod) {
    return pod.path("spec").path("containers").path(0).path("image").asText();
  }

  @Test
  void podsAreMadeInOrderWithStableIdentityAndClaimsThatOutliveThem() throws Exception {
    String ns = "ordered";
    create(ns, manifest("web", 3, ""));
    awaitReady(ns, "web", 3);
    Map<String, JsonNode> pods = pods(ns);
    assertEquals(List.of("web-0", "web-1", "web-2"), List.copyOf(pods.keySet()));
    for (int i = 1; i < 3; i++) {
      // OrderedReady: a pod is created only once its predecessor is Ready
      Instant before = readySince(pods.get("web-" + (i - 1)));
      assertFalse(created(pods.get("web-" + i)).isBefore(before), "web-" + i + " made before web-" + (i - 1)
          + " was Ready");
    }
    JsonNode web1 = pods.get("web-1");
    assertEquals("web-1", web1.path("spec").path("hostname").asText());
    assertEquals("web", web1.path("spec").path("subdomain").asText());
    assertEquals("web-1", web1.path("metadata").path("labels").path("statefulset.kubernetes.io/pod-name").asText());
    assertEquals("1", web1.path("metadata").path("labels").path("apps.kubernetes.io/pod-index").asText());
    JsonNode s = status(ns, "web");
    assertEquals(s.path("updateRevision").asText(), web1.path("metadata").path("labels")
        .path("controller-revision-hash").asText());
    assertEquals(s.path("currentRevision").asText(), s.path("updateRevision").asText());
    assertTrue(s.path("updateRevision").asText().startsWith("web-"), s.toString());
    assertEquals("www-web-1", web1.path("spec").path("volumes").path(0).path("persistentVolumeClaim")
        .path("claimName").asText(), web1.path("spec").toString());
    await().atMost(WAIT).untilAsserted(() -> {
      Map<String, JsonNode> claims = claims(ns);
      assertEquals(List.of("www-web-0", "www-web-1", "www-web-2"), List.copyOf(claims.keySet()));
      claims.values().forEach(c -> assertEquals("Bound", c.path("status").path("phase").asText(), c.toString()));
      assertEquals("web", claims.get("www-web-0").path("metadata").path("labels").path("app").asText());
    });
    // the headless Service's endpoints name each pod: the cluster DNS answers web-1.web.ordered.svc
    await().atMost(WAIT).untilAsserted(() -> {
      List<String> hostnames = new ArrayList<>();
      expect(200, server.get("/api/v1/namespaces/" + ns + "/endpoints/web")).path("subsets").path(0).path("addresses")
          .forEach(a -> hostnames.add(a.path("hostname").asText()));
      hostnames.sort(String::compareTo);
      assertEquals(List.of("web-0", "web-1", "web-2"), hostnames);
    });

    Result table = kubectl("-n", ns, "get", "sts");
    assertEquals(0, table.exit(), table.err());
    assertTrue(table.out().matches("(?s)NAME\\s+READY\\s+AGE\\s+web\\s+3/3\\s+\\S+\\s*"), table.out());
    Result describe = kubectl("-n", ns, "describe", "sts", "web");
    assertEquals(0, describe.exit(), describe.err());
    assertTrue(describe.out().contains("Pods Status:") && describe.out().contains("3 Running"), describe.out());
    Result wide = kubectl("-n", ns, "get", "statefulset", "web", "-o", "wide");
    assertTrue(wide.out().matches("(?s)NAME\\s+READY\\s+AGE\\s+CONTAINERS\\s+IMAGES\\s+web\\s+3/3\\s+\\S+\\s+nginx\\s+"
        + "nginx:1\\.25\\s*"), wide.out());

    // a deleted pod comes back under its name, with its claim
    String claimUid = claims(ns).get("www-web-1").path("metadata").path("uid").asText();
    String podUid = web1.path("metadata").path("uid").asText();
    expect(200, server.delete("/api/v1/namespaces/" + ns + "/pods/web-1"));
    await().atMost(WAIT).untilAsserted(() -> {
      JsonNode again = pods(ns).get("web-1");
      assertTrue(again != null && !again.path("metadata").path("uid").asText().equals(podUid));
      assertTrue(readySince(again) != null);
    });
    assertEquals(claimUid, claims(ns).get("www-web-1").path("metadata").path("uid").asText());

    // scale down: the highest ordinal goes first, one at a time; the claims stay (Retain)
    Result scaled = kubectl("-n", ns, "scale", "sts", "web", "--replicas=1");
    assertEquals(0, scaled.exit(), scaled.err());
    List<List<String>> seen = new ArrayList<>();
    await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
      List<String> names = List.copyOf(pods(ns).keySet());
      seen.add(names);
      return names.equals(List.of("web-0"));
    });
    for (List<String> names : seen) {
      assertTrue(!names.contains("web-2") || names.contains("web-1"), "web-1 went before web-2: " + seen);
    }
    awaitReady(ns, "web", 1);
    assertEquals(List.of("www-web-0", "www-web-1", "www-web-2"), List.copyOf(claims(ns).keySet()));
    kubectl("-n", ns, "scale", "sts", "web", "--replicas=3");
    awaitReady(ns, "web", 3);
    assertEquals(claimUid, claims(ns).get("www-web-1").path("metadata").path("uid").asText(), "the same claim again");
  }

  @Test
  void aPartitionedRollingUpdateThenRolloutStatusHistoryAndUndo() throws Exception {
    String ns = "rolling";
    create(ns, manifest("web", 3, """
        updateStrategy:
          type: RollingUpdate
          rollingUpdate:
            partition: 2"""));
    awaitReady(ns, "web", 3);
    Result status = kubectl("-n", ns, "rollout", "status", "sts/web", "--timeout=60s");
    assertEquals(0, status.exit(), status.err());
    String first = status(ns, "web").path("currentRevision").asText();
    Result set = kubectl("-n", ns, "set", "image", "sts/web", "nginx=nginx:1.26");
    assertEquals(0, set.exit(), set.err());
    // only the ordinals at or above the partition take the new template
    await().atMost(WAIT).untilAsserted(() -> {
      JsonNode s = status(ns, "web");
      assertEquals(1, s.path("updatedReplicas").asInt(), s.toString());
      assertEquals(3, s.path("readyReplicas").asInt(), s.toString());
    });
    status = kubectl("-n", ns, "rollout", "status", "sts/web", "--timeout=60s");
    assertEquals(0, status.exit(), status.err());
    assertTrue(status.out().contains("partitioned roll out complete: 1 new pods have been updated..."), status.out());
    Map<String, JsonNode> pods = pods(ns);
    assertEquals("nginx:1.25", image(pods.get("web-0")));
    assertEquals("nginx:1.25", image(pods.get("web-1")));
    assertEquals("nginx:1.26", image(pods.get("web-2")));
    JsonNode s = status(ns, "web");
    assertEquals(first, s.path("currentRevision").asText(), "a partitioned update leaves the current revision");
    assertFalse(first.equals(s.path("updateRevision").asText()));
    // a pod below the partition deleted comes back at the current revision
    expect(200, server.delete("/api/v1/namespaces/" + ns + "/pods/web-0"));
    await().atMost(WAIT).untilAsserted(() -> assertEquals(3, status(ns, "web").path("readyReplicas").asInt()));
    await().atMost(WAIT).untilAsserted(() -> assertEquals("nginx:1.25", image(pods(ns).get("web-0"))));

    expect(200, server.patch(sets(ns) + "/web", "application/merge-patch+json",
        "{\"spec\":{\"updateStrategy\":{\"rollingUpdate\":{\"partition\":0}}}}"));
    status = kubectl("-n", ns, "rollout", "status", "sts/web", "--timeout=80s");
    assertEquals(0, status.exit(), status.err());
    awaitReady(ns, "web", 3);
    pods = pods(ns);
    for (String p : pods.keySet()) {
      assertEquals("nginx:1.26", image(pods.get(p)), p);
    }
    // rolled from the highest ordinal down: web-1 remade before web-0
    assertFalse(created(pods.get("web-0")).isBefore(readySince(pods.get("web-1"))), pods.toString());
    s = status(ns, "web");
    assertEquals(s.path("updateRevision").asText(), s.path("currentRevision").asText(), s.toString());

    Result history = kubectl("-n", ns, "rollout", "history", "sts/web");
    assertEquals(0, history.exit(), history.err());
    assertTrue(history.out().matches("(?s).*REVISION.*\\n1\\s.*\\n2\\s.*"), history.out());
    Result undo = kubectl("-n", ns, "rollout", "undo", "sts/web");
    assertEquals(0, undo.exit(), undo.err());
    assertTrue(undo.out().contains("rolled back"), undo.out());
    status = kubectl("-n", ns, "rollout", "status", "sts/web", "--timeout=80s");
    assertEquals(0, status.exit(), status.err());
    await().atMost(WAIT).untilAsserted(() -> {
      Map<String, JsonNode> now = pods(ns);
      assertEquals(3, now.size());
      now.values().forEach(p -> assertEquals("nginx:1.25", image(p), p.toString()));
      JsonNode st = status(ns, "web");
      assertEquals(first, st.path("updateRevision").asText(), "the old revision is the update revision again");
      assertEquals(3, st.path("readyReplicas").asInt());
    });
  }

  @Test
  void parallelPodsAndClaimsDeletedAsTheRetentionPolicySays() throws Exception {
    String ns = "parallel";
    create(ns, manifest("db", 3, """
        podManagementPolicy: Parallel
        persistentVolumeClaimRetentionPolicy:
          whenScaled: Delete
          whenDeleted: Delete"""));
    awaitReady(ns, "db", 3);
    Map<String, JsonNode> pods = pods(ns);
    // all made at once: the last before the first was Ready
    assertTrue(created(pods.get("db-2")).isBefore(readySince(pods.get("db-0"))), pods.toString());
    await().atMost(WAIT).untilAsserted(() -> assertEquals(List.of("www-db-0", "www-db-1", "www-db-2"),
        List.copyOf(claims(ns).keySet())));
    JsonNode owner = claims(ns).get("www-db-0").path("metadata").path("ownerReferences").path(0);
    assertEquals("StatefulSet", owner.path("kind").asText(), owner.toString());
    await().atMost(WAIT).untilAsserted(() -> claims(ns).values().forEach(c -> assertEquals("Bound",
        c.path("status").path("phase").asText())));
    // the owner references are written once, not again at every reconcile
    String rv = claims(ns).get("www-db-0").path("metadata").path("resourceVersion").asText();
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() ->
        rv.equals(claims(ns).get("www-db-0").path("metadata").path("resourceVersion").asText()));

    Result scaled = kubectl("-n", ns, "scale", "sts", "db", "--replicas=1");
    assertEquals(0, scaled.exit(), scaled.err());
    await().atMost(WAIT).untilAsserted(() -> {
      assertEquals(List.of("db-0"), List.copyOf(pods(ns).keySet()));
      assertEquals(List.of("www-db-0"), List.copyOf(claims(ns).keySet()), "the scaled-away pods' claims went with them");
    });
    Result deleted = kubectl("-n", ns, "delete", "sts", "db");
    assertEquals(0, deleted.exit(), deleted.err());
    await().atMost(WAIT).untilAsserted(() -> {
      assertEquals(Map.of(), pods(ns));
      assertEquals(Map.of(), claims(ns), "whenDeleted: Delete");
    });
  }

  @Test
  void onDeleteReplacesOnlyWhatIsDeleted() throws Exception {
    String ns = "ondelete";
    create(ns, manifest("od", 2, """
        podManagementPolicy: Parallel
        updateStrategy:
          type: OnDelete"""));
    awaitReady(ns, "od", 2);
    Result set = kubectl("-n", ns, "set", "image", "sts/od", "nginx=nginx:1.26");
    assertEquals(0, set.exit(), set.err());
    await().atMost(WAIT).untilAsserted(() -> {
      JsonNode s = status(ns, "od");
      assertFalse(s.path("currentRevision").asText().equals(s.path("updateRevision").asText()), s.toString());
      assertEquals(0, s.path("updatedReplicas").asInt(), s.toString());
    });
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() ->
        pods(ns).values().stream().allMatch(p -> "nginx:1.25".equals(image(p))));
    expect(200, server.delete("/api/v1/namespaces/" + ns + "/pods/od-1"));
    await().atMost(WAIT).untilAsserted(() -> {
      Map<String, JsonNode> now = pods(ns);
      assertEquals("nginx:1.26", image(now.get("od-1")), "made again from the update revision");
      assertEquals("nginx:1.25", image(now.get("od-0")));
      assertEquals(1, status(ns, "od").path("updatedReplicas").asInt());
      assertEquals(2, status(ns, "od").path("readyReplicas").asInt());
    });
  }

  @Test
  void aSetMadeAgainAdoptsThePodsAnOrphaningDeleteLeft() throws Exception {
    String ns = "orphans";
    create(ns, manifest("keep", 2, "podManagementPolicy: Parallel"));
    awaitReady(ns, "keep", 2);
    Map<String, String> uids = new TreeMap<>();
    pods(ns).forEach((name, pod) -> uids.put(name, pod.path("metadata").path("uid").asText()));
    Result orphaned = kubectl("-n", ns, "delete", "sts", "keep", "--cascade=orphan");
    assertEquals(0, orphaned.exit(), orphaned.err());
    await().atMost(WAIT).untilAsserted(() -> {
      assertEquals(404, server.get(sets(ns) + "/keep").statusCode());
      pods(ns).values().forEach(p -> assertTrue(p.path("metadata").path("ownerReferences").isEmpty(), p.toString()));
    });
    String yaml = manifest("keep", 2, "podManagementPolicy: Parallel");
    // the StatefulSet alone (its Service is still there)
    Path file = Files.writeString(dataDir.resolve(ns + "-again.yaml"), yaml.substring(yaml.indexOf("---\n") + 4));
    Result again = kubectl("-n", ns, "create", "-f", file.toString());
    assertEquals(0, again.exit(), again.err());
    String uid = expect(200, server.get(sets(ns) + "/keep")).path("metadata").path("uid").asText();
    await().atMost(WAIT).untilAsserted(() -> {
      Map<String, JsonNode> now = pods(ns);
      assertEquals(uids.keySet(), now.keySet());
      now.forEach((name, p) -> {
        assertEquals(uids.get(name), p.path("metadata").path("uid").asText(), "the same pod, adopted");
        assertEquals(uid, p.path("metadata").path("ownerReferences").path(0).path("uid").asText(), p.toString());
      });
      assertEquals(2, status(ns, "keep").path("readyReplicas").asInt());
    });
  }

  @Test
  void invalidStatefulSetsAreRefusedNamingTheField() throws Exception {
    String ns = "invalid";
    server.namespace(ns);
    String body = """
        {"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"bad"},
         "spec":{"serviceName":"bad","selector":{"matchLabels":{"app":"bad"}},%s
          "template":{"metadata":{"labels":{"app":"%s"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}""";
    String message = expect(422, server.post(sets(ns), body.formatted("", "other"))).path("message").asText();
    assertTrue(message.contains("spec.template.metadata.labels: Invalid value") && message.contains(
        "`selector` does not match template `labels`"), message);
    message = expect(422, server.post(sets(ns), body.formatted("\"podManagementPolicy\":\"Random\",", "bad")))
        .path("message").asText();
    assertTrue(message.contains("spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or "
        + "'Parallel'"), message);
    message = expect(422, server.post(sets(ns), body.formatted(
        "\"volumeClaimTemplates\":[{\"metadata\":{\"name\":\"data\"},\"spec\":{\"accessModes\":[\"ReadWriteOnce\"]}}],",
        "bad"))).path("message").asText();
    assertTrue(message.contains("spec.volumeClaimTemplates[0].spec.resources[storage]: Required value"), message);
    assertEquals(404, server.get(sets(ns) + "/bad").statusCode(), "nothing stored");
    expect(201, server.post(sets(ns), body.formatted("\"replicas\":0,", "bad")));
    message = expect(422, server.patch(sets(ns) + "/bad", "application/merge-patch+json",
        "{\"spec\":{\"serviceName\":\"other\"}}")).path("message").asText();
    assertTrue(message.contains("spec: Forbidden: updates to statefulset spec for fields other than 'replicas'"),
        message);
  }

  private static Result kubectl(String... args) throws Exception {
    return KubectlRunner.run(server.base, dataDir, args);
  }
}
