package io.steuermann.engine.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.api.ObjectStore;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.watch.WatchCache;
import io.steuermann.engine.watch.WatchFilter;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The storage classes' names and rules shared by the API, the PV controller and the scheduler:
 * the built-in {@code local-path} class (k3s' default, here provisioned by the PV controller
 * onto the node a pod was scheduled to), which class is the default, and the create-time
 * admission of claims and volumes (kube's DefaultStorageClass and StorageObjectInUseProtection
 * plugins).
 */
public final class StorageClasses {
  public static final String LOCAL_PATH = "local-path";
  public static final String LOCAL_PATH_PROVISIONER = "steuermann.io/local-path";
  public static final String IS_DEFAULT = "storageclass.kubernetes.io/is-default-class";
  private static final String IS_DEFAULT_BETA = "storageclass.beta.kubernetes.io/is-default-class";
  public static final String PVC_PROTECTION = "kubernetes.io/pvc-protection";
  public static final String PV_PROTECTION = "kubernetes.io/pv-protection";
  public static final String WAIT_FOR_FIRST_CONSUMER = "WaitForFirstConsumer";

  private StorageClasses() {}

  /** The built-in class, as created at start when absent. */
  public static ObjectNode localPath() {
    ObjectNode sc = JsonNodeFactory.instance.objectNode();
    sc.put("apiVersion", "storage.k8s.io/v1").put("kind", "StorageClass");
    ObjectNode meta = sc.putObject("metadata");
    meta.put("name", LOCAL_PATH);
    meta.putObject("annotations").put(IS_DEFAULT, "true");
    sc.put("provisioner", LOCAL_PATH_PROVISIONER);
    sc.put("reclaimPolicy", "Delete");
    sc.put("volumeBindingMode", WAIT_FOR_FIRST_CONSUMER);
    return sc;
  }

  public static boolean isDefault(JsonNode sc) {
    JsonNode annotations = sc.path("metadata").path("annotations");
    return "true".equals(annotations.path(IS_DEFAULT).asText()) || "true".equals(annotations.path(IS_DEFAULT_BETA).asText());
  }

  /** kube's {@code GetDefaultClass}: of the classes marked default, the newest (then by name). */
  public static Optional<ObjectNode> defaultClass(WatchCache cache) {
    List<ObjectNode> classes = cache.list(WatchFilter.of(Kind.STORAGE_CLASS, "")).items();
    return classes.stream().filter(StorageClasses::isDefault)
        .min(Comparator.comparing((ObjectNode sc) -> sc.path("metadata").path("creationTimestamp").asText(""))
            .reversed().thenComparing(Meta::name));
  }

  /** The claim's class name: {@code spec.storageClassName}, or "" (no class) when unset. */
  public static String className(JsonNode pvc) {
    return pvc.path("spec").path("storageClassName").asText("");
  }

  public static ObjectNode get(WatchCache cache, String name) {
    return name.isEmpty() ? null : cache.get(ObjectKey.of(Kind.STORAGE_CLASS, "", name));
  }

  /**
   * The admission of creates: a claim that names no class (the field unset, not "") gets the
   * default class; claims and volumes get their protection finalizer.
   */
  public static ObjectStore.CreateAdmission admission(WatchCache cache) {
    return ObjectStore.CreateAdmission.mutating((key, object) -> {
      if (key.kind() != Kind.PERSISTENT_VOLUME_CLAIM && key.kind() != Kind.PERSISTENT_VOLUME) {
        return object;
      }
      ObjectNode admitted = object.deepCopy();
      if (key.kind() == Kind.PERSISTENT_VOLUME_CLAIM) {
        JsonNode spec = admitted.path("spec");
        boolean classAnnotated = admitted.path("metadata").path("annotations")
            .has("volume.beta.kubernetes.io/storage-class");
        if (spec instanceof ObjectNode s && !s.hasNonNull("storageClassName") && !classAnnotated) {
          defaultClass(cache).ifPresent(sc -> s.put("storageClassName", Meta.name(sc)));
        }
        addFinalizer(admitted, PVC_PROTECTION);
      } else {
        addFinalizer(admitted, PV_PROTECTION);
      }
      return admitted;
    });
  }

  private static void addFinalizer(ObjectNode object, String finalizer) {
    if (!(object.path("metadata") instanceof ObjectNode meta)) {
      return; // malformed: validation refuses it
    }
    JsonNode existing = meta.get("finalizers");
    if (existing != null && !existing.isNull() && !existing.isArray()) {
      return;
    }
    ArrayNode list = existing instanceof ArrayNode a ? a : meta.putArray("finalizers");
    for (JsonNode f : list) {
      if (finalizer.equals(f.asText())) {
        return;
      }
    }
    list.add(finalizer);
  }
}
