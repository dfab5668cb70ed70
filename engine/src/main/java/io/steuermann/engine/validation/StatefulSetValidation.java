package io.steuermann.engine.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What kube's {@code ValidateStatefulSetSpec} and {@code ValidateStatefulSetUpdate} check beyond
 * what StatefulSets share with the other workloads (selector, template, selector matching the
 * template's labels): the pod management policy, the update strategy and its partition, the
 * claim retention policy, pods that always restart, claim templates that are valid claims, and
 * a spec that changes only in the fields kube lets change. Same field paths and words as kube.
 */
public final class StatefulSetValidation {
  private static final List<String> RETENTION = List.of("Retain", "Delete");

  private StatefulSetValidation() {}

  public static List<FieldError> spec(JsonNode spec) {
    List<FieldError> errors = new ArrayList<>();
    String policy = spec.path("podManagementPolicy").asText("");
    if (policy.isEmpty()) {
      errors.add(FieldError.required("spec.podManagementPolicy", ""));
    } else if (!policy.equals("OrderedReady") && !policy.equals("Parallel")) {
      errors.add(FieldError.invalid("spec.podManagementPolicy", policy, "must be 'OrderedReady' or 'Parallel'"));
    }
    JsonNode strategy = spec.path("updateStrategy");
    String type = strategy.path("type").asText("");
    JsonNode rolling = strategy.path("rollingUpdate");
    switch (type) {
      case "" -> errors.add(FieldError.required("spec.updateStrategy", ""));
      case "OnDelete" -> {
        if (rolling.isObject()) {
          errors.add(FieldError.invalid("spec.updateStrategy.rollingUpdate", rolling.toString(),
              "only allowed for updateStrategy 'RollingUpdate'"));
        }
      }
      case "RollingUpdate" -> nonNegative("spec.updateStrategy.rollingUpdate.partition", rolling.path("partition"),
          errors);
      default -> errors.add(FieldError.invalid("spec.updateStrategy", type, "must be 'RollingUpdate' or 'OnDelete'"));
    }
    JsonNode retention = spec.path("persistentVolumeClaimRetentionPolicy");
    for (String when : List.of("whenDeleted", "whenScaled")) {
      JsonNode value = retention.path(when);
      if (value.isTextual() && !RETENTION.contains(value.asText())) {
        errors.add(FieldError.notSupported("spec.persistentVolumeClaimRetentionPolicy." + when, value.asText(),
            RETENTION));
      }
    }
    nonNegative("spec.minReadySeconds", spec.path("minReadySeconds"), errors);
    nonNegative("spec.revisionHistoryLimit", spec.path("revisionHistoryLimit"), errors);
    nonNegative("spec.ordinals.start", spec.path("ordinals").path("start"), errors);
    JsonNode template = spec.path("template").path("spec");
    String restart = template.path("restartPolicy").asText("Always");
    if (!restart.equals("Always")) {
      errors.add(FieldError.notSupported("spec.template.spec.restartPolicy", restart, List.of("Always")));
    }
    if (template.hasNonNull("activeDeadlineSeconds")) {
      errors.add(FieldError.forbidden("spec.template.spec.activeDeadlineSeconds",
          "activeDeadlineSeconds in StatefulSet is not Supported"));
    }
    int i = 0;
    for (JsonNode claim : spec.path("volumeClaimTemplates")) {
      String at = "spec.volumeClaimTemplates[" + i++ + "]";
      if (claim.path("metadata").path("name").asText("").isEmpty()) {
        errors.add(FieldError.required(at + ".metadata.name", "name or generateName is required"));
      }
      for (FieldError e : StorageValidation.persistentVolumeClaim(claim)) {
        errors.add(new FieldError(at + "." + e.field(), e.type(), e.message(), e.badValue()));
      }
    }
    return errors;
  }

  /**
   * The spec with each claim template as the volume its pods will have, for the pod template's
   * checks. (kube-apiserver leaves the template's pod spec to pod creation for that reason;
   * checking it here, with those volumes, refuses at once what every pod would be refused for.)
   */
  public static JsonNode withClaimVolumes(JsonNode spec) {
    if (!spec.path("volumeClaimTemplates").isArray() || !(spec.path("template").path("spec") instanceof ObjectNode)) {
      return spec;
    }
    ObjectNode copy = ((ObjectNode) spec).deepCopy();
    ObjectNode podSpec = (ObjectNode) copy.path("template").path("spec");
    JsonNode existing = podSpec.path("volumes");
    com.fasterxml.jackson.databind.node.ArrayNode volumes = podSpec.arrayNode();
    List<String> claims = new ArrayList<>();
    for (JsonNode claim : spec.path("volumeClaimTemplates")) {
      String name = claim.path("metadata").path("name").asText("");
      if (!name.isEmpty()) {
        claims.add(name);
      }
    }
    for (JsonNode v : existing) {
      if (!claims.contains(v.path("name").asText())) {
        volumes.add(v);
      }
    }
    for (String name : claims) {
      ObjectNode v = volumes.addObject();
      v.put("name", name);
      v.putObject("persistentVolumeClaim").put("claimName", name);
    }
    podSpec.set("volumes", volumes);
    return copy;
  }

  /** kube's {@code ValidateStatefulSetUpdate}: the rest of the spec is fixed. */
  public static List<FieldError> update(JsonNode old, JsonNode updated) {
    List<FieldError> errors = new ArrayList<>();
    ObjectNode before = old.path("spec").isObject() ? ((ObjectNode) old.get("spec")).deepCopy() : null;
    ObjectNode after = updated.path("spec").isObject() ? ((ObjectNode) updated.get("spec")).deepCopy() : null;
    if (before == null || after == null) {
      return errors;
    }
    for (String mutable : List.of("replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit",
        "persistentVolumeClaimRetentionPolicy", "minReadySeconds")) {
      before.remove(mutable);
      after.remove(mutable);
    }
    if (!before.equals(after)) {
      errors.add(FieldError.forbidden("spec", "updates to statefulset spec for fields other than 'replicas', "
          + "'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' "
          + "and 'minReadySeconds' are forbidden"));
    }
    return errors;
  }

  private static void nonNegative(String path, JsonNode value, List<FieldError> errors) {
    if (value.isNumber() && value.asLong() < 0) {
      errors.add(FieldError.invalid(path, value.asLong(), "must be greater than or equal to 0"));
    }
  }
}
