package io.steuermann.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.Map;

/**
 * The Pekko configuration overlay that puts pekko-persistence-jdbc's journal and snapshot store
 * on the configured database. Use it with {@code forStore(s).withFallback(appConfig)}.
 *
 * <p>Tags are not used anywhere: changes are read by the change feed straight from the journal
 * table in {@code ordering} order, so no event is tagged and the tag-based read journal
 * (eventsByTag and its journal-sequence actor) is never started.
 */
public final class JournalPluginConfig {

  /** The journal plugin id of objects: {@code GroupCommitJournal} on event_journal. */
  public static final String OBJECT_JOURNAL_PLUGIN = "steuermann-journal";
  /** The journal plugin id of claim entities (see {@link #CLAIM_JOURNAL_TABLE}). */
  public static final String CLAIM_JOURNAL_PLUGIN = "steuermann-claim-journal";
  /** A second journal table, same shape as event_journal, for allocation claims. */
  public static final String CLAIM_JOURNAL_TABLE = "claim_journal";
  static final String CLAIM_TAG_TABLE = "claim_tag";

  private JournalPluginConfig() {}

  public static Config forStore(StoreSettings s) {
    String profile = switch (s.kind()) {
      case H2 -> "slick.jdbc.H2Profile$";
      case POSTGRES -> "slick.jdbc.PostgresProfile$";
    };
    // 2 cores: a handful of connections saturates the database; more only queue in it.
    // Slick requires numThreads == maxConnections.
    // pekko-persistence-jdbc's journal settings stay for its read journal (tools, tests); writes
    // and recovery go through the group-commit journal (io.steuermann.persistence.journal).
    Config journal = plugin(s, profile, 2);
    Config objects = groupCommit(s, "event_journal", true);
    // Service address claims (clusterIPs, nodePorts) are event-sourced too, but in a table of
    // their own: their writes must not take orderings of event_journal, which are the objects'
    // resourceVersions, and the change feed need not skip them.
    Config claims = groupCommit(s, CLAIM_JOURNAL_TABLE, false);
    Config snapshots = plugin(s, profile, 2);
    Config readJournal = plugin(s, profile, 2);
    return ConfigFactory.parseMap(Map.of(
            "pekko.persistence.journal.plugin", OBJECT_JOURNAL_PLUGIN,
            "pekko.persistence.snapshot-store.plugin", "jdbc-snapshot-store"))
        .withValue("jdbc-journal", journal.root())
        .withValue(OBJECT_JOURNAL_PLUGIN, objects.root())
        .withValue("jdbc-snapshot-store", snapshots.root())
        .withValue(CLAIM_JOURNAL_PLUGIN, claims.root())
        // Only for by-persistence-id queries (tools, tests); it must not share a pool it closes.
        .withValue("jdbc-read-journal", readJournal.root());
  }

  /**
   * The group-commit journal on one table. {@code publish}: it hands each row's ordering to the
   * entity that wrote it (the objects' journal; claims need no ordering).
   */
  private static Config groupCommit(StoreSettings s, String table, boolean publish) {
    return ConfigFactory.parseMap(Map.of(
            "class", "io.steuermann.persistence.journal.GroupCommitJournal",
            "store-kind", s.kind().name(),
            "url", s.jdbcUrl(),
            "user", s.user(),
            "password", s.password(),
            "driver", s.driverClassName(),
            "table", table,
            "publish-orderings", publish))
        // rows of one transaction: a burst of 2,000 creates is committed in a few batches
        .withValue("max-batch-rows", ConfigValueFactory.fromAnyRef(1000))
        // recovery queries (highest sequence number, replay) of starting entities run in parallel
        .withValue("reader-threads", ConfigValueFactory.fromAnyRef(3))
        .withValue("connection-timeout", ConfigValueFactory.fromAnyRef("5s"));
  }

  private static Config plugin(StoreSettings s, String profile, int connections) {
    return ConfigFactory.empty()
        .withValue("slick.profile", ConfigValueFactory.fromAnyRef(profile))
        .withValue("slick.db.url", ConfigValueFactory.fromAnyRef(s.jdbcUrl()))
        .withValue("slick.db.user", ConfigValueFactory.fromAnyRef(s.user()))
        .withValue("slick.db.password", ConfigValueFactory.fromAnyRef(s.password()))
        .withValue("slick.db.driver", ConfigValueFactory.fromAnyRef(s.driverClassName()))
        .withValue("slick.db.numThreads", ConfigValueFactory.fromAnyRef(connections))
        .withValue("slick.db.maxConnections", ConfigValueFactory.fromAnyRef(connections))
        .withValue("slick.db.minConnections", ConfigValueFactory.fromAnyRef(1))
        // Fail a write within the journal's circuit-breaker budget instead of after 3 minutes.
        .withValue("slick.db.connectionTimeout", ConfigValueFactory.fromAnyRef(5_000));
  }
}
