package io.steuermann.engine.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The volume and volumeMount rules, each case with the field path and words kube-apiserver uses. */
class VolumeValidationTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static List<FieldError> check(String volumes, String mounts) throws Exception {
    JsonNode spec = JSON.readTree("{\"volumes\":" + volumes.replace('\'', '"')
        + ",\"containers\":[{\"name\":\"app\",\"image\":\"busybox\",\"volumeMounts\":" + mounts.replace('\'', '"') + "}]}");
    List<FieldError> errors = new ArrayList<>();
    VolumeValidation.validate("spec", spec, errors);
    return errors;
  }

  private static List<String> errors(String volumes, String mounts) throws Exception {
    return check(volumes, mounts).stream().map(FieldError::error).toList();
  }

  @Test
  void everySupportedSourceIsAccepted() throws Exception {
    assertEquals(List.of(), errors("""
        [{'name':'a','emptyDir':{}},{'name':'b','emptyDir':{'medium':'Memory','sizeLimit':'64Mi'}},
         {'name':'c','configMap':{'name':'cfg','items':[{'key':'k','path':'sub/k','mode':256}],'defaultMode':420,'optional':true}},
         {'name':'d','secret':{'secretName':'s','defaultMode':256}},
         {'name':'e','downwardAPI':{'items':[{'path':'labels','fieldRef':{'fieldPath':'metadata.labels'}},
            {'path':'cpu','resourceFieldRef':{'containerName':'app','resource':'limits.cpu'}}]}},
         {'name':'f','projected':{'sources':[{'configMap':{'name':'cfg'}},{'secret':{'name':'s'}},
            {'downwardAPI':{'items':[{'path':'n','fieldRef':{'fieldPath':'metadata.name'}}]}}]}},
         {'name':'g','hostPath':{'path':'/var/log','type':'DirectoryOrCreate'}}]""",
        "[{'name':'a','mountPath':'/a'},{'name':'c','mountPath':'/etc/app.conf','subPath':'sub/k','readOnly':true}]"));
  }

  @Test
  void namesAreDnsLabelsAndUnique() throws Exception {
    List<String> e = errors("[{'name':'Data','emptyDir':{}},{'name':'x','emptyDir':{}},{'name':'x','emptyDir':{}}]", "[]");
    assertEquals(2, e.size(), e.toString());
    assertTrue(e.get(0).startsWith("spec.volumes[0].name: Invalid value: \"Data\": a lowercase RFC 1123 label"), e.get(0));
    assertEquals("spec.volumes[2].name: Duplicate value: \"x\"", e.get(1));
  }

  @Test
  void exactlyOneSource() throws Exception {
    assertEquals(List.of("spec.volumes[0]: Required value: must specify a volume type"), errors("[{'name':'a'}]", "[]"));
    assertEquals(List.of("spec.volumes[0].secret: Forbidden: may not specify more than 1 volume type"),
        errors("[{'name':'a','emptyDir':{},'secret':{'secretName':'s'}}]", "[]"));
  }

  @Test
  void sourcesANodeCannotProvideAreRefusedByName() throws Exception {
    List<String> e = errors("[{'name':'a','persistentVolumeClaim':{'claimName':'c'}},{'name':'b','nfs':{'server':'x','path':'/'}},"
        + "{'name':'c','persistentVolumeClaim':{'readOnly':true}}]", "[]");
    assertEquals(2, e.size(), e.toString());
    assertTrue(e.get(0).startsWith("spec.volumes[1].nfs: Unsupported value: \"nfs\": supported values: \"configMap\""),
        e.get(0));
    assertTrue(e.get(0).contains("\"persistentVolumeClaim\""), "a claim is mounted from its volume: " + e.get(0));
    assertEquals("spec.volumes[2].persistentVolumeClaim.claimName: Required value", e.get(1));
    assertEquals(List.of("spec.volumes[0].projected: Invalid value: \"s\": conflicting duplicate paths"), errors("""
        [{'name':'a','projected':{'sources':[{'configMap':{'name':'c','items':[{'key':'k','path':'same'}]}},
          {'secret':{'name':'s','items':[{'key':'k','path':'same'}]}}]}}]""", "[]"));
    List<String> token = errors("[{'name':'a','projected':{'sources':[{'serviceAccountToken':{'path':'t'}}]}}]", "[]");
    assertTrue(token.get(0).startsWith("spec.volumes[0].projected.sources[0].serviceAccountToken: Unsupported value"), token.toString());
  }

  @Test
  void mountsNameAVolumeAtAUniqueAbsolutePath() throws Exception {
    assertEquals(List.of(
        "spec.containers[0].volumeMounts[0].name: Not found: \"nope\"",
        "spec.containers[0].volumeMounts[1].mountPath: Invalid value: \"data\": must be an absolute path",
        "spec.containers[0].volumeMounts[3].mountPath: Invalid value: \"/a\": must be unique",
        "spec.containers[0].volumeMounts[4].subPath: Invalid value: \"/abs\": must be a relative path",
        "spec.containers[0].volumeMounts[5].subPath: Invalid value: \"x/../..\": must not contain '..'"),
        errors("[{'name':'a','emptyDir':{}}]", """
            [{'name':'nope','mountPath':'/n'},{'name':'a','mountPath':'data'},{'name':'a','mountPath':'/a'},
             {'name':'a','mountPath':'/a'},{'name':'a','mountPath':'/b','subPath':'/abs'},
             {'name':'a','mountPath':'/c','subPath':'x/../..'}]"""));
  }

  @Test
  void itemsModesAndPaths() throws Exception {
    assertEquals(List.of(
        "spec.volumes[0].configMap.defaultMode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive",
        "spec.volumes[0].configMap.items[0].key: Required value",
        "spec.volumes[0].configMap.items[0].path: Invalid value: \"/etc/x\": must be a relative path",
        "spec.volumes[0].configMap.items[1].path: Invalid value: \"../x\": must not contain '..'",
        "spec.volumes[0].configMap.items[1].path: Invalid value: \"../x\": must not start with '..'",
        "spec.volumes[0].configMap.items[1].mode: Invalid value: -1: must be a number between 0 and 0777 (octal), both inclusive",
        "spec.volumes[1].secret.secretName: Required value"),
        errors("""
            [{'name':'a','configMap':{'name':'c','defaultMode':512,'items':[{'path':'/etc/x'},{'key':'k','path':'../x','mode':-1}]}},
             {'name':'b','secret':{}}]""", "[]"));
  }

  @Test
  void hostPathEmptyDirAndDownwardApi() throws Exception {
    assertEquals(List.of(
        "spec.volumes[0].hostPath.type: Unsupported value: \"Dir\": supported values: \"\", \"BlockDevice\", \"CharDevice\", "
            + "\"Directory\", \"DirectoryOrCreate\", \"File\", \"FileOrCreate\", \"Socket\"",
        "spec.volumes[1].hostPath.path: Required value",
        "spec.volumes[2].emptyDir.sizeLimit: Invalid value: \"lots\": quantities must match the regular expression "
            + "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        "spec.volumes[3].emptyDir.medium: Unsupported value: \"Disk\": supported values: \"\", \"Memory\"",
        "spec.volumes[4].downwardAPI.items[0].fieldRef.fieldPath: Unsupported value: \"spec.nodeName\": supported values: "
            + "\"metadata.annotations\", \"metadata.labels\", \"metadata.name\", \"metadata.namespace\", \"metadata.uid\"",
        "spec.volumes[4].downwardAPI.items[1].resourceFieldRef.containerName: Required value",
        "spec.volumes[4].downwardAPI.items[1].resourceFieldRef.divisor: Invalid value: \"some\": quantities must match "
            + "the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        "spec.volumes[4].downwardAPI.items[2]: Required value: one of fieldRef and resourceFieldRef is required"),
        errors("""
            [{'name':'a','hostPath':{'path':'/x','type':'Dir'}},{'name':'b','hostPath':{}},
             {'name':'c','emptyDir':{'sizeLimit':'lots'}},{'name':'d','emptyDir':{'medium':'Disk'}},
             {'name':'e','downwardAPI':{'items':[{'path':'a','fieldRef':{'fieldPath':'spec.nodeName'}},
               {'path':'b','resourceFieldRef':{'resource':'limits.cpu','divisor':'some'}},{'path':'c'}]}}]""", "[]"));
    assertEquals(List.of(), errors(
        "[{'name':'e','downwardAPI':{'items':[{'path':'a','fieldRef':{'fieldPath':'metadata.labels[\\'app\\']'}}]}}]", "[]"));
  }
}
