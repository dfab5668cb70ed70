package io.steuermann.engine.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.scheduling.Quantity;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * kube's {@code ValidateResourceQuota} (core/v1): every hard (and status) quantity is a
 * qualified resource name with a non-negative quantity, whole for the counted resources; scopes
 * are the standard ones, apply to the resources limited (BestEffort only to pods, the others to
 * pods and compute resources) and do not contradict each other; the scope selector's
 * expressions name a scope and a valid operator.
 */
public final class QuotaValidation {
  static final List<String> SCOPES = List.of("Terminating", "NotTerminating", "BestEffort", "NotBestEffort",
      "PriorityClass", "CrossNamespacePodAffinity", "VolumeAttributesClass");
  static final List<String> OPERATORS = List.of("In", "NotIn", "Exists", "DoesNotExist");
  /** Resources a scope other than BestEffort may limit (kube's podComputeQuotaResources and pod counts). */
  private static final Set<String> POD_RESOURCES = Set.of("pods", "count/pods", "cpu", "memory", "requests.cpu",
      "requests.memory", "limits.cpu", "limits.memory", "ephemeral-storage", "requests.ephemeral-storage",
      "limits.ephemeral-storage");
  private static final Set<String> STANDARD = Set.of("pods", "services", "replicationcontrollers", "resourcequotas",
      "secrets", "configmaps", "persistentvolumeclaims", "services.nodeports", "services.loadbalancers", "cpu",
      "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.storage",
      "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage");
  private static final Set<String> INTEGER = Set.of("pods", "services", "replicationcontrollers", "resourcequotas",
      "secrets", "configmaps", "persistentvolumeclaims", "services.nodeports", "services.loadbalancers");

  private QuotaValidation() {}

  public static List<FieldError> quota(JsonNode quota) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode spec = quota.path("spec");
    quantities("spec.hard", spec.path("hard"), errors);
    quantities("status.hard", quota.path("status").path("hard"), errors);
    quantities("status.used", quota.path("status").path("used"), errors);
    List<String> scopes = new ArrayList<>();
    spec.path("scopes").forEach(s -> scopes.add(s.asText()));
    Set<String> hard = new HashSet<>();
    spec.path("hard").fieldNames().forEachRemaining(hard::add);
    scopes(scopes, hard, spec.path("scopes").toString(), "spec.scopes", errors);
    JsonNode selector = spec.path("scopeSelector").path("matchExpressions");
    List<String> selected = new ArrayList<>();
    for (int i = 0; i < selector.size(); i++) {
      JsonNode e = selector.get(i);
      String path = "spec.scopeSelector.matchExpressions[" + i + "]";
      String scope = e.path("scopeName").asText("");
      String operator = e.path("operator").asText("");
      if (!SCOPES.contains(scope)) {
        errors.add(FieldError.invalid(path + ".scopeName", scope, "unsupported scope"));
      }
      if (!OPERATORS.contains(operator)) {
        errors.add(FieldError.invalid(path + ".operator", operator, "not a valid selector operator"));
      } else if ((operator.equals("In") || operator.equals("NotIn")) && e.path("values").size() == 0) {
        errors.add(FieldError.invalid(path + ".values", "[]",
            "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"));
      } else if ((operator.equals("Exists") || operator.equals("DoesNotExist")) && e.path("values").size() > 0) {
        errors.add(FieldError.invalid(path + ".values", e.path("values").toString(),
            "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"));
      }
      if (SCOPES.contains(scope)) {
        selected.add(scope);
      }
    }
    if (!selected.isEmpty()) {
      scopes(selected, hard, selector.toString(), "spec.scopeSelector", errors);
    }
    return errors;
  }

  private static void scopes(List<String> scopes, Set<String> hard, String shown, String path,
      List<FieldError> errors) {
    for (String scope : scopes) {
      if (!SCOPES.contains(scope)) {
        errors.add(FieldError.invalid(path, shown, "unsupported scope"));
        continue;
      }
      for (String resource : hard) {
        boolean standard = STANDARD.contains(resource) || resource.startsWith("count/");
        boolean valid = scope.equals("BestEffort")
            ? resource.equals("pods") || resource.equals("count/pods")
            : !List.of("Terminating", "NotTerminating", "NotBestEffort", "PriorityClass").contains(scope)
                || POD_RESOURCES.contains(resource);
        if (standard && !valid) {
          errors.add(FieldError.invalid(path, shown, "unsupported scope applied to resource"));
        }
      }
    }
    if ((scopes.contains("BestEffort") && scopes.contains("NotBestEffort"))
        || (scopes.contains("Terminating") && scopes.contains("NotTerminating"))) {
      errors.add(FieldError.invalid(path, shown, "conflicting scopes"));
    }
  }

  private static void quantities(String path, JsonNode map, List<FieldError> errors) {
    map.fields().forEachRemaining(e -> {
      String name = e.getKey();
      String field = path + "[" + name + "]";
      for (String problem : Names.qualifiedName(name)) {
        errors.add(FieldError.invalid(field, name, problem));
      }
      if (!name.contains("/") && !STANDARD.contains(name) && !name.startsWith("requests.")
          && !name.startsWith("limits.")) {
        errors.add(FieldError.invalid(field, name, "must be a standard resource for quota"));
      }
      BigDecimal value;
      try {
        value = Quantity.parse(e.getValue().asText());
      } catch (IllegalArgumentException ex) {
        errors.add(FieldError.invalid(field, e.getValue().asText(), "must be a valid quantity"));
        return;
      }
      if (value.signum() < 0) {
        errors.add(FieldError.invalid(field, e.getValue().asText(), "must be greater than or equal to 0"));
      } else if ((INTEGER.contains(name) || name.startsWith("count/"))
          && value.stripTrailingZeros().scale() > 0) {
        errors.add(FieldError.invalid(field, e.getValue().asText(), "must be an integer"));
      }
    });
  }
}
