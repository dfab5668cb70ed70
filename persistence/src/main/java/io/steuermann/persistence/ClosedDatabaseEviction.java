package io.steuermann.persistence;

import com.zaxxer.hikari.SQLExceptionOverride;
import java.sql.SQLException;

/**
 * Tells Hikari to drop a connection whose embedded H2 database has closed itself (H2 closes
 * its store after a failed write, e.g. on a full disk). Hikari evicts only on connection-class
 * SQLStates, which H2 does not use for this; a pool that keeps the dead connection would never
 * see the database again, even when a new connection would reopen it.
 */
public final class ClosedDatabaseEviction implements SQLExceptionOverride {
  /** H2: the database has been closed; general I/O errors of the file. */
  private static final int H2_DATABASE_CLOSED = 90098;
  private static final int H2_IO_EXCEPTION_1 = 90028;
  private static final int H2_IO_EXCEPTION_2 = 90031;

  @java.lang.Override
  public SQLExceptionOverride.Override adjudicate(SQLException e) {
    int code = e.getErrorCode();
    return code == H2_DATABASE_CLOSED || code == H2_IO_EXCEPTION_1 || code == H2_IO_EXCEPTION_2
        ? SQLExceptionOverride.Override.MUST_EVICT : SQLExceptionOverride.Override.CONTINUE_EVICT;
  }
}
