package io.steuermann.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreSettingsTest {

  @TempDir Path tmp;

  @Test
  void h2IsTheDefaultAndItsDirectoryIsCreated() {
    Path dataDir = tmp.resolve("nested/data");
    Config config = ConfigFactory.parseString("steuermann.store.data-dir = \"" + dataDir + "\"")
        .withFallback(ConfigFactory.defaultReference());
    StoreSettings s = StoreSettings.fromConfig(config);
    assertEquals(StoreKind.H2, s.kind());
    assertTrue(Files.isDirectory(dataDir));
    assertEquals("jdbc:h2:file:" + dataDir.resolve("journal")
        + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE;MAX_COMPACT_TIME=0", s.jdbcUrl());
  }

  @Test
  void postgresIsReadFromItsOwnKeys() {
    Config config = ConfigFactory.parseString("""
        steuermann.store.kind = postgres
        steuermann.store.postgres { url = "jdbc:postgresql://db:5432/x", user = u, password = p }
        """).withFallback(ConfigFactory.defaultReference());
    assertEquals(new StoreSettings(StoreKind.POSTGRES, "jdbc:postgresql://db:5432/x", "u", "p"),
        StoreSettings.fromConfig(config));
  }

  @Test
  void unknownKindIsRefused() {
    Config config = ConfigFactory.parseString("steuermann.store.kind = mysql")
        .withFallback(ConfigFactory.defaultReference());
    assertThrows(IllegalArgumentException.class, () -> StoreSettings.fromConfig(config));
  }

  @Test
  void pluginOverlayPointsJournalAndSnapshotsAtTheStore() {
    StoreSettings s = StoreSettings.postgres("jdbc:postgresql://db/x", "u", "p");
    Config c = JournalPluginConfig.forStore(s).withFallback(ConfigFactory.load()).resolve();
    assertEquals("steuermann-journal", c.getString("pekko.persistence.journal.plugin"));
    assertEquals("io.steuermann.persistence.journal.GroupCommitJournal", c.getString("steuermann-journal.class"));
    assertEquals("jdbc:postgresql://db/x", c.getString("steuermann-journal.url"));
    assertEquals("event_journal", c.getString("steuermann-journal.table"));
    assertTrue(c.getBoolean("steuermann-journal.publish-orderings"));
    assertEquals("claim_journal", c.getString("steuermann-claim-journal.table"));
    assertFalse(c.getBoolean("steuermann-claim-journal.publish-orderings"));
    assertEquals("jdbc-snapshot-store", c.getString("pekko.persistence.snapshot-store.plugin"));
    assertEquals("slick.jdbc.PostgresProfile$", c.getString("jdbc-snapshot-store.slick.profile"));
    // the plugin's read journal (tools, tests) still reads the same database
    assertEquals("org.postgresql.Driver", c.getString("jdbc-read-journal.slick.db.driver"));
    assertEquals(c.getInt("jdbc-journal.slick.db.numThreads"),
        c.getInt("jdbc-journal.slick.db.maxConnections"));
  }
}
