package io.steuermann.engine.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.scheduling.Quantity;
import io.steuermann.engine.selector.LabelSelector;
import io.steuermann.engine.selector.SelectorException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * kube's checks of PersistentVolumes, PersistentVolumeClaims ({@code ValidatePersistentVolume},
 * {@code ValidatePersistentVolumeClaim} and their updates in {@code pkg/apis/core/validation})
 * and StorageClasses ({@code pkg/apis/storage/validation}), with kube's field paths and words.
 */
public final class StorageValidation {
  /** kube's {@code supportedAccessModes}, sorted as its messages list them. */
  public static final List<String> ACCESS_MODES = List.of("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce",
      "ReadWriteOncePod");
  static final List<String> RECLAIM_POLICIES = List.of("Delete", "Recycle", "Retain");
  static final List<String> CLASS_RECLAIM_POLICIES = List.of("Delete", "Retain");
  static final List<String> VOLUME_MODES = List.of("Block", "Filesystem");
  static final List<String> BINDING_MODES = List.of("Immediate", "WaitForFirstConsumer");
  /** The volume types of a {@code PersistentVolumeSource}, so that exactly one is given. */
  private static final List<String> PV_SOURCES = List.of("gcePersistentDisk", "awsElasticBlockStore", "hostPath",
      "glusterfs", "nfs", "rbd", "iscsi", "cinder", "cephfs", "fc", "flocker", "flexVolume", "azureFile",
      "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "portworxVolume", "scaleIO", "local",
      "storageos", "csi");
  private static final String IMMUTABLE_CLAIM = "spec is immutable after creation except resources.requests and "
      + "volumeAttributesClassName for bound claims";

  private StorageValidation() {}

