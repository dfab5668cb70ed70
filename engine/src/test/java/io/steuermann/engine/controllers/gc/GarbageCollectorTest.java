package io.steuermann.engine.controllers.gc;

import static io.steuermann.engine.controllers.gc.TestEngine.done;
import static io.steuermann.engine.controllers.gc.TestEngine.uid;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.Finalizers;
import io.steuermann.engine.watch.WatchEvent;
import io.steuermann.engine.watch.WatchFilter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import io.steuermann.engine.model.Meta;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GarbageCollectorTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final AtomicInteger namespaces = new AtomicInteger();
  private static TestEngine t;

  @BeforeAll
  static void start() throws Exception {
    t = new TestEngine("steuermann.controllers.garbage-collector {\n"
        + "  concurrency = 4\n  retry-min-backoff = 50ms\n  retry-max-backoff = 500ms\n"
        + "  resync-interval = 2s\n  summary-interval = 1s\n}\n");
    // the engine runs the garbage collector as a cluster singleton (Singletons); a second one
    // started here would work too (all its work is idempotent), but would double the log

  }

  @AfterAll
  static void stop() {
    if (t != null) {
      t.close();
    }
  }

  /** A Deployment, its ReplicaSet and its pods, linked by ownerReferences with the real uids. */
  record Chain(ObjectKey deployment, ObjectKey replicaSet, List<ObjectKey> pods) {
    List<ObjectKey> all() {
      List<ObjectKey> out = new ArrayList<>(List.of(deployment, replicaSet));
      out.addAll(pods);
      return out;
    }

    List<ObjectKey> dependents() {
      List<ObjectKey> out = new ArrayList<>(List.of(replicaSet));
      out.addAll(pods);
      return out;
    }
  }

  private static String namespace() {
    String ns = "gc-" + namespaces.incrementAndGet();
    t.create("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + ns + "\"}}");
    return ns;
  }

  private static String ownerRef(String apiVersion, String kind, String name, String uid, boolean controller) {
    return "{\"apiVersion\":\"" + apiVersion + "\",\"kind\":\"" + kind + "\",\"name\":\"" + name
        + "\",\"uid\":\"" + uid + "\",\"controller\":" + controller + ",\"blockOwnerDeletion\":true}";
  }

  /** A pod no ReplicaSet selects (label app=loose), with the given owner references. */
  private static ObjectNode pod(String ns, String name, String ownerRefs) {
    return t.create("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name
        + "\",\"namespace\":\"" + ns + "\",\"labels\":{\"app\":\"loose\"},\"ownerReferences\":[" + ownerRefs + "]},"
        + "\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"nginx:1\"}]}}");
  }

  /**
   * A Deployment of {@code replicas}; the engine's Deployment and ReplicaSet controllers create
   * the ReplicaSet and the pods with their ownerReferences, as in a real cluster.
   */
  private static Chain chain(String ns, String name, int replicas) {
    ObjectNode deployment = t.create("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\""
        + name + "\",\"namespace\":\"" + ns + "\"},\"spec\":{\"replicas\":" + replicas
        + ",\"selector\":{\"matchLabels\":{\"app\":\"" + name + "\"}},\"template\":{\"metadata\":{\"labels\":"
        + "{\"app\":\"" + name + "\"}},\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"nginx:1\"}]}}}}");
    ObjectKey deploymentKey = ObjectKey.of(Kind.DEPLOYMENT, ns, name);
    AtomicReference<Chain> chain = new AtomicReference<>();
    await().atMost(TIMEOUT).until(() -> {
      List<ObjectNode> sets = ownedBy(Kind.REPLICA_SET, ns, uid(deployment));
      if (sets.size() != 1) {
        return false;
      }
      List<ObjectNode> pods = ownedBy(Kind.POD, ns, uid(sets.get(0)));
      if (pods.size() != replicas) {
        return false;
      }
      chain.set(new Chain(deploymentKey, ObjectKey.of(Kind.REPLICA_SET, ns, Meta.name(sets.get(0))),
          pods.stream().map(p -> ObjectKey.of(Kind.POD, ns, Meta.name(p))).toList()));
      return true;
    });
    return chain.get();
  }

  private static List<ObjectNode> ownedBy(Kind kind, String ns, String ownerUid) {
    return t.engine.cache().list(WatchFilter.of(kind, ns)).items().stream()
        .filter(o -> OwnerReference.of(o).stream().anyMatch(r -> r.uid().equals(ownerUid)))
        .toList();
  }

  private static void awaitGone(List<ObjectKey> keys) {
    await().atMost(TIMEOUT).untilAsserted(() -> {
      for (ObjectKey key : keys) {
        assertEquals(null, t.cached(key), key + " still exists");
      }
    });
  }

  private static void assertStay(List<ObjectKey> keys) {
    await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() ->
        keys.stream().allMatch(k -> t.cached(k) != null));
  }

  @Test
  void dependentsOfLiveOwnersStay() {
    Chain chain = chain(namespace(), "web", 3);
    assertStay(chain.all());
  }

  @Test
  void backgroundDeletionRemovesReplicaSetsAndPods() {
    Chain chain = chain(namespace(), "web", 3);
    ObjectNode deleted = done(t.delete(chain.deployment(), "Background"));
    assertNotNull(deleted);
    awaitGone(chain.all());
  }

  @Test
  void foregroundDeletionRemovesDependentsFirstThenTheOwner() throws Exception {
    Chain chain = chain(namespace(), "web", 3);
    long from = t.engine.cache().resourceVersion();
    Map<ObjectKey, Long> deletedAt = new ConcurrentHashMap<>();
    t.engine.cache().watch(WatchFilter.everything(), from, 10_000)
        .runForeach(e -> {
          if (e.type() == WatchEvent.Type.DELETED) {
            deletedAt.put(e.key(), e.resourceVersion());
          }
        }, t.engine.controllers().materializer());

    ObjectNode marked = done(t.delete(chain.deployment(), "Foreground"));
    assertTrue(marked.path("metadata").has("deletionTimestamp"));
    assertTrue(GarbageCollector.hasFinalizer(marked, Finalizers.FOREGROUND));

    awaitGone(chain.all());
    await().atMost(TIMEOUT).until(() -> deletedAt.keySet().containsAll(chain.all()));
    long deployment = deletedAt.get(chain.deployment());
    long replicaSet = deletedAt.get(chain.replicaSet());
    for (ObjectKey pod : chain.pods()) {
      assertTrue(deletedAt.get(pod) < replicaSet, pod + " must go before its ReplicaSet");
    }
    assertTrue(replicaSet < deployment, "the ReplicaSet must go before its Deployment");
  }

  @Test
  void orphanDeletionLeavesDependentsWithoutTheOwnerReference() {
    Chain chain = chain(namespace(), "web", 2);
    ObjectNode marked = done(t.delete(chain.deployment(), "Orphan"));
    assertTrue(GarbageCollector.hasFinalizer(marked, Finalizers.ORPHAN));
    awaitGone(List.of(chain.deployment()));
    ObjectNode rs = t.cached(chain.replicaSet());
    assertNotNull(rs);
    assertFalse(rs.path("metadata").has("ownerReferences") && rs.path("metadata").path("ownerReferences").size() > 0,
        rs.toString());
    assertStay(chain.dependents());
    for (ObjectKey pod : chain.pods()) {
      JsonNode refs = t.cached(pod).path("metadata").path("ownerReferences");
      assertEquals(1, refs.size());
      assertEquals("ReplicaSet", refs.get(0).path("kind").asText());
    }
    // the orphaned ReplicaSet is an ordinary owner: deleting it in the background takes its pods
    done(t.delete(chain.replicaSet(), null));
    awaitGone(chain.dependents());
  }

  @Test
  void deletingANamespaceDeletesEverythingInIt() {
    String doomed = namespace();
    String survivor = namespace();
    Chain chain = chain(doomed, "web", 3);
    pod(doomed, "loose", "");
    t.create("{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"web\",\"namespace\":\""
        + doomed + "\"},\"spec\":{\"selector\":{\"app\":\"web\"},\"ports\":[{\"port\":80}]}}");
    t.create("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"settings\",\"namespace\":\""
        + doomed + "\"},\"data\":{\"a\":\"b\"}}");
    t.create("{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"token\",\"namespace\":\""
        + doomed + "\"},\"stringData\":{\"a\":\"b\"}}");
    Chain other = chain(survivor, "web", 2);
    done(t.delete(ObjectKey.of(Kind.NAMESPACE, "", doomed), null));
    List<ObjectKey> all = new ArrayList<>(chain.all());
    all.add(ObjectKey.of(Kind.POD, doomed, "loose"));
    all.add(ObjectKey.of(Kind.SERVICE, doomed, "web"));
    all.add(ObjectKey.of(Kind.CONFIG_MAP, doomed, "settings"));
    all.add(ObjectKey.of(Kind.SECRET, doomed, "token"));
    awaitGone(all);
    await().atMost(TIMEOUT).until(() -> t.engine.cache().list(WatchFilter.of(Kind.EVENT, doomed)).items().isEmpty());
    assertStay(other.all());
  }

  @Test
  void deletingADaemonSetDeletesItsPodsAndControllerRevisions() {
    String ns = namespace();
    // a node the DaemonSet fits but the scheduler cannot bind to (too little cpu): its pod stays unbound
    t.create("{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"" + ns + "-node\",\"labels\":"
        + "{\"gc\":\"" + ns + "\"}},\"status\":{\"allocatable\":{\"cpu\":\"1\",\"memory\":\"1Gi\",\"pods\":\"10\"},"
        + "\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}");
    ObjectNode ds = t.create("{\"apiVersion\":\"apps/v1\",\"kind\":\"DaemonSet\",\"metadata\":{\"name\":\"agent\","
        + "\"namespace\":\"" + ns + "\"},\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"agent\"}},\"template\":"
        + "{\"metadata\":{\"labels\":{\"app\":\"agent\"}},\"spec\":{\"nodeSelector\":{\"gc\":\"" + ns + "\"},"
        + "\"containers\":[{\"name\":\"a\",\"image\":\"agent\",\"resources\":{\"requests\":{\"cpu\":\"2\"}}}]}}}}");
    AtomicReference<List<ObjectKey>> dependents = new AtomicReference<>();
    await().atMost(TIMEOUT).until(() -> {
      List<ObjectKey> keys = new ArrayList<>();
      ownedBy(Kind.POD, ns, uid(ds)).forEach(p -> keys.add(ObjectKey.of(Kind.POD, ns, Meta.name(p))));
      ownedBy(Kind.CONTROLLER_REVISION, ns, uid(ds)).forEach(r -> keys.add(ObjectKey.of(Kind.CONTROLLER_REVISION, ns,
          Meta.name(r))));
      dependents.set(keys);
      return keys.size() == 2;
    });
    done(t.delete(ObjectKey.of(Kind.DAEMON_SET, ns, "agent"), null));
    awaitGone(dependents.get());
    done(t.delete(ObjectKey.of(Kind.NODE, "", ns + "-node"), null));
  }

  @Test
  void dependentsOfOwnersThatNoLongerExistAreCollected() {
    String ns = namespace();
    Chain chain = chain(ns, "web", 1);
    ObjectNode deployment = t.cached(chain.deployment());
    // an owner uid that never existed, and a name that exists with another uid
    pod(ns, "ghost-child", ownerRef("apps/v1", "ReplicaSet", "ghost", "00000000-0000-0000-0000-000000000001", true));
    pod(ns, "stale-child", ownerRef("apps/v1", "Deployment", chain.deployment().name(),
        "00000000-0000-0000-0000-000000000002", true));
    // an owner of a kind this store does not know is never judged absent
    pod(ns, "foreign-child", ownerRef("example.com/v1", "Widget", "w", "00000000-0000-0000-0000-000000000003", true));
    // one live and one dangling owner: only the dangling reference goes
    pod(ns, "two-owners", ownerRef("apps/v1", "Deployment", chain.deployment().name(), uid(deployment), false) + ","
        + ownerRef("apps/v1", "ReplicaSet", "ghost", "00000000-0000-0000-0000-000000000004", false));
    awaitGone(List.of(ObjectKey.of(Kind.POD, ns, "ghost-child"), ObjectKey.of(Kind.POD, ns, "stale-child")));
    await().atMost(TIMEOUT).until(() ->
        t.cached(ObjectKey.of(Kind.POD, ns, "two-owners")).path("metadata").path("ownerReferences").size() == 1);
    assertEquals(uid(deployment), t.cached(ObjectKey.of(Kind.POD, ns, "two-owners"))
        .path("metadata").path("ownerReferences").get(0).path("uid").asText());
    assertStay(List.of(ObjectKey.of(Kind.POD, ns, "foreign-child"), ObjectKey.of(Kind.POD, ns, "two-owners")));
    assertStay(chain.all());
  }
}
