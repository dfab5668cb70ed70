package io.steuermann.engine.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.steuermann.engine.Engine;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.objects.ObjectCommand.Done;
import io.steuermann.engine.objects.ObjectCommand.Refused;
import io.steuermann.engine.objects.ObjectCommand.Reply;
import io.steuermann.engine.watch.WatchFilter;
import io.steuermann.persistence.StoreSettings;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java API on a real engine: a cluster of one, sharded entities, an H2 journal in a
 * temporary directory. Here the resourceVersion is the real thing, the journal's ordering.
 */
class ObjectStoreTest {

  @TempDir
  static Path dataDir;
  static ActorSystem<Void> system;
  static Engine engine;
  static ObjectStore store;

  @BeforeAll
  static void start() throws Exception {
    Config config = Engine.configure(ConfigFactory.parseMap(Map.of(
            "steuermann.store.kind", "h2",
            "steuermann.store.data-dir", dataDir.toString()))
        .withFallback(ConfigFactory.parseString("""
            pekko.actor.provider = cluster
            pekko.remote.artery.canonical.hostname = "127.0.0.1"
            pekko.remote.artery.canonical.port = 0
            pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
            pekko.coordinated-shutdown.exit-jvm = off
            pekko.loglevel = WARNING
            # the store alone: no scheduler writing PodScheduled conditions into these pods
            steuermann.controllers.enabled = false
            """))
        .withFallback(ConfigFactory.load()));
    system = ActorSystem.create(Behaviors.empty(), "ObjectStoreTest", config);
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    engine = Engine.start(system);
    engine.whenReady().toCompletableFuture().get(60, TimeUnit.SECONDS);
    store = engine.store();
  }

