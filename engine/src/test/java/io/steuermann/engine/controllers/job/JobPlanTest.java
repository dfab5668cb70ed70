package io.steuermann.engine.controllers.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.steuermann.engine.controllers.job.JobPlan.Counted;
import io.steuermann.engine.controllers.job.JobPlan.Plan;
import io.steuermann.engine.controllers.job.JobPlan.PodView;
import io.steuermann.engine.controllers.job.JobPlan.Spec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The Job arithmetic from worked examples. */
class JobPlanTest {
  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
  private static final Backoff BACKOFF = Backoff.KUBERNETES;
  private static final Counted NOTHING = new Counted(0, 0, "", null, Optional.empty());

  private static Spec nonIndexed(int completions, int parallelism, int backoffLimit) {
    return new Spec(completions, parallelism, backoffLimit, false, false, null, false);
  }

  private static PodView pod(String name, String phase, Integer index, Instant finished) {
    return new PodView(name, phase, index, false, "Running".equals(phase), 0, finished, NOW.minusSeconds(60));
  }

  @Test
  void backoffDoublesFromTheBaseAndIsCapped() {
    assertEquals(Duration.ZERO, BACKOFF.delay(0));
    assertEquals(Duration.ofSeconds(10), BACKOFF.delay(1));
    assertEquals(Duration.ofSeconds(20), BACKOFF.delay(2));
    assertEquals(Duration.ofSeconds(40), BACKOFF.delay(3));
    assertEquals(Duration.ofSeconds(320), BACKOFF.delay(6));
    assertEquals(Duration.ofMinutes(6), BACKOFF.delay(7));
    assertEquals(Duration.ofMinutes(6), BACKOFF.delay(100));
  }

  @Test
  void completedIndexesAreWrittenAsKubernetesCompressesThem() {
    assertEquals("0,1,3-5,7", CompletedIndexes.format(new TreeSet<>(List.of(0, 1, 3, 4, 5, 7))));
    assertEquals("", CompletedIndexes.format(new TreeSet<>()));
    assertEquals(new TreeSet<>(List.of(0, 1, 3, 4, 5, 7)), CompletedIndexes.parse("0,1,3-5,7", 10));
    // outside [0, completions) and unreadable entries count nothing
    assertEquals(new TreeSet<>(List.of(1, 2)), CompletedIndexes.parse("1-4,x", 3));
  }

  @Test
  void startsUpToParallelismAndNoMoreThanRemain() {
    Plan first = JobPlan.plan(nonIndexed(3, 2, 6), NOTHING, List.of(), NOW, BACKOFF);
    assertEquals(2, first.create());
    assertEquals(NOW, first.startTime());
    // one succeeded, one running: one more is started (3 - 1 succeeded = 2 wanted, 1 running)
    Plan second = JobPlan.plan(nonIndexed(3, 2, 6), new Counted(0, 0, "", NOW, Optional.empty()),
        List.of(pod("a", "Succeeded", null, NOW), pod("b", "Running", null, null)), NOW, BACKOFF);
    assertEquals(1, second.create());
    assertEquals(1, second.succeeded());
    assertEquals(1, second.active());
    // two succeeded, one running: nothing to start (one remains, and it runs)
    Plan third = JobPlan.plan(nonIndexed(3, 2, 6), NOTHING,
        List.of(pod("a", "Succeeded", null, NOW), pod("b", "Succeeded", null, NOW), pod("c", "Running", null, null)),
        NOW, BACKOFF);
    assertEquals(0, third.create());
    assertTrue(third.finished().isEmpty());
  }

  @Test
  void enoughSuccessesComplete() {
    Plan done = JobPlan.plan(nonIndexed(2, 2, 6), NOTHING,
        List.of(pod("a", "Succeeded", null, NOW), pod("b", "Succeeded", null, NOW)), NOW, BACKOFF);
    assertEquals(Optional.of(JobPlan.Finished.complete()), done.finished());
    assertEquals(0, done.create());
  }

  @Test
  void failuresBeyondTheBackoffLimitFailTheJobAndStopItsPods() {
    List<PodView> pods = List.of(pod("a", "Failed", null, NOW.minusSeconds(30)), pod("b", "Failed", null, NOW),
        pod("c", "Running", null, null));
    Plan plan = JobPlan.plan(nonIndexed(1, 2, 1), NOTHING, pods, NOW, BACKOFF);
    assertEquals(Optional.of(JobPlan.Finished.backoffLimit()), plan.finished());
    assertEquals(List.of("c"), plan.delete());
    assertEquals(2, plan.failed());
    // at the limit, not beyond: it goes on
    Plan atLimit = JobPlan.plan(nonIndexed(1, 1, 2), NOTHING, pods.subList(0, 2), NOW.plusSeconds(60), BACKOFF);
    assertTrue(atLimit.finished().isEmpty());
  }

