package io.steuermann.engine.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.scheduling.Quantity;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Kubernetes' checks of a pod's {@code volumes} and its containers' {@code volumeMounts}
 * ({@code ValidateVolumes}, {@code validateVolumeSource}, {@code validateVolumeMounts} in
 * {@code pkg/apis/core/validation}), worded as kube-apiserver words them. Volume sources that
 * the node cannot provide (nfs, csi, ...) are refused as unsupported rather than stored and
 * silently ignored; a {@code persistentVolumeClaim} is mounted from the PersistentVolume bound to
 * the claim (issue 18).
 */
public final class VolumeValidation {
  /** The sources a node provides, in Kubernetes' field names. */
  public static final List<String> SUPPORTED = List.of("configMap", "downwardAPI", "emptyDir", "hostPath",
      "persistentVolumeClaim", "projected", "secret");
  /** Every source of Kubernetes' {@code VolumeSource}, so that one we cannot provide is named. */
  private static final List<String> ALL_SOURCES = List.of("hostPath", "emptyDir", "gcePersistentDisk",
      "awsElasticBlockStore", "gitRepo", "secret", "nfs", "iscsi", "glusterfs", "persistentVolumeClaim", "rbd",
      "flexVolume", "cinder", "cephfs", "flocker", "downwardAPI", "fc", "azureFile", "configMap", "vsphereVolume",
      "quobyte", "azureDisk", "photonPersistentDisk", "projected", "portworxVolume", "scaleIO", "storageos", "csi",
      "ephemeral", "image");
  static final List<String> HOST_PATH_TYPES = List.of("", "BlockDevice", "CharDevice", "Directory",
      "DirectoryOrCreate", "File", "FileOrCreate", "Socket");
  private static final List<String> DOWNWARD_FIELDS = List.of("metadata.annotations", "metadata.labels",
      "metadata.name", "metadata.namespace", "metadata.uid");
  private static final String FILE_MODE = "must be a number between 0 and 0777 (octal), both inclusive";
  private static final String QUANTITY = ResourceFieldValidation.QUANTITY;

  private VolumeValidation() {}

  /** {@code path} is the pod spec's path, e.g. {@code spec} or {@code spec.template.spec}. */
  public static void validate(String path, JsonNode spec, List<FieldError> errors) {
    Set<String> names = new HashSet<>();
    JsonNode volumes = spec.path("volumes");
    for (int i = 0; i < volumes.size(); i++) {
      JsonNode v = volumes.get(i);
      String at = path + ".volumes[" + i + "]";
      String name = v.path("name").asText("");
      if (name.isEmpty()) {
        errors.add(FieldError.required(at + ".name", ""));
      } else {
        Names.dns1123Label(name).forEach(p -> errors.add(FieldError.invalid(at + ".name", name, p)));
        if (!names.add(name)) {
          errors.add(FieldError.duplicate(at + ".name", name));
        }
      }
      source(at, v, errors);
    }
    for (String list : List.of("initContainers", "containers")) {
      JsonNode containers = spec.path(list);
      for (int i = 0; i < containers.size(); i++) {
        mounts(path + "." + list + "[" + i + "].volumeMounts", containers.get(i).path("volumeMounts"), names, errors);
      }
    }
  }

  private static void source(String at, JsonNode v, List<FieldError> errors) {
    String first = null;
    for (String kind : ALL_SOURCES) {
      if (!v.hasNonNull(kind)) {
        continue;
      }
      if (first != null) {
        errors.add(FieldError.forbidden(at + "." + kind, "may not specify more than 1 volume type"));
        continue;
      }
      first = kind;
    }
    if (first == null) {
      errors.add(FieldError.required(at, "must specify a volume type"));
      return;
    }
    String sourcePath = at + "." + first;
    JsonNode s = v.path(first);
    switch (first) {
      case "emptyDir" -> emptyDir(sourcePath, s, errors);
      case "hostPath" -> hostPath(sourcePath, s, errors);
      case "configMap" -> {
        objectName(sourcePath + ".name", s.path("name").asText(""), errors);
        mode(sourcePath + ".defaultMode", s.get("defaultMode"), errors);
        items(sourcePath + ".items", s.path("items"), errors);
      }
      case "secret" -> {
        objectName(sourcePath + ".secretName", s.path("secretName").asText(""), errors);
        mode(sourcePath + ".defaultMode", s.get("defaultMode"), errors);
        items(sourcePath + ".items", s.path("items"), errors);
      }
      case "downwardAPI" -> {
        mode(sourcePath + ".defaultMode", s.get("defaultMode"), errors);
        downwardItems(sourcePath + ".items", s.path("items"), errors);
      }
      case "projected" -> projected(sourcePath, s, errors);
      case "persistentVolumeClaim" -> {
        // kube: only that a claim is named; whether it exists is the node's (and the scheduler's) affair
        if (s.path("claimName").asText("").isEmpty()) {
          errors.add(FieldError.required(sourcePath + ".claimName", ""));
        }
      }
      default -> errors.add(FieldError.notSupported(sourcePath, first, SUPPORTED));
    }
  }

