package io.steuermann.engine.controllers.job;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A Job's {@code spec.podFailurePolicy}, as Kubernetes applies it to each failed pod: the
 * first rule that matches decides. {@code FailJob} fails the Job (reason
 * {@code PodFailurePolicy}), {@code Ignore} does not count the failure (not in
 * {@code status.failed}, not towards backoffLimit or the back-off), {@code Count} counts it
 * as without a policy. A rule matches on the exit code of a container that ended with a
 * non-zero code ({@code onExitCodes}: {@code In} or {@code NotIn} the values, optionally of
 * one container), or on a condition of the pod ({@code onPodConditions}). {@code FailIndex}
 * belongs to {@code backoffLimitPerIndex}, which is not implemented, and counts as Count.
 */
public record PodFailurePolicy(List<Rule> rules) {
  public static final PodFailurePolicy NONE = new PodFailurePolicy(List.of());

  /** One rule; {@code container} null for any container; {@code conditions} as "Type=Status". */
  public record Rule(String action, String container, String operator, Set<Integer> values, Set<String> conditions) {}

  /** A container of a failed pod that ended, with its exit code. */
  public record Exit(String container, int code) {}

  /** The decision for one failed pod: the action and, for FailJob, Kubernetes' message. */
  public record Match(String action, String message) {}

  public static PodFailurePolicy fromJson(JsonNode policy) {
    List<Rule> rules = new ArrayList<>();
    for (JsonNode r : policy.path("rules")) {
      JsonNode codes = r.path("onExitCodes");
      Set<Integer> values = new java.util.TreeSet<>();
      codes.path("values").forEach(v -> values.add(v.asInt()));
      Set<String> conditions = new java.util.TreeSet<>();
      r.path("onPodConditions").forEach(c -> conditions.add(c.path("type").asText() + "="
          + c.path("status").asText("True")));
      rules.add(new Rule(r.path("action").asText("Count"), codes.path("containerName").asText(null),
          codes.isObject() ? codes.path("operator").asText("In") : null, values, conditions));
    }
    return new PodFailurePolicy(List.copyOf(rules));
  }

  /** What the policy says of a failed pod; empty when no rule matches (the failure counts). */
  public Optional<Match> match(String namespace, String pod, List<Exit> exits, Set<String> podConditions) {
    for (int i = 0; i < rules.size(); i++) {
      Rule rule = rules.get(i);
      if (rule.operator() != null) {
        for (Exit exit : exits) {
          if (exit.code() == 0 || (rule.container() != null && !rule.container().equals(exit.container()))) {
            continue;
          }
          boolean in = rule.values().contains(exit.code());
          if ("In".equals(rule.operator()) == in) {
            return Optional.of(new Match(rule.action(), "Container " + exit.container() + " for pod " + namespace
                + "/" + pod + " failed with exit code " + exit.code() + " matching " + rule.action()
                + " rule at index " + i));
          }
        }
      } else {
        for (String condition : rule.conditions()) {
          if (podConditions.contains(condition)) {
            return Optional.of(new Match(rule.action(), "Pod " + namespace + "/" + pod + " has condition "
                + condition.substring(0, condition.indexOf('=')) + " matching " + rule.action() + " rule at index " + i));
          }
        }
      }
    }
    return Optional.empty();
  }
}
