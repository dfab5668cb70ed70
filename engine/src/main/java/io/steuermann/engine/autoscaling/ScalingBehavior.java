package io.steuermann.engine.autoscaling;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * kube's normalisation of a recommendation (podautoscaler's normalizeDesiredReplicas and
 * normalizeDesiredReplicasWithBehaviors): first stabilised against the recommendations of the
 * last window (scaling down to the highest of them, up to the lowest), then limited by min and
 * max replicas and by the scaling policies' rates over the scale events of their periods. The
 * history is the controller's memory of one autoscaler, as kube keeps it in memory: a new
 * controller (a failover) starts with none.
 */
public final class ScalingBehavior {
  /** Without {@code behavior}: kube's --horizontal-pod-autoscaler-downscale-stabilization default. */
  public static final Duration DOWNSCALE_STABILIZATION = Duration.ofMinutes(5);
  static final double SCALE_UP_LIMIT_FACTOR = 2.0;
  static final int SCALE_UP_LIMIT_MINIMUM = 4;

  private ScalingBehavior() {}

  /** One condition to set: type, status, reason and message as kube words them. */
  public record Condition(String type, boolean status, String reason, String message) {}

  public record Normalized(int replicas, Condition ableToScale, Condition scalingLimited) {}

  /** What one autoscaler's controller remembers between its runs. */
  public static final class History {
    record Recommendation(int replicas, Instant at) {}

    record ScaleEvent(int change, Instant at) {}

    final List<Recommendation> recommendations = new ArrayList<>();
    final List<ScaleEvent> ups = new ArrayList<>();
    final List<ScaleEvent> downs = new ArrayList<>();

    /** kube's storeScaleEvent: a change is remembered for the longest policy period. */
    public void scaled(JsonNode behavior, int from, int to, Instant now) {
      if (to > from) {
        ups.add(new ScaleEvent(to - from, now));
      } else if (to < from) {
        downs.add(new ScaleEvent(from - to, now));
      }
      ups.removeIf(e -> e.at.isBefore(now.minusSeconds(longestPeriod(rules(behavior, true)))));
      downs.removeIf(e -> e.at.isBefore(now.minusSeconds(longestPeriod(rules(behavior, false)))));
    }

    /** Without behavior: recommendations count for the downscale stabilisation window only. */
    void recommend(int replicas, Instant now, Duration keep) {
      recommendations.removeIf(r -> !r.at.isAfter(now.minus(keep)));
      recommendations.add(new Recommendation(replicas, now));
    }
  }

  /**
   * Normalises {@code desired} for an autoscaler with the given {@code spec.behavior} (null or
   * missing: kube's legacy rules) and records it in {@code history}.
   */
  public static Normalized normalize(JsonNode behavior, History history, int minReplicas, int maxReplicas,
      int current, int desired, Instant now) {
    if (behavior == null || !behavior.isObject()) {
      return legacy(history, minReplicas, maxReplicas, current, desired, now);
    }
    JsonNode up = rules(behavior, true);
    JsonNode down = rules(behavior, false);
    int upWindow = up.path("stabilizationWindowSeconds").asInt(0);
    int downWindow = down.path("stabilizationWindowSeconds").asInt(300);
    Instant upCutoff = now.minusSeconds(upWindow);
    Instant downCutoff = now.minusSeconds(downWindow);
    int upRecommendation = desired;
    int downRecommendation = desired;
    for (History.Recommendation r : history.recommendations) {
      if (r.at.isAfter(upCutoff)) {
        upRecommendation = Math.min(r.replicas, upRecommendation);
      }
      if (r.at.isAfter(downCutoff)) {
        downRecommendation = Math.max(r.replicas, downRecommendation);
      }
    }
    int stabilized = Math.min(Math.max(current, upRecommendation), downRecommendation);
    history.recommend(desired, now, Duration.ofSeconds(Math.max(upWindow, downWindow)));
    Condition able = stabilized != desired
        ? desired >= current
            ? new Condition("AbleToScale", true, "ScaleUpStabilized",
                "recent recommendations were lower than current one, applying the lowest recent recommendation")
            : new Condition("AbleToScale", true, "ScaleDownStabilized",
                "recent recommendations were higher than current one, applying the highest recent recommendation")
        : new Condition("AbleToScale", true, "ReadyForNewScale", "recommended size matches current size");
    int limited = stabilized;
    String reason = "DesiredWithinRange";
    String message = "the desired count is within the acceptable range";
    if (stabilized > current) {
      int limit = Math.max(upLimit(current, history, up, now), current);
      int maximum = maxReplicas;
      String r;
      String m;
      if (maximum > limit) {
        maximum = limit;
        r = "ScaleUpLimit";
        m = "the desired replica count is increasing faster than the maximum scale rate";
      } else {
        r = "TooManyReplicas";
        m = "the desired replica count is more than the maximum replica count";
      }
      if (stabilized > maximum) {
        limited = maximum;
        reason = r;
        message = m;
      }
    } else if (stabilized < current) {
      int limit = Math.min(downLimit(current, history, down, now), current);
      int minimum = minReplicas;
      String r;
      String m;
      if (minimum < limit) {
        minimum = limit;
        r = "ScaleDownLimit";
        m = "the desired replica count is decreasing faster than the maximum scale rate";
      } else {
        r = "TooFewReplicas";
        m = "the desired replica count is less than the minimum replica count";
      }
      if (stabilized < minimum) {
        limited = minimum;
        reason = r;
        message = m;
      }
    }
    return new Normalized(limited, able, new Condition("ScalingLimited", limited != stabilized, reason, message));
  }

