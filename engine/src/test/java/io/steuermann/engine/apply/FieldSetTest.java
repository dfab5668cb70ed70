package io.steuermann.engine.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

class FieldSetTest {

  static JsonNode json(String text) {
    try {
      return Json.parse(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final String DEPLOYMENT = """
      {"apiVersion":"apps/v1","kind":"Deployment",
       "metadata":{"name":"web","namespace":"default","labels":{"app":"web"},"finalizers":["x/y"]},
       "spec":{"replicas":2,
         "selector":{"matchLabels":{"app":"web"}},
         "template":{"metadata":{"labels":{"app":"web"}},
           "spec":{"containers":[{"name":"nginx","image":"nginx:1","args":["-g","x"],
             "ports":[{"containerPort":80}],"resources":{}}]}}}}""";

  @Test
  void anObjectsFieldsEncodeAsKubernetesWritesFieldsV1() {
    FieldSet fields = ObjectFields.paths(json(DEPLOYMENT));
    // identity fields (name, namespace, apiVersion, kind) belong to nobody; free maps and list
    // elements are fields themselves ("."); structs are not; selector and args are atomic
    assertEquals(json("""
        {"f:metadata":{"f:finalizers":{"v:\\"x/y\\"":{}},"f:labels":{".":{},"f:app":{}}},
         "f:spec":{"f:replicas":{},"f:selector":{},
           "f:template":{"f:metadata":{"f:labels":{".":{},"f:app":{}}},
             "f:spec":{"f:containers":{"k:{\\"name\\":\\"nginx\\"}":{".":{},
               "f:args":{},"f:image":{},"f:name":{},
               "f:ports":{"k:{\\"containerPort\\":80}":{".":{},"f:containerPort":{}}},
               "f:resources":{}}}}}}}"""), fields.toFieldsV1());
  }

  @Test
  void fieldsV1ReadsBackToTheSameSet() {
    FieldSet fields = ObjectFields.paths(json(DEPLOYMENT));
    assertEquals(fields, FieldSet.fromFieldsV1(fields.toFieldsV1()));
  }

  @Test
  void readsFieldsV1AsKubeApiserverWritesIt() {
    FieldSet fields = FieldSet.fromFieldsV1(json("""
        {"f:spec":{"f:ports":{".":{},"k:{\\"port\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:port":{}}}}}"""));
    FieldPath ports = FieldPath.ROOT.field("spec").field("ports");
    FieldPath port = ports.child("k:{\"port\":80,\"protocol\":\"TCP\"}");
    assertEquals(FieldSet.of(java.util.List.of(ports, port, port.field("port"))), fields);
  }

  @Test
  void pathsPrintAsStructuredMergeDiffPrintsThem() {
    FieldPath image = FieldPath.ROOT.field("spec").field("containers")
        .key((com.fasterxml.jackson.databind.node.ObjectNode) json("{\"name\":\"nginx\"}")).field("image");
    assertEquals(".spec.containers[name=\"nginx\"].image", image.toString());
    assertEquals(".metadata.finalizers[=\"x/y\"]",
        FieldPath.ROOT.field("metadata").field("finalizers").value(json("\"x/y\"")).toString());
  }

  @Test
  void keyFieldsAreWrittenInNameOrder() {
    FieldPath p = FieldPath.ROOT.key((com.fasterxml.jackson.databind.node.ObjectNode)
        json("{\"protocol\":\"TCP\",\"port\":80}"));
    assertEquals("k:{\"port\":80,\"protocol\":\"TCP\"}", p.last());
  }

  @Test
  void setOperations() {
    FieldPath a = FieldPath.of("f:a");
    FieldPath b = FieldPath.of("f:a", "f:b");
    FieldSet ab = FieldSet.of(java.util.List.of(a, b));
    FieldSet onlyA = FieldSet.of(java.util.List.of(a));
    assertEquals(FieldSet.of(java.util.List.of(b)), ab.minus(onlyA));
    assertEquals(onlyA, ab.intersect(onlyA));
    assertTrue(onlyA.hasBelow(FieldPath.ROOT));
    assertTrue(ab.hasBelow(a));
  }
}