  @Test
  void onFailureRestartsCountAsFailures() {
    PodView restarting = new PodView("a", "Running", null, false, false, 3, null, NOW);
    Spec spec = new Spec(1, 1, 2, false, false, null, true);
    assertEquals(Optional.of(JobPlan.Finished.backoffLimit()),
        JobPlan.plan(spec, NOTHING, List.of(restarting), NOW, BACKOFF).finished());
    Spec never = new Spec(1, 1, 2, false, false, null, false);
    assertTrue(JobPlan.plan(never, NOTHING, List.of(restarting), NOW, BACKOFF).finished().isEmpty());
  }

  @Test
  void aFailureDelaysTheNextPodByTheBackoff() {
    // two failures in a row, the last 15 s ago: the next waits 20 s after it, so 5 s more
    List<PodView> pods = List.of(pod("a", "Failed", null, NOW.minusSeconds(40)),
        pod("b", "Failed", null, NOW.minusSeconds(15)));
    Plan waiting = JobPlan.plan(nonIndexed(1, 1, 6), NOTHING, pods, NOW, BACKOFF);
    assertEquals(0, waiting.create());
    assertEquals(Optional.of(NOW.plusSeconds(5)), waiting.wake());
    Plan later = JobPlan.plan(nonIndexed(1, 1, 6), NOTHING, pods, NOW.plusSeconds(5), BACKOFF);
    assertEquals(1, later.create());
    // a success in between resets the count: one failure since, 10 s
    List<PodView> withSuccess = List.of(pod("a", "Failed", null, NOW.minusSeconds(40)),
        pod("s", "Succeeded", null, NOW.minusSeconds(30)), pod("b", "Failed", null, NOW.minusSeconds(15)));
    assertEquals(Optional.of(NOW.minusSeconds(5)), JobPlan.notBefore(withSuccess, BACKOFF));
  }

  @Test
  void activeDeadlineFailsARunningJob() {
    Spec spec = new Spec(1, 1, 6, false, false, 30L, false);
    Counted started = new Counted(0, 0, "", NOW.minusSeconds(30), Optional.empty());
    Plan plan = JobPlan.plan(spec, started, List.of(pod("a", "Running", null, null)), NOW, BACKOFF);
    assertEquals(Optional.of(JobPlan.Finished.deadline()), plan.finished());
    assertEquals(List.of("a"), plan.delete());
    Plan before = JobPlan.plan(spec, started, List.of(pod("a", "Running", null, null)), NOW.minusSeconds(1), BACKOFF);
    assertTrue(before.finished().isEmpty());
    assertEquals(Optional.of(NOW), before.wake());
  }

  @Test
  void indexedJobsStartTheLowestMissingIndexesAndCompleteWhenAllAreDone() {
    Spec spec = new Spec(5, 2, 6, true, false, null, false);
    Plan first = JobPlan.plan(spec, NOTHING, List.of(), NOW, BACKOFF);
    assertEquals(List.of(0, 1), first.createIndexes());
    // 0 done (recorded earlier), 2 done now, 1 running: index 3 is next
    List<PodView> pods = List.of(pod("j-1", "Running", 1, null), pod("j-2", "Succeeded", 2, NOW));
    Plan next = JobPlan.plan(spec, new Counted(1, 0, "0", NOW, Optional.empty()), pods, NOW, BACKOFF);
    assertEquals(List.of(3), next.createIndexes());
    assertEquals("0,2", next.completedIndexes());
    assertEquals(2, next.succeeded());
    Plan done = JobPlan.plan(spec, new Counted(4, 0, "0-3", NOW, Optional.empty()),
        List.of(pod("j-4", "Succeeded", 4, NOW)), NOW, BACKOFF);
    assertEquals(Optional.of(JobPlan.Finished.complete()), done.finished());
    assertEquals("0-4", done.completedIndexes());
  }

  @Test
  void aSuspendedJobKeepsNoPodsAndNoStartTime() {
    Spec spec = new Spec(3, 2, 6, false, true, 10L, false);
    Plan plan = JobPlan.plan(spec, new Counted(0, 0, "", NOW.minusSeconds(100), Optional.empty()),
        List.of(pod("a", "Running", null, null)), NOW, BACKOFF);
    assertEquals(List.of("a"), plan.delete());
    assertEquals(0, plan.create());
    assertNull(plan.startTime());
    assertTrue(plan.finished().isEmpty(), "the deadline does not run while suspended");
  }

