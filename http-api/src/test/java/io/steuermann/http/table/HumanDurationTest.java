package io.steuermann.http.table;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HumanDurationTest {

  @ParameterizedTest(name = "{0}s -> {1}")
  @CsvSource({
      "-5, <invalid>", "-2, <invalid>", "-1, 0s", "0, 0s", "5, 5s", "59, 59s", "119, 119s",
      "120, 2m", "125, 2m5s", "599, 9m59s", "600, 10m", "10799, 179m",
      "10800, 3h", "12000, 3h20m", "28799, 7h59m", "28800, 8h", "172799, 47h",
      "172800, 2d", "183600, 2d3h", "691199, 7d23h", "691200, 8d", "63071999, 729d",
      "63072000, 2y", "63936000, 2y10d", "252288000, 8y", "315360000, 10y"})
  void likeKubernetes(long seconds, String expected) {
    assertEquals(expected, TableConverter.humanDuration(Duration.ofSeconds(seconds)));
  }

  @Test
  void subSecondNegativeIsZero() {
    assertEquals("0s", TableConverter.humanDuration(Duration.ofMillis(-1500)));
    assertEquals("1s", TableConverter.humanDuration(Duration.ofMillis(1999)));
  }

  @Test
  void ageAgainstClock() {
    TableConverter tc = new TableConverter(Clock.fixed(Instant.parse("2025-01-10T12:00:00Z"), ZoneOffset.UTC));
    assertEquals("5s", tc.age("2025-01-10T11:59:55Z"));
    assertEquals("3m", tc.age("2025-01-10T11:57:00Z"));
    assertEquals("2d", tc.age("2025-01-08T12:00:00Z"));
    assertEquals("<unknown>", tc.age(""));
    assertEquals("<unknown>", tc.age("yesterday"));
  }
}
