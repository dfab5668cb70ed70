package io.steuermann.engine.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.selector.LabelSelector;
import io.steuermann.engine.selector.SelectorException;
import java.util.ArrayList;
import java.util.List;

/**
 * kube's {@code ValidatePodDisruptionBudgetSpec} (policy/v1): at most one of minAvailable and
 * maxUnavailable, each a non-negative number or a percentage of at most 100%, a valid label
 * selector (absent selects no pod, empty every pod of the namespace) and a known
 * {@code unhealthyPodEvictionPolicy}. The spec may change (policy/v1 made it mutable).
 */
public final class DisruptionBudgetValidation {
  static final List<String> UNHEALTHY_POD_EVICTION_POLICIES = List.of("AlwaysAllow", "IfHealthyBudget");

  private DisruptionBudgetValidation() {}

  public static List<FieldError> spec(JsonNode spec) {
    List<FieldError> errors = new ArrayList<>();
    boolean min = spec.hasNonNull("minAvailable");
    boolean max = spec.hasNonNull("maxUnavailable");
    if (min && max) {
      errors.add(FieldError.invalid("spec", spec.toString(), "minAvailable and maxUnavailable cannot be both set"));
    }
    if (min) {
      DaemonSetValidation.intOrPercent("spec.minAvailable", spec.path("minAvailable"), errors);
    }
    if (max) {
      DaemonSetValidation.intOrPercent("spec.maxUnavailable", spec.path("maxUnavailable"), errors);
    }
    JsonNode selector = spec.get("selector");
    if (selector != null && !selector.isNull()) {
      try {
        LabelSelector.fromJson(selector);
      } catch (SelectorException e) {
        errors.add(FieldError.invalid("spec.selector", selector.toString(), e.getMessage()));
      }
    }
    JsonNode policy = spec.get("unhealthyPodEvictionPolicy");
    if (policy != null && !policy.isNull() && !UNHEALTHY_POD_EVICTION_POLICIES.contains(policy.asText())) {
      errors.add(FieldError.notSupported("spec.unhealthyPodEvictionPolicy", policy.asText(),
          UNHEALTHY_POD_EVICTION_POLICIES));
    }
    return errors;
  }
}