  @AfterAll
  static void stop() throws Exception {
    if (system != null) {
      system.terminate();
      // H2 writes its file until the journal database is closed after the system; JUnit
      // removes the directory right after this
      (engine != null ? engine.whenStopped() : system.getWhenTerminated())
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static Reply await(CompletionStage<Reply> reply) throws Exception {
    return reply.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static ObjectNode pod(String namespace, String name) {
    ObjectNode pod = Json.object().put("apiVersion", "v1").put("kind", "Pod");
    ObjectNode meta = pod.putObject("metadata").put("name", name);
    if (namespace != null) {
      meta.put("namespace", namespace);
    }
    pod.putObject("spec").putArray("containers").addObject().put("name", "c").put("image", "busybox:1.36");
    return pod;
  }

  /** The journal's ordering of one event, read straight from the journal table. */
  private static long ordering(String persistenceId, long sequenceNr) throws Exception {
    StoreSettings settings = StoreSettings.h2(dataDir);
    try (Connection c = DriverManager.getConnection(settings.jdbcUrl(), settings.user(), settings.password());
        PreparedStatement st = c.prepareStatement(
            "SELECT \"ordering\" FROM PUBLIC.\"event_journal\" WHERE \"persistence_id\" = ? AND \"sequence_number\" = ?")) {
      st.setString(1, persistenceId);
      st.setLong(2, sequenceNr);
      try (ResultSet rs = st.executeQuery()) {
        assertTrue(rs.next(), "no journal row for " + persistenceId + " #" + sequenceNr);
        return rs.getLong(1);
      }
    }
  }

  /**
   * A callback on a stage Pekko's ask returns runs on the JDK's default async pool, which on a
   * machine of two cores is a new thread per callback: a write must not cost a thread start.
   */
  @Test
  void writesStartNoThreads() throws Exception {
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    await(store.create(pod("default", "warm-up")));
    long before = threads.getTotalStartedThreadCount();
    for (int i = 0; i < 200; i++) {
      assertInstanceOf(Done.class, await(store.create(pod("default", "threadless-" + i))));
    }
    long started = threads.getTotalStartedThreadCount() - before;
    assertTrue(started < 40, started + " threads started for 200 writes");
  }

  @Test
  void theResourceVersionIsTheJournalOrdering() throws Exception {
    Done created = assertInstanceOf(Done.class, await(store.create(pod("default", "ordered"))));
    ObjectKey key = ObjectKey.of(Kind.POD, "default", "ordered");
    assertEquals(ordering(key.persistenceId(), 1), Long.parseLong(Meta.resourceVersion(created.object())));
    ObjectNode update = created.object().deepCopy();
    Meta.metadata(update).putObject("labels").put("v", "2");
    Done updated = assertInstanceOf(Done.class, await(store.replace(key, update, ObjectCommand.Part.MAIN)));
    assertEquals(ordering(key.persistenceId(), 2), Long.parseLong(Meta.resourceVersion(updated.object())));
    assertInstanceOf(Done.class, await(store.delete(key, "", 0)));
  }

  @Test
  void aCreateNoLongerWantedWhenItsNamespaceIsCheckedIsNeverSent() throws Exception {
    // the check runs twice: before the namespace lookup and just before the create is sent
    java.util.concurrent.atomic.AtomicInteger checks = new java.util.concurrent.atomic.AtomicInteger();
    CompletionStage<Reply> create =
        store.create(pod("default", "unwanted"), () -> checks.incrementAndGet() < 2);
    java.util.concurrent.ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(
        java.util.concurrent.ExecutionException.class, () -> await(create));
    assertInstanceOf(java.util.concurrent.CancellationException.class, failed.getCause());
    assertEquals(2, checks.get());
    assertInstanceOf(Refused.class, await(store.get(ObjectKey.of(Kind.POD, "default", "unwanted"))));
  }

  @Test
  void anObjectWithoutNamespaceGoesToDefault() throws Exception {
    Done created = assertInstanceOf(Done.class, await(store.create(pod(null, "no-namespace"))));
    assertEquals("default", Meta.namespace(created.object()));
  }

  @Test
  void creationInAMissingNamespaceIsRefused() throws Exception {
    Refused refused = assertInstanceOf(Refused.class, await(store.create(pod("nowhere", "lost"))));
    assertEquals(404, refused.status().code());
    Refused unknown = assertInstanceOf(Refused.class,
        await(store.create(Json.object().put("apiVersion", "v9").put("kind", "Pod"))));
    assertEquals(400, unknown.status().code());
  }

  @Test
  void creationInATerminatingNamespaceIsForbidden() throws Exception {
    ObjectNode ns = Json.object();
    ns.put("apiVersion", "v1");
    ns.put("kind", "Namespace");
    ns.putObject("metadata").put("name", "closing");
    assertInstanceOf(Done.class, await(store.create(ns)));
    assertInstanceOf(Done.class, await(store.create(pod("closing", "inside"))));
    // no garbage collector runs in this test: the namespace stays Terminating
    Done terminating = assertInstanceOf(Done.class,
        await(store.delete(ObjectKey.of(Kind.NAMESPACE, "", "closing"), "", 0)));
    assertEquals("Terminating", terminating.object().path("status").path("phase").asText());
    Refused refused = assertInstanceOf(Refused.class, await(store.create(pod("closing", "late"))));
    assertEquals(403, refused.status().code());
    assertTrue(refused.status().message().contains("being terminated"), refused.status().message());
  }

  @Test
  void aConsistentReadSeesOwnWrites() throws Exception {
    for (int i = 0; i < 20; i++) {
      Done created = assertInstanceOf(Done.class, await(store.create(pod("default", "ryw-" + i))));
      long version = engine.consistentRead(Duration.ofSeconds(5)).toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertTrue(version >= Long.parseLong(Meta.resourceVersion(created.object())));
      assertEquals(created.object(), engine.cache().get(ObjectKey.of(Kind.POD, "default", "ryw-" + i)));
      assertTrue(engine.cache().list(WatchFilter.of(Kind.POD, "default")).items().contains(created.object()));
    }
  }
}