  /** kube's normalizeDesiredReplicas: downscale stabilisation, then at most double (at least 4) per step. */
  private static Normalized legacy(History history, int minReplicas, int maxReplicas, int current, int desired,
      Instant now) {
    int stabilized = desired;
    Instant cutoff = now.minus(DOWNSCALE_STABILIZATION);
    for (History.Recommendation r : history.recommendations) {
      if (r.at.isAfter(cutoff)) {
        stabilized = Math.max(stabilized, r.replicas);
      }
    }
    history.recommend(desired, now, DOWNSCALE_STABILIZATION);
    Condition able = stabilized != desired
        ? new Condition("AbleToScale", true, "ScaleDownStabilized",
            "recent recommendations were higher than current one, applying the highest recent recommendation")
        : new Condition("AbleToScale", true, "ReadyForNewScale", "recommended size matches current size");
    int upLimit = (int) Math.max(SCALE_UP_LIMIT_FACTOR * current, SCALE_UP_LIMIT_MINIMUM);
    int maximum;
    String reason;
    String message;
    if (maxReplicas > upLimit) {
      maximum = upLimit;
      reason = "ScaleUpLimit";
      message = "the desired replica count is increasing faster than the maximum scale rate";
    } else {
      maximum = maxReplicas;
      reason = "TooManyReplicas";
      message = "the desired replica count is more than the maximum replica count";
    }
    int limited = stabilized;
    if (stabilized < minReplicas) {
      limited = minReplicas;
      reason = "TooFewReplicas";
      message = "the desired replica count is less than the minimum replica count";
    } else if (stabilized > maximum) {
      limited = maximum;
    } else {
      reason = "DesiredWithinRange";
      message = "the desired count is within the acceptable range";
    }
    return new Normalized(limited, able, new Condition("ScalingLimited", limited != stabilized, reason, message));
  }

  private static int upLimit(int current, History history, JsonNode rules, Instant now) {
    String select = rules.path("selectPolicy").asText("Max");
    if (select.equals("Disabled")) {
      return current;
    }
    boolean min = select.equals("Min");
    long result = min ? Integer.MAX_VALUE : Integer.MIN_VALUE;
    for (JsonNode policy : rules.path("policies")) {
      int period = policy.path("periodSeconds").asInt();
      int start = current - changes(history.ups, period, now) + changes(history.downs, period, now);
      long proposed = policy.path("type").asText().equals("Pods")
          ? start + policy.path("value").asLong()
          : (long) Math.ceil(start * (1 + policy.path("value").asDouble() / 100));
      result = min ? Math.min(result, proposed) : Math.max(result, proposed);
    }
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, result));
  }

  private static int downLimit(int current, History history, JsonNode rules, Instant now) {
    String select = rules.path("selectPolicy").asText("Max");
    if (select.equals("Disabled")) {
      return current;
    }
    boolean min = select.equals("Min");
    long result = min ? Integer.MIN_VALUE : Integer.MAX_VALUE;
    for (JsonNode policy : rules.path("policies")) {
      int period = policy.path("periodSeconds").asInt();
      int start = current - changes(history.ups, period, now) + changes(history.downs, period, now);
      long proposed = policy.path("type").asText().equals("Pods")
          ? start - policy.path("value").asLong()
          : (long) (start * (1 - policy.path("value").asDouble() / 100));
      // for scaling down the smallest change ("Min") is the highest count
      result = min ? Math.max(result, proposed) : Math.min(result, proposed);
    }
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, result));
  }

  private static int changes(List<History.ScaleEvent> events, int periodSeconds, Instant now) {
    Instant cutoff = now.minusSeconds(periodSeconds);
    return events.stream().filter(e -> e.at.isAfter(cutoff)).mapToInt(History.ScaleEvent::change).sum();
  }

  /** The scale-up or scale-down rules of a behavior, kube's defaults for what is not given. */
  static JsonNode rules(JsonNode behavior, boolean up) {
    JsonNode given = behavior == null ? null : behavior.get(up ? "scaleUp" : "scaleDown");
    return given != null && given.isObject() && given.has("policies") ? given
        : up ? AutoscalerDefaults.scaleUp() : AutoscalerDefaults.scaleDown();
  }

  private static long longestPeriod(JsonNode rules) {
    long longest = 0;
    for (JsonNode p : rules.path("policies")) {
      longest = Math.max(longest, p.path("periodSeconds").asLong());
    }
    return longest;
  }
}
