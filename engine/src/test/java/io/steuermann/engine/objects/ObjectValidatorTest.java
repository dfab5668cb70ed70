package io.steuermann.engine.objects;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checks this validator adds to Kubernetes' metadata validation, one case each. */
class ObjectValidatorTest {
  private static ObjectNode json(String text) {
    try {
      return (ObjectNode) Json.parse(text.replace('\'', '"'));
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static ObjectNode pod(String containerExtra, String metaExtra) {
    ObjectNode pod = json("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','namespace':'default'" + metaExtra
        + "},'spec':{'containers':[{'name':'c','image':'i'" + containerExtra + "}]}}");
    Defaults.apply(Kind.POD, pod);
    return pod;
  }

  private static List<String> fields(List<ApiStatus.Cause> causes) {
    return causes.stream().map(ApiStatus.Cause::field).toList();
  }

  @Test
  void aDefaultedPodIsValid() {
    assertEquals(List.of(), ObjectValidator.validate(Kind.POD, pod("", "")));
  }

  @Test
  void ownerReferencesNeedApiVersionKindNameAndUidAndOneController() {
    List<ApiStatus.Cause> causes = ObjectValidator.validate(Kind.POD, pod("",
        ",'ownerReferences':[{'kind':'ReplicaSet','name':'rs','controller':true},"
            + "{'apiVersion':'apps/v1','kind':'ReplicaSet','name':'x','uid':'u','controller':true}]"));
    assertEquals(List.of("metadata.ownerReferences[0].apiVersion", "metadata.ownerReferences[0].uid",
        "metadata.ownerReferences"), fields(causes));
    assertEquals("Invalid value: \"\": uid must not be empty", causes.get(1).message());
  }

  @Test
  void hostPortsAndEnumLikeContainerFieldsAreChecked() {
    assertEquals(List.of("spec.containers[0].ports[0].hostPort"), fields(ObjectValidator.validate(Kind.POD,
        pod(",'ports':[{'containerPort':80,'hostPort':70000}]", ""))));
    List<ApiStatus.Cause> pull = ObjectValidator.validate(Kind.POD, pod(",'imagePullPolicy':'Sometimes'", ""));
    assertEquals(List.of("spec.containers[0].imagePullPolicy"), fields(pull));
    assertEquals("FieldValueNotSupported", pull.get(0).reason());
    assertEquals(List.of("spec.containers[0].terminationMessagePolicy"), fields(ObjectValidator.validate(Kind.POD,
        pod(",'terminationMessagePolicy':'Loud'", ""))));
    // an empty value is the Go zero value: defaulted, as Kubernetes does
    assertEquals(List.of(), ObjectValidator.validate(Kind.POD, pod(",'imagePullPolicy':''", "")));
  }

  @Test
  void aWrongTypeIsRefusedAfterDefaultingNotReplaced() {
    // what a merge patch {"spec": "x"} leaves: defaulting must not turn it into an empty spec
    ObjectNode old = pod("", "");
    ObjectNode patched = old.deepCopy();
    patched.put("spec", "x");
    Defaults.apply(Kind.POD, patched);
    assertEquals("x", patched.get("spec").asText());
    List<ApiStatus.Cause> causes = ObjectValidator.validateUpdate(Kind.POD, old, patched);
    assertEquals("spec", causes.get(0).field());
    assertEquals("FieldValueTypeInvalid", causes.get(0).reason());
  }

  @Test
  void aNestedWrongTypeNamesItsPath() {
    ObjectNode rs = json("""
        {'metadata':{'name':'rs','namespace':'default'},
         'spec':{'replicas':1,'selector':{'matchLabels':{'a':'b'}},
           'template':{'metadata':{'labels':{'a':'b'}},
             'spec':{'containers':[{'name':'c','image':'i','ports':[{'containerPort':'http'}]}]}}}}""");
    Defaults.apply(Kind.REPLICA_SET, rs);
    assertEquals(List.of("spec.template.spec.containers[0].ports[0].containerPort"),
        fields(ObjectValidator.validate(Kind.REPLICA_SET, rs)));
  }
}
