package io.steuermann.persistence;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;

/**
 * Child JVM for the kill -9 test: commits journal rows one by one on H2 with the production URL
 * settings and prints "ACK n" after each commit returned, until it is killed.
 */
public final class H2WriterProcess {

  private H2WriterProcess() {}

  public static void main(String[] args) throws Exception {
    StoreSettings store = StoreSettings.h2(Path.of(args[0]));
    JournalDatabase db = JournalDatabase.open(store, 1);
    Schema.ensure(db);
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement(
            "INSERT INTO \"event_journal\" (\"persistence_id\", \"sequence_number\", \"writer\","
                + " \"write_timestamp\", \"adapter_manifest\", \"event_ser_id\","
                + " \"event_ser_manifest\", \"event_payload\")"
                + " VALUES ('killed', ?, 'child', 0, '', 0, '', X'00')")) {
      c.setAutoCommit(false);
      for (long n = 1; ; n++) {
        ps.setLong(1, n);
        ps.executeUpdate();
        c.commit();
        System.out.println("ACK " + n);
        System.out.flush();
      }
    }
  }
}
