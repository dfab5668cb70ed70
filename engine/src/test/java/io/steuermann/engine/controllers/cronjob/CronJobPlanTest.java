package io.steuermann.engine.controllers.cronjob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.steuermann.engine.controllers.cronjob.CronJobPlan.Action;
import io.steuermann.engine.controllers.cronjob.CronJobPlan.Plan;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The schedule and the missed-run rules, with fixed times instead of a clock. */
class CronJobPlanTest {
  private static Instant t(String s) {
    return Instant.parse(s);
  }

  private static CronSchedule schedule(String s) throws Exception {
    return CronSchedule.parse(s, null);
  }

  @Test
  void descriptorsAndFieldsParseAsRobfigsStandardParser() throws Exception {
    assertEquals(Optional.of(t("2026-12-07T11:00:00Z")), schedule("@hourly").next(t("2026-12-07T10:15:00Z")));
    assertEquals(Optional.of(t("2026-12-08T00:00:00Z")), schedule("@daily").next(t("2026-12-07T10:15:00Z")));
    assertEquals(Optional.of(t("2026-12-08T00:00:00Z")), schedule("@midnight").next(t("2026-12-07T10:15:00Z")));
    assertEquals(Optional.of(t("2027-01-01T00:00:00Z")), schedule("@yearly").next(t("2026-12-07T10:15:00Z")));
    // 2026-12-07 is a Monday: @weekly is Sunday midnight
    assertEquals(Optional.of(t("2026-12-13T00:00:00Z")), schedule("@weekly").next(t("2026-12-07T10:15:00Z")));
    assertEquals(Optional.of(t("2026-12-07T10:20:00Z")), schedule("*/5 * * * *").next(t("2026-12-07T10:15:00Z")));
    assertEquals(Optional.of(t("2026-12-07T10:16:00Z")), schedule("* * * * *").next(t("2026-12-07T10:15:00Z")));
    assertEquals(Optional.of(t("2026-12-07T10:15:00Z")), schedule("* * * * *").previous(t("2026-12-07T10:15:00Z")));
    assertEquals(Optional.of(t("2026-12-07T10:15:00Z")), schedule("* * * * *").previous(t("2026-12-07T10:15:59Z")));
  }

  @Test
  void timeZonesShiftTheSchedule() throws Exception {
    // 09:00 in Berlin is 08:00 UTC in winter
    assertEquals(Optional.of(t("2026-12-08T08:00:00Z")),
        CronSchedule.parse("0 9 * * *", "Europe/Berlin").next(t("2026-12-07T10:00:00Z")));
    assertEquals(Optional.of(t("2026-12-08T08:00:00Z")),
        CronSchedule.parse("TZ=Europe/Berlin 0 9 * * *", null).next(t("2026-12-07T10:00:00Z")));
    assertEquals(Optional.of("Europe/Berlin"), CronSchedule.timeZonePrefix("CRON_TZ=Europe/Berlin 0 9 * * *"));
  }

  @Test
  void badSchedulesAreRefusedWithAReason() {
    for (String bad : new String[] {"", "* * * *", "* * * * * *", "61 * * * *", "@fortnightly", "a b c d e",
        "TZ=Mars/Olympus * * * * *"}) {
      CronSchedule.InvalidSchedule e = assertThrows(CronSchedule.InvalidSchedule.class, () -> schedule(bad), bad);
      assertFalse(e.getMessage() == null || e.getMessage().isBlank(), bad);
    }
    assertThrows(CronSchedule.InvalidSchedule.class, () -> CronSchedule.parse("* * * * *", "Local"));
  }

  @Test
  void nothingIsDueBeforeTheFirstScheduledTime() throws Exception {
    Plan plan = CronJobPlan.plan(schedule("* * * * *"), t("2026-12-07T10:00:30Z"), null, t("2026-12-07T10:00:50Z"),
        false, "Allow", 0);
    assertEquals(Action.NONE, plan.action());
    assertEquals(Optional.of(t("2026-12-07T10:01:00Z")), plan.nextWake());
  }

  @Test
  void afterDowntimeOnlyTheMostRecentMissedTimeRuns() throws Exception {
    // last run 10:00, down until 10:07:20: seven times were missed, one run (10:07) starts
    Plan plan = CronJobPlan.plan(schedule("* * * * *"), t("2026-12-07T10:00:00Z"), null, t("2026-12-07T10:07:20Z"),
        false, "Allow", 0);
    assertEquals(Action.START, plan.action());
    assertEquals(Optional.of(t("2026-12-07T10:07:00Z")), plan.scheduled());
    assertEquals(7, plan.missed());
    assertFalse(plan.tooManyMissed());
    assertEquals("nightly-29943967", CronJobPlan.jobName("nightly", plan.scheduled().get()));
  }

  @Test
  void moreThanAHundredMissedTimesAreReportedAndTheLastStillRuns() throws Exception {
    Plan plan = CronJobPlan.plan(schedule("* * * * *"), t("2026-12-07T08:00:00Z"), null, t("2026-12-07T10:00:10Z"),
        false, "Allow", 0);
    assertTrue(plan.tooManyMissed());
    assertEquals(Action.START, plan.action());
    assertEquals(Optional.of(t("2026-12-07T10:00:00Z")), plan.scheduled());
  }

  @Test
  void startingDeadlineBoundsHowFarBackARunMayStart() throws Exception {
    // the 10:00 run was missed by 90 s; with a 60 s deadline it is not started
    Plan late = CronJobPlan.plan(schedule("0 * * * *"), t("2026-12-07T09:00:00Z"), 60L, t("2026-12-07T10:01:30Z"),
        false, "Allow", 0);
    assertEquals(Action.NONE, late.action());
    Plan inTime = CronJobPlan.plan(schedule("0 * * * *"), t("2026-12-07T09:00:00Z"), 120L, t("2026-12-07T10:01:30Z"),
        false, "Allow", 0);
    assertEquals(Action.START, inTime.action());
    assertEquals(Optional.of(t("2026-12-07T10:00:00Z")), inTime.scheduled());
    // a deadline also keeps a long downtime from counting as "too many missed"
    Plan bounded = CronJobPlan.plan(schedule("* * * * *"), t("2026-12-01T00:00:00Z"), 200L, t("2026-12-07T10:00:10Z"),
        false, "Allow", 0);
    assertEquals(Action.START, bounded.action());
    assertFalse(bounded.tooManyMissed());
  }

  @Test
  void concurrencyPoliciesAndSuspend() throws Exception {
    CronSchedule every = schedule("* * * * *");
    Instant last = t("2026-12-07T10:00:00Z");
    Instant now = t("2026-12-07T10:01:05Z");
    assertEquals(Action.FORBIDDEN, CronJobPlan.plan(every, last, null, now, false, "Forbid", 1).action());
    assertEquals(Action.START, CronJobPlan.plan(every, last, null, now, false, "Forbid", 0).action());
    Plan replace = CronJobPlan.plan(every, last, null, now, false, "Replace", 2);
    assertEquals(Action.START, replace.action());
    assertTrue(replace.replaceActive());
    Plan allow = CronJobPlan.plan(every, last, null, now, false, "Allow", 2);
    assertEquals(Action.START, allow.action());
    assertFalse(allow.replaceActive());
    assertEquals(Action.NONE, CronJobPlan.plan(every, last, null, now, true, "Allow", 0).action());
  }
}
