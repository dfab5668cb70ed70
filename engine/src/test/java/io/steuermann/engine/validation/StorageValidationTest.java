package io.steuermann.engine.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PersistentVolume, PersistentVolumeClaim and StorageClass rules, with kube-apiserver's field paths and words. */
class StorageValidationTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text.replace('\'', '"'));
  }

  private static List<String> messages(List<FieldError> errors) {
    return errors.stream().map(FieldError::error).toList();
  }

  private static final String PV = "{'spec':{'capacity':{'storage':'1Gi'},'accessModes':['ReadWriteOnce'],"
      + "'persistentVolumeReclaimPolicy':'Retain','volumeMode':'Filesystem','hostPath':{'path':'/data'}}}";
  private static final String CLAIM = "{'spec':{'accessModes':['ReadWriteOnce'],'volumeMode':'Filesystem',"
      + "'resources':{'requests':{'storage':'1Gi'}}}}";

  @Test
  void aVolumeNeedsModesCapacityAndOneSource() throws Exception {
    assertEquals(List.of(), messages(StorageValidation.persistentVolume(json(PV))));
    assertEquals(List.of("spec.accessModes: Required value", "spec.capacity: Required value",
            "spec: Required value: must specify a volume type"),
        messages(StorageValidation.persistentVolume(json("{'spec':{}}"))));
    assertEquals(List.of(
            "spec.accessModes: Unsupported value: \"ReadWriteSome\": supported values: \"ReadOnlyMany\", "
                + "\"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\"",
            "spec.capacity[storage]: Invalid value: \"-1Gi\": must be greater than or equal to 0",
            "spec.persistentVolumeReclaimPolicy: Unsupported value: \"Keep\": supported values: \"Delete\", "
                + "\"Recycle\", \"Retain\"",
            "spec.volumeMode: Unsupported value: \"Disk\": supported values: \"Block\", \"Filesystem\"",
            "spec.nfs: Forbidden: may not specify more than 1 volume type"),
        messages(StorageValidation.persistentVolume(json("{'spec':{'capacity':{'storage':'-1Gi'},"
            + "'accessModes':['ReadWriteSome'],'persistentVolumeReclaimPolicy':'Keep','volumeMode':'Disk',"
            + "'hostPath':{'path':'/data'},'nfs':{'server':'x','path':'/'}}}"))));
    assertEquals(List.of("spec.nodeAffinity: Required value: Local volume requires node affinity"),
        messages(StorageValidation.persistentVolume(json(PV.replace("'hostPath':{'path':'/data'}",
            "'local':{'path':'/mnt/disk'}")))));
  }

  @Test
  void aClaimNeedsModesAndAStorageRequest() throws Exception {
    assertEquals(List.of(), messages(StorageValidation.persistentVolumeClaim(json(CLAIM))));
    assertEquals(List.of("spec.accessModes: Required value: at least 1 access mode is required",
            "spec.resources[storage]: Required value"),
        messages(StorageValidation.persistentVolumeClaim(json("{'spec':{}}"))));
    assertEquals(List.of("spec.resources[storage]: Invalid value: \"0\": must be greater than zero",
            "spec.storageClassName: Invalid value: \"Fast_Disk\": a lowercase RFC 1123 subdomain must consist of "
                + "lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric "
                + "character (e.g. 'example.com', regex used for validation is "
                + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
        messages(StorageValidation.persistentVolumeClaim(json(CLAIM.replace("'1Gi'", "'0'")
            .replace("'volumeMode'", "'storageClassName':'Fast_Disk','volumeMode'")))));
  }

  @Test
  void aClaimsSpecIsFixedButForTheBindingAndGrowth() throws Exception {
    JsonNode old = json(CLAIM);
    assertEquals(List.of(), messages(StorageValidation.persistentVolumeClaimUpdate(old,
        json(CLAIM.replace("'volumeMode'", "'volumeName':'pv-1','storageClassName':'local-path','volumeMode'")))),
        "the binding fills in volumeName, the default class an unset storageClassName");
    assertEquals(List.of(), messages(StorageValidation.persistentVolumeClaimUpdate(old,
        json(CLAIM.replace("1Gi", "2Gi")))));
    assertEquals(List.of("spec.resources.requests.storage: Forbidden: field can not be less than previous value"),
        messages(StorageValidation.persistentVolumeClaimUpdate(old, json(CLAIM.replace("1Gi", "512Mi")))));
    assertEquals(List.of("spec: Forbidden: spec is immutable after creation except resources.requests and "
            + "volumeAttributesClassName for bound claims"),
        messages(StorageValidation.persistentVolumeClaimUpdate(old, json(CLAIM.replace("ReadWriteOnce",
            "ReadWriteMany")))));
  }

  @Test
  void aClassNeedsAProvisionerAndKeepsIt() throws Exception {
    String sc = "{'provisioner':'example.com/disk','parameters':{'type':'ssd'},'reclaimPolicy':'Delete',"
        + "'volumeBindingMode':'Immediate'}";
    assertEquals(List.of(), messages(StorageValidation.storageClass(json(sc))));
    assertEquals(List.of("provisioner: Required value",
            "reclaimPolicy: Unsupported value: \"Recycle\": supported values: \"Delete\", \"Retain\"",
            "volumeBindingMode: Unsupported value: \"Later\": supported values: \"Immediate\", "
                + "\"WaitForFirstConsumer\""),
        messages(StorageValidation.storageClass(json("{'reclaimPolicy':'Recycle','volumeBindingMode':'Later'}"))));
    assertEquals(List.of("parameters: Forbidden: updates to parameters are forbidden.",
            "provisioner: Forbidden: updates to provisioner are forbidden.",
            "volumeBindingMode: Invalid value: \"WaitForFirstConsumer\": field is immutable"),
        messages(StorageValidation.storageClassUpdate(json(sc), json(sc.replace("ssd", "hdd")
            .replace("example.com/disk", "example.com/other").replace("Immediate", "WaitForFirstConsumer")))));
  }
}
