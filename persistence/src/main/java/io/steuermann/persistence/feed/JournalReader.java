package io.steuermann.persistence.feed;

import io.steuermann.persistence.JournalDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The change feed's two queries on the journal table. Blocking; one caller at a time. */
final class JournalReader {

  private static final Logger log = LoggerFactory.getLogger(JournalReader.class);

  /** A journal row before its payload is deserialized. */
  record RawRow(
      long ordering,
      String persistenceId,
      long sequenceNr,
      boolean deleted,
      int serializerId,
      String manifest,
      byte[] payload) {}

  // Quoted lower-case names are the plugin's names on H2 and mean the same on PostgreSQL.
  private static final String ROWS_AFTER =
      "SELECT \"ordering\", \"persistence_id\", \"sequence_number\", \"deleted\","
          + " \"event_ser_id\", \"event_ser_manifest\", \"event_payload\""
          + " FROM \"event_journal\" WHERE \"ordering\" > ? ORDER BY \"ordering\" LIMIT ?";

  // The next value of H2's identity column, whether its row committed or not.
  private static final String H2_NEXT_ORDERING =
      "SELECT IDENTITY_BASE FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = 'PUBLIC'"
          + " AND TABLE_NAME = 'event_journal' AND COLUMN_NAME = 'ordering'";

  // Sequences are not transactional: this sees values taken by transactions still in flight.
  private static final String POSTGRES_LAST_ORDERING =
      "SELECT pg_sequence_last_value(pg_get_serial_sequence('event_journal', 'ordering'))";

  private final JournalDatabase db;
  private boolean allocationProbeWorks = true;

  JournalReader(JournalDatabase db) {
    this.db = db;
  }

  List<RawRow> rowsAfter(long ordering, int limit) throws SQLException {
    try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(ROWS_AFTER)) {
      ps.setLong(1, ordering);
      ps.setInt(2, limit);
      ps.setFetchSize(limit);
      List<RawRow> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(new RawRow(
              rs.getLong(1),
              rs.getString(2),
              rs.getLong(3),
              rs.getBoolean(4),
              rs.getInt(5),
              rs.getString(6),
              rs.getBytes(7)));
        }
      }
      return rows;
    }
  }

  /**
   * The highest ordering handed out so far, committed or not, or 0 if unknown. Only an aid to
   * time out rolled-back inserts sooner, so a database that refuses the question is not asked
   * again.
   */
  long highestAllocated() {
    if (!allocationProbeWorks) {
      return 0;
    }
    try (Connection c = db.connection(); Statement st = c.createStatement()) {
      return switch (db.kind()) {
        case H2 -> single(st, H2_NEXT_ORDERING) - 1;
        case POSTGRES -> single(st, POSTGRES_LAST_ORDERING);
      };
    } catch (SQLException e) {
      allocationProbeWorks = false;
      log.warn("Cannot read the journal's ordering sequence; rolled-back inserts at the tail of"
          + " the journal will hold the change feed for up to gap-timeout", e);
      return 0;
    }
  }

  private static long single(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }
}
