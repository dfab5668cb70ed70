package io.steuermann.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;

/** Direct access to the journal tables for setting up situations the plugin does not create. */
final class JournalFixture {

  private static final String INSERT =
      "INSERT INTO \"event_journal\" (\"persistence_id\", \"sequence_number\", \"deleted\","
          + " \"writer\", \"write_timestamp\", \"adapter_manifest\", \"event_ser_id\","
          + " \"event_ser_manifest\", \"event_payload\") VALUES (?, ?, false, 'test', ?, '', ?, ?, ?)";

  private final JournalDatabase db;
  private final Serialization serialization;

  JournalFixture(JournalDatabase db, ClassicActorSystemProvider system) {
    this.db = db;
    this.serialization = SerializationExtension.get(system.classicSystem());
  }

  /** Empties the tables and restarts the ordering at 1, as on a fresh database. */
  void clean() throws SQLException {
    try (Connection c = db.connection(); Statement st = c.createStatement()) {
      switch (db.kind()) {
        case H2 -> {
          st.execute("DELETE FROM \"event_tag\"");
          st.execute("DELETE FROM \"event_journal\"");
          st.execute("DELETE FROM \"snapshot\"");
          st.execute("ALTER TABLE \"event_journal\" ALTER COLUMN \"ordering\" RESTART WITH 1");
        }
        case POSTGRES -> st.execute("TRUNCATE event_tag, event_journal, snapshot RESTART IDENTITY");
      }
    }
  }

  /**
   * Inserts an event in a transaction that stays open: its ordering is taken but invisible
   * until the caller commits (or never, if it rolls back). The caller closes the connection.
   */
  Connection insertUncommitted(String persistenceId, long sequenceNr, Object event)
      throws SQLException {
    Connection c = db.connection();
    c.setAutoCommit(false);
    insert(c, persistenceId, sequenceNr, event);
    return c;
  }

  /** Inserts {@code count} events of one persistence id in committed batches. */
  void insertCommitted(String persistenceId, int count, Object event) throws SQLException {
    Serializer serializer = serialization.findSerializerFor(event);
    byte[] payload = serializer.toBinary(event);
    String manifest = Serializers.manifestFor(serializer, event);
    try (Connection c = db.connection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(INSERT)) {
        for (int i = 1; i <= count; i++) {
          bind(ps, persistenceId, i, serializer.identifier(), manifest, payload);
          ps.addBatch();
          if (i % 1000 == 0 || i == count) {
            ps.executeBatch();
            c.commit();
          }
        }
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  private void insert(Connection c, String persistenceId, long sequenceNr, Object event)
      throws SQLException {
    Serializer serializer = serialization.findSerializerFor(event);
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      bind(ps, persistenceId, sequenceNr, serializer.identifier(),
          Serializers.manifestFor(serializer, event), serializer.toBinary(event));
      ps.executeUpdate();
    }
  }

  private static void bind(PreparedStatement ps, String persistenceId, long sequenceNr,
      int serializerId, String manifest, byte[] payload) throws SQLException {
    ps.setString(1, persistenceId);
    ps.setLong(2, sequenceNr);
    ps.setLong(3, System.currentTimeMillis());
    ps.setInt(4, serializerId);
    ps.setString(5, manifest);
    ps.setBytes(6, payload);
  }
}
