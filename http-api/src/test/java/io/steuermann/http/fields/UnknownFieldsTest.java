package io.steuermann.http.fields;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.schema.KindSchemas;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The schema-driven pruner on Kubernetes 1.32's own schemas, and the duplicate finder. */
class UnknownFieldsTest {
  private static final KindSchemas SCHEMAS = KindSchemas.fromClasspath();

  private static JsonNode json(String text) {
    try {
      return Json.parse(text.replace('\'', '"'));
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static List<String> prune(Kind kind, JsonNode document) {
    return UnknownFields.prune(SCHEMAS.of(kind), document, Set.of());
  }

  @Test
  void unknownFieldsAreRemovedAndNamedByPathInDocumentOrder() {
    JsonNode deployment = json("""
        {'apiVersion':'apps/v1','kind':'Deployment','bogus':1,
         'metadata':{'name':'d','labels':{'any-key':'kept'},'nmae':'x'},
         'spec':{'replicas':2,'foo':{'deep':true},'selector':{'matchLabels':{'app':'a'}},
           'template':{'metadata':{'labels':{'app':'a'}},
             'spec':{'containers':[{'name':'c','image':'i'},{'name':'d','image':'i','imagePullPolicyy':'Never',
               'resources':{'limits':{'cpu':'1'}},'ports':[{'containerPort':80,'hostt':1}]}]}},
           'bar':[]}}""");
    assertEquals(List.of("unknown field \"bogus\"", "unknown field \"metadata.nmae\"", "unknown field \"spec.foo\"",
        "unknown field \"spec.template.spec.containers[1].imagePullPolicyy\"",
        "unknown field \"spec.template.spec.containers[1].ports[0].hostt\"", "unknown field \"spec.bar\""),
        prune(Kind.DEPLOYMENT, deployment));
    assertEquals(json("""
        {'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'d','labels':{'any-key':'kept'}},
         'spec':{'replicas':2,'selector':{'matchLabels':{'app':'a'}},
           'template':{'metadata':{'labels':{'app':'a'}},
             'spec':{'containers':[{'name':'c','image':'i'},{'name':'d','image':'i',
               'resources':{'limits':{'cpu':'1'}},'ports':[{'containerPort':80}]}]}}}}"""), deployment);
  }

  @Test
  void everyServedKindHasASchemaAndAKnownObjectLosesNothing() {
    for (Kind kind : Kind.values()) {
      JsonNode object = json("{'apiVersion':'" + kind.apiVersion() + "','kind':'" + kind.kindName()
          + "','metadata':{'name':'n','annotations':{'a':'b'},'managedFields':[{'fieldsV1':{'f:x':{}}}]}}");
      assertEquals(List.of(), prune(kind, object), kind.kindName());
    }
  }

  @Test
  void freeFormFieldsKeepEverything() {
    // managedFields[].fieldsV1 is an object without properties: anything goes, as in Kubernetes
    JsonNode pod = json("{'metadata':{'managedFields':[{'manager':'m','fieldsV1':{'f:spec':{'f:anything':{}}}}]}}");
    assertEquals(List.of(), prune(Kind.POD, pod));
    assertEquals("{}", pod.path("metadata").path("managedFields").get(0).path("fieldsV1").path("f:spec")
        .path("f:anything").toString());
  }

  @Test
  void patchDirectivesAndNullsAreNotUnknown() {
    JsonNode patch = json("""
        {'metadata':{'labels':{'$patch':'replace','a':'b'},'gone':null},
         'spec':{'$setElementOrder/containers':[{'name':'c'}],'$retainKeys':['containers'],
           'containers':[{'name':'c','$patch':'delete'},{'name':'d','imagee':'x'}],
           '$deleteFromPrimitiveList/finalizers':['f']}}""");
    assertEquals(List.of("unknown field \"spec.containers[1].imagee\""),
        UnknownFields.prunePatch(SCHEMAS.of(Kind.POD), patch, Set.of()));
    // as an object instead of a patch the same keys are unknown
    assertEquals(6, prune(Kind.POD, json(patch.toString())).size() + 1);
  }

  @Test
  void duplicatesAreFoundByPathAndReportedOnlyForKnownFields() {
    String text = """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
         "spec":{"unknown1":"v","unknownDupe":"a","unknownDupe":"b","paused":true,"paused":false,
           "selector":{"matchLabels":{"app":"a"}},
           "template":{"metadata":{"labels":{"app":"a"}},"spec":{"containers":[{"name":"n","image":"i",
             "unknownNested":"v","imagePullPolicy":"Always","imagePullPolicy":"Never"}]}}}}""";
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    List<String> duplicates = DuplicateFields.find(bytes);
    assertEquals(List.of("spec.unknownDupe", "spec.paused", "spec.template.spec.containers[0].imagePullPolicy"),
        duplicates);
    JsonNode tree = json(text);
    // in document order, as kube-apiserver's strict decoder reports them; unknownDupe only as unknown
    assertEquals(List.of("unknown field \"spec.unknown1\"", "unknown field \"spec.unknownDupe\"",
        "duplicate field \"spec.paused\"", "unknown field \"spec.template.spec.containers[0].unknownNested\"",
        "duplicate field \"spec.template.spec.containers[0].imagePullPolicy\""),
        UnknownFields.prune(SCHEMAS.of(Kind.DEPLOYMENT), tree, new HashSet<>(duplicates)));
  }

  @Test
  void duplicatePathsCountArrayItemsAndNestedObjects() {
    byte[] bytes = "{\"a\":[1,{\"x\":1},[2,3],{\"y\":1,\"y\":2}],\"b\":{\"c\":{},\"c\":{}}}"
        .getBytes(StandardCharsets.UTF_8);
    assertEquals(List.of("a[3].y", "b.c"), DuplicateFields.find(bytes));
  }

  @Test
  void theTreesAreBuiltOnce() {
    assertSame(SCHEMAS.of(Kind.POD), KindSchemas.fromClasspath().of(Kind.POD));
    assertSame(SCHEMAS.of(Kind.POD).properties().get("metadata"), SCHEMAS.of(Kind.SERVICE).properties().get("metadata"));
  }

  @Test
  void strictRefusesWarnWarnsIgnoreIsSilentAndAllPrune() {
    FieldChecks checks = new FieldChecks(SCHEMAS);
    String text = "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"foo\":1,\"bar\":2,\"nodeName\":\"a\",\"nodeName\":\"b\"}}";
    byte[] raw = text.getBytes(StandardCharsets.UTF_8);

    FieldChecks.Outcome strict = checks.check(Kind.POD, FieldValidation.STRICT, json(text), raw, false);
    assertEquals(400, strict.refusal().code());
    assertEquals("BadRequest", strict.refusal().reason());
    assertEquals("strict decoding error: unknown field \"spec.foo\", unknown field \"spec.bar\", "
        + "duplicate field \"spec.nodeName\"", strict.refusal().message());

    JsonNode warned = json(text);
    FieldChecks.Outcome warn = checks.check(Kind.POD, FieldValidation.WARN, warned, raw, false);
    assertEquals(null, warn.refusal());
    assertEquals(List.of("unknown field \"spec.foo\"", "unknown field \"spec.bar\"",
        "duplicate field \"spec.nodeName\""), warn.warnings());
    assertEquals("{\"nodeName\":\"b\"}", warned.path("spec").toString());

    JsonNode ignored = json(text);
    FieldChecks.Outcome ignore = checks.check(Kind.POD, FieldValidation.IGNORE, ignored, raw, false);
    assertEquals(null, ignore.refusal());
    assertEquals(List.of(), ignore.warnings());
    assertEquals("{\"nodeName\":\"b\"}", ignored.path("spec").toString());
  }
}
