package io.steuermann.engine.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What kube's {@code ValidateDaemonSetSpec} and {@code ValidateControllerRevision} check beyond
 * what DaemonSets share with the other workloads (selector, template, selector matching the
 * template's labels): pods that always restart, the update strategy and its fenceposts, and
 * non-negative counts. Same field paths and words as kube.
 */
public final class DaemonSetValidation {
  private static final List<String> STRATEGIES = List.of("OnDelete", "RollingUpdate");

  private DaemonSetValidation() {}

  public static List<FieldError> spec(JsonNode spec) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode template = spec.path("template").path("spec");
    String restart = template.path("restartPolicy").asText("Always");
    if (!restart.equals("Always")) {
      errors.add(FieldError.notSupported("spec.template.spec.restartPolicy", restart, List.of("Always")));
    }
    if (template.hasNonNull("activeDeadlineSeconds")) {
      errors.add(FieldError.forbidden("spec.template.spec.activeDeadlineSeconds",
          "activeDeadlineSeconds in DaemonSet is not Supported"));
    }
    nonNegative("spec.minReadySeconds", spec.path("minReadySeconds"), errors);
    nonNegative("spec.revisionHistoryLimit", spec.path("revisionHistoryLimit"), errors);
    JsonNode strategy = spec.path("updateStrategy");
    String type = strategy.path("type").asText("");
    if (type.isEmpty()) {
      errors.add(FieldError.required("spec.updateStrategy", ""));
    } else if (!STRATEGIES.contains(type)) {
      errors.add(FieldError.notSupported("spec.updateStrategy", type, STRATEGIES));
    } else if (type.equals("RollingUpdate")) {
      JsonNode rolling = strategy.path("rollingUpdate");
      if (!rolling.isObject()) {
        errors.add(FieldError.required("spec.updateStrategy.rollingUpdate", ""));
      } else {
        String at = "spec.updateStrategy.rollingUpdate.";
        int unavailable = intOrPercent(at + "maxUnavailable", rolling.path("maxUnavailable"), errors);
        int surge = intOrPercent(at + "maxSurge", rolling.path("maxSurge"), errors);
        if (unavailable == 0 && surge == 0) {
          errors.add(FieldError.invalid(at + "maxUnavailable", rolling.path("maxUnavailable").toString(),
              "may not be 0 when `maxSurge` is 0"));
        }
      }
    }
    return errors;
  }

  /** kube's {@code ValidateControllerRevision}: a revision number that is not negative, and data. */
  public static List<FieldError> controllerRevision(JsonNode revision) {
    List<FieldError> errors = new ArrayList<>();
    nonNegative("revision", revision.path("revision"), errors);
    return errors;
  }

  private static void nonNegative(String path, JsonNode value, List<FieldError> errors) {
    if (value.isNumber() && value.asLong() < 0) {
      errors.add(FieldError.invalid(path, value.asLong(), "must be greater than or equal to 0"));
    }
  }

  /**
   * kube's {@code ValidatePositiveIntOrPercent} and {@code IsNotMoreThan100Percent}; answers the
   * value as a number to compare with 0 (-1 when it is refused or absent).
   */
  static int intOrPercent(String path, JsonNode value, List<FieldError> errors) {
    if (value.isMissingNode() || value.isNull()) {
      return -1;
    }
    if (value.isIntegralNumber()) {
      if (value.asLong() < 0) {
        errors.add(FieldError.invalid(path, value.asLong(), "must be greater than or equal to 0"));
        return -1;
      }
      return value.asInt();
    }
    String s = value.asText();
    if (!s.matches("[0-9]+%")) {
      errors.add(FieldError.invalid(path, s, "a valid percent string must be a numeric string followed by an ending '%' "
          + "(e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"));
      return -1;
    }
    String digits = s.substring(0, s.length() - 1).replaceFirst("^0+(?=.)", "");
    int percent = digits.length() > 4 ? Integer.MAX_VALUE : Integer.parseInt(digits);
    if (percent > 100) {
      errors.add(FieldError.invalid(path, s, "must not be greater than 100%"));
    }
    return percent;
  }
}
