package io.steuermann.persistence.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which errors are the store's, and the failing state they leave, with errors as the drivers raise them. */
class StoreHealthTest {

  @Test
  void aFullDiskIsFoundUnderH2sGeneralIoError() {
    SQLException h2 = new SQLException("IO Exception: \"Writing to ... failed\"", "90028", 90028,
        new IllegalStateException("Writing failed", new IOException("No space left on device")));
    assertEquals(Optional.of(StoreHealth.Fault.FULL), StoreHealth.classify(h2));
    assertEquals(Optional.of(StoreHealth.Fault.FULL),
        StoreHealth.classify(new SQLException("could not extend file", "53100")));
  }

  @Test
  void connectionFaultsMakeTheStoreUnavailable() {
    assertEquals(Optional.of(StoreHealth.Fault.UNAVAILABLE),
        StoreHealth.classify(new RuntimeException(new SQLException("An I/O error occurred", "08006"))));
    assertEquals(Optional.of(StoreHealth.Fault.UNAVAILABLE),
        StoreHealth.classify(new SQLTransientConnectionException("Connection is not available")));
    assertEquals(Optional.of(StoreHealth.Fault.UNAVAILABLE),
        StoreHealth.classify(new SQLException("terminating connection due to administrator command", "57P01")));
    assertEquals(Optional.of(StoreHealth.Fault.UNAVAILABLE),
        StoreHealth.classify(new SQLException("The database has been closed", "90098", 90098)));
  }

  @Test
  void aWritesOwnErrorSaysNothingAboutTheStore() {
    assertEquals(Optional.empty(), StoreHealth.classify(new SQLException("duplicate key value", "23505")));
    assertEquals(Optional.empty(), StoreHealth.classify(new IllegalArgumentException("bad row")));
  }

  @Test
  void failingUntilAWriteSucceedsWithListenersToldOncePerFailure() {
    StoreHealth health = new StoreHealth(Clock.systemUTC());
    List<StoreHealth.Failure> told = new ArrayList<>();
    health.onFailure(told::add);
    health.failed(new SQLException("duplicate key value", "23505"));
    assertTrue(health.failure().isEmpty());

    health.failed(new SQLException("The database has been closed", "90098", 90098));
    health.failed(new SQLException("IO", "90028", 90028, new IOException("No space left on device")));
    assertEquals(StoreHealth.Fault.FULL, health.failure().orElseThrow().fault(), "the full disk is the cause");
    assertEquals(1, told.size());

    health.succeeded();
    assertTrue(health.failure().isEmpty());
    health.failed(new SQLException("An I/O error occurred", "08006"));
    assertEquals(2, told.size());
  }
}
