package io.steuermann.http;

import com.typesafe.config.Config;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store round trip on PostgreSQL, in a database of its own ({@link PostgresTestDatabase}). */
class PostgresApiTest extends StoreRoundTrip {
  private static PostgresTestDatabase db;

  @BeforeAll
  static void createDatabase() {
    db = PostgresTestDatabase.create("steuermann_api");
  }

  @AfterAll
  static void dropDatabase() throws Exception {
    if (db != null) {
      db.close();
    }
  }

  @Override
  protected Config store() {
    return db.store();
  }
}