  private static void emptyDir(String at, JsonNode s, List<FieldError> errors) {
    String medium = s.path("medium").asText("");
    if (!medium.isEmpty() && !medium.equals("Memory")) {
      errors.add(FieldError.notSupported(at + ".medium", medium, List.of("", "Memory")));
    }
    JsonNode limit = s.get("sizeLimit");
    if (limit != null && !limit.isNull()) {
      try {
        if (Quantity.parse(limit.asText()).signum() < 0) {
          errors.add(FieldError.forbidden(at + ".sizeLimit", "SizeLimit field must be a valid resource quantity"));
        }
      } catch (IllegalArgumentException e) {
        errors.add(FieldError.invalid(at + ".sizeLimit", limit.asText(), QUANTITY));
      }
    }
  }

  static void hostPath(String at, JsonNode s, List<FieldError> errors) {
    String p = s.path("path").asText("");
    if (p.isEmpty()) {
      errors.add(FieldError.required(at + ".path", ""));
    } else {
      noBacksteps(at + ".path", p, errors);
    }
    String type = s.path("type").asText("");
    if (!HOST_PATH_TYPES.contains(type)) {
      errors.add(FieldError.notSupported(at + ".type", type, HOST_PATH_TYPES));
    }
  }

  private static void projected(String at, JsonNode s, List<FieldError> errors) {
    mode(at + ".defaultMode", s.get("defaultMode"), errors);
    JsonNode sources = s.path("sources");
    Set<String> paths = new HashSet<>();
    for (int i = 0; i < sources.size(); i++) {
      JsonNode src = sources.get(i);
      String sp = at + ".sources[" + i + "]";
      int count = 0;
      for (String kind : List.of("secret", "configMap", "downwardAPI", "serviceAccountToken", "clusterTrustBundle")) {
        if (!src.hasNonNull(kind)) {
          continue;
        }
        if (++count > 1) {
          errors.add(FieldError.forbidden(sp, "may not specify more than 1 volume type per source"));
          continue;
        }
        JsonNode p = src.path(kind);
        // as kube-apiserver: explicit item paths of the sources must not collide
        for (JsonNode item : p.path("items")) {
          String itemPath = item.path("path").asText("");
          if (!itemPath.isEmpty() && !paths.add(itemPath)) {
            errors.add(FieldError.invalid(at, p.path("name").asText(""), "conflicting duplicate paths"));
          }
        }
        switch (kind) {
          case "secret", "configMap" -> {
            objectName(sp + "." + kind + ".name", p.path("name").asText(""), errors);
            items(sp + "." + kind + ".items", p.path("items"), errors);
          }
          case "downwardAPI" -> downwardItems(sp + ".downwardAPI.items", p.path("items"), errors);
          // service account tokens come with issue 13 (ServiceAccounts and the token API)
          default -> errors.add(FieldError.notSupported(sp + "." + kind, kind,
              List.of("configMap", "downwardAPI", "secret")));
        }
      }
      if (count == 0) {
        errors.add(FieldError.required(sp, "must specify exactly 1 volume type per source"));
      }
    }
  }

  private static void items(String at, JsonNode items, List<FieldError> errors) {
    for (int i = 0; i < items.size(); i++) {
      JsonNode item = items.get(i);
      String ip = at + "[" + i + "]";
      if (item.path("key").asText("").isEmpty()) {
        errors.add(FieldError.required(ip + ".key", ""));
      }
      filePath(ip + ".path", item.path("path").asText(""), errors);
      mode(ip + ".mode", item.get("mode"), errors);
    }
  }

