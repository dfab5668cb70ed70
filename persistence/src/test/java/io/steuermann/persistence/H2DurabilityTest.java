package io.steuermann.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What was acknowledged on H2 is still there after a restart, clean or by kill -9. */
class H2DurabilityTest {

  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);

  @TempDir Path dataDir;

  @Test
  void acknowledgedEventsSurviveClosingAndReopeningTheDatabase() throws Exception {
    StoreSettings store = StoreSettings.h2(dataDir);
    int entities = 5;
    int eventsEach = 10;
    runSystem(store, testKit -> {
      for (int e = 0; e < entities; e++) {
        ActorRef<TestEntity.Command> entity = testKit.spawn(TestEntity.create("durable-" + e));
        for (int i = 1; i <= eventsEach; i++) {
          append(testKit, entity, "v" + i);
        }
      }
    });

    try (JournalDatabase db = JournalDatabase.open(store)) {
      assertEquals(entities * eventsEach, count(db));
      assertEquals(entities * eventsEach, new OrderingLookup(db, Runnable::run).highestOrdering());
    }

    // The entity recovers its ten events from the reopened journal and continues after them.
    runSystem(store, testKit -> {
      ActorRef<TestEntity.Command> entity = testKit.spawn(TestEntity.create("durable-3"));
      assertEquals(eventsEach + 1, append(testKit, entity, "after restart"));
    });
  }

  @Test
  void acknowledgedWritesSurviveKillMinus9OfTheJvm() throws Exception {
    StoreSettings store = StoreSettings.h2(dataDir);
    Process child = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"),
            H2WriterProcess.class.getName(), dataDir.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    long acknowledged = 0;
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while (acknowledged < 300 && (line = out.readLine()) != null) {
        if (line.startsWith("ACK ")) {
          acknowledged = Long.parseLong(line.substring(4));
        }
      }
      child.destroyForcibly(); // SIGKILL: no shutdown hook, no H2 close
      assertTrue(child.waitFor(10, TimeUnit.SECONDS), "writer process did not die");
    }
    assertTrue(acknowledged >= 300, "writer acknowledged only " + acknowledged);

    try (JournalDatabase db = JournalDatabase.open(store)) {
      Schema.ensure(db); // lost writes then show as a short count, not as a missing table
      try (Connection c = db.connection();
          PreparedStatement ps = c.prepareStatement(
              "SELECT COUNT(*) FROM \"event_journal\" WHERE \"persistence_id\" = 'killed'"
                  + " AND \"sequence_number\" <= ?")) {
        ps.setLong(1, acknowledged);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          assertEquals(acknowledged, rs.getLong(1), "acknowledged rows after kill -9");
        }
      }
      db.shutdown();
    }
  }

  private interface WithSystem {
    void run(ActorTestKit testKit) throws Exception;
  }

  private static void runSystem(StoreSettings store, WithSystem body) throws Exception {
    try (JournalDatabase db = JournalDatabase.open(store)) {
      Schema.ensure(db);
      ActorTestKit testKit = ActorTestKit.create("durability", JournalContract.systemConfig(store));
      try {
        body.run(testKit);
      } finally {
        testKit.shutdownTestKit();
        db.shutdown(); // as the server does: last, after the actor system has terminated
      }
    }
  }

  private static long append(ActorTestKit testKit, ActorRef<TestEntity.Command> entity, String value)
      throws Exception {
    return AskPattern.<TestEntity.Command, Long>ask(entity,
            replyTo -> new TestEntity.Append(value, replyTo), ASK_TIMEOUT, testKit.system().scheduler())
        .toCompletableFuture().get();
  }

  private static long count(JournalDatabase db) throws SQLException {
    try (Connection c = db.connection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM \"event_journal\"")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
