package io.steuermann.engine.controllers.logic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Meta;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A Deployment's {@code status}, computed as Kubernetes' {@code calculateStatus} and
 * {@code syncRolloutStatus} do, so that {@code kubectl rollout status} (mirrored by
 * {@link #rolloutStatus}) reports progress, completion and deadline failures correctly.
 *
 * <p>Conditions follow Kubernetes' {@code SetDeploymentCondition}: setting a condition with the
 * same status and reason is a no-op (both times kept); a different reason with the same status
 * refreshes {@code lastUpdateTime} but keeps {@code lastTransitionTime}; a different status
 * sets both. The Progressing condition's {@code lastUpdateTime} is the clock of the progress
 * deadline: it moves whenever the rollout makes progress.
 */
public final class DeploymentStatus {
  public static final String AVAILABLE = "Available";
  public static final String PROGRESSING = "Progressing";
  public static final String REPLICA_FAILURE = "ReplicaFailure";

  public static final String MINIMUM_REPLICAS_AVAILABLE = "MinimumReplicasAvailable";
  public static final String MINIMUM_REPLICAS_UNAVAILABLE = "MinimumReplicasUnavailable";
  public static final String NEW_RS_CREATED = "NewReplicaSetCreated";
  public static final String FOUND_NEW_RS = "FoundNewReplicaSet";
  public static final String RS_UPDATED = "ReplicaSetUpdated";
  public static final String NEW_RS_AVAILABLE = "NewReplicaSetAvailable";
  public static final String TIMED_OUT = "ProgressDeadlineExceeded";
  public static final String PAUSED = "DeploymentPaused";
  public static final String RESUMED = "DeploymentResumed";

  /** Kubernetes' default {@code progressDeadlineSeconds}. */
  public static final int DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

  private DeploymentStatus() {}

  /** One {@code status.conditions[]} entry. Times are whole seconds, as Kubernetes serialises them. */
  public record Condition(String type, String status, String reason, String message,
                          Instant lastUpdateTime, Instant lastTransitionTime) {
    public Condition {
      lastUpdateTime = seconds(lastUpdateTime);
      lastTransitionTime = seconds(lastTransitionTime);
    }

    /** A new condition whose both times are {@code now} (Kubernetes' {@code NewDeploymentCondition}). */
    public static Condition of(String type, String status, String reason, String message, Instant now) {
      return new Condition(type, status, reason, message, now, now);
    }

    static Condition fromJson(JsonNode c) {
      return new Condition(Meta.text(c, "type"), Meta.text(c, "status"), Meta.text(c, "reason"),
          Meta.text(c, "message"), ActivePods.time(c, "lastUpdateTime"), ActivePods.time(c, "lastTransitionTime"));
    }

    ObjectNode toJson() {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      o.put("type", type).put("status", status);
      if (lastUpdateTime != null) {
        o.put("lastUpdateTime", lastUpdateTime.toString());
      }
      if (lastTransitionTime != null) {
        o.put("lastTransitionTime", lastTransitionTime.toString());
      }
      o.put("reason", reason).put("message", message);
      return o;
    }
  }

  /** The fields of {@code DeploymentStatus}. */
  public record Status(long observedGeneration, int replicas, int updatedReplicas, int readyReplicas,
                       int availableReplicas, int unavailableReplicas, Integer collisionCount,
                       List<Condition> conditions) {
    public Status {
      conditions = List.copyOf(conditions);
    }

    /** The status currently stored in a Deployment object. */
    public static Status of(JsonNode deployment) {
      JsonNode s = deployment.path("status");
      List<Condition> conditions = new ArrayList<>();
      s.path("conditions").forEach(c -> conditions.add(Condition.fromJson(c)));
      return new Status(s.path("observedGeneration").asLong(0), s.path("replicas").asInt(0),
          s.path("updatedReplicas").asInt(0), s.path("readyReplicas").asInt(0),
          s.path("availableReplicas").asInt(0), s.path("unavailableReplicas").asInt(0),
          s.hasNonNull("collisionCount") ? s.get("collisionCount").asInt() : null, conditions);
    }

    public Optional<Condition> condition(String type) {
      return conditions.stream().filter(c -> c.type().equals(type)).findFirst();
    }

    public ObjectNode toJson() {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      o.put("observedGeneration", observedGeneration).put("replicas", replicas)
          .put("updatedReplicas", updatedReplicas).put("readyReplicas", readyReplicas)
          .put("availableReplicas", availableReplicas).put("unavailableReplicas", unavailableReplicas);
      if (collisionCount != null) {
        o.put("collisionCount", collisionCount);
      }
      ArrayNode cs = o.putArray("conditions");
      conditions.forEach(c -> cs.add(c.toJson()));
      return o;
    }

    Status withConditions(List<Condition> newConditions) {
      return new Status(observedGeneration, replicas, updatedReplicas, readyReplicas, availableReplicas,
          unavailableReplicas, collisionCount, newConditions);
    }
  }

  /** Kubernetes' {@code SetDeploymentCondition} (see the class comment). */
  public static Status setCondition(Status status, Condition condition) {
    Optional<Condition> current = status.condition(condition.type());
    if (current.isPresent() && current.get().status().equals(condition.status())
        && current.get().reason().equals(condition.reason())) {
      return status;
    }
    Condition c = condition;
    if (current.isPresent() && current.get().status().equals(condition.status())) {
      c = new Condition(c.type(), c.status(), c.reason(), c.message(), c.lastUpdateTime(),
          current.get().lastTransitionTime());
    }
    List<Condition> out = new ArrayList<>(removed(status.conditions(), condition.type()));
    out.add(c);
    return status.withConditions(out);
  }

  public static Status removeCondition(Status status, String type) {
    return status.withConditions(removed(status.conditions(), type));
  }

  /**
   * Kubernetes' {@code calculateStatus}: counts from the ReplicaSets, {@code observedGeneration}
   * from the Deployment, and the Available condition (True when available pods reach
   * {@code replicas - maxUnavailable}). Other conditions are carried over from {@code current}.
   *
   * @param newRs the ReplicaSet of the current template, or null if it does not exist
   */
  public static Status calculate(JsonNode deployment, Status current, RsState newRs, List<RsState> oldRss,
                                 Instant now) {
    List<RsState> all = new ArrayList<>(oldRss);
    if (newRs != null) {
      all.add(newRs);
    }
    int available = RollingUpdate.available(all);
    int unavailable = Math.max(0, RollingUpdate.total(all) - available);
    int replicas = 0;
    int ready = 0;
    for (RsState rs : all) {
      replicas += rs.statusReplicas();
      ready += rs.readyReplicas();
    }
    Status s = new Status(Meta.generation(deployment), replicas, newRs == null ? 0 : newRs.statusReplicas(), ready,
        available, unavailable, current.collisionCount(), current.conditions());
    int desired = RollingUpdate.replicas(deployment);
    Condition availableCond = available >= desired - RollingUpdate.of(deployment).maxUnavailable()
        ? Condition.of(AVAILABLE, "True", MINIMUM_REPLICAS_AVAILABLE, "Deployment has minimum availability.", now)
        : Condition.of(AVAILABLE, "False", MINIMUM_REPLICAS_UNAVAILABLE,
            "Deployment does not have minimum availability.", now);
    return setCondition(s, availableCond);
  }

  /**
   * Kubernetes' {@code syncRolloutStatus}: {@link #calculate}, then the Progressing condition --
   * NewReplicaSetAvailable once complete, ReplicaSetUpdated (with a fresh {@code lastUpdateTime})
   * whenever progress was made since {@code current}, ProgressDeadlineExceeded when no progress
   * was made for {@code progressDeadlineSeconds}. A finished rollout is not re-estimated. Without
   * a progress deadline there is no Progressing condition at all.
   *
   * <p>For a paused Deployment Kubernetes only runs {@link #calculate} (plus
   * {@link #pausedConditions}); callers do the same.
   *
   * @param current the status the Deployment has now (with any condition set earlier in this
   *                reconcile, e.g. {@link #newReplicaSetCreated})
   */
  public static Status sync(JsonNode deployment, Status current, RsState newRs, List<RsState> oldRss, Instant now) {
    Status s = calculate(deployment, current, newRs, oldRss, now);
    boolean hasDeadline = hasProgressDeadline(deployment);
    if (!hasDeadline) {
      s = removeCondition(s, PROGRESSING);
    }
    Optional<Condition> currentCond = current.condition(PROGRESSING);
    boolean finished = s.replicas() == s.updatedReplicas() && currentCond.isPresent()
        && currentCond.get().reason().equals(NEW_RS_AVAILABLE);
    if (!hasDeadline || finished) {
      return s;
    }
    String subject = newRs != null ? "ReplicaSet \"" + newRs.name() + "\"" : "Deployment \"" + Meta.name(deployment) + "\"";
    if (complete(deployment, s)) {
      return setCondition(s, Condition.of(PROGRESSING, "True", NEW_RS_AVAILABLE,
          subject + " has successfully progressed.", now));
    }
    if (progressing(current, s)) {
      Condition c = Condition.of(PROGRESSING, "True", RS_UPDATED, subject + " is progressing.", now);
      // Unlike setCondition, progress always refreshes lastUpdateTime even with the same reason.
      if (currentCond.isPresent()) {
        if (currentCond.get().status().equals("True")) {
          c = new Condition(c.type(), c.status(), c.reason(), c.message(), now, currentCond.get().lastTransitionTime());
        }
        s = removeCondition(s, PROGRESSING);
      }
      return setCondition(s, c);
    }
    if (timedOut(deployment, s, now)) {
      return setCondition(s, Condition.of(PROGRESSING, "False", TIMED_OUT,
          subject + " has timed out progressing.", now));
    }
    return s;
  }

  /**
   * Progressing=True/NewReplicaSetCreated, set when the Deployment creates its new ReplicaSet;
   * this restarts the progress-deadline clock. No-op without a progress deadline.
   */
  public static Status newReplicaSetCreated(JsonNode deployment, Status current, String rsName, Instant now) {
    if (!hasProgressDeadline(deployment)) {
      return current;
    }
    return setCondition(current, Condition.of(PROGRESSING, "True", NEW_RS_CREATED,
        "Created new replica set \"" + rsName + "\"", now));
  }

  /**
   * Progressing=True/FoundNewReplicaSet, set when the new ReplicaSet already exists but the
   * Deployment has no Progressing condition yet (e.g. after adopting existing ReplicaSets).
   */
  public static Status foundNewReplicaSet(JsonNode deployment, Status current, String rsName, Instant now) {
    if (!hasProgressDeadline(deployment) || current.condition(PROGRESSING).isPresent()) {
      return current;
    }
    return setCondition(current, Condition.of(PROGRESSING, "True", FOUND_NEW_RS,
        "Found new replica set \"" + rsName + "\"", now));
  }

  /**
   * Kubernetes' {@code checkPausedConditions}: Progressing=Unknown/DeploymentPaused while
   * {@code spec.paused}, DeploymentResumed once resumed (which also restarts the deadline
   * clock); a timed-out condition is never overwritten.
   */
  public static Status pausedConditions(JsonNode deployment, Status current, Instant now) {
    if (!hasProgressDeadline(deployment)) {
      return current;
    }
    Optional<Condition> cond = current.condition(PROGRESSING);
    if (cond.isPresent() && cond.get().reason().equals(TIMED_OUT)) {
      return current;
    }
    boolean pausedCond = cond.isPresent() && cond.get().reason().equals(PAUSED);
    boolean paused = deployment.path("spec").path("paused").asBoolean(false);
    if (paused && !pausedCond) {
      return setCondition(current, Condition.of(PROGRESSING, "Unknown", PAUSED, "Deployment is paused", now));
    }
    if (!paused && pausedCond) {
      return setCondition(current, Condition.of(PROGRESSING, "Unknown", RESUMED, "Deployment is resumed", now));
    }
    return current;
  }

  /** Kubernetes' {@code DeploymentComplete}: every replica updated and available, spec observed. */
  public static boolean complete(JsonNode deployment, Status s) {
    int desired = RollingUpdate.replicas(deployment);
    return s.updatedReplicas() == desired && s.replicas() == desired && s.availableReplicas() == desired
        && s.observedGeneration() >= Meta.generation(deployment);
  }

  /**
   * Kubernetes' {@code DeploymentProgressing}: more updated, ready or available replicas than
   * before, or fewer old replicas.
   */
  public static boolean progressing(Status before, Status after) {
    int oldBefore = before.replicas() - before.updatedReplicas();
    int oldAfter = after.replicas() - after.updatedReplicas();
    return after.updatedReplicas() > before.updatedReplicas() || oldAfter < oldBefore
        || after.readyReplicas() > before.readyReplicas() || after.availableReplicas() > before.availableReplicas();
  }

  /**
   * Kubernetes' {@code DeploymentTimedOut}: the Progressing condition was last updated more than
   * {@code progressDeadlineSeconds} ago (never after a completed rollout; always once reported).
   */
  public static boolean timedOut(JsonNode deployment, Status s, Instant now) {
    if (!hasProgressDeadline(deployment)) {
      return false;
    }
    Optional<Condition> c = s.condition(PROGRESSING);
    if (c.isEmpty() || c.get().reason().equals(NEW_RS_AVAILABLE)) {
      return false;
    }
    if (c.get().reason().equals(TIMED_OUT)) {
      return true;
    }
    Instant from = c.get().lastUpdateTime();
    return from != null && from.plusSeconds(progressDeadlineSeconds(deployment)).isBefore(now);
  }

  /**
   * Kubernetes' {@code requeueStuckDeployment}: when to look again to notice a deadline passing
   * without any event (deadline minus now, plus a second; zero if under a second). Empty when
   * no deadline applies (none set, no Progressing condition, complete, or already timed out).
   */
  public static Optional<Duration> recheckAfter(JsonNode deployment, Status s, Instant now) {
    Optional<Condition> c = s.condition(PROGRESSING);
    if (!hasProgressDeadline(deployment) || c.isEmpty() || complete(deployment, s)
        || c.get().reason().equals(TIMED_OUT) || c.get().lastUpdateTime() == null) {
      return Optional.empty();
    }
    Duration after = Duration.between(now, c.get().lastUpdateTime().plusSeconds(progressDeadlineSeconds(deployment)));
    return Optional.of(after.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ZERO : after.plusSeconds(1));
  }

  /** {@code spec.progressDeadlineSeconds}; unset means Kubernetes' default of 600. */
  public static int progressDeadlineSeconds(JsonNode deployment) {
    JsonNode v = deployment.path("spec").path("progressDeadlineSeconds");
    return v.isIntegralNumber() ? v.asInt() : DEFAULT_PROGRESS_DEADLINE_SECONDS;
  }

  /** A deadline of {@code Integer.MAX_VALUE} means "none", as in Kubernetes. */
  public static boolean hasProgressDeadline(JsonNode deployment) {
    return progressDeadlineSeconds(deployment) != Integer.MAX_VALUE;
  }

  /** What {@code kubectl rollout status} prints for a Deployment, whether it is done, or its error. */
  public record RolloutStatus(String message, boolean done, Optional<String> error) {}

  /**
   * kubectl's {@code DeploymentStatusViewer.Status}: the checks {@code kubectl rollout status}
   * makes, in its order and words (messages without kubectl's trailing newline).
   */
  public static RolloutStatus rolloutStatus(JsonNode deployment) {
    String name = Meta.name(deployment);
    Status s = Status.of(deployment);
    if (Meta.generation(deployment) > s.observedGeneration()) {
      return new RolloutStatus("Waiting for deployment spec update to be observed...", false, Optional.empty());
    }
    Optional<Condition> cond = s.condition(PROGRESSING);
    if (cond.isPresent() && cond.get().reason().equals(TIMED_OUT)) {
      return new RolloutStatus("", false,
          Optional.of("deployment \"" + name + "\" exceeded its progress deadline"));
    }
    int desired = RollingUpdate.replicas(deployment);
    String waiting = "Waiting for deployment \"" + name + "\" rollout to finish: ";
    if (s.updatedReplicas() < desired) {
      return new RolloutStatus(waiting + s.updatedReplicas() + " out of " + desired
          + " new replicas have been updated...", false, Optional.empty());
    }
    if (s.replicas() > s.updatedReplicas()) {
      return new RolloutStatus(waiting + (s.replicas() - s.updatedReplicas())
          + " old replicas are pending termination...", false, Optional.empty());
    }
    if (s.availableReplicas() < s.updatedReplicas()) {
      return new RolloutStatus(waiting + s.availableReplicas() + " of " + s.updatedReplicas()
          + " updated replicas are available...", false, Optional.empty());
    }
    return new RolloutStatus("deployment \"" + name + "\" successfully rolled out", true, Optional.empty());
  }

  private static List<Condition> removed(List<Condition> conditions, String type) {
    return conditions.stream().filter(c -> !Objects.equals(c.type(), type)).toList();
  }

  private static Instant seconds(Instant t) {
    return t == null ? null : t.truncatedTo(ChronoUnit.SECONDS);
  }
}
