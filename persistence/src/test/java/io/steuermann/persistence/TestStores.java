package io.steuermann.persistence;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** The real databases the tests run on. */
final class TestStores {

  private TestStores() {}

  /**
   * The local PostgreSQL (override with STEUERMANN_PG_URL / _USER / _PASSWORD). Unreachable: the
   * caller's tests are skipped loudly, except under CI, where that is a failure.
   */
  static StoreSettings postgres() {
    StoreSettings s = StoreSettings.postgres(
        env("STEUERMANN_PG_URL", "jdbc:postgresql://127.0.0.1:5432/steuermann"),
        env("STEUERMANN_PG_USER", "steuermann"),
        env("STEUERMANN_PG_PASSWORD", "steuermann"));
    DriverManager.setLoginTimeout(3);
    try (Connection c = DriverManager.getConnection(s.jdbcUrl(), s.user(), s.password())) {
      return s;
    } catch (SQLException e) {
      String message = "PostgreSQL at " + s.jdbcUrl() + " is unreachable (" + e.getMessage()
          + "): the PostgreSQL tests do NOT run";
      // a required part of the test environment (.ci/run starts it): fail, never skip
      throw new AssertionError(message + " -- start PostgreSQL as .ci/run does", e);
    }
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
