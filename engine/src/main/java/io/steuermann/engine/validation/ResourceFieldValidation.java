package io.steuermann.engine.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.scheduling.Quantity;
import java.math.BigDecimal;
import java.util.List;

/**
 * Kubernetes' checks of a {@code resourceFieldRef}, in a container's environment or a downward
 * API volume ({@code validateContainerResourceFieldSelector}): a supported resource, the
 * container's name where a volume needs it, and a divisor of the unit the resource is counted
 * in. Kubernetes names the resource, not the divisor, as the invalid value; so do we.
 */
public final class ResourceFieldValidation {
  static final List<String> RESOURCES = List.of("limits.cpu", "limits.ephemeral-storage", "limits.memory",
      "requests.cpu", "requests.ephemeral-storage", "requests.memory");
  private static final List<String> CPU_DIVISORS = List.of("1m", "1");
  private static final List<String> BYTE_DIVISORS = List.of("1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi",
      "1Gi", "1Ti", "1Pi", "1Ei");
  private static final String BYTE_UNITS = "1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei";
  static final String QUANTITY = "quantities must match the regular expression "
      + "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

  private ResourceFieldValidation() {}

  /** {@code at} is the selector's path; a volume's selector must name its container, an env var's may not. */
  public static void validate(String at, JsonNode ref, boolean volume, List<FieldError> errors) {
    String resource = ref.path("resource").asText("");
    if (volume && ref.path("containerName").asText("").isEmpty()) {
      errors.add(FieldError.required(at + ".containerName", ""));
    } else if (resource.isEmpty()) {
      errors.add(FieldError.required(at + ".resource", ""));
    } else if (!RESOURCES.contains(resource) && !resource.startsWith("requests.hugepages-")
        && !resource.startsWith("limits.hugepages-")) {
      errors.add(FieldError.notSupported(at + ".resource", resource, RESOURCES));
    }
    JsonNode divisor = ref.get("divisor");
    if (divisor == null || divisor.isNull()) {
      return;
    }
    BigDecimal value;
    try {
      value = Quantity.parse(divisor.asText());
    } catch (IllegalArgumentException e) {
      errors.add(FieldError.invalid(at + ".divisor", divisor.asText(), QUANTITY));
      return;
    }
    if (value.signum() == 0) {
      return; // unset
    }
    switch (resource) {
      case "limits.cpu", "requests.cpu" -> {
        if (!oneOf(value, CPU_DIVISORS)) {
          errors.add(FieldError.invalid(at + ".divisor", resource, "only divisor's values 1m and 1 are supported with the cpu resource"));
        }
      }
      case "limits.memory", "requests.memory" -> {
        if (!oneOf(value, BYTE_DIVISORS)) {
          errors.add(FieldError.invalid(at + ".divisor", resource,
              "only divisor's values " + BYTE_UNITS + " are supported with the memory resource"));
        }
      }
      case "limits.ephemeral-storage", "requests.ephemeral-storage" -> {
        if (!oneOf(value, BYTE_DIVISORS)) {
          errors.add(FieldError.invalid(at + ".divisor", resource,
              "only divisor's values " + BYTE_UNITS + " are supported with the local ephemeral storage resource"));
        }
      }
      default -> { }
    }
  }

  /** Compared as quantities, as Kubernetes compares the divisor's canonical form ("1000m" is "1"). */
  private static boolean oneOf(BigDecimal value, List<String> quantities) {
    return quantities.stream().anyMatch(q -> Quantity.parse(q).compareTo(value) == 0);
  }
}