  private static void downwardItems(String at, JsonNode items, List<FieldError> errors) {
    for (int i = 0; i < items.size(); i++) {
      JsonNode item = items.get(i);
      String ip = at + "[" + i + "]";
      filePath(ip + ".path", item.path("path").asText(""), errors);
      mode(ip + ".mode", item.get("mode"), errors);
      boolean field = item.hasNonNull("fieldRef");
      boolean resource = item.hasNonNull("resourceFieldRef");
      if (field && resource) {
        errors.add(FieldError.invalid(ip, "resource", "fieldRef and resourceFieldRef can not be specified simultaneously"));
      } else if (field) {
        String fieldPath = item.path("fieldRef").path("fieldPath").asText("");
        if (fieldPath.isEmpty()) {
          errors.add(FieldError.required(ip + ".fieldRef.fieldPath", ""));
        } else if (!DOWNWARD_FIELDS.contains(subscriptless(fieldPath))) {
          errors.add(FieldError.notSupported(ip + ".fieldRef.fieldPath", fieldPath, DOWNWARD_FIELDS));
        }
      } else if (resource) {
        ResourceFieldValidation.validate(ip + ".resourceFieldRef", item.path("resourceFieldRef"), true, errors);
      } else {
        errors.add(FieldError.required(ip, "one of fieldRef and resourceFieldRef is required"));
      }
    }
  }

  /** {@code metadata.labels['app']} is checked as {@code metadata.labels}, as Kubernetes does. */
  private static String subscriptless(String fieldPath) {
    int bracket = fieldPath.indexOf('[');
    String base = bracket < 0 ? fieldPath : fieldPath.substring(0, bracket);
    return bracket >= 0 && !base.equals("metadata.labels") && !base.equals("metadata.annotations") ? fieldPath : base;
  }

  private static void mounts(String at, JsonNode mounts, Set<String> volumes, List<FieldError> errors) {
    Set<String> paths = new HashSet<>();
    for (int i = 0; i < mounts.size(); i++) {
      JsonNode m = mounts.get(i);
      String mp = at + "[" + i + "]";
      String name = m.path("name").asText("");
      if (name.isEmpty()) {
        errors.add(FieldError.required(mp + ".name", ""));
      } else if (!volumes.contains(name)) {
        errors.add(FieldError.notFound(mp + ".name", name));
      }
      String mountPath = m.path("mountPath").asText("");
      if (mountPath.isEmpty()) {
        errors.add(FieldError.required(mp + ".mountPath", ""));
      } else {
        if (!mountPath.startsWith("/")) {
          errors.add(FieldError.invalid(mp + ".mountPath", mountPath, "must be an absolute path"));
        }
        if (!paths.add(mountPath)) {
          errors.add(FieldError.invalid(mp + ".mountPath", mountPath, "must be unique"));
        }
      }
      String subPath = m.path("subPath").asText("");
      if (!subPath.isEmpty()) {
        descending(mp + ".subPath", subPath, errors);
      }
      if (!m.path("subPathExpr").asText("").isEmpty()) {
        errors.add(FieldError.notSupported(mp + ".subPathExpr", "subPathExpr", List.of("subPath")));
      }
    }
  }

  private static void objectName(String at, String name, List<FieldError> errors) {
    if (name.isEmpty()) {
      errors.add(FieldError.required(at, ""));
    } else {
      Names.dns1123Subdomain(name).forEach(p -> errors.add(FieldError.invalid(at, name, p)));
    }
  }

  /** An item's file: required, relative, no {@code ..} element, not starting with {@code ..}. */
  private static void filePath(String at, String p, List<FieldError> errors) {
    if (p.isEmpty()) {
      errors.add(FieldError.required(at, ""));
      return;
    }
    descending(at, p, errors);
    if (p.startsWith("..")) {
      errors.add(FieldError.invalid(at, p, "must not start with '..'"));
    }
  }

  private static void descending(String at, String p, List<FieldError> errors) {
    if (p.startsWith("/")) {
      errors.add(FieldError.invalid(at, p, "must be a relative path"));
    }
    noBacksteps(at, p, errors);
  }

  static void noBacksteps(String at, String p, List<FieldError> errors) {
    for (String part : p.split("/")) {
      if (part.equals("..")) {
        errors.add(FieldError.invalid(at, p, "must not contain '..'"));
        return;
      }
    }
  }

  private static void mode(String at, JsonNode mode, List<FieldError> errors) {
    if (mode != null && !mode.isNull() && (!mode.canConvertToInt() || mode.asInt() < 0 || mode.asInt() > 0777)) {
      errors.add(FieldError.invalid(at, mode.isNumber() ? mode.asLong() : mode.asText(), FILE_MODE));
    }
  }
}
