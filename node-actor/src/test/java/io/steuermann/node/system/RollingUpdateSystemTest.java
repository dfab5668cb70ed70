package io.steuermann.node.system;

import static io.steuermann.node.system.SystemCluster.WAIT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.api.Rollbacks;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rolling updates and rollback of a Deployment of 6 on 3 hollow nodes whose containers take
 * 150 ms to start and whose pods become Ready 1 s after (readinessProbe initialDelaySeconds 1),
 * so a rollout takes several steps; the maxSurge / maxUnavailable bounds are checked at every
 * watch event.
 */
class RollingUpdateSystemTest {
  private static final String STRATEGY = """
      , "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 1}}""";
  private static ProbeTarget probed;
  private static String PROBE;

  private static SystemCluster cluster;

  @BeforeAll
  static void start() throws java.io.IOException {
    probed = new ProbeTarget();
    PROBE = probed.readinessProbe(1);
    cluster = SystemCluster.start("rolling-update");
    cluster.hollow("hollow-nodes = 3, name-prefix = \"roll-\", hollow.start-latency = 150ms");
  }

  @AfterAll
  static void stop() throws java.io.IOException {
    if (cluster != null) {
      cluster.close();
    }
    probed.close();
  }

  private ObjectNode deploy(String namespace, String image) {
    cluster.namespace(namespace);
    ObjectNode d = cluster.create(SystemCluster.deployment(namespace, "web", 6, image, STRATEGY, PROBE));
    cluster.awaitRolledOut(namespace, "web", 6, image);
    return d;
  }

  private void setImage(ObjectKey key, String image) {
    cluster.mergePatch(key, """
        {"spec": {"template": {"spec": {"containers": [{"name": "main", "image": "%s"%s}]}}}}"""
        .formatted(image, PROBE));
  }

  private static void assertCompleted(ObjectNode deployment, String revision) {
    var status = deployment.path("status");
    assertEquals(6, status.path("replicas").asInt(), status.toString());
    assertEquals(6, status.path("updatedReplicas").asInt(), status.toString());
    assertEquals(6, status.path("readyReplicas").asInt(), status.toString());
    assertEquals(6, status.path("availableReplicas").asInt(), status.toString());
    assertEquals(0, status.path("unavailableReplicas").asInt(0), status.toString());
    assertEquals(Meta.generation(deployment), status.path("observedGeneration").asLong(), status.toString());
    assertEquals("True", SystemCluster.condition(status, "Available", "status"), status.toString());
    assertEquals("True", SystemCluster.condition(status, "Progressing", "status"), status.toString());
    assertEquals("NewReplicaSetAvailable", SystemCluster.condition(status, "Progressing", "reason"),
        status.toString());
    assertEquals(revision, SystemCluster.revision(deployment));
  }

  /** Waits until the rollout is complete as {@code kubectl rollout status} sees it. */
  private ObjectNode awaitComplete(ObjectKey key, String image, String revision) {
    cluster.awaitRolledOut(key.namespace(), key.name(), 6, image);
    await().atMost(WAIT).until(() -> {
      ObjectNode d = cluster.cached(key);
      return "NewReplicaSetAvailable".equals(SystemCluster.condition(d.path("status"), "Progressing", "reason"))
          && revision.equals(SystemCluster.revision(d));
    });
    return cluster.cached(key);
  }

  @Test
  void aRollingUpdateObservedThroughAWatchKeepsWithinMaxSurgeAndMaxUnavailable() {
    ObjectNode deployment = deploy("rolling", "nginx:1.26");
    ObjectKey key = ObjectKey.of(Kind.DEPLOYMENT, "rolling", "web");
    assertEquals("1", SystemCluster.revision(cluster.cached(key)));
    ObjectNode oldRs = cluster.replicaSetsOf(deployment).get(0);

    long begin = System.nanoTime();
    RolloutObserver observer;
    try (RolloutObserver o = new RolloutObserver(cluster.system, cluster.engine.cache(), "rolling", "web", 6, 1, 1)) {
      observer = o;
      setImage(key, "nginx:1.27");
      ObjectNode done = awaitComplete(key, "nginx:1.27", "2");
      System.out.printf("[system] rolling update of 6 done in %d ms; %s%n",
          (System.nanoTime() - begin) / 1_000_000, o.summary());
      o.scaleLog().forEach(line -> System.out.println("[system]   scaled " + line));
      assertEquals(List.of(), o.violations(), "rolling update bounds");
      assertCompleted(done, "2");
    }

    List<ObjectNode> replicaSets = cluster.replicaSetsOf(deployment);
    assertEquals(2, replicaSets.size(), replicaSets.toString());
    Map<String, ObjectNode> byName = replicaSets.stream().collect(Collectors.toMap(Meta::name, rs -> rs));
    ObjectNode old = byName.get(Meta.name(oldRs));
    assertEquals(0, old.path("spec").path("replicas").asInt(), "old ReplicaSet scaled to 0");
    ObjectNode newRs = replicaSets.stream().filter(rs -> !Meta.name(rs).equals(Meta.name(oldRs))).findFirst()
        .orElseThrow();
    assertEquals(6, newRs.path("spec").path("replicas").asInt());
    assertEquals("2", SystemCluster.revision(newRs));
    assertEquals("1", SystemCluster.revision(old));
    assertEquals("nginx:1.27", SystemCluster.image(newRs.path("spec").path("template")));
    await().atMost(WAIT).until(() -> cluster.cached(ObjectKey.of(Kind.REPLICA_SET, "rolling", Meta.name(oldRs)))
        .path("status").path("replicas").asInt() == 0);
    Set<String> images = cluster.list(Kind.POD, "rolling", "app=web").stream().map(SystemCluster::image)
        .collect(Collectors.toSet());
    assertEquals(Set.of("nginx:1.27"), images);
    // the rollout took steps: the new ReplicaSet grew more than once
    List<Integer> newSteps = observer.scaleSteps().get(Meta.name(newRs));
    assertTrue(newSteps != null && newSteps.size() >= 3, "new ReplicaSet's scale steps: " + observer.scaleSteps());
  }

