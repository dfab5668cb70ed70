package io.steuermann.engine.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.validation.FieldError;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The structural check on Kubernetes 1.32's own schemas: what a typed decoder accepts and refuses. */
class StructuralCheckTest {
  private static final KindSchemas SCHEMAS = KindSchemas.fromClasspath();

  private static JsonNode json(String text) {
    try {
      return Json.parse(text.replace('\'', '"'));
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static StructuralCheck.Result check(Kind kind, String text) {
    return StructuralCheck.check(SCHEMAS.of(kind), json(text));
  }

  private static List<String> fields(List<FieldError> errors) {
    return errors.stream().map(FieldError::field).toList();
  }

  @Test
  void whatClientsSendIsAccepted() {
    StructuralCheck.Result ok = check(Kind.DEPLOYMENT, """
        {'apiVersion':'apps/v1','kind':'Deployment',
         'metadata':{'name':'d','creationTimestamp':null,'labels':{'a':'b'},'annotations':{'x':''}},
         'spec':{'replicas':2,'selector':{'matchLabels':{'a':'b'}},
           'strategy':{'rollingUpdate':{'maxSurge':1,'maxUnavailable':'25%'}},
           'template':{'metadata':{'labels':{'a':'b'},'creationTimestamp':null},
             'spec':{'containers':[{'name':'c','image':'i','ports':[{'containerPort':80}],
               'resources':{'limits':{'cpu':'100m','memory':'1Gi'},'requests':{'cpu':1,'memory':'128974848','ephemeral-storage':'1e3'}},
               'readinessProbe':{'httpGet':{'port':'http','path':'/'},'periodSeconds':5}}],
               'terminationGracePeriodSeconds':30}}},
         'status':{}}""");
    assertTrue(ok.ok(), ok.toString());
    StructuralCheck.Result service = check(Kind.SERVICE,
        "{'spec':{'ports':[{'port':80,'targetPort':8080},{'port':81,'targetPort':'web','nodePort':null}]}}");
    assertTrue(service.ok(), service.toString());
    StructuralCheck.Result event = check(Kind.EVENT, "{'metadata':{'name':'e'},'count':1,"
        + "'firstTimestamp':'2026-12-07T10:00:00Z','eventTime':'2026-12-07T10:00:00.123456Z','involvedObject':{'kind':'Pod'}}");
    assertTrue(event.ok(), event.toString());
  }

  @Test
  void wrongTypesAreNamedByPathAndWordedAsGoDecodes() {
    StructuralCheck.Result r = check(Kind.POD, """
        {'kind':['Pod'],'metadata':{'name':5,'generation':'x','creationTimestamp':'not a time','ownerReferences':'x'},
         'spec':{'containers':[{'name':'c','image':'i','ports':[{'containerPort':'80'},{'containerPort':1.5}]}],
           'nodeSelector':{'a':1},'hostNetwork':'yes','volumes':{}}}""");
    assertEquals(List.of("kind", "metadata.name", "metadata.generation", "metadata.creationTimestamp",
        "metadata.ownerReferences", "spec.containers[0].ports[0].containerPort",
        "spec.containers[0].ports[1].containerPort", "spec.nodeSelector[a]", "spec.hostNetwork", "spec.volumes"),
        fields(r.typeErrors()));
    assertEquals("json: cannot unmarshal array into Go struct field Pod.kind of type string", r.decodeError());
    FieldError port = r.typeErrors().get(5);
    assertEquals(FieldError.TYPE_INVALID, port.type());
    assertEquals("Invalid value: \"string\": must be of type int32", port.message());
    assertEquals("json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort"
        + " of type int32", StructuralCheck.check(SCHEMAS.of(Kind.POD),
            json("{'spec':{'containers':[{'ports':[{'containerPort':'80'}]}]}}")).decodeError());
    assertEquals("json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container",
        check(Kind.POD, "{'spec':{'containers':{'name':'c'}}}").decodeError());
  }

  @Test
  void integersMustFitQuantitiesMustParseAndTimesMustBeRfc3339() {
    assertEquals(List.of("spec.replicas"), fields(check(Kind.DEPLOYMENT, "{'spec':{'replicas':3000000000}}").typeErrors()));
    assertTrue(check(Kind.POD, "{'metadata':{'generation':3000000000}}").ok());
    assertEquals(List.of("spec.ports[0].targetPort"),
        fields(check(Kind.SERVICE, "{'spec':{'ports':[{'targetPort':1.5}]}}").typeErrors()));
    assertEquals(List.of("spec.containers[0].resources.limits[cpu]", "spec.containers[0].resources.limits[memory]"),
        fields(check(Kind.POD, "{'spec':{'containers':[{'resources':{'limits':{'cpu':'lots','memory':true}}}]}}")
            .typeErrors()));
    assertEquals(List.of("metadata.creationTimestamp"),
        fields(check(Kind.POD, "{'metadata':{'creationTimestamp':'2026-12-07 10:00:00'}}").typeErrors()));
    assertEquals(List.of("metadata.creationTimestamp"),
        fields(check(Kind.POD, "{'metadata':{'creationTimestamp':'2026-13-07T10:00:00Z'}}").typeErrors()));
    assertTrue(check(Kind.POD, "{'metadata':{'creationTimestamp':'2026-12-07T10:00:00+01:00'}}").ok());
  }

  @Test
  void nullGoesAnywhereAndFreeFormFieldsHoldAnything() {
    assertTrue(check(Kind.POD, "{'metadata':null,'spec':{'containers':[null],'nodeSelector':{'a':null}}}").ok());
    assertTrue(check(Kind.POD, "{'metadata':{'managedFields':[{'fieldsV1':{'f:spec':{'f:x':[1,'a']}}}]}}").ok());
  }

  @Test
  void strategicMergeDirectivesAreNotFields() {
    assertTrue(check(Kind.POD, "{'metadata':{'labels':{'$patch':'replace','a':'b'}},"
        + "'spec':{'$setElementOrder/containers':[{'name':'c'}],'containers':[{'name':'c','$patch':'delete'}]}}").ok());
  }

  @Test
  void aJsonPointerFindsTheSchemaOfWhatItWrites() {
    FieldSchema image = StructuralCheck.at(SCHEMAS.of(Kind.POD), "/spec/containers/0/image");
    assertEquals(FieldSchema.Type.STRING, image.type());
    assertEquals(FieldSchema.Type.OBJECT, StructuralCheck.at(SCHEMAS.of(Kind.POD), "/spec/containers/-").type());
    assertEquals(FieldSchema.Type.STRING, StructuralCheck.at(SCHEMAS.of(Kind.POD), "/metadata/labels/a~1b").type());
    assertNull(StructuralCheck.at(SCHEMAS.of(Kind.POD), "/spec/nonsense/x"));
    assertEquals(List.of("spec.containers[0].image"), fields(StructuralCheck.checkValue(image, json("5"),
        "spec.containers[0].image").typeErrors()));
  }

  @Test
  void theScaleSubresourceHasItsSchema() {
    assertEquals(List.of("spec.replicas"),
        fields(StructuralCheck.check(SCHEMAS.scale(), json("{'spec':{'replicas':'x'}}")).typeErrors()));
  }

  @Test
  void everyServedKindHasATypedSchema() {
    for (Kind kind : Kind.values()) {
      FieldSchema schema = SCHEMAS.of(kind);
      assertEquals(FieldSchema.Type.OBJECT, schema.type(), kind.kindName());
      assertEquals(FieldSchema.Type.STRING, schema.properties().get("kind").type(), kind.kindName());
      assertEquals(FieldSchema.Type.DATE_TIME,
          schema.properties().get("metadata").properties().get("creationTimestamp").type(), kind.kindName());
    }
  }
}
