package io.steuermann.http;

import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PostgreSQL database of a test's own, created for it and dropped after it (so it neither
 * sees nor disturbs other tests' journals), on STEUERMANN_PG_URL / _USER / _PASSWORD, by default
 * the local server; the user needs CREATEDB. Unreachable: the test fails (a required part of the
 * test environment, which .ci/run starts), never skips.
 */
final class PostgresTestDatabase implements AutoCloseable {
  private static final Pattern URL = Pattern.compile("^jdbc:postgresql://([^/:]+)(?::(\\d+))?/([^?]*)(\\?.*)?$");

  private final String adminUrl;
  private final String user;
  private final String password;
  private final String host;
  private final int port;
  private final String database;
  private final String params;

  private PostgresTestDatabase(String adminUrl, String user, String password, Matcher m, String database) {
    this.adminUrl = adminUrl;
    this.user = user;
    this.password = password;
    this.host = m.group(1);
    this.port = m.group(2) == null ? 5432 : Integer.parseInt(m.group(2));
    this.params = m.group(4) == null ? "" : m.group(4);
    this.database = database;
  }

  static PostgresTestDatabase create(String prefix) {
    String adminUrl = env("STEUERMANN_PG_URL", "jdbc:postgresql://127.0.0.1:5432/steuermann");
    Matcher m = URL.matcher(adminUrl);
    if (!m.matches()) {
      fail("STEUERMANN_PG_URL is not jdbc:postgresql://host[:port]/database[?params]: " + adminUrl);
    }
    String database = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
    PostgresTestDatabase db = new PostgresTestDatabase(adminUrl,
        env("STEUERMANN_PG_USER", "steuermann"), env("STEUERMANN_PG_PASSWORD", "steuermann"), m, database);
    DriverManager.setLoginTimeout(3);
    try (Connection c = DriverManager.getConnection(adminUrl, db.user, db.password);
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + database);
    } catch (SQLException e) {
      fail("PostgreSQL at " + adminUrl + " is unreachable or refuses CREATE DATABASE (" + e.getMessage()
          + "): start PostgreSQL as .ci/run does", e);
    }
    return db;
  }

  /** The server's port, for a relay in front of it. */
  int port() {
    return port;
  }

  /** The store configuration of this database. */
  Config store() {
    return storeVia(host, port);
  }

  /** The store configuration of this database reached at another address (a relay). */
  Config storeVia(String viaHost, int viaPort) {
    return ConfigFactory.parseMap(Map.of(
        "steuermann.store.kind", "postgres",
        "steuermann.store.postgres.url", "jdbc:postgresql://" + viaHost + ":" + viaPort + "/" + database + params,
        "steuermann.store.postgres.user", user,
        "steuermann.store.postgres.password", password));
  }

  @Override
  public void close() throws SQLException {
    try (Connection c = DriverManager.getConnection(adminUrl, user, password);
        Statement st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
