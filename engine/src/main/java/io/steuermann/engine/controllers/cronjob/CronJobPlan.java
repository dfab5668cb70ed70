package io.steuermann.engine.controllers.cronjob;

import java.time.Instant;
import java.util.Optional;

/**
 * What a CronJob should do now, as Kubernetes' CronJob controller (v2) decides it, as a pure
 * function of the schedule and a few facts:
 *
 * <ul>
 *   <li>Only the most recent scheduled time since {@code lastScheduleTime} (or the creation,
 *       for a CronJob that never ran) is a candidate: after any downtime at most one catch-up
 *       run is started, however many times were missed.
 *   <li>{@code startingDeadlineSeconds} bounds how far back that looks: a time older than the
 *       deadline is no candidate, so it is missed, not started.
 *   <li>More than 100 missed times is reported ("too many missed start times") and, as in
 *       Kubernetes since the v2 controller, the most recent one is still run.
 *   <li>{@code Forbid} skips a run while a Job of the CronJob is active; {@code Replace} deletes
 *       the active Jobs and runs; {@code Allow} runs beside them.
 * </ul>
 */
public final class CronJobPlan {
  /** Beyond this many missed times a warning is recorded, as Kubernetes does. */
  public static final int TOO_MANY_MISSED = 100;

  private CronJobPlan() {}

  /** What to do. */
  public enum Action {
    /** Nothing is due (or the CronJob is suspended). */
    NONE,
    /** Start the Job for {@link Plan#scheduled()}. */
    START,
    /** {@code Forbid}, and a Job is still active: the run is skipped. */
    FORBIDDEN
  }

  /**
   * The decision: {@code scheduled} is the due time (for START and FORBIDDEN);
   * {@code replaceActive} when the active Jobs must go first; {@code missed} how many
   * scheduled times passed unrun; {@code nextWake} when to look again.
   */
  public record Plan(Action action, Optional<Instant> scheduled, boolean replaceActive, int missed,
      Optional<Instant> nextWake) {
    public boolean tooManyMissed() {
      return missed > TOO_MANY_MISSED;
    }
  }

  /**
   * @param earliest {@code status.lastScheduleTime}, or the creation time when it never ran
   * @param startingDeadline {@code spec.startingDeadlineSeconds}, or null
   * @param concurrencyPolicy Allow, Forbid or Replace
   * @param activeJobs the CronJob's Jobs that have not finished
   */
  public static Plan plan(CronSchedule schedule, Instant earliest, Long startingDeadline, Instant now,
      boolean suspend, String concurrencyPolicy, int activeJobs) {
    Optional<Instant> nextWake = schedule.next(now);
    if (suspend) {
      return new Plan(Action.NONE, Optional.empty(), false, 0, nextWake);
    }
    Instant from = earliest;
    if (startingDeadline != null) {
      Instant deadlineStart = now.minusSeconds(startingDeadline);
      if (deadlineStart.isAfter(from)) {
        from = deadlineStart;
      }
    }
    Instant after = from;
    Optional<Instant> mostRecent = schedule.previous(now).filter(t -> t.isAfter(after));
    if (mostRecent.isEmpty()) {
      return new Plan(Action.NONE, Optional.empty(), false, 0, nextWake);
    }
    int missed = missedBetween(schedule, from, mostRecent.get());
    if ("Forbid".equals(concurrencyPolicy) && activeJobs > 0) {
      return new Plan(Action.FORBIDDEN, mostRecent, false, missed, nextWake);
    }
    boolean replace = "Replace".equals(concurrencyPolicy) && activeJobs > 0;
    return new Plan(Action.START, mostRecent, replace, missed, nextWake);
  }

  /** Scheduled times after {@code from} up to and including {@code last}, counted to one past the limit. */
  static int missedBetween(CronSchedule schedule, Instant from, Instant last) {
    int count = 0;
    Optional<Instant> t = schedule.next(from);
    while (t.isPresent() && !t.get().isAfter(last) && count <= TOO_MANY_MISSED) {
      count++;
      t = schedule.next(t.get());
    }
    return count;
  }

  /** The name of the Job for a scheduled time: the CronJob's name and the minutes since the epoch. */
  public static String jobName(String cronJob, Instant scheduled) {
    return cronJob + "-" + scheduled.getEpochSecond() / 60;
  }
}