  @Test
  void countsNeverGoDownWhenPodsAreDeleted() {
    Plan plan = JobPlan.plan(nonIndexed(5, 1, 6), new Counted(3, 2, "", NOW, Optional.empty()), new ArrayList<>(),
        NOW.plusSeconds(3600), BACKOFF);
    assertEquals(3, plan.succeeded());
    assertEquals(2, plan.failed());
    assertEquals(1, plan.create());
  }

  @Test
  void aWorkQueueJobCompletesWhenOneSucceededAndNoneRun() {
    Spec queue = new Spec(null, 3, 6, false, false, null, false);
    assertEquals(3, JobPlan.plan(queue, NOTHING, List.of(), NOW, BACKOFF).create());
    Plan draining = JobPlan.plan(queue, NOTHING, List.of(pod("a", "Succeeded", null, NOW), pod("b", "Running", null,
        null)), NOW, BACKOFF);
    assertEquals(0, draining.create());
    assertTrue(draining.finished().isEmpty());
    Plan done = JobPlan.plan(queue, NOTHING, List.of(pod("a", "Succeeded", null, NOW), pod("b", "Succeeded", null,
        NOW)), NOW, BACKOFF);
    assertEquals(Optional.of(JobPlan.Finished.complete()), done.finished());
  }

  @Test
  void loweredParallelismDeletesTheNotReadyAndNewestFirst() {
    List<PodView> pods = List.of(
        new PodView("old-ready", "Running", null, false, true, 0, null, NOW.minusSeconds(100)),
        new PodView("new-ready", "Running", null, false, true, 0, null, NOW.minusSeconds(10)),
        new PodView("pending", "Pending", null, false, false, 0, null, NOW.minusSeconds(200)));
    Plan plan = JobPlan.plan(nonIndexed(10, 1, 6), NOTHING, pods, NOW, BACKOFF);
    assertEquals(List.of("pending", "new-ready"), plan.delete());
  }

  @Test
  void podFailurePolicyFailsIgnoresOrCountsByTheFirstMatchingRule() throws Exception {
    PodFailurePolicy policy = PodFailurePolicy.fromJson(new com.fasterxml.jackson.databind.ObjectMapper().readTree("""
        {"rules":[{"action":"FailJob","onExitCodes":{"containerName":"main","operator":"In","values":[42]}},
                  {"action":"Ignore","onPodConditions":[{"type":"DisruptionTarget"}]},
                  {"action":"Ignore","onExitCodes":{"operator":"In","values":[3]}}]}"""));
    Spec spec = new Spec(1, 1, 0, false, false, null, false, policy);
    PodView exit42 = new PodView("p42", "Failed", null, false, false, 0, NOW, NOW, "ns",
        List.of(new PodFailurePolicy.Exit("side", 0), new PodFailurePolicy.Exit("main", 42)), java.util.Set.of());
    Plan failed = JobPlan.plan(spec, NOTHING, List.of(exit42), NOW, BACKOFF);
    assertEquals(Optional.of(JobPlan.Finished.podFailurePolicy(
        "Container main for pod ns/p42 failed with exit code 42 matching FailJob rule at index 0")), failed.finished());
    // ignored failures: not counted, so backoffLimit 0 is not exceeded, and a new pod starts at once
    PodView evicted = new PodView("ev", "Failed", null, false, false, 0, NOW, NOW, "ns",
        List.of(new PodFailurePolicy.Exit("main", 137)), java.util.Set.of("DisruptionTarget=True"));
    PodView exit3 = new PodView("p3", "Failed", null, false, false, 0, NOW, NOW, "ns",
        List.of(new PodFailurePolicy.Exit("main", 3)), java.util.Set.of());
    Plan ignored = JobPlan.plan(spec, NOTHING, List.of(evicted, exit3), NOW, BACKOFF);
    assertTrue(ignored.finished().isEmpty(), ignored.toString());
    assertEquals(0, ignored.failed());
    assertEquals(1, ignored.create());
    // no rule matches exit code 1: it counts, and backoffLimit 0 fails the Job
    PodView exit1 = new PodView("p1", "Failed", null, false, false, 0, NOW, NOW, "ns",
        List.of(new PodFailurePolicy.Exit("main", 1)), java.util.Set.of());
    assertEquals(Optional.of(JobPlan.Finished.backoffLimit()),
        JobPlan.plan(spec, NOTHING, List.of(exit1), NOW, BACKOFF).finished());
  }
}
