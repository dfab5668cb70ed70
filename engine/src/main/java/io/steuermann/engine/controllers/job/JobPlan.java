package io.steuermann.engine.controllers.job;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The Job controller's arithmetic as a pure function of the Job's spec, what its status has
 * counted, its pods and the time: how many pods to start (which indexes, for an Indexed Job),
 * which to delete, whether the Job has finished and why, the counts for its status, and when
 * to look again (a back-off or a deadline ending).
 *
 * <p>Order of the checks, as Kubernetes': a finished Job stays finished; failures beyond
 * {@code backoffLimit} (with restartPolicy OnFailure, container restarts count as failures
 * too) fail it with {@code BackoffLimitExceeded}; running past {@code activeDeadlineSeconds}
 * fails it with {@code DeadlineExceeded}; enough successes complete it; a suspended Job keeps
 * no pods; otherwise it keeps {@code min(parallelism, remaining)} pods, starting new ones
 * only after the failure back-off.
 */
public final class JobPlan {
  private JobPlan() {}

  /** What the plan needs of the Job's spec (after defaulting). */
  public record Spec(Integer completions, int parallelism, int backoffLimit, boolean indexed, boolean suspend,
      Long activeDeadlineSeconds, boolean restartOnFailure, PodFailurePolicy failurePolicy) {
    public Spec(Integer completions, int parallelism, int backoffLimit, boolean indexed, boolean suspend,
        Long activeDeadlineSeconds, boolean restartOnFailure) {
      this(completions, parallelism, backoffLimit, indexed, suspend, activeDeadlineSeconds, restartOnFailure,
          PodFailurePolicy.NONE);
    }
  }

  /** What the Job's status has counted so far; {@code finished} is its Complete or Failed condition, if any. */
  public record Counted(int succeeded, int failed, String completedIndexes, Instant startTime,
      Optional<Finished> finished) {}

  /** A pod of the Job as the plan sees it: {@code phase} as in its status, {@code index} for Indexed Jobs. */
  public record PodView(String name, String phase, Integer index, boolean terminating, boolean ready,
      int restarts, Instant finishedAt, Instant createdAt, String namespace, List<PodFailurePolicy.Exit> exits,
      java.util.Set<String> conditions) {
    public PodView(String name, String phase, Integer index, boolean terminating, boolean ready, int restarts,
        Instant finishedAt, Instant createdAt) {
      this(name, phase, index, terminating, ready, restarts, finishedAt, createdAt, "", List.of(), java.util.Set.of());
    }

    boolean active() {
      return !terminating && !"Succeeded".equals(phase) && !"Failed".equals(phase);
    }
  }

  /** A terminal outcome: {@code type} Complete or Failed, with Kubernetes' reason and message. */
  public record Finished(String type, String reason, String message) {
    public static Finished complete() {
      return new Finished("Complete", "CompletionsReached", "Reached expected number of succeeded pods");
    }

    public static Finished backoffLimit() {
      return new Finished("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit");
    }

    public static Finished podFailurePolicy(String message) {
      return new Finished("Failed", "PodFailurePolicy", message);
    }

    public static Finished deadline() {
      return new Finished("Failed", "DeadlineExceeded", "Job was active longer than specified deadline");
    }
  }

  /**
   * The decision. {@code create} pods are to be started now ({@code createIndexes} names their
   * indexes for an Indexed Job), {@code delete} names pods to delete; {@code finished} is set
   * when the Job has (just, or already) finished; {@code startTime} is what status should
   * say (null while suspended); {@code wake} is when the plan may change with time alone.
   */
  public record Plan(int create, List<Integer> createIndexes, List<String> delete, Optional<Finished> finished,
      int active, int ready, int succeeded, int failed, int terminating, String completedIndexes,
      Instant startTime, Optional<Instant> wake) {}

