package io.steuermann.persistence;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Our own small connection pool on the journal's database, for the queries the journal plugin
 * does not offer (ordering read-back, change feed, schema). It is separate from slick's pools so
 * that a slow feed query never delays a journal write, and the other way round.
 */
public final class JournalDatabase implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(JournalDatabase.class);

  private final StoreSettings settings;
  private final HikariDataSource pool;
  private final AtomicBoolean closed = new AtomicBoolean();

  private JournalDatabase(StoreSettings settings, HikariDataSource pool) {
    this.settings = settings;
    this.pool = pool;
  }

  /** Opens the pool with room for the feed, the lookups and the schema check. */
  public static JournalDatabase open(StoreSettings settings) {
    return open(settings, 4);
  }

  public static JournalDatabase open(StoreSettings settings, int maxConnections) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("steuermann-journal-queries");
    config.setJdbcUrl(settings.jdbcUrl());
    config.setUsername(settings.user());
    config.setPassword(settings.password());
    config.setDriverClassName(settings.driverClassName());
    config.setMaximumPoolSize(maxConnections);
    config.setMinimumIdle(1);
    config.setConnectionTimeout(5_000);
    config.setAutoCommit(true);
    HikariDataSource pool = new HikariDataSource(config);
    log.info("Opened journal query pool on {}", settings);
    return new JournalDatabase(settings, pool);
  }

  public StoreSettings settings() {
    return settings;
  }

  public StoreKind kind() {
    return settings.kind();
  }

  /** A pooled connection in auto-commit mode; the caller closes it. */
  public Connection connection() throws SQLException {
    return pool.getConnection();
  }

  /** Closes this pool only; H2 stays open while slick's pools hold connections. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      pool.close();
    }
  }

  /**
   * For H2, closes the database file cleanly (H2's SHUTDOWN, which also ends every other
   * connection to it, slick's included), then this pool. Call it last, after the actor system
   * has terminated. For PostgreSQL it is {@link #close()}.
   */
  public void shutdown() {
    if (settings.kind() == StoreKind.H2 && !closed.get()) {
      boolean done = false;
      try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
        st.execute("SHUTDOWN");
        done = true;
        log.info("H2 journal database shut down");
      } catch (SQLException e) {
        // Returning the connection to the pool fails once the database is gone: expected.
        if (!done) {
          log.warn("H2 SHUTDOWN failed; the database closes when its last connection closes", e);
        }
      }
    }
    close();
  }
}
