package io.steuermann.persistence.feed;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides which journal rows may be delivered, given that orderings are allocated before their
 * transaction commits: a missing ordering may still appear (a transaction in flight) or never
 * (a rolled-back insert). Pure logic over orderings and clock readings; no I/O, not thread-safe.
 *
 * <p>A missing ordering {@code h} is skipped only when (1) some observation made at time
 * {@code t} proved that {@code h} had already been allocated by then, and (2) a query that
 * started at least gap-timeout after {@code t} still did not see it. So a row whose transaction
 * commits within gap-timeout of the moment we first knew of it is never skipped. Observations
 * come from the highest row a query saw and, where the database tells it, the highest value the
 * ordering sequence has handed out, so an insert rolled back while the journal was idle is
 * already timed out when the next write arrives.
 */
final class GapTracker {

  /** Every ordering below {@code bound} had been allocated at {@code atNanos}. */
  private record Observation(long bound, long atNanos) {}

  /** Orderings {@code from..to} (inclusive) were given up on. */
  record Skipped(long from, long to) {}

  /**
   * @param deliverCount how many of the leading rows of the batch may be delivered
   * @param skipped holes passed over on the way (for logging)
   * @param blocked whether a hole that has not yet timed out holds back later rows
   * @param blockedUntilNanos when that hole times out (meaningful only if blocked)
   * @param positionAfter the position once those rows are delivered and those holes skipped
   */
  record Plan(
      int deliverCount,
      List<Skipped> skipped,
      boolean blocked,
      long blockedUntilNanos,
      long positionAfter) {}

  private final long gapTimeoutNanos;
  private final ArrayDeque<Observation> observations = new ArrayDeque<>();
  private long position;

  /** @param position the last ordering already delivered (0 to start at the beginning) */
  GapTracker(long position, long gapTimeoutNanos) {
    this.position = position;
    this.gapTimeoutNanos = gapTimeoutNanos;
  }

  long position() {
    return position;
  }

  /** Records that every ordering up to {@code highestAllocated} existed at {@code atNanos}. */
  void observe(long highestAllocated, long atNanos) {
    long bound = highestAllocated + 1;
    Observation last = observations.peekLast();
    // Keep the earliest time for a bound: that is when the hole became known.
    if (bound > position + 1 && (last == null || bound > last.bound())) {
      observations.addLast(new Observation(bound, atNanos));
    }
  }

  /**
   * Plans the delivery of a batch read by a query that started at {@code queryStartNanos}.
   *
   * @param orderings strictly increasing orderings, all greater than {@link #position()}
   */
  Plan plan(long[] orderings, long queryStartNanos) {
    long expiredBound = expiredBound(queryStartNanos);
    List<Skipped> skipped = new ArrayList<>(0);
    long expected = position + 1;
    int count = 0;
    for (long ordering : orderings) {
      if (ordering < expected) {
        throw new IllegalArgumentException("ordering " + ordering + " is not after " + (expected - 1));
      }
      if (ordering > expected) {
        long skipTo = Math.min(ordering, expiredBound); // exclusive
        if (skipTo > expected) {
          skipped.add(new Skipped(expected, skipTo - 1));
          expected = skipTo;
        }
        if (ordering > expected) {
          return new Plan(count, skipped, true, deadlineOf(expected), expected - 1);
        }
      }
      count++;
      expected = ordering + 1;
    }
    return new Plan(count, skipped, false, 0L, expected - 1);
  }

  /** Moves past the rows of a plan once they have been handed over. */
  void advanceTo(long newPosition) {
    if (newPosition < position) {
      throw new IllegalArgumentException("cannot move back from " + position + " to " + newPosition);
    }
    position = newPosition;
    while (!observations.isEmpty() && observations.peekFirst().bound() <= position + 1) {
      observations.removeFirst();
    }
  }

  /** Every hole below the returned ordering has timed out. */
  private long expiredBound(long nowNanos) {
    long bound = 0;
    for (Observation o : observations) {
      if (nowNanos - o.atNanos() < gapTimeoutNanos) {
        break; // observations are in time order
      }
      bound = o.bound();
    }
    return bound;
  }

  private long deadlineOf(long hole) {
    for (Observation o : observations) {
      if (o.bound() > hole) {
        return o.atNanos() + gapTimeoutNanos;
      }
    }
    throw new IllegalStateException("hole " + hole + " was never observed");
  }
}
