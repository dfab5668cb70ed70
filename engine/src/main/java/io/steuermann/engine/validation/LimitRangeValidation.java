package io.steuermann.engine.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.scheduling.Quantity;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * kube's {@code ValidateLimitRange} (after defaulting): each type at most once, quantities
 * valid, no defaults for type Pod, and per resource min &lt;= defaultRequest &lt;= default &lt;= max,
 * maxLimitRequestRatio at least 1 and at most max/min.
 */
public final class LimitRangeValidation {
  private LimitRangeValidation() {}

  public static List<FieldError> spec(JsonNode spec) {
    List<FieldError> errors = new ArrayList<>();
    Set<String> types = new HashSet<>();
    JsonNode limits = spec.path("limits");
    for (int i = 0; i < limits.size(); i++) {
      String path = "spec.limits[" + i + "]";
      JsonNode item = limits.get(i);
      String type = item.path("type").asText("");
      if (!types.add(type)) {
        errors.add(FieldError.duplicate(path + ".type", type));
      }
      Set<String> keys = new TreeSet<>();
      for (String field : List.of("max", "min", "default", "defaultRequest", "maxLimitRequestRatio")) {
        item.path(field).fields().forEachRemaining(e -> {
          keys.add(e.getKey());
          if (quantity(e.getValue()) == null) {
            errors.add(FieldError.invalid(path + "." + field + "[" + e.getKey() + "]", e.getValue().asText(),
                "must be a valid quantity"));
          }
        });
      }
      if (type.equals("Pod")) {
        for (String field : List.of("default", "defaultRequest")) {
          if (!item.path(field).isEmpty()) {
            errors.add(FieldError.forbidden(path + "." + field, "may not be specified when `type` is 'Pod'"));
          }
        }
      }
      for (String k : keys) {
        BigDecimal max = quantity(item.path("max").path(k));
        BigDecimal min = quantity(item.path("min").path(k));
        BigDecimal def = quantity(item.path("default").path(k));
        BigDecimal request = quantity(item.path("defaultRequest").path(k));
        BigDecimal ratio = quantity(item.path("maxLimitRequestRatio").path(k));
        String maxText = item.path("max").path(k).asText();
        String minText = item.path("min").path(k).asText();
        String defText = item.path("default").path(k).asText();
        String requestText = item.path("defaultRequest").path(k).asText();
        String ratioText = item.path("maxLimitRequestRatio").path(k).asText();
        if (min != null && max != null && min.compareTo(max) > 0) {
          errors.add(FieldError.invalid(path + ".min[" + k + "]", minText,
              "min value " + minText + " is greater than max value " + maxText));
        }
        if (request != null) {
          String at = path + ".defaultRequest[" + k + "]";
          if (min != null && min.compareTo(request) > 0) {
            errors.add(FieldError.invalid(at, requestText,
                "min value " + minText + " is greater than default request value " + requestText));
          }
          if (max != null && request.compareTo(max) > 0) {
            errors.add(FieldError.invalid(at, requestText,
                "default request value " + requestText + " is greater than max value " + maxText));
          }
          if (def != null && request.compareTo(def) > 0) {
            errors.add(FieldError.invalid(at, requestText,
                "default request value " + requestText + " is greater than default limit value " + defText));
          }
        }
        if (def != null) {
          String at = path + ".default[" + k + "]";
          if (min != null && min.compareTo(def) > 0) {
            errors.add(FieldError.invalid(at, defText, "min value " + minText + " is greater than default value "
                + defText));
          }
          if (max != null && def.compareTo(max) > 0) {
            errors.add(FieldError.invalid(at, defText, "default value " + defText + " is greater than max value "
                + maxText));
          }
        }
        if (ratio != null) {
          String at = path + ".maxLimitRequestRatio[" + k + "]";
          if (ratio.compareTo(BigDecimal.ONE) < 0) {
            errors.add(FieldError.invalid(at, ratioText, "ratio " + ratioText + " is less than 1"));
          }
          if (min != null && max != null && min.signum() > 0) {
            double maxRatio = max.doubleValue() / min.doubleValue();
            if (ratio.doubleValue() > maxRatio) {
              errors.add(FieldError.invalid(at, ratioText, "ratio " + ratioText + " is greater than max/min = "
                  + String.format(Locale.ROOT, "%f", maxRatio)));
            }
          }
        }
      }
    }
    return errors;
  }

  private static BigDecimal quantity(JsonNode value) {
    if (value == null || value.isMissingNode() || value.isNull()) {
      return null;
    }
    try {
      return Quantity.parse(value.asText());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
