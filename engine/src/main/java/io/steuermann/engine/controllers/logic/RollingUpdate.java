package io.steuermann.engine.controllers.logic;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The arithmetic of a RollingUpdate Deployment, as pure functions mirroring Kubernetes'
 * {@code rolling.go} and {@code deployment_util.go}. One {@link #step} is one reconcile: scale
 * the new ReplicaSet up if the surge budget allows; otherwise scale old ReplicaSets down if the
 * availability budget allows. Repeated steps, each after the ReplicaSets' status caught up,
 * complete the rollout while
 *
 * <ul>
 *   <li>the sum of all ReplicaSets' {@code spec.replicas} never exceeds {@code replicas + maxSurge}, and
 *   <li>available pods never drop below {@code replicas - maxUnavailable} by our own scaling.
 * </ul>
 */
public final class RollingUpdate {
  private RollingUpdate() {}

  /** Resolved {@code maxSurge} and {@code maxUnavailable} as pod counts. */
  public record Fenceposts(int maxSurge, int maxUnavailable) {}

  /** Kubernetes' default for both {@code maxSurge} and {@code maxUnavailable}. */
  public static final String DEFAULT_FENCEPOST = "25%";

  /**
   * Kubernetes' {@code GetScaledValueFromIntOrPercent}: an integer is taken as is; a percent
   * string {@code "N%"} is {@code N% of total}, rounded up or down. Null or missing is 0.
   *
   * @throws IllegalArgumentException for anything else (e.g. {@code "abc"}, {@code "10"})
   */
  public static int scaledValue(JsonNode intOrPercent, int total, boolean roundUp) {
    if (intOrPercent == null || intOrPercent.isNull() || intOrPercent.isMissingNode()) {
      return 0;
    }
    if (intOrPercent.isIntegralNumber()) {
      return intOrPercent.asInt();
    }
    if (!intOrPercent.isTextual()) {
      throw new IllegalArgumentException("invalid value for IntOrString: invalid type: " + intOrPercent);
    }
    String s = intOrPercent.asText();
    if (!s.endsWith("%")) {
      throw new IllegalArgumentException("invalid value for IntOrString: invalid type: string is not a percentage");
    }
    int percent;
    try {
      percent = Integer.parseInt(s.substring(0, s.length() - 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid value \"" + s + "\": " + e.getMessage());
    }
    long scaled = (long) percent * total;
    return (int) (roundUp ? -Math.floorDiv(-scaled, 100) : Math.floorDiv(scaled, 100));
  }

  /**
   * Kubernetes' {@code ResolveFenceposts}: surge rounds up, unavailable rounds down, and if both
   * come out 0 unavailable becomes 1 so the rollout can still move.
   */
  public static Fenceposts resolve(JsonNode maxSurge, JsonNode maxUnavailable, int replicas) {
    int surge = scaledValue(maxSurge, replicas, true);
    int unavailable = scaledValue(maxUnavailable, replicas, false);
    if (surge == 0 && unavailable == 0) {
      unavailable = 1;
    }
    return new Fenceposts(surge, unavailable);
  }

  /**
   * The fenceposts of a Deployment object, as Kubernetes' {@code MaxSurge}/{@code MaxUnavailable}:
   * absent values default to 25%; a Recreate Deployment has none (0, 0); with 0 replicas nothing
   * may be unavailable; maxUnavailable never exceeds replicas.
   */
  public static Fenceposts of(JsonNode deployment) {
    JsonNode spec = deployment.path("spec");
    int replicas = replicas(deployment);
    if (!isRollingUpdate(deployment)) {
      return new Fenceposts(0, 0);
    }
    JsonNode ru = spec.path("strategy").path("rollingUpdate");
    JsonNode surgeNode = ru.hasNonNull("maxSurge") ? ru.get("maxSurge") : textNode(DEFAULT_FENCEPOST);
    JsonNode unavailableNode = ru.hasNonNull("maxUnavailable") ? ru.get("maxUnavailable") : textNode(DEFAULT_FENCEPOST);
    Fenceposts f = resolve(surgeNode, unavailableNode, replicas);
    int unavailable = replicas == 0 ? 0 : Math.min(f.maxUnavailable(), replicas);
    return new Fenceposts(f.maxSurge(), unavailable);
  }

  /** {@code spec.strategy.type} is RollingUpdate or unset (the default). */
  public static boolean isRollingUpdate(JsonNode deployment) {
    String type = deployment.path("spec").path("strategy").path("type").asText("");
    return type.isEmpty() || type.equals("RollingUpdate");
  }

  /** {@code spec.replicas}, defaulting to 1 like Kubernetes. */
  public static int replicas(JsonNode deployment) {
    return deployment.path("spec").path("replicas").asInt(1);
  }

  /**
   * Kubernetes' {@code NewRSNewReplicas} for RollingUpdate: the new ReplicaSet may grow until
   * all ReplicaSets together hold {@code replicas + maxSurge}, but not beyond {@code replicas}.
   */
  public static int newReplicaSetReplicas(int replicas, int maxSurge, int currentTotal, int newRsReplicas) {
    int maxTotal = replicas + maxSurge;
    if (currentTotal >= maxTotal) {
      return newRsReplicas;
    }
    int scaleUp = Math.min(maxTotal - currentTotal, replicas - newRsReplicas);
    return newRsReplicas + scaleUp;
  }

  /** The {@code spec.replicas} to create a new ReplicaSet with, next to {@code oldRss}. */
  public static int initialNewReplicas(int replicas, int maxSurge, List<RsState> oldRss) {
    return Math.max(0, newReplicaSetReplicas(replicas, maxSurge, total(oldRss), 0));
  }

  /**
   * Kubernetes' {@code reconcileNewReplicaSet}: scale the new ReplicaSet down to {@code replicas}
   * if it is above, otherwise up as far as {@link #newReplicaSetReplicas} allows. Empty when
   * nothing changes.
   */
  public static Optional<Scale> reconcileNewReplicaSet(int replicas, int maxSurge, List<RsState> all, RsState newRs) {
    if (newRs.replicas() == replicas) {
      return Optional.empty();
    }
    int target = newRs.replicas() > replicas ? replicas
        : newReplicaSetReplicas(replicas, maxSurge, total(all), newRs.replicas());
    return target == newRs.replicas() ? Optional.empty() : Optional.of(new Scale(newRs.name(), newRs.replicas(), target));
  }

  /** The outcome of {@link #cleanupUnhealthyReplicas}: the old sets with new sizes, and how many went. */
  public record Cleanup(List<RsState> oldRss, int scaledDown) {}

  /**
   * Kubernetes' {@code cleanupUnhealthyReplicas}: oldest first, scale each old ReplicaSet down by
   * its unavailable pods ({@code spec.replicas - availableReplicas}), at most
   * {@code maxCleanupCount} in total. Removing pods that are not available costs no
   * availability, and they would otherwise block the rollout (kubernetes#16737).
   */
  public static Cleanup cleanupUnhealthyReplicas(List<RsState> oldRss, int maxCleanupCount) {
    List<RsState> sorted = new ArrayList<>(oldRss);
    sorted.sort(RsState.BY_CREATION);
    int total = 0;
    for (int i = 0; i < sorted.size(); i++) {
      if (total >= maxCleanupCount) {
        break;
      }
      RsState rs = sorted.get(i);
      if (rs.replicas() == 0 || rs.replicas() <= rs.availableReplicas()) {
        continue; // nothing to scale down, or no unhealthy replicas
      }
      int down = Math.min(maxCleanupCount - total, rs.replicas() - rs.availableReplicas());
      sorted.set(i, rs.withReplicas(rs.replicas() - down));
      total += down;
    }
    return new Cleanup(List.copyOf(sorted), total);
  }

  /**
   * Kubernetes' {@code scaleDownOldReplicaSetsForRollingUpdate}: while the available pods of all
   * ReplicaSets exceed {@code replicas - maxUnavailable}, scale old ReplicaSets down, oldest
   * first, by that excess.
   *
   * @return the old sets with their new sizes (oldest first)
   */
  public static List<RsState> scaleDownOldReplicaSets(List<RsState> all, List<RsState> oldRss, int replicas,
                                                      int maxUnavailable) {
    List<RsState> sorted = new ArrayList<>(oldRss);
    sorted.sort(RsState.BY_CREATION);
    int minAvailable = replicas - maxUnavailable;
    // a ReplicaSet just scaled down still reports the pods it is about to delete as available:
    // count no more available pods than it is meant to have, or the budget is overspent
    int available = availableWithinSpec(all);
    if (available <= minAvailable) {
      return List.copyOf(sorted);
    }
    int budget = available - minAvailable;
    int total = 0;
    for (int i = 0; i < sorted.size() && total < budget; i++) {
      RsState rs = sorted.get(i);
      if (rs.replicas() == 0) {
        continue;
      }
      int down = Math.min(rs.replicas(), budget - total);
      sorted.set(i, rs.withReplicas(rs.replicas() - down));
      total += down;
    }
    return List.copyOf(sorted);
  }

  /**
   * Kubernetes' {@code reconcileOldReplicaSets}: at most
   * {@code allPods - minAvailable - newRsUnavailable} pods may go (counting {@code spec.replicas},
   * so pods the new set has not made available yet hold the budget back); unhealthy old replicas
   * go first, then {@link #scaleDownOldReplicaSets}. Old sets with 0 replicas are ignored.
   */
  public static List<Scale> reconcileOldReplicaSets(int replicas, int maxUnavailable, List<RsState> oldRss,
                                                    RsState newRs) {
    List<RsState> active = oldRss.stream().filter(rs -> rs.replicas() > 0).toList();
    int oldPods = total(active);
    if (oldPods == 0) {
      return List.of();
    }
    int allPods = oldPods + newRs.replicas();
    int minAvailable = replicas - maxUnavailable;
    int newRsUnavailable = newRs.replicas() - newRs.availableReplicas();
    int maxScaledDown = allPods - minAvailable - newRsUnavailable;
    if (maxScaledDown <= 0) {
      return List.of();
    }
    Cleanup cleanup = cleanupUnhealthyReplicas(active, maxScaledDown);
    List<RsState> all = new ArrayList<>(cleanup.oldRss());
    all.add(newRs);
    List<RsState> after = scaleDownOldReplicaSets(all, cleanup.oldRss(), replicas, maxUnavailable);
    return diff(active, after);
  }

  /**
   * One reconcile of a RollingUpdate Deployment (Kubernetes' {@code rolloutRolling}): scale the
   * new ReplicaSet if possible, and only if it did not change, scale old ones down. Empty when
   * the rollout cannot move until pods become available (or when it is done).
   *
   * @param newRs  the ReplicaSet for the current template; create it first with
   *               {@link #initialNewReplicas} if it does not exist yet
   * @param oldRss every other ReplicaSet owned by the Deployment
   */
  public static List<Scale> step(int replicas, Fenceposts fenceposts, RsState newRs, List<RsState> oldRss) {
    Objects.requireNonNull(newRs, "newRs");
    List<RsState> all = new ArrayList<>(oldRss);
    all.add(newRs);
    Optional<Scale> up = reconcileNewReplicaSet(replicas, fenceposts.maxSurge(), all, newRs);
    if (up.isPresent()) {
      return List.of(up.get());
    }
    return reconcileOldReplicaSets(replicas, fenceposts.maxUnavailable(), oldRss, newRs);
  }

  /** Sum of {@code spec.replicas} (Kubernetes' {@code GetReplicaCountForReplicaSets}). */
  public static int total(List<RsState> rss) {
    int sum = 0;
    for (RsState rs : rss) {
      sum += rs.replicas();
    }
    return sum;
  }

  /** Sum over the sets of {@code min(spec.replicas, status.availableReplicas)}. */
  public static int availableWithinSpec(List<RsState> rss) {
    int sum = 0;
    for (RsState rs : rss) {
      sum += Math.min(rs.replicas(), rs.availableReplicas());
    }
    return sum;
  }

  /** Sum of {@code status.availableReplicas}. */
  public static int available(List<RsState> rss) {
    int sum = 0;
    for (RsState rs : rss) {
      sum += rs.availableReplicas();
    }
    return sum;
  }

  // The scale decisions that turn `before` into `after`, matched by name, in `after`'s order.
  static List<Scale> diff(List<RsState> before, List<RsState> after) {
    Map<String, Integer> from = new LinkedHashMap<>();
    before.forEach(rs -> from.put(rs.name(), rs.replicas()));
    List<Scale> out = new ArrayList<>();
    for (RsState rs : after) {
      Integer was = from.get(rs.name());
      if (was != null && was != rs.replicas()) {
        out.add(new Scale(rs.name(), was, rs.replicas()));
      }
    }
    return List.copyOf(out);
  }

  private static JsonNode textNode(String s) {
    return com.fasterxml.jackson.databind.node.TextNode.valueOf(s);
  }
}
