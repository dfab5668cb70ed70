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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The store round trip on PostgreSQL, in a database of its own created for this run and dropped
 * after it (so it neither sees nor disturbs other tests' journals). The server is
 * STEUERMANN_PG_URL / _USER / _PASSWORD, by default the local one; its user needs CREATEDB.
 * Unreachable: skipped loudly, except under CI (env CI set), where that fails.
 */
class PostgresApiTest extends StoreRoundTrip {
  private static final Pattern URL = Pattern.compile("^(jdbc:postgresql://[^/]+/)([^?]*)(\\?.*)?$");

  private static String adminUrl;
  private static String user;
  private static String password;
  private static String database;
  private static String url;

  @BeforeAll
  static void createDatabase() {
    adminUrl = env("STEUERMANN_PG_URL", "jdbc:postgresql://127.0.0.1:5432/steuermann");
    user = env("STEUERMANN_PG_USER", "steuermann");
    password = env("STEUERMANN_PG_PASSWORD", "steuermann");
    Matcher m = URL.matcher(adminUrl);
    if (!m.matches()) {
      fail("STEUERMANN_PG_URL is not jdbc:postgresql://host[:port]/database[?params]: " + adminUrl);
    }
    database = "steuermann_api_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
    url = m.group(1) + database + (m.group(3) == null ? "" : m.group(3));
    DriverManager.setLoginTimeout(3);
    try (Connection c = DriverManager.getConnection(adminUrl, user, password)) {
      try (Statement st = c.createStatement()) {
        st.execute("CREATE DATABASE " + database);
      }
    } catch (SQLException e) {
      String message = "PostgreSQL at " + adminUrl + " is unreachable or refuses CREATE DATABASE ("
          + e.getMessage() + "): PostgresApiTest does NOT run";
      // a required part of the test environment (.ci/run starts it): fail, never skip
      fail(message + " -- start PostgreSQL as .ci/run does", e);
    }
  }

  @AfterAll
  static void dropDatabase() throws SQLException {
    if (database == null || url == null) {
      return;
    }
    try (Connection c = DriverManager.getConnection(adminUrl, user, password);
        Statement st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }
  }

  @Override
  protected Config store() {
    return ConfigFactory.parseMap(Map.of(
        "steuermann.store.kind", "postgres",
        "steuermann.store.postgres.url", url,
        "steuermann.store.postgres.user", user,
        "steuermann.store.postgres.password", password));
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
