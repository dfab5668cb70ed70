package io.steuermann.engine.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Kubernetes' checks of a container's references to ConfigMaps, Secrets and its resources
 * ({@code validateEnvVarValueFrom}, {@code validateEnvFrom} in {@code pkg/apis/core/validation}):
 * exactly one source, a name and a key that is a config key.
 */
public final class ContainerEnvValidation {
  private ContainerEnvValidation() {}

  /** {@code at} is the container's path, e.g. {@code spec.containers[0]}. */
  public static void validate(String at, JsonNode container, List<FieldError> errors) {
    JsonNode env = container.path("env");
    for (int i = 0; i < env.size(); i++) {
      JsonNode e = env.get(i);
      JsonNode from = e.get("valueFrom");
      if (from == null || !from.isObject()) {
        continue;
      }
      String path = at + ".env[" + i + "].valueFrom";
      int sources = 0;
      for (String source : List.of("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef")) {
        if (from.hasNonNull(source)) {
          sources++;
        }
      }
      if (!e.path("value").asText("").isEmpty() && sources > 0) {
        errors.add(FieldError.invalid(path, "", "may not be specified when `value` is not empty"));
      }
      if (sources == 0) {
        errors.add(FieldError.invalid(path, "",
            "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
      } else if (sources > 1) {
        errors.add(FieldError.invalid(path, "", "may not have more than one field specified at a time"));
      }
      JsonNode resource = from.get("resourceFieldRef");
      if (resource != null && resource.isObject()) {
        ResourceFieldValidation.validate(path + ".resourceFieldRef", resource, false, errors);
      }
      keyRef(path + ".configMapKeyRef", from.get("configMapKeyRef"), errors);
      keyRef(path + ".secretKeyRef", from.get("secretKeyRef"), errors);
    }
    JsonNode envFrom = container.path("envFrom");
    for (int i = 0; i < envFrom.size(); i++) {
      JsonNode source = envFrom.get(i);
      String path = at + ".envFrom[" + i + "]";
      int sources = 0;
      for (String kind : List.of("configMapRef", "secretRef")) {
        JsonNode ref = source.get(kind);
        if (ref != null && !ref.isNull()) {
          sources++;
          String name = ref.path("name").asText("");
          if (name.isEmpty()) {
            errors.add(FieldError.required(path + "." + kind + ".name", "name is required"));
          } else {
            for (String problem : Names.dns1123Subdomain(name)) {
              errors.add(FieldError.invalid(path + "." + kind + ".name", name, problem));
            }
          }
        }
      }
      if (sources == 0) {
        errors.add(FieldError.invalid(path, "", "must specify one of: `configMapRef` or `secretRef`"));
      } else if (sources > 1) {
        errors.add(FieldError.invalid(path, "", "may not have more than one field specified at a time"));
      }
    }
  }

  private static void keyRef(String path, JsonNode ref, List<FieldError> errors) {
    if (ref == null || ref.isNull()) {
      return;
    }
    String name = ref.path("name").asText("");
    for (String problem : Names.dns1123Subdomain(name)) {
      errors.add(FieldError.invalid(path + ".name", name, problem));
    }
    String key = ref.path("key").asText("");
    if (key.isEmpty()) {
      errors.add(FieldError.required(path + ".key", ""));
    } else {
      for (String problem : ConfigDataValidation.configKey(key)) {
        errors.add(FieldError.invalid(path + ".key", key, problem));
      }
    }
  }
}
