package io.steuermann.persistence.journal;

import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.steuermann.persistence.StoreKind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.PersistentRepr$;
import org.apache.pekko.persistence.journal.japi.AsyncWriteJournal;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;

/**
 * The journal plugin of Steuermann's objects (and of allocation claims): writes go through a
 * {@link GroupCommitWriter} (one transaction and one sync for all writes waiting, each row's
 * ordering from the insert itself, handed to the writer through {@link WrittenOrderings}); reads
 * (recovery) are plain queries. The table is pekko-persistence-jdbc's 1.x {@code event_journal}
 * format, column for column, so that plugin's read journal and the change feed read it as before.
 *
 * <p>Configuration (see {@code JournalPluginConfig}): {@code store-kind}, {@code url},
 * {@code user}, {@code password}, {@code driver}, {@code table}, {@code max-batch-rows},
 * {@code publish-orderings}.
 */
public final class GroupCommitJournal extends AsyncWriteJournal {

  private static final Logger log = LoggerFactory.getLogger(GroupCommitJournal.class);

  private final StoreKind kind;
  private final String table;
  private final HikariDataSource pool;
  private final ExecutorService readers;
  private final GroupCommitWriter writer;
  private final Serialization serialization;
  private final WrittenOrderings orderings;
  private final boolean publish;

  public GroupCommitJournal(Config config) {
    this.kind = StoreKind.valueOf(config.getString("store-kind").toUpperCase(Locale.ROOT));
    this.table = config.getString("table");
    this.publish = config.getBoolean("publish-orderings");
    this.serialization = SerializationExtension.get(context().system());
    this.orderings = WrittenOrderings.get(context().system());
    this.pool = pool(config, kind, table);
    int readerThreads = config.getInt("reader-threads");
    this.readers = Executors.newFixedThreadPool(readerThreads, r -> {
      Thread t = new Thread(r, "steuermann-journal-reader-" + table);
      t.setDaemon(true);
      return t;
    });
    this.writer = new GroupCommitWriter(pool, kind, table, config.getInt("max-batch-rows"), this::durable,
        StoreHealth.get(context().system()));
    // H2 closes its database for good after a failed write: pools holding its dead connections
    // (slick's among them) would not see it reopen; a restart does
    StoreHealth.get(context().system()).recoversInProcess(kind != StoreKind.H2);
    if (kind == StoreKind.H2) {
      // H2 may meet the full disk in its own background writer: our threads then see only
      // "database closed", and the free space of the file's disk tells the cause
      String url = config.getString("url");
      String file = url.substring("jdbc:h2:file:".length()).split(";", 2)[0];
      StoreHealth.get(context().system()).disk(java.nio.file.Path.of(file).toAbsolutePath().getParent());
    }
  }

  private static HikariDataSource pool(Config config, StoreKind kind, String table) {
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("steuermann-journal-" + table);
    hikari.setJdbcUrl(config.getString("url"));
    hikari.setUsername(config.getString("user"));
    hikari.setPassword(config.getString("password"));
    hikari.setDriverClassName(config.getString("driver"));
    hikari.setMaximumPoolSize(config.getInt("reader-threads") + 1);
    hikari.setMinimumIdle(1);
    // a database that went away fails a write within seconds, not after Hikari's 30 s default
    hikari.setConnectionTimeout(config.getDuration("connection-timeout").toMillis());
    if (kind == StoreKind.POSTGRES) {
      // the commit returns only when its WAL is flushed, whatever the server's default
      hikari.setConnectionInitSql("SET synchronous_commit = on");
    }
    return new HikariDataSource(hikari);
  }

  @Override
  public void preStart() throws Exception {
    super.preStart();
    try (Connection c = pool.getConnection()) {
      checkDurability(c);
      writer.sync(c); // rows an earlier process committed but never synced become durable now
      if (publish) {
        orderings.journalStarted(highestOrdering(c));
      }
    }
    writer.start();
    log.info("Group-commit journal on {} table {} started", kind, table);
  }

  @Override
  public void postStop() throws Exception {
    writer.stop();
    readers.shutdown();
    pool.close();
    super.postStop();
  }

