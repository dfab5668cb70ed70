package io.steuermann.persistence.journal;

import io.steuermann.persistence.StoreKind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit in two stages. The commit thread takes every write that is waiting, inserts all
 * of their rows in one transaction, reads each row's {@code ordering} back from the insert itself
 * (generated keys) and commits. The sync thread takes every batch committed so far, makes them
 * durable with one sync and only then completes their writes. Commits go on while a sync runs,
 * so under load many writes share one sync; alone, a write waits for one commit and one sync.
 *
 * <p>Durable means: on H2, {@code CHECKPOINT SYNC} (the MVStore file is forced to the device
 * with {@code FileChannel.force}, an fsync); on PostgreSQL, the commit itself with
 * {@code synchronous_commit = on}, which the connections set.
 *
 * <p>Orderings handed out in one process are committed in that order, since one thread commits;
 * a failed batch is retried write by write, so one bad write fails alone.
 */
final class GroupCommitWriter {

  private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);

  /** How often a failing store is tried again while no write comes. */
  private static final long PROBE_INTERVAL_MILLIS = 1_000;
  private static final String PROBE_UPDATE = "UPDATE \"steuermann_probe\" SET \"at\" = ? WHERE \"id\" = 1";
  private static final String PROBE_INSERT = "INSERT INTO \"steuermann_probe\" (\"id\", \"at\") VALUES (1, ?)";

  /** A write of one AtomicWrite's rows; completes with their orderings once durable. */
  record Request(List<JournalRowData> rows, CompletableFuture<long[]> done) {}

  /** Called with the batch's rows and orderings after the sync, before the writes complete. */
  interface Durable {
    void written(List<JournalRowData> rows, long[] orderings);
  }

  private final DataSource pool;
  private final StoreKind kind;
  private final String insertSql;
  private final int maxRows;
  private final Durable durable;
  private final StoreHealth health;
  /** A batch whose transaction has committed, waiting for the sync that makes it durable. */
  private record Committed(List<Request> requests, long[] orderings) {}

  private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();
  private final BlockingQueue<Committed> committed = new LinkedBlockingQueue<>();
  private final Thread thread;
  private final Thread syncThread;
  private volatile boolean stopping;

  GroupCommitWriter(DataSource pool, StoreKind kind, String table, int maxRows, Durable durable, StoreHealth health) {
    this.pool = pool;
    this.health = health;
    this.kind = kind;
    this.maxRows = maxRows;
    this.durable = durable;
    this.insertSql = "INSERT INTO \"" + table + "\" (\"deleted\", \"persistence_id\", \"sequence_number\","
        + " \"writer\", \"write_timestamp\", \"adapter_manifest\", \"event_payload\", \"event_ser_id\","
        + " \"event_ser_manifest\", \"meta_payload\", \"meta_ser_id\", \"meta_ser_manifest\")"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    this.thread = new Thread(this::run, "steuermann-journal-writer-" + table);
    thread.setDaemon(true);
    this.syncThread = new Thread(this::runSyncs, "steuermann-journal-sync-" + table);
    syncThread.setDaemon(true);
  }

  void start() {
    thread.start();
    syncThread.start();
  }

  CompletableFuture<long[]> write(List<JournalRowData> rows) {
    CompletableFuture<long[]> done = new CompletableFuture<>();
    if (stopping) {
      done.completeExceptionally(new IllegalStateException("the journal writer has stopped"));
    } else {
      queue.add(new Request(rows, done));
    }
    return done;
  }

  /** Makes everything committed so far durable (H2: an fsync of the store file). */
  void sync(Connection c) throws SQLException {
    if (kind == StoreKind.H2) {
      try (Statement st = c.createStatement()) {
        st.execute("CHECKPOINT SYNC");
      }
    }
  }

  void stop() {
    stopping = true;
    for (Thread t : List.of(thread, syncThread)) {
      t.interrupt();
      try {
        t.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Request left;
    while ((left = queue.poll()) != null) {
      left.done().completeExceptionally(new IllegalStateException("the journal has stopped"));
    }
    Committed unsynced;
    while ((unsynced = committed.poll()) != null) {
      unsynced.requests().forEach(r -> r.done().completeExceptionally(
          new IllegalStateException("the journal stopped before this write was synced")));
    }
  }

  /** Every batch committed before a sync starts is durable when it returns. */
  private void runSyncs() {
    List<Committed> batches = new ArrayList<>();
    while (!stopping) {
      try {
        batches.add(committed.take());
      } catch (InterruptedException e) {
        break;
      }
      committed.drainTo(batches);
      try (Connection c = pool.getConnection()) {
        sync(c);
        batches.forEach(b -> complete(b.requests(), b.orderings()));
        health.succeeded();
      } catch (SQLException | RuntimeException e) {
        health.failed(e);
        log.error("Syncing {} committed journal batches failed; their writes fail", batches.size(), e);
        batches.forEach(b -> b.requests().forEach(r -> r.done().completeExceptionally(e)));
      }
      batches.clear();
    }
  }

  private void run() {
    List<Request> batch = new ArrayList<>();
    while (!stopping) {
      try {
        Request first = queue.poll(PROBE_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        if (first == null) {
          probeWhileFailing();
          continue;
        }
        batch.add(first);
      } catch (InterruptedException e) {
        break;
      }
      int rows = batch.get(0).rows().size();
      Request next;
      while (rows < maxRows && (next = queue.poll()) != null) {
        batch.add(next);
        rows += next.rows().size();
      }
      commit(batch);
      batch.clear();
    }
  }

  /**
   * While the store is failing no write reaches the journal (the API refuses them), so this
   * finds out when it can write again: one small durable write of its own.
   */
  private void probeWhileFailing() {
    if (health.failure().isEmpty() || !health.recoversInProcess()) {
      return;
    }
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement up = c.prepareStatement(PROBE_UPDATE)) {
        up.setLong(1, System.currentTimeMillis());
        if (up.executeUpdate() == 0) {
          try (PreparedStatement in = c.prepareStatement(PROBE_INSERT)) {
            in.setLong(1, System.currentTimeMillis());
            in.executeUpdate();
          }
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c);
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
      sync(c);
      health.succeeded();
      log.info("The journal writes again");
    } catch (SQLException | RuntimeException e) {
      health.failed(e);
      log.debug("The journal still cannot write: {}", e.toString());
    }
  }

  private void commit(List<Request> batch) {
    try {
      committed.add(new Committed(List.copyOf(batch), insert(batch)));
    } catch (SQLException | RuntimeException e) {
      health.failed(e);
      if (batch.size() == 1) {
        batch.get(0).done().completeExceptionally(e);
        return;
      }
      log.warn("A journal batch of {} writes failed ({}); writing them one by one", batch.size(), e.toString());
      for (Request r : batch) {
        try {
          committed.add(new Committed(List.of(r), insert(List.of(r))));
        } catch (SQLException | RuntimeException single) {
          health.failed(single);
          r.done().completeExceptionally(single);
        }
      }
    }
  }

  private void complete(List<Request> batch, long[] orderings) {
    List<JournalRowData> all = new ArrayList<>(orderings.length);
    batch.forEach(r -> all.addAll(r.rows()));
    durable.written(all, orderings);
    int at = 0;
    for (Request r : batch) {
      long[] own = new long[r.rows().size()];
      System.arraycopy(orderings, at, own, 0, own.length);
      at += own.length;
      r.done().complete(own);
    }
  }

  /** One transaction for the whole batch; the orderings in row order, once committed. */
  private long[] insert(List<Request> batch) throws SQLException {
    int total = batch.stream().mapToInt(r -> r.rows().size()).sum();
    long[] orderings = new long[total];
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(insertSql, new String[] {"ordering"})) {
        for (Request r : batch) {
          for (JournalRowData row : r.rows()) {
            bind(ps, row);
            ps.addBatch();
          }
        }
        ps.executeBatch();
        int n = 0;
        try (ResultSet keys = ps.getGeneratedKeys()) {
          while (keys.next() && n < total) {
            orderings[n++] = keys.getLong(1);
          }
        }
        if (n != total) {
          throw new SQLException("the insert of " + total + " journal rows returned " + n + " orderings");
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c);
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
    return orderings;
  }

  private static void bind(PreparedStatement ps, JournalRowData row) throws SQLException {
    ps.setBoolean(1, row.deleted());
    ps.setString(2, row.persistenceId());
    ps.setLong(3, row.sequenceNr());
    ps.setString(4, row.writer());
    ps.setLong(5, row.writeTimestamp());
    ps.setString(6, row.adapterManifest());
    ps.setBytes(7, row.payload());
    ps.setInt(8, row.serializerId());
    ps.setString(9, row.serializerManifest());
    if (row.metaPayload() == null) {
      ps.setNull(10, Types.VARBINARY);
      ps.setNull(11, Types.INTEGER);
      ps.setNull(12, Types.VARCHAR);
    } else {
      ps.setBytes(10, row.metaPayload());
      ps.setInt(11, row.metaSerializerId());
      ps.setString(12, row.metaSerializerManifest());
    }
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException e) {
      log.debug("rollback failed", e);
    }
  }
}
