package io.steuermann.http.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.steuermann.http.table.Printers.Column;
import java.util.ArrayList;
import java.util.List;

/**
 * The PersistentVolume, PersistentVolumeClaim and StorageClass columns and cells, as
 * kube-apiserver 1.32's printPersistentVolume, printPersistentVolumeClaim and printStorageClass
 * (descriptions: the API's own field documentation, as kube's SwaggerDoc()).
 */
final class StoragePrinters {
  private static final String D_NAME = "Name must be unique within a namespace.";
  private static final String D_AGE = "CreationTimestamp is a timestamp representing the server time when this object "
      + "was created.";
  private static final String MORE = "More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes";

  private StoragePrinters() {}

  private static Column col(String name, int priority, String description) {
    return new Column(name, "string", "", priority, description);
  }

  static List<Column> persistentVolumeColumns() {
    return List.of(new Column("Name", "string", "name", 0, D_NAME),
        col("Capacity", 0, "capacity is the description of the persistent volume's resources and capacity. " + MORE
            + "#capacity"),
        col("Access Modes", 0, "accessModes contains all ways the volume can be mounted. " + MORE + "#access-modes"),
        col("Reclaim Policy", 0, "persistentVolumeReclaimPolicy defines what happens to a persistent volume when "
            + "released from its claim. Valid options are Retain (default for manually created PersistentVolumes), "
            + "Delete (default for dynamically provisioned PersistentVolumes), and Recycle (deprecated). Recycle must be "
            + "supported by the volume plugin underlying this PersistentVolume. " + MORE + "#reclaiming"),
        col("Status", 0, "phase indicates if a volume is available, bound to a claim, or released by a claim. " + MORE
            + "#phase"),
        col("Claim", 0, "claimRef is part of a bi-directional binding between PersistentVolume and "
            + "PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName is the authoritative bind "
            + "between PV and PVC. " + MORE + "#binding"),
        col("StorageClass", 0, "StorageClass of the pv"),
        col("VolumeAttributesClass", 0, "VolumeAttributesClass of the pv"),
        col("Reason", 0, "reason is a brief CamelCase string that describes any failure and is meant for machine "
            + "parsing and tidy display in the CLI."),
        col("Age", 0, D_AGE),
        col("VolumeMode", 1, "volumeMode defines if a volume is intended to be used with a formatted filesystem or to "
            + "remain in raw block state. Value of Filesystem is implied when not included in spec."));
  }

  static List<Column> persistentVolumeClaimColumns() {
    return List.of(new Column("Name", "string", "name", 0, D_NAME),
        col("Status", 0, "phase represents the current phase of PersistentVolumeClaim."),
        col("Volume", 0, "volumeName is the binding reference to the PersistentVolume backing this claim."),
        col("Capacity", 0, "capacity represents the actual resources of the underlying volume."),
        col("Access Modes", 0, "accessModes contains the actual access modes the volume backing the PVC has. " + MORE
            + "#access-modes-1"),
        col("StorageClass", 0, "StorageClass of the pvc"),
        col("VolumeAttributesClass", 0, "VolumeAttributesClass of the pvc"),
        col("Age", 0, D_AGE),
        col("VolumeMode", 1, "volumeMode defines what type of volume is required by the claim. Value of Filesystem is "
            + "implied when not included in claim spec."));
  }

  static List<Column> storageClassColumns() {
    return List.of(new Column("Name", "string", "name", 0, D_NAME),
        col("Provisioner", 0, "provisioner indicates the type of the provisioner."),
        col("ReclaimPolicy", 0, "reclaimPolicy controls the reclaimPolicy for dynamically provisioned "
            + "PersistentVolumes of this storage class. Defaults to Delete."),
        col("VolumeBindingMode", 0, "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and "
            + "bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable "
            + "the VolumeScheduling feature."),
        col("AllowVolumeExpansion", 0, "allowVolumeExpansion shows whether the storage class allow volume expand."),
        col("Age", 0, D_AGE));
  }

  static void persistentVolume(ArrayNode c, String name, String age, JsonNode pv) {
    JsonNode spec = pv.path("spec");
    JsonNode ref = spec.path("claimRef");
    String claim = ref.isObject() ? ref.path("namespace").asText("") + "/" + ref.path("name").asText("") : "";
    String phase = pv.path("metadata").has("deletionTimestamp") ? "Terminating"
        : pv.path("status").path("phase").asText("");
    c.add(name).add(spec.path("capacity").path("storage").asText(""))
        .add(accessModes(spec.path("accessModes")))
        .add(spec.path("persistentVolumeReclaimPolicy").asText(""))
        .add(phase).add(claim).add(spec.path("storageClassName").asText(""))
        .add(spec.path("volumeAttributesClassName").asText("<unset>"))
        .add(pv.path("status").path("reason").asText(""))
        .add(age).add(spec.path("volumeMode").asText("<unset>"));
  }

  static void persistentVolumeClaim(ArrayNode c, String name, String age, JsonNode pvc) {
    JsonNode spec = pvc.path("spec");
    JsonNode status = pvc.path("status");
    String phase = pvc.path("metadata").has("deletionTimestamp") ? "Terminating" : status.path("phase").asText("");
    boolean bound = !spec.path("volumeName").asText("").isEmpty();
    c.add(name).add(phase).add(spec.path("volumeName").asText(""))
        .add(bound ? status.path("capacity").path("storage").asText("") : "")
        .add(bound ? accessModes(status.path("accessModes")) : "")
        .add(spec.path("storageClassName").asText(""))
        .add(spec.path("volumeAttributesClassName").asText("<unset>"))
        .add(age).add(spec.path("volumeMode").asText("<unset>"));
  }

  static void storageClass(ArrayNode c, String name, String age, JsonNode sc) {
    JsonNode annotations = sc.path("metadata").path("annotations");
    boolean isDefault = "true".equals(annotations.path("storageclass.kubernetes.io/is-default-class").asText())
        || "true".equals(annotations.path("storageclass.beta.kubernetes.io/is-default-class").asText());
    c.add(isDefault ? name + " (default)" : name).add(sc.path("provisioner").asText(""))
        .add(sc.path("reclaimPolicy").asText("Delete"))
        .add(sc.path("volumeBindingMode").asText("Immediate"))
        .add(String.valueOf(sc.path("allowVolumeExpansion").asBoolean(false)))
        .add(age);
  }

  /** kube's GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order, comma-separated. */
  static String accessModes(JsonNode modes) {
    List<String> have = new ArrayList<>();
    modes.forEach(m -> have.add(m.asText()));
    List<String> out = new ArrayList<>();
    String[][] order = {{"ReadWriteOnce", "RWO"}, {"ReadOnlyMany", "ROX"}, {"ReadWriteMany", "RWX"},
        {"ReadWriteOncePod", "RWOP"}};
    for (String[] mode : order) {
      if (have.contains(mode[0])) {
        out.add(mode[1]);
      }
    }
    return String.join(",", out);
  }
}
