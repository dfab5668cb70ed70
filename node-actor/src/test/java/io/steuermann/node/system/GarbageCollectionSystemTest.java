package io.steuermann.node.system;

import static io.steuermann.node.system.SystemCluster.WAIT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.node.NodeAgents;
import io.steuermann.node.runtime.HollowRuntime;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Garbage collection end to end: the pods of a deleted Deployment or Namespace stop on the nodes. */
class GarbageCollectionSystemTest {
  private static SystemCluster cluster;
  private static NodeAgents nodes;

  @BeforeAll
  static void start() {
    cluster = SystemCluster.start("gc");
    nodes = cluster.hollow("hollow-nodes = 2, name-prefix = \"gc-\"");
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static long runningContainers() {
    long n = 0;
    for (String name : nodes.nodeNames()) {
      n += ((HollowRuntime) nodes.runtime(name).orElseThrow()).runningContainers();
    }
    return n;
  }

  private ObjectNode deployed(String namespace, String name, int replicas) {
    cluster.namespace(namespace);
    ObjectNode d = cluster.create(SystemCluster.deployment(namespace, name, replicas, "nginx:1.27", "", ""));
    cluster.awaitRolledOut(namespace, name, replicas, "nginx:1.27");
    assertEquals(1, cluster.replicaSetsOf(d).size());
    return d;
  }

  private ObjectCommand.Reply deleteDeployment(ObjectNode d, String policy) {
    return SystemCluster.join(cluster.engine.store().delete(
        ObjectKey.of(Kind.DEPLOYMENT, Meta.namespace(d), Meta.name(d)), Meta.uid(d), 0, null, policy));
  }

  private boolean nothingLeftIn(String namespace, Kind... kinds) {
    for (Kind kind : kinds) {
      if (!cluster.list(kind, namespace).isEmpty()) {
        return false;
      }
    }
    return true;
  }

  @Test
  void deletingADeploymentInTheBackgroundRemovesItsReplicaSetsAndStopsItsPods() {
    long before = runningContainers();
    ObjectNode d = deployed("gc-background", "web", 4);
    assertEquals(before + 4, runningContainers());

    long begin = System.nanoTime();
    assertTrue(deleteDeployment(d, "Background") instanceof ObjectCommand.Done);
    await().atMost(WAIT).until(() -> nothingLeftIn("gc-background", Kind.DEPLOYMENT, Kind.REPLICA_SET, Kind.POD));
    await().atMost(WAIT).until(() -> runningContainers() == before);
    System.out.printf("[system] background deletion of a Deployment of 4: all gone in %d ms%n",
        (System.nanoTime() - begin) / 1_000_000);
    // nothing is recreated afterwards
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
        .until(() -> nothingLeftIn("gc-background", Kind.REPLICA_SET, Kind.POD));
  }

  @Test
  void deletingADeploymentInTheForegroundKeepsItUntilItsDependentsAreGone() {
    long before = runningContainers();
    ObjectNode d = deployed("gc-foreground", "web", 3);
    ObjectKey key = ObjectKey.of(Kind.DEPLOYMENT, "gc-foreground", "web");

    ObjectCommand.Reply reply = deleteDeployment(d, "Foreground");
    ObjectNode marked = ((ObjectCommand.Done) reply).object();
    assertTrue(marked.path("metadata").hasNonNull("deletionTimestamp"), marked.toString());
    assertTrue(marked.path("metadata").path("finalizers").toString().contains("foregroundDeletion"));
    await().atMost(WAIT).until(() -> nothingLeftIn("gc-foreground", Kind.DEPLOYMENT, Kind.REPLICA_SET, Kind.POD));
    assertEquals(null, cluster.cached(key));
    await().atMost(WAIT).until(() -> runningContainers() == before);
  }

  @Test
  void deletingADeploymentWithOrphanPropagationLeavesItsReplicaSetAndPodsRunning() {
    ObjectNode d = deployed("gc-orphan", "web", 2);
    long running = runningContainers();
    assertTrue(deleteDeployment(d, "Orphan") instanceof ObjectCommand.Done);
    await().atMost(WAIT).until(() -> cluster.list(Kind.DEPLOYMENT, "gc-orphan").isEmpty());
    await().atMost(WAIT).until(() -> {
      List<ObjectNode> left = cluster.list(Kind.REPLICA_SET, "gc-orphan");
      assertEquals(1, left.size(), "the orphaned ReplicaSet must stay");
      return left.get(0).path("metadata").path("ownerReferences").isEmpty();
    });
    List<ObjectNode> replicaSets = cluster.list(Kind.REPLICA_SET, "gc-orphan");
    assertEquals(1, replicaSets.size());
    List<ObjectNode> pods = cluster.awaitRunningReady("gc-orphan", "app=web", 2);
    for (ObjectNode pod : pods) {
      assertEquals(Meta.uid(replicaSets.get(0)),
          pod.path("metadata").path("ownerReferences").path(0).path("uid").asText(), "pods stay owned by the RS");
    }
    assertEquals(running, runningContainers());
  }

  @Test
  void deletingANamespaceRemovesADeploymentInItWithEverythingItOwns() {
    long before = runningContainers();
    ObjectNode d = deployed("doomed", "web", 3);
    cluster.create("""
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "loner", "namespace": "doomed"},
         "spec": {"containers": [{"name": "main", "image": "busybox"}]}}""");
    cluster.awaitRunningReady("doomed", "", 4);
    assertEquals(before + 4, runningContainers());
    ObjectNode ns = cluster.cached(ObjectKey.of(Kind.NAMESPACE, "", "doomed"));

    long begin = System.nanoTime();
    assertTrue(SystemCluster.join(cluster.engine.store().delete(ObjectKey.of(Kind.NAMESPACE, "", "doomed"),
        Meta.uid(ns), 0)) instanceof ObjectCommand.Done);
    await().atMost(WAIT).until(() -> nothingLeftIn("doomed", Kind.DEPLOYMENT, Kind.REPLICA_SET, Kind.POD));
    await().atMost(WAIT).until(() -> runningContainers() == before);
    System.out.printf("[system] namespace deletion (Deployment of 3 + 1 pod): all gone in %d ms%n",
        (System.nanoTime() - begin) / 1_000_000);
    await().atMost(WAIT).until(() -> cluster.cached(ObjectKey.of(Kind.NAMESPACE, "", "doomed")) == null);
    // nothing can be created in it any more, and nothing comes back
    ObjectCommand.Reply refused = SystemCluster.join(cluster.engine.store().create(SystemCluster.json(
        SystemCluster.deployment("doomed", "again", 1, "nginx", "", ""))));
    assertTrue(refused instanceof ObjectCommand.Refused r && r.status().code() == 404, String.valueOf(refused));
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
        .until(() -> nothingLeftIn("doomed", Kind.DEPLOYMENT, Kind.REPLICA_SET, Kind.POD));
    assertEquals(null, cluster.cached(ObjectKey.of(Kind.DEPLOYMENT, "doomed", Meta.name(d))));
  }
}
