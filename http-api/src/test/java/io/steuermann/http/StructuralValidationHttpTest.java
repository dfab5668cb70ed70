package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static io.steuermann.http.TestServer.rv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every write checked against the kind's schema through the real API: a create or update whose
 * body a typed decoder could not read is 400 (as kube-apiserver's decoder answers), a patch
 * that would leave such an object 422 (as its patcher answers), each wrong field named in
 * {@code details.causes}; nothing is stored. What clients really send is still accepted.
 */
class StructuralValidationHttpTest {
  private static final String NS = "structure";
  private static final String PODS = "/api/v1/namespaces/" + NS + "/pods";
  private static final String DEPLOYMENTS = "/apis/apps/v1/namespaces/" + NS + "/deployments";

  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("StructuralValidationHttpTest", TestServer.h2(dataDir));
    server.namespace(NS);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static String pod(String name, String metaExtra, String specExtra, String containerExtra) {
    return """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":%s%s},
         "spec":{"containers":[{"name":"main","image":"busybox:1.36"%s}]%s}}"""
        .formatted(name, metaExtra, containerExtra, specExtra);
  }

  private static List<String> causeFields(JsonNode status) {
    List<String> fields = new ArrayList<>();
    status.path("details").path("causes").forEach(c -> fields.add(c.path("field").asText()));
    return fields;
  }

  /** A create refused with 400 naming {@code field}; the pod is not there afterwards. */
  private static JsonNode refusedCreate(String body, String name, String field) {
    JsonNode status = expect(400, server.post(PODS, body));
    assertEquals("Status", status.path("kind").asText());
    assertEquals("BadRequest", status.path("reason").asText());
    assertTrue(causeFields(status).contains(field), status.toString());
    assertEquals(404, server.get(PODS + "/" + name).statusCode());
    return status;
  }

  @Test
  void theProbesFindingsAreRefusedNotCoerced() {
    JsonNode name = expect(400, server.post(PODS, pod("5", "", "", "")));
    assertEquals(List.of("metadata.name"), causeFields(name));
    assertEquals("Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal number 5 into Go struct "
        + "field ObjectMeta.metadata.name of type string", name.path("message").asText());
    assertEquals(404, server.get(PODS + "/5").statusCode());
    refusedCreate(pod("\"gen\"", ",\"generation\":\"x\"", "", ""), "gen", "metadata.generation");
    refusedCreate(pod("\"ts\"", ",\"creationTimestamp\":\"not a time\"", "", ""), "ts", "metadata.creationTimestamp");
    refusedCreate(pod("\"owner\"", ",\"ownerReferences\":\"x\"", "", ""), "owner", "metadata.ownerReferences");
    refusedCreate(pod("\"uid\"", ",\"uid\":7", "", ""), "uid", "metadata.uid");
    refusedCreate(pod("\"mf\"", ",\"managedFields\":{}", "", ""), "mf", "metadata.managedFields");
    refusedCreate(pod("\"del\"", ",\"deletionTimestamp\":true", "", ""), "del", "metadata.deletionTimestamp");
    refusedCreate(pod("\"rv\"", ",\"resourceVersion\":12", "", ""), "rv", "metadata.resourceVersion");
    refusedCreate(pod("\"kind\"", "", "", "").replace("\"kind\":\"Pod\"", "\"kind\":[\"Pod\"]"), "kind", "kind");
    JsonNode nested = refusedCreate(pod("\"nested\"", "", ",\"hostNetwork\":\"yes\"",
        ",\"ports\":[{\"containerPort\":\"80\"}],\"resources\":{\"limits\":{\"cpu\":\"lots\"}}"),
        "nested", "spec.containers[0].ports[0].containerPort");
    assertEquals(List.of("spec.containers[0].ports[0].containerPort", "spec.containers[0].resources.limits[cpu]",
        "spec.hostNetwork"), causeFields(nested));
    refusedCreate(pod("\"arr\"", "", ",\"nodeSelector\":[\"a\"]", ""), "arr", "spec.nodeSelector");
    refusedCreate(pod("\"obj\"", "", "", "").replace("\"containers\":[{", "\"containers\":{\"x\":{").replace("}]}}", "}}}}"),
        "obj", "spec.containers");
  }

  @Test
  void ownerReferencesWithoutTheirRequiredFieldsAreInvalid() {
    JsonNode status = expect(422, server.post(PODS, pod("\"orphan\"",
        ",\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\"rs\"}]", "", "")));
    assertEquals(List.of("metadata.ownerReferences[0].uid"), causeFields(status));
    assertEquals(404, server.get(PODS + "/orphan").statusCode());
  }

  @Test
  void systemFieldsOfTheRightTypeAreTheServersOnCreate() {
    JsonNode created = expect(201, server.post(PODS, pod("\"sys\"",
        ",\"uid\":\"mine\",\"generation\":42,\"creationTimestamp\":\"2001-01-01T00:00:00Z\","
            + "\"deletionTimestamp\":\"2001-01-01T00:00:00Z\"", "", "")));
    JsonNode meta = created.path("metadata");
    assertNotEquals("mine", meta.path("uid").asText());
    assertNotEquals("2001-01-01T00:00:00Z", meta.path("creationTimestamp").asText());
    assertTrue(meta.path("deletionTimestamp").isMissingNode(), meta.toString());
    assertTrue(!meta.has("generation") || meta.path("generation").asLong() != 42, meta.toString());
  }

  @Test
  void whatKubectlAndClientsSendIsAccepted() {
    expect(201, server.post(PODS, pod("\"usual\"", ",\"creationTimestamp\":null,\"labels\":{\"app\":\"a\"}", "",
        ",\"resources\":{\"limits\":{\"cpu\":\"100m\",\"memory\":\"64Mi\"},\"requests\":{\"cpu\":1,\"memory\":\"1e6\"}},"
            + "\"ports\":[{\"containerPort\":80,\"name\":\"http\"}],"
            + "\"readinessProbe\":{\"httpGet\":{\"port\":\"http\"}},\"livenessProbe\":{\"tcpSocket\":{\"port\":80}}")));
    expect(201, server.post("/api/v1/namespaces/" + NS + "/services", """
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"svc","creationTimestamp":null},
         "spec":{"selector":{"app":"a"},"ports":[{"name":"a","port":80,"targetPort":"http"},{"name":"b","port":81,"targetPort":8081}]},
         "status":{"loadBalancer":{}}}"""));
  }

  @Test
  void updatesAndPatchesAreCheckedAndChangeNothing() {
    JsonNode created = expect(201, server.post(PODS, pod("\"target\"", "", "", "")));
    long before = rv(created);
    JsonNode put = created.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) put.path("spec")).put("activeDeadlineSeconds", "soon");
    JsonNode replaced = expect(400, server.put(PODS + "/target", put.toString()));
    assertEquals(List.of("spec.activeDeadlineSeconds"), causeFields(replaced));

    JsonNode merge = expect(422, server.patch(PODS + "/target", "application/merge-patch+json",
        "{\"metadata\":{\"generation\":\"x\",\"labels\":{\"a\":1}}}"));
    assertEquals("Invalid", merge.path("reason").asText());
    assertEquals(List.of("metadata.generation", "metadata.labels[a]"), causeFields(merge));
    JsonNode strategic = expect(422, server.patch(PODS + "/target", "application/strategic-merge-patch+json",
        "{\"spec\":{\"containers\":[{\"name\":\"main\",\"ports\":[{\"containerPort\":true}]}]}}"));
    assertEquals(List.of("spec.containers[0].ports[0].containerPort"), causeFields(strategic));
    JsonNode json = expect(422, server.patch(PODS + "/target", "application/json-patch+json",
        "[{\"op\":\"replace\",\"path\":\"/spec/containers/0/image\",\"value\":{\"a\":1}},"
            + "{\"op\":\"add\",\"path\":\"/metadata/ownerReferences\",\"value\":\"x\"}]"));
    assertEquals(List.of("spec.containers[0].image", "metadata.ownerReferences"), causeFields(json));
    // a JSON patch that moves a value to where its type does not belong: checked after it is applied
    JsonNode moved = expect(422, server.patch(PODS + "/target", "application/json-patch+json",
        "[{\"op\":\"copy\",\"from\":\"/spec/containers\",\"path\":\"/spec/nodeSelector\"}]"));
    assertEquals(List.of("spec.nodeSelector"), causeFields(moved));
    JsonNode status = expect(422, server.patch(PODS + "/target/status", "application/merge-patch+json",
        "{\"status\":{\"conditions\":{\"type\":\"Ready\"}}}"));
    assertEquals(List.of("status.conditions"), causeFields(status));
    JsonNode apply = expect(400, server.patch(PODS + "/target?fieldManager=fuzz", "application/apply-patch+yaml",
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"target\"},\"spec\":{\"priority\":\"high\"}}"));
    assertEquals(List.of("spec.priority"), causeFields(apply));

    JsonNode after = expect(200, server.get(PODS + "/target"));
    assertEquals(before, rv(after));
    assertEquals(created, after);
  }

  @Test
  void theScaleSubresourceRefusesAMistypedReplicaCount() {
    expect(201, server.post(DEPLOYMENTS, """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
         "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
           "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}"""));
    JsonNode put = expect(400, server.put(DEPLOYMENTS + "/web/scale",
        "{\"apiVersion\":\"autoscaling/v1\",\"kind\":\"Scale\",\"metadata\":{\"name\":\"web\"},\"spec\":{\"replicas\":\"x\"}}"));
    assertEquals(List.of("spec.replicas"), causeFields(put));
    JsonNode patch = expect(422, server.patch(DEPLOYMENTS + "/web/scale", "application/merge-patch+json",
        "{\"spec\":{\"replicas\":[3]}}"));
    assertEquals(List.of("spec.replicas"), causeFields(patch));
    assertEquals(2, expect(200, server.get(DEPLOYMENTS + "/web")).path("spec").path("replicas").asInt());
    HttpResponse<String> ok = server.patch(DEPLOYMENTS + "/web/scale", "application/merge-patch+json",
        "{\"spec\":{\"replicas\":3}}");
    assertEquals(3, expect(200, ok).path("spec").path("replicas").asInt());
  }

  @Test
  void aMistypedDeleteOptionsDeletesNothing() {
    expect(201, server.post(PODS, pod("\"keep\"", "", "", "")));
    JsonNode status = expect(400, server.send(server.request(PODS + "/keep").header("Content-Type", "application/json")
        .method("DELETE", java.net.http.HttpRequest.BodyPublishers.ofString(
            "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"gracePeriodSeconds\":\"now\"}")).build()));
    assertEquals(List.of("gracePeriodSeconds"), causeFields(status));
    JsonNode pod = expect(200, server.get(PODS + "/keep"));
    assertTrue(pod.path("metadata").path("deletionTimestamp").isMissingNode(), pod.toString());
  }

  @Test
  void aMistypedBindingBindsNothing() {
    expect(201, server.post(PODS, pod("\"unbound\"", "", "", "")));
    JsonNode status = expect(400, server.post(PODS + "/unbound/binding",
        "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"unbound\"},\"target\":{\"name\":5}}"));
    assertEquals(List.of("target.name"), causeFields(status));
    assertEquals("", expect(200, server.get(PODS + "/unbound")).path("spec").path("nodeName").asText());
    expect(201, server.post(PODS + "/unbound/binding",
        "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"unbound\"},"
            + "\"target\":{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"name\":\"node-a\"}}"));
    assertEquals("node-a", expect(200, server.get(PODS + "/unbound")).path("spec").path("nodeName").asText());
  }
}
