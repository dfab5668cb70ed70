package io.steuermann.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The three bounds of {@link WriteLimiter}: in all, per client, per object. */
class WriteLimiterTest {
  @Test
  void oneObjectTakesAtMostItsShare() {
    WriteLimiter limiter = new WriteLimiter(512, 3);
    List<WriteLimiter.Permit> held = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      held.add(limiter.admit("client-" + i, "pods \"ns/a\"").permit());
    }
    WriteLimiter.Admission fourth = limiter.admit("client-4", "pods \"ns/a\"");
    assertNull(fourth.permit());
    assertEquals("too many writes in flight to pods \"ns/a\" (3); retry later", fourth.refusal());
    // other objects and creates are not held back by it
    assertNotNull(limiter.admit("client-4", "pods \"ns/b\"").permit());
    assertNotNull(limiter.admit("client-4", null).permit());
    held.remove(0).release(200);
    assertNotNull(limiter.admit("client-4", "pods \"ns/a\"").permit());
  }

  @Test
  void oneClientTakesAtMostHalfOfTheWrites() {
    WriteLimiter limiter = new WriteLimiter(8, 32);
    for (int i = 0; i < 4; i++) {
      assertNotNull(limiter.admit("burst", null).permit());
    }
    assertEquals("too many writes in flight from this client (4); retry later", limiter.admit("burst", null).refusal());
    // another client still gets in, up to the limit in all
    for (int i = 0; i < 4; i++) {
      assertNotNull(limiter.admit("kubectl", null).permit(), "write " + i + " of another client");
    }
    WriteLimiter.Admission full = limiter.admit("third", null);
    assertNull(full.permit());
    assertEquals("too many writes in flight (8 now, at most 8); retry later", full.refusal());
    assertEquals(8, limiter.inFlight());
  }

  @Test
  void aRefusalHoldsNoSlot() {
    WriteLimiter limiter = new WriteLimiter(2, 1);
    WriteLimiter.Permit first = limiter.admit("a", "pods \"x\"").permit();
    for (int i = 0; i < 100; i++) {
      assertNull(limiter.admit("b", "pods \"x\"").permit());
    }
    assertEquals(1, limiter.inFlight());
    first.release(409);
    assertEquals(0, limiter.inFlight());
    assertNotNull(limiter.admit("b", "pods \"x\"").permit());
  }
}
