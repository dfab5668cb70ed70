package io.steuermann.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Reads back the journal's global {@code ordering} of an event: that number is the object's
 * resourceVersion. The group-commit journal hands the ordering of what it wrote or replayed to the
 * entity ({@code journal.WrittenOrderings}); this query is the fallback when it has none (an
 * entity recovered from a snapshot with no later events), and answers the highest ordering.
 */
public final class OrderingLookup {

  // Quoted lower-case names are the plugin's names on H2 and mean the same on PostgreSQL.
  private static final String BY_EVENT =
      "SELECT \"ordering\" FROM \"event_journal\""
          + " WHERE \"persistence_id\" = ? AND \"sequence_number\" = ?";
  private static final String HIGHEST = "SELECT MAX(\"ordering\") FROM \"event_journal\"";

  private final JournalDatabase db;
  private final Executor blockingExecutor;

  /** @param blockingExecutor where the JDBC calls run, e.g. a Pekko blocking-io dispatcher */
  public OrderingLookup(JournalDatabase db, Executor blockingExecutor) {
    this.db = db;
    this.blockingExecutor = blockingExecutor;
  }

  /**
   * The ordering of the event {@code sequenceNr} of {@code persistenceId}. Fails with
   * {@link NoSuchElementException} if no such event is in the journal.
   */
  public CompletionStage<Long> orderingOf(String persistenceId, long sequenceNr) {
    return CompletableFuture.supplyAsync(() -> query(persistenceId, sequenceNr), blockingExecutor);
  }

  /** The highest ordering committed so far, 0 for an empty journal; blocks the caller. */
  public long highestOrdering() {
    try (Connection c = db.connection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(HIGHEST)) {
      rs.next();
      return rs.getLong(1); // MAX of no rows is NULL, which getLong reads as 0
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the highest journal ordering", e);
    }
  }

  private long query(String persistenceId, long sequenceNr) {
    try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(BY_EVENT)) {
      ps.setString(1, persistenceId);
      ps.setLong(2, sequenceNr);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new NoSuchElementException(
              "no journal row for " + persistenceId + " sequence number " + sequenceNr);
        }
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new CompletionException(
          "cannot read the ordering of " + persistenceId + "#" + sequenceNr, e);
    }
  }
}