  @Test
  void rollbackRestoresThePreviousTemplateWithTheOldReplicaSetAsRevisionThree() {
    ObjectNode deployment = deploy("rollback", "nginx:1.26");
    ObjectKey key = ObjectKey.of(Kind.DEPLOYMENT, "rollback", "web");
    ObjectNode firstRs = cluster.replicaSetsOf(deployment).get(0);
    setImage(key, "nginx:1.27");
    awaitComplete(key, "nginx:1.27", "2");
    ObjectNode secondRs = cluster.replicaSetsOf(deployment).stream()
        .filter(rs -> !Meta.name(rs).equals(Meta.name(firstRs))).findFirst().orElseThrow();

    long begin = System.nanoTime();
    try (RolloutObserver o = new RolloutObserver(cluster.system, cluster.engine.cache(), "rollback", "web", 6, 1, 1)) {
      ObjectNode patched = SystemCluster.done(Rollbacks.rollback(cluster.engine.store(), cluster.engine.cache(), key, 0));
      assertEquals("nginx:1.26", patched.path("spec").path("template").path("spec").path("containers").path(0)
          .path("image").asText(), "the Deployment's template is the previous one again");
      ObjectNode done = awaitComplete(key, "nginx:1.26", "3");
      System.out.printf("[system] rollback of 6 done in %d ms; %s%n", (System.nanoTime() - begin) / 1_000_000,
          o.summary());
      o.scaleLog().forEach(line -> System.out.println("[system]   scaled " + line));
      assertEquals(List.of(), o.violations(), "rollback bounds");
      assertCompleted(done, "3");
    }

    List<ObjectNode> replicaSets = cluster.replicaSetsOf(deployment);
    assertEquals(Set.of(Meta.name(firstRs), Meta.name(secondRs)),
        replicaSets.stream().map(Meta::name).collect(Collectors.toSet()), "no third ReplicaSet: the old one is reused");
    ObjectNode first = cluster.cached(ObjectKey.of(Kind.REPLICA_SET, "rollback", Meta.name(firstRs)));
    ObjectNode second = cluster.cached(ObjectKey.of(Kind.REPLICA_SET, "rollback", Meta.name(secondRs)));
    assertEquals(6, first.path("spec").path("replicas").asInt(), "the old ReplicaSet is scaled back up");
    assertEquals("3", SystemCluster.revision(first), "the old ReplicaSet gets the next revision");
    assertEquals(0, second.path("spec").path("replicas").asInt());
    assertEquals("2", SystemCluster.revision(second));
    List<ObjectNode> pods = cluster.list(Kind.POD, "rollback", "app=web");
    assertEquals(6, pods.size());
    for (ObjectNode pod : pods) {
      assertEquals("nginx:1.26", SystemCluster.image(pod));
      assertEquals(firstRs.path("metadata").path("labels").path("pod-template-hash").asText(),
          pod.path("metadata").path("labels").path("pod-template-hash").asText());
      assertTrue(SystemCluster.runningReady(pod));
    }
    // rolling back to a revision that does not exist is refused
    var refused = SystemCluster.join(Rollbacks.rollback(cluster.engine.store(), cluster.engine.cache(), key, 42));
    assertTrue(refused instanceof io.steuermann.engine.objects.ObjectCommand.Refused r && r.status().code() == 404,
        String.valueOf(refused));
  }
}
