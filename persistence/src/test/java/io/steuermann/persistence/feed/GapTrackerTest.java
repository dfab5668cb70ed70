package io.steuermann.persistence.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The gap rules on a synthetic clock (nanoseconds as plain numbers). */
class GapTrackerTest {

  private static final long TIMEOUT = 5_000;

  @Test
  void contiguousRowsAreAllDelivered() {
    GapTracker t = new GapTracker(0, TIMEOUT);
    t.observe(3, 10);
    GapTracker.Plan p = t.plan(new long[] {1, 2, 3}, 0);
    assertEquals(3, p.deliverCount());
    assertFalse(p.blocked());
    assertEquals(3, p.positionAfter());
  }

  @Test
  void holeBlocksLaterRowsUntilTheTimeoutThenIsSkipped() {
    GapTracker t = new GapTracker(0, TIMEOUT);
    t.observe(3, 100); // rows 1 and 3 seen, 2 missing, at t=100
    GapTracker.Plan p = t.plan(new long[] {1, 3}, 90);
    assertEquals(1, p.deliverCount());
    assertTrue(p.blocked());
    assertEquals(100 + TIMEOUT, p.blockedUntilNanos());
    t.advanceTo(p.positionAfter());

    t.observe(3, 2_000);
    // A query that started before the deadline may not skip: the row could commit in time.
    GapTracker.Plan early = t.plan(new long[] {3}, 100 + TIMEOUT - 1);
    assertEquals(0, early.deliverCount());
    assertTrue(early.blocked());

    GapTracker.Plan late = t.plan(new long[] {3}, 100 + TIMEOUT);
    assertEquals(1, late.deliverCount());
    assertEquals(List.of(new GapTracker.Skipped(2, 2)), late.skipped());
    assertEquals(3, late.positionAfter());
  }

  @Test
  void holeThatFillsInTimeIsDelivered() {
    GapTracker t = new GapTracker(0, TIMEOUT);
    t.observe(2, 100);
    assertEquals(0, t.plan(new long[] {2}, 50).deliverCount());
    t.observe(2, 200);
    GapTracker.Plan p = t.plan(new long[] {1, 2}, 150);
    assertEquals(2, p.deliverCount());
    assertTrue(p.skipped().isEmpty());
  }

  @Test
  void holeTimesOutFromWhenItWasFirstKnownNotFromLaterSightings() {
    GapTracker t = new GapTracker(0, TIMEOUT);
    t.observe(5, 100);
    t.observe(5, 3_000); // same bound later: the first sighting counts
    t.observe(8, 4_000);
    GapTracker.Plan p = t.plan(new long[] {6, 7, 8}, 100 + TIMEOUT);
    // 1..5 expired (first known at 100); 6..8 are rows.
    assertEquals(3, p.deliverCount());
    assertEquals(List.of(new GapTracker.Skipped(1, 5)), p.skipped());
    assertEquals(8, p.positionAfter());
  }

  @Test
  void rollbackAtTheIdleTailIsAlreadyExpiredWhenTheNextRowArrives() {
    GapTracker t = new GapTracker(3, TIMEOUT);
    t.observe(4, 100); // the sequence handed out 4; its insert rolled back; nothing else came
    assertEquals(0, t.plan(new long[] {}, 50).deliverCount());
    t.observe(5, 60_000); // a minute later, row 5
    GapTracker.Plan p = t.plan(new long[] {5}, 59_000);
    assertEquals(1, p.deliverCount());
    assertEquals(List.of(new GapTracker.Skipped(4, 4)), p.skipped());
  }

  @Test
  void partlyExpiredRangeSkipsOnlyTheExpiredPart() {
    GapTracker t = new GapTracker(0, TIMEOUT);
    t.observe(1, 100); // the sequence had handed out 1 at t=100
    t.observe(4, 3_000); // row 4 seen at t=3000: 2 and 3 known to be taken only since then
    GapTracker.Plan p = t.plan(new long[] {4}, 100 + TIMEOUT);
    assertEquals(0, p.deliverCount());
    assertTrue(p.blocked());
    assertEquals(List.of(new GapTracker.Skipped(1, 1)), p.skipped());
    assertEquals(1, p.positionAfter());
    assertEquals(3_000 + TIMEOUT, p.blockedUntilNanos());
  }
}