  public static Plan plan(Spec spec, Counted counted, List<PodView> pods, Instant now, Backoff backoff) {
    List<PodView> active = pods.stream().filter(PodView::active).toList();
    int ready = (int) active.stream().filter(PodView::ready).count();
    int terminating = (int) pods.stream().filter(PodView::terminating).count();
    int completions = spec.completions() == null ? 0 : spec.completions();
    // pods are kept until the Job goes, so they are counted; status counts are never lowered
    // (a pod deleted by hand, or with a lost node, stays counted)
    // podFailurePolicy: an ignored failure is not counted at all, a FailJob match fails the Job
    List<PodView> counting = new ArrayList<>();
    Optional<Finished> failJob = Optional.empty();
    for (PodView p : pods) {
      if (!"Failed".equals(p.phase())) {
        counting.add(p);
        continue;
      }
      Optional<PodFailurePolicy.Match> match = spec.failurePolicy().match(p.namespace(), p.name(), p.exits(),
          p.conditions());
      String action = match.map(PodFailurePolicy.Match::action).orElse("Count");
      if ("FailJob".equals(action) && failJob.isEmpty()) {
        failJob = Optional.of(Finished.podFailurePolicy(match.get().message()));
      }
      if (!"Ignore".equals(action)) {
        counting.add(p);
      }
    }
    int failedPods = (int) counting.stream().filter(p -> "Failed".equals(p.phase())).count();
    int failed = Math.max(counted.failed(), failedPods);
    TreeSet<Integer> done = new TreeSet<>();
    int succeeded;
    if (spec.indexed()) {
      done.addAll(CompletedIndexes.parse(counted.completedIndexes(), completions));
      for (PodView p : pods) {
        if ("Succeeded".equals(p.phase()) && p.index() != null && p.index() >= 0 && p.index() < completions) {
          done.add(p.index());
        }
      }
      succeeded = Math.max(counted.succeeded(), done.size());
    } else {
      succeeded = Math.max(counted.succeeded(), (int) pods.stream().filter(p -> "Succeeded".equals(p.phase())).count());
    }
    String indexesText = spec.indexed() ? CompletedIndexes.format(done) : null;
    List<String> allActive = active.stream().map(PodView::name).toList();

    if (counted.finished().isPresent()) {
      return new Plan(0, List.of(), allActive, counted.finished(), active.size(), ready, succeeded, failed,
          terminating, indexesText, counted.startTime(), Optional.empty());
    }
    if (failJob.isPresent()) {
      return finish(failJob.get(), allActive, active.size(), ready, succeeded, failed, terminating, indexesText,
          counted.startTime());
    }
    int restarts = spec.restartOnFailure() ? active.stream().mapToInt(PodView::restarts).sum() : 0;
    if (failed + restarts > spec.backoffLimit()) {
      return finish(Finished.backoffLimit(), allActive, active.size(), ready, succeeded, failed, terminating,
          indexesText, counted.startTime());
    }
    Instant startTime = spec.suspend() ? null : counted.startTime() != null ? counted.startTime() : now;
    if (spec.activeDeadlineSeconds() != null && startTime != null
        && !now.isBefore(startTime.plusSeconds(spec.activeDeadlineSeconds()))) {
      return finish(Finished.deadline(), allActive, active.size(), ready, succeeded, failed, terminating,
          indexesText, startTime);
    }
    boolean complete = spec.completions() == null
        ? succeeded > 0 && active.isEmpty()
        : spec.indexed() ? done.size() >= completions : succeeded >= completions;
    if (complete) {
      return finish(Finished.complete(), allActive, active.size(), ready, succeeded, failed, terminating,
          indexesText, startTime);
    }
    if (spec.suspend()) {
      return new Plan(0, List.of(), allActive, Optional.empty(), active.size(), ready, succeeded, failed,
          terminating, indexesText, null, Optional.empty());
    }
    Optional<Instant> deadlineWake = spec.activeDeadlineSeconds() == null ? Optional.empty()
        : Optional.of(startTime.plusSeconds(spec.activeDeadlineSeconds()));

    int want;
    if (spec.completions() == null) {
      // work queue: once one pod succeeded, no new ones; the others finish on their own
      want = succeeded > 0 ? active.size() : spec.parallelism();
    } else {
      want = Math.min(spec.parallelism(), completions - succeeded);
    }
    List<String> delete = new ArrayList<>();
    if (active.size() > want) {
      // parallelism lowered: the not ready and the newest go first
      active.stream()
          .sorted(Comparator.comparing(PodView::ready).thenComparing(PodView::createdAt, Comparator.reverseOrder()))
          .limit(active.size() - want)
          .forEach(p -> delete.add(p.name()));
    }
    int create = Math.max(0, want - active.size());
    List<Integer> indexes = new ArrayList<>();
    if (spec.indexed() && create > 0) {
      TreeSet<Integer> running = new TreeSet<>();
      active.forEach(p -> {
        if (p.index() != null) {
          running.add(p.index());
        }
      });
      for (int i = 0; i < completions && indexes.size() < create; i++) {
        if (!done.contains(i) && !running.contains(i)) {
          indexes.add(i);
        }
      }
      create = indexes.size();
    }
    Optional<Instant> wake = deadlineWake;
    if (create > 0) {
      Optional<Instant> notBefore = notBefore(counting, backoff);
      if (notBefore.isPresent() && now.isBefore(notBefore.get())) {
        create = 0;
        indexes.clear();
        wake = earliest(wake, notBefore);
      }
    }
    return new Plan(create, List.copyOf(indexes), List.copyOf(delete), Optional.empty(), active.size(), ready,
        succeeded, failed, terminating, indexesText, startTime, wake);
  }

  /**
   * When the next pod may start: the last failure plus the back-off for the failures since the
   * last success (Kubernetes' failures "in a row").
   */
  static Optional<Instant> notBefore(List<PodView> pods, Backoff backoff) {
    Instant lastSuccess = pods.stream().filter(p -> "Succeeded".equals(p.phase()) && p.finishedAt() != null)
        .map(PodView::finishedAt).max(Comparator.naturalOrder()).orElse(Instant.MIN);
    List<Instant> failures = pods.stream()
        .filter(p -> "Failed".equals(p.phase()) && p.finishedAt() != null && p.finishedAt().isAfter(lastSuccess))
        .map(PodView::finishedAt).sorted().toList();
    if (failures.isEmpty()) {
      return Optional.empty();
    }
    Duration delay = backoff.delay(failures.size());
    return Optional.of(failures.get(failures.size() - 1).plus(delay));
  }

  private static Plan finish(Finished finished, List<String> active, int activeCount, int ready, int succeeded,
      int failed, int terminating, String indexes, Instant startTime) {
    return new Plan(0, List.of(), active, Optional.of(finished), activeCount, ready, succeeded, failed, terminating,
        indexes, startTime, Optional.empty());
  }

  private static Optional<Instant> earliest(Optional<Instant> a, Optional<Instant> b) {
    if (a.isEmpty()) {
      return b;
    }
    if (b.isEmpty()) {
      return a;
    }
    return a.get().isBefore(b.get()) ? a : b;
  }
}
