package io.steuermann.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.http.KubectlRunner.Result;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real kubectl on EndpointSlices: the controller's slice of a Service and a user's own in
 * {@code kubectl get endpointslices} with kube's columns, {@code -o json} (kubectl asks for
 * protobuf, which this kind is not served in, and takes JSON), kube's validation wording, and
 * 406 for a client that takes protobuf only.
 */
class KubectlEndpointSlicesTest {
  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    // with the controllers: the endpoints controller writes the slices
    server = TestServer.start("KubectlEndpointSlicesTest", com.typesafe.config.ConfigFactory.parseString(
        "steuermann.controllers.enabled = true").withFallback(TestServer.h2(dataDir)));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static Result kubectl(String... args) throws IOException, InterruptedException {
    return KubectlRunner.run(server.base, dataDir, args);
  }

  /** The cells of the table rows of {@code kubectl get endpointslices}, by whitespace. */
  private static List<List<String>> rows(String out) {
    return out.lines().map(l -> Arrays.asList(l.trim().split("\\s+"))).toList();
  }

  @Test
  void kubectlGetEndpointSlicesShowsTheControllersAndTheUsersSlices() throws Exception {
    server.namespace("slices");
    TestServer.expect(201, server.post("/api/v1/namespaces/slices/services", """
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},
         "spec":{"selector":{"app":"web"},"ports":[{"name":"http","port":80,"targetPort":8080}]}}"""));
    server.pod("slices", "web-1", "{\"app\":\"web\"}");
    // the pod's status as a node would write it
    TestServer.expect(200, server.patch("/api/v1/namespaces/slices/pods/web-1/status",
        "application/merge-patch+json", "{\"status\":{\"phase\":\"Running\",\"podIP\":\"10.7.0.1\","
            + "\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}"));
    Path mine = dataDir.resolve("mine.yaml");
    Files.writeString(mine, """
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: mine
          labels:
            kubernetes.io/service-name: web
            endpointslice.kubernetes.io/managed-by: me
        addressType: IPv4
        endpoints:
        - addresses: ["192.0.2.1"]
        - addresses: ["192.0.2.2"]
        - addresses: ["192.0.2.3"]
        - addresses: ["192.0.2.4"]
        ports:
        - {name: a, port: 81, protocol: TCP}
        - {name: b, port: 82, protocol: TCP}
        """);
    Result applied = kubectl("apply", "-n", "slices", "-f", mine.toString());
    assertEquals(0, applied.exit(), applied.err());

    await().atMost(Duration.ofSeconds(20)).until(() -> {
      Result r = kubectl("get", "endpointslices", "-n", "slices");
      return r.exit() == 0 && r.out().contains("10.7.0.1");
    });
    Result table = kubectl("get", "endpointslices", "-n", "slices");
    List<List<String>> rows = rows(table.out());
    assertEquals(List.of("NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"), rows.get(0), table.out());
    List<String> controllers = rows.stream().filter(r -> r.get(0).startsWith("web-")).findFirst().orElseThrow();
    assertEquals(List.of("IPv4", "8080", "10.7.0.1"), controllers.subList(1, 4), table.out());
    List<String> users = rows.stream().filter(r -> r.get(0).equals("mine")).findFirst().orElseThrow();
    // kube's listWithMoreString: three, then "+ N more..."
    assertTrue(table.out().contains("192.0.2.1,192.0.2.2,192.0.2.3 + 1 more..."), table.out());
    assertEquals(List.of("IPv4", "81,82"), users.subList(1, 3), table.out());

    // kubectl asks for protobuf and JSON: it gets JSON
    Result json = kubectl("get", "endpointslices", "-n", "slices", "-l",
        "endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io", "-o", "json");
    assertEquals(0, json.exit(), json.err());
    JsonNode slice = io.steuermann.engine.model.Json.parse(json.out()).path("items").path(0);
    assertEquals("Service", slice.path("metadata").path("ownerReferences").path(0).path("kind").asText());
    assertEquals("{\"ready\":true,\"serving\":true,\"terminating\":false}",
        slice.path("endpoints").path(0).path("conditions").toString());

    HttpResponse<String> protobufOnly = server.send(server.request("/apis/discovery.k8s.io/v1/namespaces/slices"
        + "/endpointslices/mine").header("Accept", "application/vnd.kubernetes.protobuf").GET().build());
    assertEquals(406, protobufOnly.statusCode(), protobufOnly.body());
    assertEquals("NotAcceptable", TestServer.json(protobufOnly).path("reason").asText());
    HttpResponse<String> either = server.send(server.request("/apis/discovery.k8s.io/v1/namespaces/slices"
        + "/endpointslices/mine").header("Accept", "application/vnd.kubernetes.protobuf, application/json").GET()
        .build());
    assertEquals(200, either.statusCode());
    assertTrue(either.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
  }

  @Test
  void invalidSlicesAreRefusedWithKubesWording() throws Exception {
    server.namespace("bad-slices");
    Path bad = dataDir.resolve("bad.yaml");
    Files.writeString(bad, """
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: bad
        addressType: IPv4
        endpoints:
        - addresses: ["not-an-ip"]
        ports:
        - {name: Web, port: 80, protocol: TCP}
        """);
    Result created = kubectl("create", "-n", "bad-slices", "-f", bad.toString());
    assertNotEquals(0, created.exit());
    assertTrue(created.err().contains("The EndpointSlice \"bad\" is invalid"), created.err());
    assertTrue(created.err().contains("endpoints[0].addresses[0]: Invalid value: \"not-an-ip\": "
        + "must be a valid IPv4 address"), created.err());
    assertTrue(created.err().contains("ports[0].name: Invalid value: \"Web\""), created.err());

    Files.writeString(bad, Files.readString(bad).replace("not-an-ip", "10.0.0.1").replace("Web", "web"));
    Result ok = kubectl("create", "-n", "bad-slices", "-f", bad.toString());
    assertEquals(0, ok.exit(), ok.err());
    Result retype = kubectl("patch", "endpointslice", "bad", "-n", "bad-slices", "--type=merge", "-p",
        "{\"addressType\":\"FQDN\",\"endpoints\":[{\"addresses\":[\"a.example.com\"]}]}");
    assertNotEquals(0, retype.exit());
    assertTrue(retype.err().contains("addressType: Invalid value: \"FQDN\": field is immutable"), retype.err());
  }
}
