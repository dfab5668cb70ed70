package io.steuermann.engine.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * kube's {@code ValidateReplicationControllerSpec} (the pod template's own spec is checked as
 * every pod's): a non-negative replica count, a non-empty selector of plain labels that the
 * template's labels satisfy, pods that always restart. Same field paths and words as kube.
 */
public final class ReplicationControllerValidation {
  private ReplicationControllerValidation() {}

  public static List<FieldError> spec(JsonNode spec) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode replicas = spec.path("replicas");
    if (!replicas.isMissingNode() && !replicas.isNull() && (!replicas.canConvertToInt() || replicas.asInt() < 0)) {
      errors.add(FieldError.invalid("spec.replicas", replicas.toString(), "must be greater than or equal to 0"));
    }
    JsonNode minReady = spec.path("minReadySeconds");
    if (minReady.isNumber() && minReady.asLong() < 0) {
      errors.add(FieldError.invalid("spec.minReadySeconds", minReady.toString(), "must be greater than or equal to 0"));
    }
    JsonNode selector = spec.path("selector");
    Map<String, String> wanted = new TreeMap<>();
    if (!selector.isObject() || selector.isEmpty()) {
      errors.add(FieldError.required("spec.selector", ""));
    } else {
      selector.fields().forEachRemaining(e -> {
        if (!e.getValue().isTextual()) {
          errors.add(FieldError.invalid("spec.selector." + e.getKey(), e.getValue().toString(), "must be a string"));
        } else {
          wanted.put(e.getKey(), e.getValue().textValue());
        }
      });
    }
    JsonNode template = spec.path("template");
    if (!template.isObject()) {
      errors.add(FieldError.required("spec.template", ""));
      return errors;
    }
    JsonNode labels = template.path("metadata").path("labels");
    boolean matches = !wanted.isEmpty() && wanted.entrySet().stream()
        .allMatch(e -> e.getValue().equals(labels.path(e.getKey()).asText(null)));
    if (!wanted.isEmpty() && !matches) {
      errors.add(FieldError.invalid("spec.template.metadata.labels", labels.toString(),
          "`selector` does not match template `labels`"));
    }
    String restart = template.path("spec").path("restartPolicy").asText("Always");
    if (!restart.equals("Always")) {
      errors.add(FieldError.notSupported("spec.template.spec.restartPolicy", restart, List.of("Always")));
    }
    return errors;
  }
}
