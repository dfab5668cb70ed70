package io.steuermann.persistence;

/** The journal contract on the local PostgreSQL (skipped loudly if it is not there, unless CI). */
class PostgresJournalTest extends JournalContract {

  @Override
  protected StoreSettings openStore() {
    return TestStores.postgres();
  }
}
