package io.steuermann.engine.services;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.steuermann.engine.Engine;
import io.steuermann.engine.controllers.gc.TestEngine;
import io.steuermann.engine.objects.ObjectCommand;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Allocation across the members of one cluster: two actor systems, each with its own engine
 * (store, change feed, watch cache), joined into one Pekko cluster over one fresh PostgreSQL
 * database. Creates sent through both members at once get distinct values, and of two creates
 * asking for the same nodePort through different members exactly one succeeds: the claim entity
 * of a value lives on one member, whichever member asks.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServiceAllocationClusterTest {
  private static final Pattern URL = Pattern.compile("^(jdbc:postgresql://[^/]+/)([^?]*)(\\?.*)?$");
  private static String adminUrl;
  private static String user;
  private static String password;
  private static String database;
  private static final List<ActorSystem<Void>> systems = new ArrayList<>();
  private static final List<Engine> engines = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    adminUrl = env("STEUERMANN_PG_URL", "jdbc:postgresql://127.0.0.1:5432/steuermann");
    user = env("STEUERMANN_PG_USER", "steuermann");
    password = env("STEUERMANN_PG_PASSWORD", "steuermann");
    Matcher m = URL.matcher(adminUrl);
    if (!m.matches()) {
      fail("STEUERMANN_PG_URL is not jdbc:postgresql://host[:port]/database[?params]: " + adminUrl);
    }
    database = "steuermann_svc_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
    String url = m.group(1) + database + (m.group(3) == null ? "" : m.group(3));
    DriverManager.setLoginTimeout(3);
    try (Connection c = DriverManager.getConnection(adminUrl, user, password); Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + database);
    } catch (SQLException e) {
      // a required part of the test environment (.ci/run starts it): fail, never skip
      fail("PostgreSQL at " + adminUrl + " is unreachable or refuses CREATE DATABASE: " + e.getMessage(), e);
    }
    for (int i = 0; i < 2; i++) {
      Config config = Engine.configure(ConfigFactory.parseString("""
              pekko.actor.provider = cluster
              pekko.remote.artery.canonical.hostname = "127.0.0.1"
              pekko.remote.artery.canonical.port = 0
              pekko.coordinated-shutdown.exit-jvm = off
              pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
              pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
              pekko.loglevel = WARNING
              steuermann.controllers.enabled = false
              steuermann.store.kind = postgres
              steuermann.store.postgres.url = "%s"
              steuermann.store.postgres.user = "%s"
              steuermann.store.postgres.password = "%s"
              """.formatted(url, user, password))
          .withFallback(ConfigFactory.load()));
      systems.add(ActorSystem.create(Behaviors.empty(), "svc-cluster", config));
    }
    Cluster first = Cluster.get(systems.get(0));
    for (ActorSystem<Void> system : systems) {
      Cluster.get(system).manager().tell(Join.create(first.selfMember().address()));
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> systems.stream().allMatch(s -> {
      int up = 0;
      for (var member : Cluster.get(s).state().getMembers()) {
        up += member.status() == MemberStatus.up() ? 1 : 0;
      }
      return up == 2;
    }));
    for (ActorSystem<Void> system : systems) {
      engines.add(Engine.start(system));
    }
    for (Engine engine : engines) {
      engine.whenReady().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stop() throws SQLException {
    for (ActorSystem<Void> system : systems) {
      system.terminate();
    }
    for (ActorSystem<Void> system : systems) {
      system.getWhenTerminated().toCompletableFuture().join();
    }
    if (database != null) {
      try (Connection c = DriverManager.getConnection(adminUrl, user, password); Statement st = c.createStatement()) {
        st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
      }
    }
  }

  private static CompletableFuture<ObjectCommand.Reply> create(int member, String name, String spec) {
    return engines.get(member).store().create(TestEngine.json(ServiceAllocationTest.service(name, spec)))
        .toCompletableFuture();
  }

  @Test
  @Order(2)
  void createsThroughBothMembersAtOnceGetDistinctValues() {
    List<CompletableFuture<ObjectCommand.Reply>> creates = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      creates.add(create(i % 2, "both-" + i, "{\"type\":\"NodePort\",\"ports\":[{\"port\":80}]}"));
    }
    Set<String> ips = new HashSet<>();
    Set<Integer> ports = new HashSet<>();
    for (CompletableFuture<ObjectCommand.Reply> c : creates) {
      JsonNode svc = TestEngine.done(c.join());
      assertTrue(ips.add(svc.path("spec").path("clusterIP").asText()), svc::toString);
      assertTrue(ports.add(svc.path("spec").path("ports").get(0).path("nodePort").asInt()), svc::toString);
    }
    assertEquals(40, ips.size());
  }

  /** First: the ports it asks for by number must not have been picked at random before. */
  @Test
  @Order(1)
  void ofTwoCreatesAskingForOneNodePortThroughDifferentMembersOneWins() {
    for (int round = 0; round < 10; round++) {
      int port = 31000 + round;
      String spec = "{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":" + port + "}]}";
      CompletableFuture<ObjectCommand.Reply> a = create(0, "race-a-" + round, spec);
      CompletableFuture<ObjectCommand.Reply> b = create(1, "race-b-" + round, spec);
      List<ObjectCommand.Reply> replies = List.of(a.join(), b.join());
      long won = replies.stream().filter(r -> r instanceof ObjectCommand.Done).count();
      assertEquals(1, won, () -> "port " + port + ": " + replies);
      for (ObjectCommand.Reply r : replies) {
        if (r instanceof ObjectCommand.Refused refused) {
          assertEquals(422, refused.status().code(), refused::toString);
          assertTrue(refused.status().message().endsWith("provided port is already allocated"), refused::toString);
        }
      }
    }
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
