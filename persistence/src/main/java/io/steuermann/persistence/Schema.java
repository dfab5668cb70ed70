package io.steuermann.persistence;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the tables of pekko-persistence-jdbc's 1.x schema (journal, tags, snapshots) when they
 * are missing. The statements follow the plugin's shipped DDL (schema/h2, schema/postgres) with
 * IF NOT EXISTS everywhere; durable_state is left out because nothing uses it. The claim_journal
 * and claim_tag tables have the journal's shape: the journal of allocation claims
 * ({@link JournalPluginConfig#CLAIM_JOURNAL_PLUGIN}).
 */
public final class Schema {

  private static final Logger log = LoggerFactory.getLogger(Schema.class);

  /** Arbitrary, fixed: serialises concurrent schema checks of several nodes on PostgreSQL. */
  private static final long POSTGRES_DDL_LOCK = 0x5374_6575_726dL;

  /** The journals: objects' events, and allocation claims; each with its tag table. */
  private static final List<String> JOURNALS = List.of("event", "claim");

  private static final List<String> H2 = statements(
      """
      CREATE TABLE IF NOT EXISTS PUBLIC."{j}_journal" (
        "ordering" BIGINT UNIQUE NOT NULL AUTO_INCREMENT,
        "deleted" BOOLEAN DEFAULT false NOT NULL,
        "persistence_id" VARCHAR(255) NOT NULL,
        "sequence_number" BIGINT NOT NULL,
        "writer" VARCHAR NOT NULL,
        "write_timestamp" BIGINT NOT NULL,
        "adapter_manifest" VARCHAR NOT NULL,
        "event_payload" VARBINARY NOT NULL,
        "event_ser_id" INTEGER NOT NULL,
        "event_ser_manifest" VARCHAR NOT NULL,
        "meta_payload" VARBINARY,
        "meta_ser_id" INTEGER,
        "meta_ser_manifest" VARCHAR,
        PRIMARY KEY("persistence_id","sequence_number"))""",
      """
      CREATE UNIQUE INDEX IF NOT EXISTS "{j}_journal_ordering_idx"
        ON PUBLIC."{j}_journal" ("ordering")""",
      """
      CREATE TABLE IF NOT EXISTS PUBLIC."{j}_tag" (
        "event_id" BIGINT NOT NULL,
        "tag" VARCHAR NOT NULL,
        PRIMARY KEY("event_id", "tag"),
        CONSTRAINT "fk_{j}_journal" FOREIGN KEY("event_id")
          REFERENCES PUBLIC."{j}_journal"("ordering") ON DELETE CASCADE)""",
      """
      CREATE TABLE IF NOT EXISTS PUBLIC."snapshot" (
        "persistence_id" VARCHAR(255) NOT NULL,
        "sequence_number" BIGINT NOT NULL,
        "created" BIGINT NOT NULL,
        "snapshot_ser_id" INTEGER NOT NULL,
        "snapshot_ser_manifest" VARCHAR NOT NULL,
        "snapshot_payload" VARBINARY NOT NULL,
        "meta_ser_id" INTEGER,
        "meta_ser_manifest" VARCHAR,
        "meta_payload" VARBINARY,
        PRIMARY KEY("persistence_id","sequence_number"))""");

  private static final List<String> POSTGRES = statements(
      """
      CREATE TABLE IF NOT EXISTS public.{j}_journal (
        ordering BIGSERIAL,
        persistence_id VARCHAR(255) NOT NULL,
        sequence_number BIGINT NOT NULL,
        deleted BOOLEAN DEFAULT FALSE NOT NULL,
        writer VARCHAR(255) NOT NULL,
        write_timestamp BIGINT,
        adapter_manifest VARCHAR(255),
        event_ser_id INTEGER NOT NULL,
        event_ser_manifest VARCHAR(255) NOT NULL,
        event_payload BYTEA NOT NULL,
        meta_ser_id INTEGER,
        meta_ser_manifest VARCHAR(255),
        meta_payload BYTEA,
        PRIMARY KEY(persistence_id, sequence_number))""",
      """
      CREATE UNIQUE INDEX IF NOT EXISTS {j}_journal_ordering_idx
        ON public.{j}_journal(ordering)""",
      """
      CREATE TABLE IF NOT EXISTS public.{j}_tag (
        event_id BIGINT,
        tag VARCHAR(256),
        PRIMARY KEY(event_id, tag),
        CONSTRAINT fk_{j}_journal FOREIGN KEY(event_id)
          REFERENCES public.{j}_journal(ordering) ON DELETE CASCADE)""",
      """
      CREATE TABLE IF NOT EXISTS public.snapshot (
        persistence_id VARCHAR(255) NOT NULL,
        sequence_number BIGINT NOT NULL,
        created BIGINT NOT NULL,
        snapshot_ser_id INTEGER NOT NULL,
        snapshot_ser_manifest VARCHAR(255) NOT NULL,
        snapshot_payload BYTEA NOT NULL,
        meta_ser_id INTEGER,
        meta_ser_manifest VARCHAR(255),
        meta_payload BYTEA,
        PRIMARY KEY(persistence_id, sequence_number))""");

  /**
   * A dialect's statements: journal, ordering index and tag table once per journal (the
   * template's {@code {j}} is the journal's name), then the snapshot table.
   */
  private static List<String> statements(String journal, String orderingIndex, String tags, String snapshot) {
    List<String> all = new ArrayList<>();
    for (String j : JOURNALS) {
      for (String template : List.of(journal, orderingIndex, tags)) {
        all.add(template.replace("{j}", j));
      }
    }
    all.add(snapshot);
    return List.copyOf(all);
  }

  private Schema() {}

  /** Idempotent; safe when several nodes start at once. */
  public static void ensure(JournalDatabase db) {
    try (Connection c = db.connection()) {
      switch (db.kind()) {
        case H2 -> runAll(c, H2);
        case POSTGRES -> ensurePostgres(c);
      }
      log.info("Journal schema present on {}", db.kind());
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create the journal schema on " + db.settings(), e);
    }
  }

  /**
   * IF NOT EXISTS alone is not enough on PostgreSQL: two sessions creating the same table at
   * once can still collide on the catalog's unique index. DDL is transactional there, so one
   * transaction under an advisory lock makes the second node wait and then find everything.
   */
  private static void ensurePostgres(Connection c) throws SQLException {
    c.setAutoCommit(false);
    try {
      try (Statement st = c.createStatement()) {
        st.execute("SELECT pg_advisory_xact_lock(" + POSTGRES_DDL_LOCK + ")");
      }
      runAll(c, POSTGRES);
      c.commit();
    } catch (SQLException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  private static void runAll(Connection c, List<String> statements) throws SQLException {
    try (Statement st = c.createStatement()) {
      for (String sql : statements) {
        st.execute(sql);
      }
      st.execute(PROBE);
    }
  }

  /**
   * One row the journal writes to find out whether a failing store writes again
   * ({@code journal.StoreHealth}); the same statement on both databases.
   */
  private static final String PROBE =
      "CREATE TABLE IF NOT EXISTS \"steuermann_probe\" (\"id\" INTEGER PRIMARY KEY, \"at\" BIGINT NOT NULL)";
}
