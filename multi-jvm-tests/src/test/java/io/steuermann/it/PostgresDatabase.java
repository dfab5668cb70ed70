package io.steuermann.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assertions;

/**
 * A PostgreSQL database created fresh for one test and dropped by {@link #close()}. The
 * server is the local one unless system properties or environment variables
 * {@code STEUERMANN_IT_POSTGRES_URL} (an admin database to connect to, default
 * {@code jdbc:postgresql://127.0.0.1:5432/steuermann}), {@code ..._USER} and
 * {@code ..._PASSWORD} (default steuermann/steuermann) say otherwise; the user needs
 * CREATEDB.
 *
 * <p>If PostgreSQL cannot be reached the test is skipped (loudly, on stderr), unless the
 * environment variable {@code CI} is set: then it fails.
 */
public final class PostgresDatabase implements AutoCloseable {
  private final String adminUrl;
  private final String name;
  private final String url;
  private final String user;
  private final String password;

  private PostgresDatabase(String adminUrl, String name, String user, String password) {
    this.adminUrl = adminUrl;
    this.name = name;
    this.user = user;
    this.password = password;
    int slash = adminUrl.lastIndexOf('/');
    int query = adminUrl.indexOf('?', slash);
    this.url = adminUrl.substring(0, slash + 1) + name + (query > 0 ? adminUrl.substring(query) : "");
  }

  private static String setting(String key, String fallback) {
    String v = System.getProperty("steuermann.it.postgres." + key);
    if (v == null) {
      v = System.getenv("STEUERMANN_IT_POSTGRES_" + key.toUpperCase(java.util.Locale.ROOT));
    }
    return v != null ? v : fallback;
  }

  /** Creates {@code steuermann_it_<random>}; skips or fails the test if PostgreSQL is unreachable. */
  public static PostgresDatabase createFresh() {
    String adminUrl = setting("url", "jdbc:postgresql://127.0.0.1:5432/steuermann");
    String user = setting("user", "steuermann");
    String password = setting("password", "steuermann");
    String name = "steuermann_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(adminUrl, user, password);
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      String message = "PostgreSQL at " + adminUrl + " (user " + user + ") is not usable: " + e.getMessage();
      // a required part of the test environment (.ci/run starts it): fail, never skip
      Assertions.fail(message + " -- start PostgreSQL as .ci/run does", e);
    }
    return new PostgresDatabase(adminUrl, name, user, password);
  }

  public String name() {
    return name;
  }

  public String url() {
    return url;
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  /** Drops the database, disconnecting whatever still uses it. */
  @Override
  public void close() {
    try (Connection c = DriverManager.getConnection(adminUrl, user, password);
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (SQLException e) {
      System.err.println("could not drop test database " + name + ": " + e.getMessage());
    }
  }
}