  public static List<FieldError> persistentVolume(JsonNode pv) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode spec = pv.path("spec");
    accessModes("spec.accessModes", spec.path("accessModes"), "", errors);
    JsonNode capacity = spec.path("capacity");
    if (!capacity.isObject() || capacity.isEmpty()) {
      errors.add(FieldError.required("spec.capacity", ""));
    } else {
      if (!capacity.has("storage") || capacity.size() > 1) {
        errors.add(FieldError.notSupported("spec.capacity", capacity.toString(), List.of("storage")));
      }
      quantity("spec.capacity[storage]", capacity.path("storage"), false, errors);
    }
    oneOf("spec.persistentVolumeReclaimPolicy", spec.path("persistentVolumeReclaimPolicy"), RECLAIM_POLICIES, errors);
    oneOf("spec.volumeMode", spec.path("volumeMode"), VOLUME_MODES, errors);
    className("spec.storageClassName", spec.path("storageClassName"), errors);
    String first = null;
    for (String kind : PV_SOURCES) {
      if (!spec.hasNonNull(kind)) {
        continue;
      }
      if (first != null) {
        errors.add(FieldError.forbidden("spec." + kind, "may not specify more than 1 volume type"));
      } else {
        first = kind;
      }
    }
    if (first == null) {
      errors.add(FieldError.required("spec", "must specify a volume type"));
    } else if (first.equals("hostPath")) {
      VolumeValidation.hostPath("spec.hostPath", spec.path("hostPath"), errors);
    } else if (first.equals("local")) {
      String path = spec.path("local").path("path").asText("");
      if (path.isEmpty()) {
        errors.add(FieldError.required("spec.local", ""));
      } else {
        VolumeValidation.noBacksteps("spec.local.path", path, errors);
      }
      if (!spec.path("nodeAffinity").isObject()) {
        errors.add(FieldError.required("spec.nodeAffinity", "Local volume requires node affinity"));
      }
    }
    JsonNode affinity = spec.path("nodeAffinity");
    if (affinity.isObject() && affinity.has("required")
        && affinity.path("required").path("nodeSelectorTerms").isEmpty()) {
      errors.add(FieldError.required("spec.nodeAffinity.required.nodeSelectorTerms",
          "must have at least one node selector term"));
    }
    return errors;
  }

  public static List<FieldError> persistentVolumeUpdate(JsonNode old, JsonNode updated) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode before = old.path("spec");
    JsonNode after = updated.path("spec");
    for (String kind : PV_SOURCES) {
      if (!Objects.equals(before.get(kind), after.get(kind))) {
        errors.add(FieldError.forbidden("spec.persistentvolumesource", "spec.persistentvolumesource is immutable "
            + "after creation"));
        break;
      }
    }
    if (!before.path("volumeMode").equals(after.path("volumeMode"))) {
      errors.add(FieldError.invalid("spec.volumeMode", after.path("volumeMode").asText(""), "field is immutable"));
    }
    if (before.path("nodeAffinity").isObject() && !before.path("nodeAffinity").equals(after.path("nodeAffinity"))) {
      errors.add(FieldError.invalid("spec.nodeAffinity", after.path("nodeAffinity").toString(), "field is immutable"));
    }
    return errors;
  }

  public static List<FieldError> persistentVolumeClaim(JsonNode pvc) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode spec = pvc.path("spec");
    accessModes("spec.accessModes", spec.path("accessModes"), "at least 1 access mode is required", errors);
    JsonNode selector = spec.path("selector");
    if (selector.isObject()) {
      try {
        LabelSelector.fromJson(selector);
      } catch (SelectorException e) {
        errors.add(FieldError.invalid("spec.selector", selector.toString(), e.getMessage()));
      }
    }
    JsonNode storage = spec.path("resources").path("requests").path("storage");
    if (storage.isMissingNode() || storage.isNull()) {
      errors.add(FieldError.required("spec.resources[storage]", ""));
    } else {
      quantity("spec.resources[storage]", storage, true, errors);
    }
    className("spec.storageClassName", spec.path("storageClassName"), errors);
    oneOf("spec.volumeMode", spec.path("volumeMode"), VOLUME_MODES, errors);
    return errors;
  }

  /**
   * kube's {@code ValidatePersistentVolumeClaimUpdate}: the spec is fixed but for the requests,
   * except that the binding may fill in {@code volumeName} and the default class an unset
   * {@code storageClassName}; a request may not shrink.
   */
  public static List<FieldError> persistentVolumeClaimUpdate(JsonNode old, JsonNode updated) {
    List<FieldError> errors = new ArrayList<>();
    ObjectNode before = old.path("spec").deepCopy();
    ObjectNode after = updated.path("spec").deepCopy();
    if (before.path("volumeName").asText("").isEmpty()) {
      before.remove("volumeName");
      after.remove("volumeName");
    }
    if (!before.hasNonNull("storageClassName")) {
      before.remove("storageClassName");
      after.remove("storageClassName");
    }
    for (ObjectNode s : List.of(before, after)) {
      if (s.path("resources") instanceof ObjectNode r) {
        r.remove("requests");
        if (r.isEmpty()) {
          s.remove("resources");
        }
      }
    }
    if (!before.equals(after)) {
      errors.add(FieldError.forbidden("spec", IMMUTABLE_CLAIM));
    }
    try {
      BigDecimal was = Quantity.parse(old.path("spec").path("resources").path("requests").path("storage").asText("0"));
      BigDecimal now = Quantity.parse(updated.path("spec").path("resources").path("requests").path("storage")
          .asText("0"));
      if (now.compareTo(was) < 0) {
        errors.add(FieldError.forbidden("spec.resources.requests.storage", "field can not be less than previous value"));
      }
    } catch (IllegalArgumentException e) {
      // a malformed request is reported by the spec's own checks
    }
    return errors;
  }

  public static List<FieldError> storageClass(JsonNode sc) {
    List<FieldError> errors = new ArrayList<>();
    String provisioner = sc.path("provisioner").asText("");
    if (provisioner.isEmpty()) {
      errors.add(FieldError.required("provisioner", provisioner));
    } else {
      if (provisioner.length() > Names.QUALIFIED_NAME_MAX_LENGTH) {
        errors.add(FieldError.tooLong("provisioner", provisioner, Names.QUALIFIED_NAME_MAX_LENGTH));
      }
      Names.qualifiedName(provisioner.toLowerCase()).forEach(p -> errors.add(FieldError.invalid("provisioner",
          provisioner, p)));
    }
    sc.path("parameters").fieldNames().forEachRemaining(k -> {
      if (k.isEmpty()) {
        errors.add(FieldError.invalid("parameters", sc.path("parameters").toString(), "key may not be empty"));
      }
    });
    oneOf("reclaimPolicy", sc.path("reclaimPolicy"), CLASS_RECLAIM_POLICIES, errors);
    JsonNode mode = sc.path("volumeBindingMode");
    if (mode.isMissingNode() || mode.isNull()) {
      errors.add(FieldError.required("volumeBindingMode", ""));
    } else {
      oneOf("volumeBindingMode", mode, BINDING_MODES, errors);
    }
    return errors;
  }

  public static List<FieldError> storageClassUpdate(JsonNode old, JsonNode updated) {
    List<FieldError> errors = new ArrayList<>();
    if (!emptyIfMissing(old.path("parameters")).equals(emptyIfMissing(updated.path("parameters")))) {
      errors.add(FieldError.forbidden("parameters", "updates to parameters are forbidden."));
    }
    if (!old.path("provisioner").asText("").equals(updated.path("provisioner").asText(""))) {
      errors.add(FieldError.forbidden("provisioner", "updates to provisioner are forbidden."));
    }
    if (!old.path("reclaimPolicy").asText("").equals(updated.path("reclaimPolicy").asText(""))) {
      errors.add(FieldError.forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."));
    }
    if (!old.path("volumeBindingMode").asText("").equals(updated.path("volumeBindingMode").asText(""))) {
      errors.add(FieldError.invalid("volumeBindingMode", updated.path("volumeBindingMode").asText(""),
          "field is immutable"));
    }
    return errors;
  }

  private static JsonNode emptyIfMissing(JsonNode map) {
    return map.isObject() ? map : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
  }

  private static void accessModes(String at, JsonNode modes, String requiredDetail, List<FieldError> errors) {
    if (!modes.isArray() || modes.isEmpty()) {
      errors.add(FieldError.required(at, requiredDetail));
      return;
    }
    Set<String> seen = new HashSet<>();
    for (JsonNode m : modes) {
      String mode = m.asText("");
      if (!ACCESS_MODES.contains(mode)) {
        errors.add(FieldError.notSupported(at, mode, ACCESS_MODES));
      }
      seen.add(mode);
    }
    if (seen.contains("ReadWriteOncePod") && seen.size() > 1) {
      errors.add(FieldError.forbidden(at, "may not use ReadWriteOncePod with other access modes"));
    }
  }

  private static void quantity(String at, JsonNode value, boolean positive, List<FieldError> errors) {
    String text = value.asText("");
    try {
      int sign = Quantity.parse(text).signum();
      if (positive && sign <= 0) {
        errors.add(FieldError.invalid(at, text, "must be greater than zero"));
      } else if (sign < 0) {
        errors.add(FieldError.invalid(at, text, "must be greater than or equal to 0"));
      }
    } catch (IllegalArgumentException e) {
      errors.add(FieldError.invalid(at, text, "quantities must match the regular expression "
          + "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
    }
  }

  private static void oneOf(String at, JsonNode value, List<String> supported, List<FieldError> errors) {
    if (value.isMissingNode() || value.isNull()) {
      return;
    }
    if (!supported.contains(value.asText())) {
      errors.add(FieldError.notSupported(at, value.asText(), supported));
    }
  }

  private static void className(String at, JsonNode value, List<FieldError> errors) {
    String name = value.asText("");
    if (!name.isEmpty()) {
      Names.dns1123Subdomain(name).forEach(p -> errors.add(FieldError.invalid(at, name, p)));
    }
  }
}
