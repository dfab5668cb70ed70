package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.steuermann.http.KubectlRunner.Result;
import io.steuermann.node.NodeAgents;
import io.steuermann.node.NodeSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DaemonSets through the real API on three hollow nodes, with the controllers running: one pod
 * per node, placed by the scheduler through the pinning node affinity; nodeSelector; a node
 * joining and a node deleted; rolling updates observed through a watch (maxUnavailable, maxSurge);
 * OnDelete; the ControllerRevision history; and the real kubectl ({@code create -f}, {@code get
 * ds}, {@code set image}, {@code rollout status|history|undo}, {@code delete}).
 */
class DaemonSetsTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  static Path dataDir;
  static TestServer server;
  static List<String> nodes;

  @BeforeAll
  static void start() {
    server = TestServer.startWithNodes("DaemonSetsTest", TestServer.h2(dataDir).withFallback(ConfigFactory.parseString("""
        steuermann.controllers.enabled = true
        steuermann.node.hollow-nodes = 3
        steuermann.node.name-prefix = "ds-"
        steuermann.node.hollow.start-latency = 300ms
        """)));
    nodes = new ArrayList<>();
    for (JsonNode n : expect(200, server.get("/api/v1/nodes")).path("items")) {
      nodes.add(n.path("metadata").path("name").asText());
    }
    assertEquals(3, nodes.size(), nodes.toString());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static String ds(String name, String specExtra, String podSpecExtra, String image) {
    return """
        {"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"%s"},
         "spec":{"selector":{"matchLabels":{"app":"%s"}}%s,
          "template":{"metadata":{"labels":{"app":"%s"}},
           "spec":{"containers":[{"name":"main","image":"%s"}]%s}}}}""".formatted(name, name, specExtra, name, image,
        podSpecExtra);
  }

  private static String base(String ns) {
    return "/apis/apps/v1/namespaces/" + ns + "/daemonsets";
  }

  private static JsonNode create(String ns, String body) {
    server.namespace(ns);
    return expect(201, server.post(base(ns), body));
  }

  private static List<JsonNode> pods(String ns) {
    List<JsonNode> out = new ArrayList<>();
    expect(200, server.get("/api/v1/namespaces/" + ns + "/pods")).path("items").forEach(out::add);
    return out;
  }

  /** Node name -> image of the ready, not terminating pods of the namespace. */
  private static Map<String, String> readyPods(String ns) {
    Map<String, String> out = new TreeMap<>();
    for (JsonNode p : pods(ns)) {
      if (!p.path("metadata").has("deletionTimestamp") && ready(p) && !p.path("spec").path("nodeName").asText("").isEmpty()) {
        out.merge(p.path("spec").path("nodeName").asText(), p.path("spec").path("containers").path(0).path("image").asText(),
            (a, b) -> a + "+" + b);
      }
    }
    return out;
  }

  private static boolean ready(JsonNode pod) {
    for (JsonNode c : pod.path("status").path("conditions")) {
      if ("Ready".equals(c.path("type").asText())) {
        return "True".equals(c.path("status").asText());
      }
    }
    return false;
  }

  private static JsonNode status(String ns, String name) {
    return expect(200, server.get(base(ns) + "/" + name)).path("status");
  }

  /** Every listed node runs exactly one ready pod of {@code image}, and the status says the rollout is done. */
  private static void awaitRolledOut(String ns, String name, List<String> on, String image) {
    Map<String, String> wanted = new TreeMap<>();
    on.forEach(n -> wanted.put(n, image));
    await().atMost(WAIT).untilAsserted(() -> {
      assertEquals(wanted, readyPods(ns));
      JsonNode s = status(ns, name);
      assertEquals(on.size(), s.path("desiredNumberScheduled").asInt(), s.toString());
      assertEquals(on.size(), s.path("updatedNumberScheduled").asInt(), s.toString());
      assertEquals(on.size(), s.path("numberAvailable").asInt(), s.toString());
      assertEquals(0, s.path("numberUnavailable").asInt(), s.toString());
      assertEquals(pods(ns).size(), on.size(), "no pod left over");
    });
  }

  private static void setImage(String ns, String name, String image) {
    expect(200, server.patch(base(ns) + "/" + name, "application/strategic-merge-patch+json",
        "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"" + image + "\"}]}}}}"));
  }

  private static void labelNode(String node, String labels) {
    expect(200, server.patch("/api/v1/nodes/" + node, "application/merge-patch+json",
        "{\"metadata\":{\"labels\":" + labels + "}}"));
  }

  @Test
  void oneReadyPodPerNodePlacedThroughItsNodeAffinityAndARevision() {
    create("ds-basic", ds("agent", "", "", "agent:1"));
    awaitRolledOut("ds-basic", "agent", nodes, "agent:1");
    JsonNode s = status("ds-basic", "agent");
    assertEquals(3, s.path("currentNumberScheduled").asInt());
    assertEquals(3, s.path("numberReady").asInt());
    assertEquals(0, s.path("numberMisscheduled").asInt());
    assertEquals(1, s.path("observedGeneration").asInt());
    JsonNode revisions = expect(200, server.get("/apis/apps/v1/namespaces/ds-basic/controllerrevisions")).path("items");
    assertEquals(1, revisions.size(), revisions.toString());
    JsonNode revision = revisions.get(0);
    assertEquals(1, revision.path("revision").asInt());
    String hash = revision.path("metadata").path("labels").path("controller-revision-hash").asText();
    assertEquals("agent-" + hash, revision.path("metadata").path("name").asText());
    assertEquals("DaemonSet", revision.path("metadata").path("ownerReferences").path(0).path("kind").asText());
    for (JsonNode pod : pods("ds-basic")) {
      String name = pod.path("metadata").path("name").asText();
      assertTrue(name.matches("agent-[a-z0-9]{5}"), name);
      assertEquals(hash, pod.path("metadata").path("labels").path("controller-revision-hash").asText());
      assertEquals("1", pod.path("metadata").path("labels").path("pod-template-generation").asText());
      JsonNode term = pod.path("spec").path("affinity").path("nodeAffinity")
          .path("requiredDuringSchedulingIgnoredDuringExecution").path("nodeSelectorTerms").path(0).path("matchFields").path(0);
      assertEquals("metadata.name", term.path("key").asText());
      assertEquals(pod.path("spec").path("nodeName").asText(), term.path("values").path(0).asText(),
          "the scheduler bound the pod to the node its affinity names");
      Set<String> tolerated = new HashSet<>();
      pod.path("spec").path("tolerations").forEach(t -> tolerated.add(t.path("key").asText() + ":" + t.path("effect").asText()));
      assertTrue(tolerated.containsAll(Set.of("node.kubernetes.io/not-ready:NoExecute",
          "node.kubernetes.io/unreachable:NoExecute", "node.kubernetes.io/unschedulable:NoSchedule",
          "node.kubernetes.io/disk-pressure:NoSchedule")), tolerated.toString());
    }
    // deleting the DaemonSet takes its pods and its history with it
    expect(200, server.delete(base("ds-basic") + "/agent"));
    await().atMost(WAIT).until(() -> pods("ds-basic").isEmpty() && expect(200,
        server.get("/apis/apps/v1/namespaces/ds-basic/controllerrevisions")).path("items").isEmpty());
  }

  @Test
  void aNodeSelectorChoosesTheNodesAndAPodLeavesANodeThatStopsMatching() {
    labelNode(nodes.get(0), "{\"role\":\"edge\"}");
    try {
      create("ds-picky", ds("picky", "", ",\"nodeSelector\":{\"role\":\"edge\"}", "edge:1"));
      awaitRolledOut("ds-picky", "picky", List.of(nodes.get(0)), "edge:1");
      labelNode(nodes.get(1), "{\"role\":\"edge\"}");
      awaitRolledOut("ds-picky", "picky", List.of(nodes.get(0), nodes.get(1)), "edge:1");
      labelNode(nodes.get(0), "{\"role\":null}");
      awaitRolledOut("ds-picky", "picky", List.of(nodes.get(1)), "edge:1");
    } finally {
      labelNode(nodes.get(0), "{\"role\":null}");
      labelNode(nodes.get(1), "{\"role\":null}");
    }
  }

  @Test
  void aNewNodeGetsItsPodAndADeletedNodesPodGoes() throws Exception {
    create("ds-grow", ds("grow", "", "", "grow:1"));
    awaitRolledOut("ds-grow", "grow", nodes, "grow:1");
    Config nodeConfig = ConfigFactory.parseString("hollow-nodes = 1\nname-prefix = \"ds-extra-\"")
        .withFallback(server.system.settings().config().getConfig("steuermann.node"));
    NodeAgents extra = NodeAgents.start(server.system, server.engine, NodeSettings.fromConfig(nodeConfig));
    String added = extra.nodeNames().get(0);
    try {
      extra.whenAllRegistered().toCompletableFuture().get(60, TimeUnit.SECONDS);
      List<String> four = new ArrayList<>(nodes);
      four.add(added);
      awaitRolledOut("ds-grow", "grow", four, "grow:1");
    } finally {
      extra.stop();
      server.delete("/api/v1/nodes/" + added);
    }
    awaitRolledOut("ds-grow", "grow", nodes, "grow:1");
  }

  @Test
  void aRollingUpdateReplacesNodeByNodeWithinMaxUnavailable() {
    create("ds-roll", ds("roll", "", "", "roll:1"));
    awaitRolledOut("ds-roll", "roll", nodes, "roll:1");
    try (DaemonSetObserver o = new DaemonSetObserver(server.system, server.engine.cache(), "ds-roll",
        Set.copyOf(nodes), 1, 1)) {
      setImage("ds-roll", "roll", "roll:2");
      awaitRolledOut("ds-roll", "roll", nodes, "roll:2");
      System.out.println("[ds] maxUnavailable 1: " + o.summary());
      assertEquals(List.of(), o.violations());
      assertEquals(1, o.worstUnavailable(), "the update took nodes out one at a time");
    }
    assertEquals(2, expect(200, server.get("/apis/apps/v1/namespaces/ds-roll/controllerrevisions")).path("items").size());
  }

  @Test
  void withMaxSurgeTheNewPodIsReadyBeforeTheOldOneGoes() {
    create("ds-surge", ds("surge", ",\"updateStrategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":"
        + "{\"maxUnavailable\":0,\"maxSurge\":1}}", "", "surge:1"));
    awaitRolledOut("ds-surge", "surge", nodes, "surge:1");
    try (DaemonSetObserver o = new DaemonSetObserver(server.system, server.engine.cache(), "ds-surge",
        Set.copyOf(nodes), 0, 2)) {
      setImage("ds-surge", "surge", "surge:2");
      awaitRolledOut("ds-surge", "surge", nodes, "surge:2");
      System.out.println("[ds] maxSurge 1: " + o.summary());
      assertEquals(List.of(), o.violations());
      assertEquals(2, o.worstPerNode(), "a new pod ran beside the old one");
    }
  }

  @Test
  void onDeleteReplacesOnlyWhatIsDeleted() {
    String ns = "ds-ondelete";
    create(ns, ds("manual", ",\"updateStrategy\":{\"type\":\"OnDelete\"}", "", "manual:1"));
    awaitRolledOut(ns, "manual", nodes, "manual:1");
    setImage(ns, "manual", "manual:2");
    await().atMost(WAIT).until(() -> status(ns, "manual").path("observedGeneration").asInt() == 2);
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() ->
        readyPods(ns).values().stream().allMatch("manual:1"::equals) && readyPods(ns).size() == 3);
    assertEquals(0, status(ns, "manual").path("updatedNumberScheduled").asInt());
    JsonNode victim = pods(ns).get(0);
    String node = victim.path("spec").path("nodeName").asText();
    expect(200, server.delete("/api/v1/namespaces/" + ns + "/pods/" + victim.path("metadata").path("name").asText()));
    await().atMost(WAIT).until(() -> "manual:2".equals(readyPods(ns).get(node)) && readyPods(ns).size() == 3);
    Map<String, String> now = readyPods(ns);
    assertEquals(2, now.values().stream().filter("manual:1"::equals).count(), now.toString());
    await().atMost(WAIT).until(() -> status(ns, "manual").path("updatedNumberScheduled").asInt() == 1);
  }

  @Test
  void aDaemonSetDeletedWithOrphanLeavesItsPodsAndANewOneAdoptsThem() {
    String ns = "ds-adopt";
    create(ns, ds("keep", "", "", "keep:1"));
    awaitRolledOut(ns, "keep", nodes, "keep:1");
    Set<String> before = new HashSet<>();
    pods(ns).forEach(p -> before.add(p.path("metadata").path("name").asText()));
    expect(200, server.delete(base(ns) + "/keep?propagationPolicy=Orphan"));
    await().atMost(WAIT).until(() -> pods(ns).stream().allMatch(p -> p.path("metadata").path("ownerReferences").isEmpty()
        && !p.path("metadata").has("deletionTimestamp")) && pods(ns).size() == 3);
    expect(201, server.post(base(ns), ds("keep", "", "", "keep:1")));
    String uid = expect(200, server.get(base(ns) + "/keep")).path("metadata").path("uid").asText();
    await().atMost(WAIT).until(() -> pods(ns).stream().allMatch(p ->
        uid.equals(p.path("metadata").path("ownerReferences").path(0).path("uid").asText())));
    awaitRolledOut(ns, "keep", nodes, "keep:1");
    Set<String> after = new HashSet<>();
    pods(ns).forEach(p -> after.add(p.path("metadata").path("name").asText()));
    assertEquals(before, after, "the same pods, adopted, none replaced");
    JsonNode revisions = expect(200, server.get("/apis/apps/v1/namespaces/" + ns + "/controllerrevisions")).path("items");
    assertEquals(1, revisions.size(), "the orphaned revision is adopted, not duplicated: " + revisions);
    assertEquals(uid, revisions.get(0).path("metadata").path("ownerReferences").path(0).path("uid").asText());
  }

  @Test
  void aPodRelabelledOutOfTheSelectorIsReleasedAndReplaced() {
    String ns = "ds-release";
    create(ns, ds("free", "", "", "free:1"));
    awaitRolledOut(ns, "free", nodes, "free:1");
    JsonNode pod = pods(ns).get(0);
    String name = pod.path("metadata").path("name").asText();
    String node = pod.path("spec").path("nodeName").asText();
    expect(200, server.patch("/api/v1/namespaces/" + ns + "/pods/" + name, "application/merge-patch+json",
        "{\"metadata\":{\"labels\":{\"app\":\"debug\"}}}"));
    await().atMost(WAIT).until(() -> expect(200, server.get("/api/v1/namespaces/" + ns + "/pods/" + name))
        .path("metadata").path("ownerReferences").isEmpty());
    // its node gets a new pod of the DaemonSet; the released one keeps running
    await().atMost(WAIT).until(() -> pods(ns).stream().filter(p -> node.equals(p.path("spec").path("nodeName").asText())
        && ready(p)).count() == 2);
    await().atMost(WAIT).until(() -> status(ns, "free").path("numberReady").asInt() == 3);
  }

  @Test
  void badDaemonSetsAreRefusedNamingTheFieldAndNothingIsStored() {
    server.namespace("ds-bad");
    String path = base("ds-bad");
    JsonNode mismatch = expect(422, server.post(path, """
        {"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"bad"},
         "spec":{"selector":{"matchLabels":{"app":"a"}},"template":{"metadata":{"labels":{"app":"b"}},
          "spec":{"containers":[{"name":"main","image":"x"}]}}}}"""));
    assertEquals("spec.template.metadata.labels", mismatch.path("details").path("causes").path(0).path("field").asText(),
        mismatch.toString());
    JsonNode never = expect(422, server.post(path, ds("bad", "", ",\"restartPolicy\":\"Never\"", "x")));
    assertEquals("spec.template.spec.restartPolicy", never.path("details").path("causes").path(0).path("field").asText());
    JsonNode noSelector = expect(422, server.post(path, """
        {"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"bad"},
         "spec":{"template":{"metadata":{"labels":{"app":"b"}},"spec":{"containers":[{"name":"main","image":"x"}]}}}}"""));
    assertEquals("spec.selector", noSelector.path("details").path("causes").path(0).path("field").asText());
    assertEquals(404, server.get(path + "/bad").statusCode());
    expect(201, server.post(path, ds("good", "", ",\"nodeSelector\":{\"none\":\"here\"}", "x")));
    JsonNode immutable = expect(422, server.patch(path + "/good", "application/merge-patch+json",
        "{\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"good\",\"x\":\"y\"}},\"template\":{\"metadata\":"
            + "{\"labels\":{\"x\":\"y\"}}}}}"));
    assertEquals("spec.selector", immutable.path("details").path("causes").path(0).path("field").asText(),
        immutable.toString());
  }

  @Test
  void kubectlCreatesRollsOutShowsHistoryAndUndoes() throws Exception {
    server.namespace("ds-kubectl");
    Path manifest = dataDir.resolve("ds.yaml");
    Files.writeString(manifest, """
        apiVersion: apps/v1
        kind: DaemonSet
        metadata:
          name: logs
          namespace: ds-kubectl
        spec:
          selector:
            matchLabels: {app: logs}
          template:
            metadata:
              labels: {app: logs}
            spec:
              containers:
              - name: shipper
                image: shipper:1
        """);
    Result created = kubectl("create", "-f", manifest.toString());
    assertEquals(0, created.exit(), created.err());
    assertTrue(created.out().contains("daemonset.apps/logs created"), created.out());
    Result status = kubectl("-n", "ds-kubectl", "rollout", "status", "daemonset/logs", "--timeout=60s");
    assertEquals(0, status.exit(), status.err());
    assertTrue(status.out().contains("daemon set \"logs\" successfully rolled out"), status.out());
    Result get = kubectl("-n", "ds-kubectl", "get", "ds");
    assertEquals(0, get.exit(), get.err());
    assertTrue(get.out().startsWith("NAME   DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR   AGE"),
        get.out());
    assertTrue(get.out().matches("(?s).*\\nlogs   3         3         3       3            3           <none>          .*"),
        get.out());

    Result describe = kubectl("-n", "ds-kubectl", "describe", "ds", "logs");
    assertEquals(0, describe.exit(), describe.err());
    assertTrue(describe.out().contains("Desired Number of Nodes Scheduled: 3"), describe.out());
    assertTrue(describe.out().contains("Pods Status:  3 Running / 0 Waiting / 0 Succeeded / 0 Failed"), describe.out());

    Result set = kubectl("-n", "ds-kubectl", "set", "image", "ds/logs", "shipper=shipper:2");
    assertEquals(0, set.exit(), set.err());
    status = kubectl("-n", "ds-kubectl", "rollout", "status", "daemonset/logs", "--timeout=60s");
    assertEquals(0, status.exit(), status.err());
    assertTrue(status.out().contains("successfully rolled out"), status.out());
    awaitRolledOut("ds-kubectl", "logs", nodes, "shipper:2");

    Result history = kubectl("-n", "ds-kubectl", "rollout", "history", "daemonset/logs");
    assertEquals(0, history.exit(), history.err());
    assertTrue(history.out().matches("(?s).*REVISION\\s+CHANGE-CAUSE\\s+1\\s+<none>\\s+2\\s+<none>.*"), history.out());
    Result one = kubectl("-n", "ds-kubectl", "rollout", "history", "daemonset/logs", "--revision=1");
    assertEquals(0, one.exit(), one.err());
    assertTrue(one.out().contains("shipper:1"), one.out());

    Result undo = kubectl("-n", "ds-kubectl", "rollout", "undo", "daemonset/logs");
    assertEquals(0, undo.exit(), undo.err());
    assertTrue(undo.out().contains("daemonset.apps/logs rolled back"), undo.out());
    awaitRolledOut("ds-kubectl", "logs", nodes, "shipper:1");
    history = kubectl("-n", "ds-kubectl", "rollout", "history", "daemonset/logs");
    assertTrue(history.out().matches("(?s).*REVISION\\s+CHANGE-CAUSE\\s+2\\s+<none>\\s+3\\s+<none>.*"), history.out());
    Result revisions = kubectl("-n", "ds-kubectl", "get", "controllerrevisions");
    assertEquals(0, revisions.exit(), revisions.err());
    assertTrue(revisions.out().contains("daemonset.apps/logs   3"), revisions.out());

    Result delete = kubectl("-n", "ds-kubectl", "delete", "ds", "logs");
    assertEquals(0, delete.exit(), delete.err());
    await().atMost(WAIT).until(() -> pods("ds-kubectl").isEmpty());
  }

  private static Result kubectl(String... args) throws Exception {
    return KubectlRunner.run(server.base, dataDir, args);
  }
}
