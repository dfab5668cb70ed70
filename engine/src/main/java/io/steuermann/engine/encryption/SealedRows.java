package io.steuermann.engine.encryption;

import io.steuermann.persistence.JournalDatabase;
import java.io.NotSerializableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.serialization.SerializationExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal's and snapshot store's sealed rows, by the key that sealed them: a start-up check
 * that this process holds every key the store needs (a lost or mismatched key file would make
 * Secrets unreadable, found only when one is read), and the re-sealing of rows under an old
 * key with the active one, after which the old key can leave the file.
 */
public final class SealedRows {

  /** One table holding serialized objects, with its column names. */
  private record Table(String name, String key, String payload, String serializer, String manifest) {}

  // Quoted lower-case names are the plugin's names on H2 and mean the same on PostgreSQL.
  private static final List<Table> TABLES = List.of(
      new Table("event_journal", "\"ordering\"", "event_payload", "event_ser_id", "event_ser_manifest"),
      new Table("snapshot", "\"persistence_id\", \"sequence_number\"", "snapshot_payload", "snapshot_ser_id",
          "snapshot_ser_manifest"));

  private static final int BATCH = 500;
  /** Pekko's jackson-cbor serializer, which wrote objects' rows before Secrets were sealed. */
  private static final int JACKSON_CBOR = 33;
  private static final Logger log = LoggerFactory.getLogger(SealedRows.class);

  private final JournalDatabase db;
  private final ObjectSerializer serializer;

  public SealedRows(JournalDatabase db, ObjectSerializer serializer) {
    this.db = db;
    this.serializer = serializer;
  }

  /**
   * The sealed rows of a starting engine, after the check that it holds every key they need;
   * fails the start with the key's name and the file otherwise.
   */
  public static SealedRows check(ActorSystem<?> system, JournalDatabase db) {
    ObjectSerializer serializer = (ObjectSerializer) SerializationExtension.get(system).serializerByIdentity().apply(ObjectSerializer.IDENTIFIER);
    SealedRows rows = new SealedRows(db, serializer);
    rows.unknownKey().ifPresent(name -> {
      throw new IllegalStateException("the store holds Secrets sealed with encryption key " + name + ", which "
          + serializer.keys().file() + " does not hold (it has " + serializer.keys().names()
          + "); start with the key file they were written with (--encryption-key-file)");
    });
    return rows;
  }

  /** Seals rows of Secrets under other keys or none on {@code executor}, logging what it did. */
  public void resealInBackground(Executor executor) {
    CompletableFuture.runAsync(() -> {
      int n = resealWithActiveKey();
      if (n > 0) {
        log.info("Sealed {} journal and snapshot rows of Secrets with encryption key {}; other keys of {} ({})"
            + " are no longer needed by this store", n, serializer.keys().active(), serializer.keys().file(),
            serializer.keys().names().subList(1, serializer.keys().names().size()));
      }
    }, executor).exceptionally(e -> {
      log.error("Re-sealing rows with encryption key {} failed; the old keys are still needed",
          serializer.keys().active(), e);
      return null;
    });
  }

  /** The name of a key some row was sealed with that this process does not hold, if any. */
  public Optional<String> unknownKey() {
    List<String> names = serializer.keys().names();
    for (Table t : TABLES) {
      StringBuilder sql = new StringBuilder("SELECT \"" + t.manifest + "\" FROM \"" + t.name + "\" WHERE \""
          + t.serializer + "\" = ? AND \"" + t.manifest + "\" LIKE ?");
      names.forEach(n -> sql.append(" AND \"").append(t.manifest).append("\" NOT LIKE ?"));
      sql.append(" LIMIT 1");
      try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
        int i = 1;
        ps.setInt(i++, serializer.identifier());
        ps.setString(i++, ObjectSerializer.SEALED + "%");
        for (String n : names) {
          ps.setString(i++, ObjectSerializer.SEALED + n + ":%");
        }
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            String manifest = rs.getString(1);
            int end = manifest.indexOf(':', ObjectSerializer.SEALED.length());
            return Optional.of(manifest.substring(ObjectSerializer.SEALED.length(), Math.max(end, 0)));
          }
        }
      } catch (SQLException e) {
        throw new IllegalStateException("cannot read the sealed rows of " + t.name, e);
      }
    }
    return Optional.empty();
  }

  /**
   * Seals with the active key every row of a Secret sealed with another key, or written plain
   * by jackson-cbor before Secrets were sealed; answers how many rows changed. Each row is
   * rewritten only if it still holds what was read (a concurrent reseal of another process
   * then changes nothing twice).
   */
  public int resealWithActiveKey() {
    String active = ObjectSerializer.SEALED + serializer.keys().active() + ":";
    int changed = 0;
    for (Table t : TABLES) {
      String select = "SELECT " + t.key + ", \"" + t.payload + "\", \"" + t.serializer + "\", \"" + t.manifest
          + "\" FROM \"" + t.name + "\" WHERE (\"" + t.serializer + "\" = ? AND \"" + t.manifest + "\" LIKE ? AND \""
          + t.manifest + "\" NOT LIKE ?) OR (\"" + t.serializer + "\" = ? AND \"persistence_id\" LIKE ?) LIMIT " + BATCH;
      String where = t.key.replace(", ", " = ? AND ") + " = ?";
      String update = "UPDATE \"" + t.name + "\" SET \"" + t.payload + "\" = ?, \"" + t.manifest + "\" = ?, \""
          + t.serializer + "\" = ? WHERE " + where + " AND \"" + t.serializer + "\" = ? AND \"" + t.manifest + "\" = ?";
      int keyColumns = t.key.split(",").length;
      while (true) {
        List<Object[]> rows = new ArrayList<>();
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(select)) {
          ps.setInt(1, serializer.identifier());
          ps.setString(2, ObjectSerializer.SEALED + "%");
          ps.setString(3, active + "%");
          ps.setInt(4, JACKSON_CBOR);
          ps.setString(5, "Secret|%");
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              Object[] row = new Object[keyColumns + 3];
              for (int k = 0; k < keyColumns + 3; k++) {
                row[k] = rs.getObject(k + 1);
              }
              rows.add(row);
            }
          }
          if (rows.isEmpty()) {
            break;
          }
          int before = changed;
          c.setAutoCommit(false);
          try (PreparedStatement up = c.prepareStatement(update)) {
            for (Object[] row : rows) {
              int serializerId = ((Number) row[keyColumns + 1]).intValue();
              String manifest = (String) row[keyColumns + 2];
              // jackson-cbor's rows are the same bytes this serializer writes before sealing
              Object value = serializer.fromBinary((byte[]) row[keyColumns], manifest);
              up.setBytes(1, serializer.toBinary(value));
              up.setString(2, serializer.manifest(value));
              up.setInt(3, serializer.identifier());
              for (int k = 0; k < keyColumns; k++) {
                up.setObject(4 + k, row[k]);
              }
              up.setInt(4 + keyColumns, serializerId);
              up.setString(5 + keyColumns, manifest);
              up.addBatch();
            }
            for (int n : up.executeBatch()) {
              changed += Math.max(n, 0);
            }
          }
          c.commit();
          c.setAutoCommit(true);
          if (changed == before) {
            break; // rows that changed under us: whoever changed them sealed them anew
          }
        } catch (SQLException | NotSerializableException e) {
          throw new IllegalStateException("cannot reseal the rows of " + t.name + " with key "
              + serializer.keys().active(), e);
        }
      }
    }
    return changed;
  }

}
