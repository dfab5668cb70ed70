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
    Config journal = plugin(s, profile, 4)
        // One queued entry per AtomicWrite; a burst of 2,000 overflowed the default 1,000.
        .withValue("bufferSize", ConfigValueFactory.fromAnyRef(20_000))
        // Bigger insert batches amortise the per-commit file write that WRITE_DELAY=0 costs.
        .withValue("batchSize", ConfigValueFactory.fromAnyRef(500))
        .withValue("replayBatchSize", ConfigValueFactory.fromAnyRef(500))
        // Concurrent batch inserts beyond the connection count would only wait in slick's queue.
        .withValue("parallelism", ConfigValueFactory.fromAnyRef(4));
    // Service address claims (clusterIPs, nodePorts) are event-sourced too, but in a table of
    // their own: their writes must not take orderings of event_journal, which are the objects'
    // resourceVersions, and the change feed need not skip them. Each claim of a new value starts
    // an entity (recovery reads) and writes: with 2 connections claims queued for them.
    Config claims = plugin(s, profile, 4)
        .withValue("tables.event_journal.tableName", ConfigValueFactory.fromAnyRef(CLAIM_JOURNAL_TABLE))
        .withValue("tables.event_tag.tableName", ConfigValueFactory.fromAnyRef(CLAIM_TAG_TABLE))
        .withFallback(ConfigFactory.defaultReference().getConfig("jdbc-journal"));
    Config snapshots = plugin(s, profile, 2);
    Config readJournal = plugin(s, profile, 2);
    return ConfigFactory.parseMap(Map.of(
            "pekko.persistence.journal.plugin", "jdbc-journal",
            "pekko.persistence.snapshot-store.plugin", "jdbc-snapshot-store"))
        .withValue("jdbc-journal", journal.root())
        .withValue("jdbc-snapshot-store", snapshots.root())
        .withValue(CLAIM_JOURNAL_PLUGIN, claims.root())
        // Only for by-persistence-id queries (tools, tests); it must not share a pool it closes.
        .withValue("jdbc-read-journal", readJournal.root());
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
