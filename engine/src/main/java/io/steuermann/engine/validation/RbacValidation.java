package io.steuermann.engine.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.selector.LabelSelector;
import io.steuermann.engine.selector.SelectorException;
import java.util.ArrayList;
import java.util.List;

/**
 * kube's {@code pkg/apis/rbac/validation}: policy rules of Roles and ClusterRoles, the role
 * reference and subjects of bindings (a binding's roleRef cannot change), a ClusterRole's
 * aggregation selectors. Names are checked as path segments by the caller (RBAC names may hold
 * colons). Messages name the field and word it as kube-apiserver does.
 */
public final class RbacValidation {
  public static final String GROUP = "rbac.authorization.k8s.io";

  private RbacValidation() {}

  public static List<FieldError> role(JsonNode role, boolean namespaced) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode rules = role.path("rules");
    for (int i = 0; i < rules.size(); i++) {
      policyRule(rules.get(i), namespaced, "rules[" + i + "]", errors);
    }
    if (!namespaced) {
      JsonNode selectors = role.path("aggregationRule").path("clusterRoleSelectors");
      for (int i = 0; i < selectors.size(); i++) {
        try {
          LabelSelector.fromJson(selectors.get(i));
        } catch (SelectorException e) {
          errors.add(FieldError.invalid("aggregationRule.clusterRoleSelectors[" + i + "]", selectors.get(i).toString(),
              e.getMessage()));
        }
      }
    }
    return errors;
  }

  private static void policyRule(JsonNode rule, boolean namespaced, String at, List<FieldError> errors) {
    if (rule.path("verbs").isEmpty()) {
      errors.add(FieldError.required(at + ".verbs", "verbs must contain at least one value"));
    }
    JsonNode urls = rule.path("nonResourceURLs");
    if (!urls.isEmpty()) {
      GoStrings value = new GoStrings(urls);
      if (namespaced) {
        errors.add(FieldError.invalid(at + ".nonResourceURLs", value, "namespaced rules cannot apply to non-resource URLs"));
      }
      if (!rule.path("apiGroups").isEmpty() || !rule.path("resources").isEmpty()
          || !rule.path("resourceNames").isEmpty()) {
        errors.add(FieldError.invalid(at + ".nonResourceURLs", value,
            "rules cannot apply to both regular resources and non-resource URLs"));
      }
      return;
    }
    if (rule.path("apiGroups").isEmpty()) {
      errors.add(FieldError.required(at + ".apiGroups", "resource rules must supply at least one api group"));
    }
    if (rule.path("resources").isEmpty()) {
      errors.add(FieldError.required(at + ".resources", "resource rules must supply at least one resource"));
    }
  }

  /** A RoleBinding ({@code namespaced}) or a ClusterRoleBinding. */
  public static List<FieldError> binding(JsonNode binding, boolean namespaced) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode ref = binding.path("roleRef");
    String group = ref.path("apiGroup").asText("");
    if (!group.equals(GROUP)) {
      errors.add(FieldError.notSupported("roleRef.apiGroup", group, List.of(GROUP)));
    }
    String kind = ref.path("kind").asText("");
    List<String> kinds = namespaced ? List.of("Role", "ClusterRole") : List.of("ClusterRole");
    if (!kinds.contains(kind)) {
      errors.add(FieldError.notSupported("roleRef.kind", kind, kinds));
    }
    String name = ref.path("name").asText("");
    if (name.isEmpty()) {
      errors.add(FieldError.required("roleRef.name", ""));
    } else {
      Names.pathSegmentName(name, false).forEach(m -> errors.add(FieldError.invalid("roleRef.name", name, m)));
    }
    JsonNode subjects = binding.path("subjects");
    for (int i = 0; i < subjects.size(); i++) {
      subject(subjects.get(i), namespaced, "subjects[" + i + "]", errors);
    }
    return errors;
  }

  private static void subject(JsonNode subject, boolean namespaced, String at, List<FieldError> errors) {
    String name = subject.path("name").asText("");
    if (name.isEmpty()) {
      errors.add(FieldError.required(at + ".name", ""));
    }
    String group = subject.path("apiGroup").asText("");
    String kind = subject.path("kind").asText("");
    switch (kind) {
      case "ServiceAccount" -> {
        if (!name.isEmpty()) {
          Names.objectNameDnsSubdomain(name, false).forEach(m -> errors.add(FieldError.invalid(at + ".name", name, m)));
        }
        if (!group.isEmpty()) {
          errors.add(FieldError.notSupported(at + ".apiGroup", group, List.of("")));
        }
        if (!namespaced && subject.path("namespace").asText("").isEmpty()) {
          errors.add(FieldError.required(at + ".namespace", ""));
        }
      }
      case "User", "Group" -> {
        if (!group.equals(GROUP)) {
          errors.add(FieldError.notSupported(at + ".apiGroup", group, List.of(GROUP)));
        }
      }
      default -> errors.add(FieldError.notSupported(at + ".kind", kind, List.of("ServiceAccount", "User", "Group")));
    }
  }

  /** kube's ValidateRoleBindingUpdate / ValidateClusterRoleBindingUpdate: the role a binding grants is fixed. */
  public static List<FieldError> bindingUpdate(JsonNode old, JsonNode updated) {
    JsonNode before = old.path("roleRef");
    JsonNode after = updated.path("roleRef");
    if (before.equals(after)) {
      return List.of();
    }
    return List.of(FieldError.invalid("roleRef", new GoRoleRef(after), "cannot change roleRef"));
  }

  /** A []string as Go's %#v prints it in a field error. */
  private record GoStrings(JsonNode values) {
    @Override
    public String toString() {
      List<String> quoted = new ArrayList<>();
      values.forEach(v -> quoted.add(FieldError.quote(v.asText(""))));
      return "[]string{" + String.join(", ", quoted) + "}";
    }
  }

  /** An rbac.RoleRef as Go's %#v prints it. */
  private record GoRoleRef(JsonNode ref) {
    @Override
    public String toString() {
      return "rbac.RoleRef{APIGroup:" + FieldError.quote(ref.path("apiGroup").asText("")) + ", Kind:"
          + FieldError.quote(ref.path("kind").asText("")) + ", Name:" + FieldError.quote(ref.path("name").asText(""))
          + "}";
    }
  }
}
