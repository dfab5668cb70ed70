package io.steuermann.engine.controllers.daemonset;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FailedPodBackoffTest {
  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

  @Test
  void eachFailureOnANodeWaitsTwiceAsLongUpToFifteenMinutes() {
    FailedPodBackoff b = new FailedPodBackoff();
    assertEquals(Optional.empty(), b.waitFor("n1", T0));
    b.deleted("n1", T0);
    assertEquals(Optional.of(Duration.ofMillis(500)), b.waitFor("n1", T0.plusMillis(500)));
    assertEquals(Optional.empty(), b.waitFor("n1", T0.plusSeconds(1)));
    assertEquals(Optional.empty(), b.waitFor("n2", T0), "per node");
    b.deleted("n1", T0.plusSeconds(1));
    assertEquals(Optional.of(Duration.ofSeconds(2)), b.waitFor("n1", T0.plusSeconds(1)));
    Instant t = T0.plusSeconds(1);
    for (int i = 0; i < 20; i++) {
      t = t.plusSeconds(1000);
      b.deleted("n1", t);
    }
    assertEquals(Optional.of(Duration.ofMinutes(15)), b.waitFor("n1", t));
    // quiet for more than twice the maximum: back to 1 s
    Instant later = t.plus(Duration.ofMinutes(31));
    b.deleted("n1", later);
    assertEquals(Optional.of(Duration.ofSeconds(1)), b.waitFor("n1", later));
  }
}