  private void checkDurability(Connection c) throws SQLException {
    if (kind != StoreKind.POSTGRES) {
      return;
    }
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW fsync")) {
      if (rs.next() && !"on".equalsIgnoreCase(rs.getString(1))) {
        log.error("PostgreSQL runs with fsync = {}: acknowledged writes can be lost in a power cut"
            + " or an operating-system crash; set fsync = on", rs.getString(1));
      }
    }
  }

  private long highestOrdering(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT MAX(\"ordering\") FROM \"" + table + "\"")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private void durable(List<JournalRowData> rows, long[] written) {
    if (!publish) {
      return;
    }
    long highest = 0;
    for (int i = 0; i < written.length; i++) {
      JournalRowData row = rows.get(i);
      orderings.offer(row.persistenceId(), row.sequenceNr(), written[i]);
      highest = Math.max(highest, written[i]);
    }
    orderings.synced(highest, written.length);
  }

  @Override
  public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
    List<Optional<Exception>> results = new ArrayList<>();
    List<CompletableFuture<long[]>> writes = new ArrayList<>();
    for (AtomicWrite write : messages) {
      List<JournalRowData> rows;
      try {
        rows = serialize(write);
      } catch (RuntimeException e) {
        // a rejection: this write is not stored, the entity hears why and goes on
        results.add(Optional.of(e));
        continue;
      }
      results.add(Optional.empty());
      writes.add(writer.write(rows));
    }
    CompletableFuture<Iterable<Optional<Exception>>> all = CompletableFuture
        .allOf(writes.toArray(CompletableFuture[]::new))
        .thenApply(ignored -> results);
    return FutureConverters.asScala(all);
  }

  private List<JournalRowData> serialize(AtomicWrite write) {
    List<JournalRowData> rows = new ArrayList<>(write.size());
    long now = System.currentTimeMillis();
    for (PersistentRepr repr : CollectionConverters.asJava(write.payload())) {
      Object payload = repr.payload();
      Serializer serializer = serialization.findSerializerFor(payload);
      byte[] metaPayload = null;
      Integer metaId = null;
      String metaManifest = null;
      if (repr.metadata().isDefined()) {
        Object meta = repr.metadata().get();
        Serializer metaSerializer = serialization.findSerializerFor(meta);
        metaPayload = metaSerializer.toBinary(meta);
        metaId = metaSerializer.identifier();
        metaManifest = Serializers.manifestFor(metaSerializer, meta);
      }
      rows.add(new JournalRowData(repr.persistenceId(), repr.sequenceNr(), repr.deleted(),
          repr.writerUuid(), repr.timestamp() > 0 ? repr.timestamp() : now, repr.manifest(),
          serializer.toBinary(payload), serializer.identifier(), Serializers.manifestFor(serializer, payload),
          metaPayload, metaId, metaManifest));
    }
    return rows;
  }

  @Override
  public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
    // as pekko-persistence-jdbc does: rows below the highest one go, the highest is marked deleted
    return blocking(() -> {
      try (Connection c = pool.getConnection()) {
        c.setAutoCommit(false);
        try {
          long highest;
          try (PreparedStatement ps = c.prepareStatement("SELECT MAX(\"sequence_number\") FROM \"" + table
              + "\" WHERE \"persistence_id\" = ? AND \"sequence_number\" <= ?")) {
            ps.setString(1, persistenceId);
            ps.setLong(2, toSequenceNr);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              highest = rs.getLong(1);
            }
          }
          try (PreparedStatement ps = c.prepareStatement("DELETE FROM \"" + table
              + "\" WHERE \"persistence_id\" = ? AND \"sequence_number\" <= ?")) {
            ps.setString(1, persistenceId);
            ps.setLong(2, highest - 1);
            ps.executeUpdate();
          }
          try (PreparedStatement ps = c.prepareStatement("UPDATE \"" + table
              + "\" SET \"deleted\" = TRUE WHERE \"persistence_id\" = ? AND \"sequence_number\" = ?")) {
            ps.setString(1, persistenceId);
            ps.setLong(2, highest);
            ps.executeUpdate();
          }
          c.commit();
        } catch (SQLException e) {
          c.rollback();
          throw e;
        } finally {
          c.setAutoCommit(true);
        }
        writer.sync(c);
        return null;
      }
    });
  }

  @Override
  public Future<Void> doAsyncReplayMessages(String persistenceId, long fromSequenceNr, long toSequenceNr,
      long max, Consumer<PersistentRepr> replay) {
    return blocking(() -> {
      if (max <= 0 || toSequenceNr < fromSequenceNr) {
        return null;
      }
      String sql = "SELECT \"ordering\", \"deleted\", \"sequence_number\", \"writer\", \"write_timestamp\","
          + " \"adapter_manifest\", \"event_payload\", \"event_ser_id\", \"event_ser_manifest\","
          + " \"meta_payload\", \"meta_ser_id\", \"meta_ser_manifest\" FROM \"" + table + "\""
          + " WHERE \"persistence_id\" = ? AND \"sequence_number\" >= ? AND \"sequence_number\" <= ?"
          + " ORDER BY \"sequence_number\" LIMIT ?";
      try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, persistenceId);
        ps.setLong(2, fromSequenceNr);
        ps.setLong(3, toSequenceNr);
        ps.setLong(4, Math.min(max, Integer.MAX_VALUE));
        ps.setFetchSize(500);
        long lastSeqNr = 0;
        long lastOrdering = 0;
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            lastOrdering = rs.getLong(1);
            lastSeqNr = rs.getLong(3);
            replay.accept(toRepr(persistenceId, rs));
          }
        }
        if (publish && lastSeqNr > 0) {
          // the entity asks for the ordering of its last event right after recovery
          orderings.offer(persistenceId, lastSeqNr, lastOrdering);
        }
        return null;
      }
    });
  }

  private PersistentRepr toRepr(String persistenceId, ResultSet rs) throws SQLException {
    Object payload = serialization.deserialize(rs.getBytes(7), rs.getInt(8), rs.getString(9)).get();
    PersistentRepr repr = PersistentRepr$.MODULE$.apply(payload, rs.getLong(3), persistenceId,
        rs.getString(6), rs.getBoolean(2), ActorRef.noSender(), rs.getString(4));
    byte[] meta = rs.getBytes(10);
    if (meta != null) {
      repr = repr.withMetadata(serialization.deserialize(meta, rs.getInt(11), rs.getString(12)).get());
    }
    return repr.withTimestamp(rs.getLong(5));
  }

  @Override
  public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
    return blocking(() -> {
      try (Connection c = pool.getConnection();
          PreparedStatement ps = c.prepareStatement("SELECT MAX(\"sequence_number\") FROM \"" + table
              + "\" WHERE \"persistence_id\" = ?")) {
        ps.setString(1, persistenceId);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    });
  }

  private interface Query<T> {
    T run() throws SQLException;
  }

  private <T> Future<T> blocking(Query<T> query) {
    Supplier<T> call = () -> {
      try {
        return query.run();
      } catch (SQLException e) {
        throw new CompletionException(e);
      }
    };
    return FutureConverters.asScala(CompletableFuture.supplyAsync(call, readers));
  }
}
