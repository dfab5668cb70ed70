package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubernetes.client.proto.Meta;
import io.steuermann.engine.model.Json;
import io.steuermann.http.protobuf.Envelope;
import io.steuermann.http.protobuf.KubernetesProtobuf;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Protobuf bodies in and out of a real server, as client-go sends and reads them. */
class ProtobufHttpTest {
  private static final String PROTOBUF = KubernetesProtobuf.MEDIA_TYPE;
  private static final String CLIENT_GO_ACCEPT = PROTOBUF + ",application/json";

  @TempDir
  static Path dataDir;
  static TestServer server;
  private final KubernetesProtobuf codec = new KubernetesProtobuf();

  @BeforeAll
  static void start() {
    server = TestServer.start("ProtobufHttpTest", TestServer.h2(dataDir));
    server.namespace("proto");
    HttpResponse<String> defaultNs = server.get("/api/v1/namespaces/default");
    if (defaultNs.statusCode() == 404) {
      server.namespace("default");
    }
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static byte[] resource(String name) {
    try (InputStream in = ProtobufHttpTest.class.getResourceAsStream("/protobuf/" + name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private HttpResponse<byte[]> send(HttpRequest request) {
    try {
      return server.client.send(request, BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private HttpResponse<byte[]> post(String path, byte[] body, String accept) {
    return send(server.request(path).header("Content-Type", PROTOBUF).header("Accept", accept)
        .POST(BodyPublishers.ofByteArray(body)).build());
  }

  private HttpResponse<byte[]> get(String path, String accept) {
    return send(server.request(path).header("Accept", accept).GET().build());
  }

  /** The protobuf body of a response, as JSON; fails unless it is protobuf with {@code code}. */
  private JsonNode protobuf(int code, HttpResponse<byte[]> response) {
    String type = response.headers().firstValue("Content-Type").orElse("");
    assertEquals(code, response.statusCode(), () -> response.statusCode() + " " + type + ": "
        + new String(response.body(), StandardCharsets.UTF_8));
    assertEquals(PROTOBUF, type);
    return codec.decode(response.body()).json();
  }

  private ObjectNode jsonObject(String text) {
    try {
      return (ObjectNode) Json.parse(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void kubectlsCreateDeploymentBodyIsCreatedAndAnsweredInProtobuf() {
    JsonNode created = protobuf(201, post("/apis/apps/v1/namespaces/default/deployments",
        resource("kubectl-create-deployment.bin"), CLIENT_GO_ACCEPT));
    assertEquals("Deployment", created.path("kind").asText());
    assertEquals("d", created.path("metadata").path("name").asText());
    assertFalse(created.path("metadata").path("uid").asText().isEmpty(), "the server assigned a uid");
    assertFalse(created.path("metadata").path("creationTimestamp").asText().isEmpty());
    assertEquals(0, created.path("spec").path("replicas").asInt(-1), "a zero replicas is kept, not defaulted");
    assertEquals("busybox", created.path("spec").path("template").path("spec").path("containers").get(0)
        .path("image").asText());

    // the same object read as JSON and as protobuf is the same object
    JsonNode asJson = expect(200, server.get("/apis/apps/v1/namespaces/default/deployments/d"));
    JsonNode asProto = protobuf(200, get("/apis/apps/v1/namespaces/default/deployments/d", CLIENT_GO_ACCEPT));
    assertEquals(asJson.path("metadata").path("resourceVersion"), asProto.path("metadata").path("resourceVersion"));
    assertEquals(asJson.path("spec").path("template"), asProto.path("spec").path("template"));
  }

  @Test
  void kubectlsCreateServiceBodyKeepsItsTargetPort() {
    JsonNode created = protobuf(201, post("/api/v1/namespaces/default/services",
        resource("kubectl-create-service.bin"), CLIENT_GO_ACCEPT));
    JsonNode port = created.path("spec").path("ports").get(0);
    assertEquals(80, port.path("port").asInt());
    assertEquals(8080, port.path("targetPort").asInt());
    assertTrue(port.path("targetPort").isInt(), "an IntOrString int stays an int");
  }

  @Test
  void aPodPostedInProtobufIsListedInProtobuf() {
    ObjectNode pod = jsonObject(TestServer.podJson("pb-pod", "{\"app\":\"pb\"}"));
    byte[] body = codec.encode(pod).orElseThrow().bytes();
    protobuf(201, post("/api/v1/namespaces/proto/pods", body, CLIENT_GO_ACCEPT));
    JsonNode list = protobuf(200, get("/api/v1/namespaces/proto/pods", PROTOBUF + ", */*"));
    assertEquals("PodList", list.path("kind").asText());
    assertFalse(list.path("metadata").path("resourceVersion").asText().isEmpty());
    assertEquals("pb-pod", list.path("items").get(0).path("metadata").path("name").asText());
    assertEquals("{\"app\":\"pb\"}", Json.string(list.path("items").get(0).path("metadata").path("labels")));
  }

  @Test
  void aClientThatPrefersJsonGetsJsonForAProtobufBody() {
    ObjectNode ns = jsonObject("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"pb-json\"}}");
    HttpResponse<byte[]> response = post("/api/v1/namespaces", codec.encode(ns).orElseThrow().bytes(),
        "application/json, " + PROTOBUF);
    assertEquals(201, response.statusCode());
    assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
  }

  @Test
  void tablesStayJsonForAProtobufClient() {
    HttpResponse<byte[]> table = get("/api/v1/namespaces",
        "application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
    assertEquals("application/json", table.headers().firstValue("Content-Type").orElse(""));
    assertTrue(new String(table.body(), StandardCharsets.UTF_8).contains("\"Table\""));
  }

  @Test
  void refusalsToAProtobufOnlyClientAreProtobufStatuses() {
    JsonNode status = protobuf(404, get("/api/v1/namespaces/proto/pods/missing", PROTOBUF));
    assertEquals("Status", status.path("kind").asText());
    assertEquals("NotFound", status.path("reason").asText());
    assertEquals(404, status.path("code").asInt());
  }

  @Test
  void aWrongPrefixIsA400NamingItAndCreatesNothing() {
    JsonNode status = protobuf(400, post("/api/v1/namespaces/proto/pods",
        TestServer.podJson("bad-prefix", "{}").getBytes(StandardCharsets.UTF_8), CLIENT_GO_ACCEPT));
    assertTrue(status.path("message").asText().contains("k8s\\x00"), status.toString());
    assertEquals(404, server.get("/api/v1/namespaces/proto/pods/bad-prefix").statusCode());
  }

  @Test
  void aTruncatedEnvelopeIsA400AndCreatesNothing() {
    byte[] whole = codec.encode(jsonObject(TestServer.podJson("cut-off", "{\"a\":\"b\"}"))).orElseThrow().bytes();
    JsonNode status = protobuf(400, post("/api/v1/namespaces/proto/pods",
        Arrays.copyOf(whole, whole.length - 10), CLIENT_GO_ACCEPT));
    assertTrue(status.path("message").asText().contains("truncated"), status.toString());
    assertEquals(404, server.get("/api/v1/namespaces/proto/pods/cut-off").statusCode());
  }

  @Test
  void aKindThatDoesNotMatchThePathIsA400AndCreatesNothing() {
    byte[] pod = codec.encode(jsonObject(TestServer.podJson("not-a-deployment", "{}"))).orElseThrow().bytes();
    JsonNode status = protobuf(400, post("/apis/apps/v1/namespaces/proto/deployments", pod, CLIENT_GO_ACCEPT));
    assertTrue(status.path("message").asText().contains("does not match"), status.toString());
    assertEquals(404, server.get("/api/v1/namespaces/proto/pods/not-a-deployment").statusCode());
    assertEquals(404, server.get("/apis/apps/v1/namespaces/proto/deployments/not-a-deployment").statusCode());
  }

  @Test
  void anUnknownKindIsA400NamingIt() {
    byte[] body = new Envelope("v1", "PersistentVolumeClaim", com.google.protobuf.ByteString.EMPTY).toBytes();
    JsonNode status = protobuf(400, post("/api/v1/namespaces/proto/pods", body, PROTOBUF));
    assertTrue(status.path("message").asText().contains("PersistentVolumeClaim"), status.toString());
  }

  @Test
  void aProtobufDeleteOptionsIsRead() {
    server.pod("proto", "pb-delete", "{}");
    byte[] options = new Envelope("v1", "DeleteOptions",
        Meta.DeleteOptions.newBuilder().setGracePeriodSeconds(0).build().toByteString()).toBytes();
    HttpResponse<byte[]> deleted = send(server.request("/api/v1/namespaces/proto/pods/pb-delete")
        .header("Content-Type", PROTOBUF).header("Accept", CLIENT_GO_ACCEPT)
        .method("DELETE", BodyPublishers.ofByteArray(options)).build());
    assertEquals(200, deleted.statusCode(), () -> new String(deleted.body(), StandardCharsets.UTF_8));
    assertEquals(404, server.get("/api/v1/namespaces/proto/pods/pb-delete").statusCode(),
        "grace period 0 deletes at once");
  }
}
