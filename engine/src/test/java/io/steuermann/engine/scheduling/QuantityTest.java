package io.steuermann.engine.scheduling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class QuantityTest {

  @ParameterizedTest
  @CsvSource({
      "100m, 100", "0.5, 500", "2, 2000", "1, 1000", "250m, 250", "1.5, 1500", "0.1m, 1",
      "1e3, 1000000", "1E-3, 1", "500u, 1", "0, 0", "+2, 2000", "2k, 2000000", "1e+1, 10000", ".5, 500"})
  void milliCpu(String quantity, long expected) {
    assertEquals(expected, Quantity.milliCpu(quantity));
  }

  @ParameterizedTest
  @CsvSource({
      "128Mi, 134217728", "1Gi, 1073741824", "1G, 1000000000", "500k, 500000", "1e3, 1000",
      "1Ki, 1024", "1.5Gi, 1610612736", "0.5, 1", "100, 100", "2Ti, 2199023255552", "1M, 1000000",
      "129e6, 129000000", "123Mi, 128974848", "1000m, 1", "1500m, 2"})
  void bytes(String quantity, long expected) {
    assertEquals(expected, Quantity.bytes(quantity));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "abc", "1Qi", "Mi", "1.2.3", "1 Gi", "1e", "--1", "1mi", "0x10", "1e1000"})
  void rejectsInvalid(String quantity) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Quantity.bytes(quantity));
    assertTrue(e.getMessage().contains("\"" + quantity + "\""), e.getMessage());
  }

  @Test
  void rejectsNullAndOverflow() {
    assertThrows(IllegalArgumentException.class, () -> Quantity.milliCpu(null));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Quantity.bytes("100Ei"));
    assertTrue(e.getMessage().contains("out of range"));
  }
}
