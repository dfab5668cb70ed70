package io.steuermann.engine.controllers.endpoints;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The subsets of an Endpoints object, as Kubernetes' endpoints controller computes them. */
class EndpointsBuilderTest {

  static ObjectNode json(String text) {
    try {
      return (ObjectNode) Json.parse(text);
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static ObjectNode service(String specExtra) {
    return json("""
        {"metadata":{"name":"s","namespace":"n","labels":{"team":"a"}},
         "spec":{"selector":{"app":"a"}%s}}""".formatted(specExtra));
  }

  static ObjectNode pod(String name, String ip, String phase, boolean ready, String metaExtra) {
    return json("""
        {"metadata":{"name":"%s","namespace":"n","uid":"u-%s","labels":{"app":"a"}%s},
         "spec":{"nodeName":"node-1","containers":[{"name":"c","ports":[{"name":"http","containerPort":8080}]}]},
         "status":{"phase":"%s","podIP":"%s","conditions":[{"type":"Ready","status":"%s"}]}}"""
        .formatted(name, name, metaExtra, phase, ip, ready ? "True" : "False"));
  }

  static List<String> ips(JsonNode subsets, String list) {
    List<String> ips = new java.util.ArrayList<>();
    subsets.forEach(s -> s.path(list).forEach(a -> ips.add(a.path("ip").asText())));
    return ips;
  }

  @Test
  void endedTerminatingAndAddresslessPodsAreLeftOutAndAddressesAreSortedByIp() {
    JsonNode subsets = EndpointsBuilder.subsets(service(",\"ports\":[{\"port\":80,\"targetPort\":\"http\"}]"), List.of(
        pod("b", "10.0.0.2", "Running", true, ""),
        pod("a", "10.0.0.10", "Running", true, ""),
        pod("c", "10.0.0.3", "Running", false, ""),
        pod("done", "10.0.0.4", "Succeeded", false, ""),
        pod("failed", "10.0.0.5", "Failed", false, ""),
        pod("going", "10.0.0.6", "Running", true, ",\"deletionTimestamp\":\"2026-01-01T00:00:00Z\""),
        pod("pending", "", "Pending", false, "")));
    assertEquals(List.of("10.0.0.10", "10.0.0.2"), ips(subsets, "addresses"));
    assertEquals(List.of("10.0.0.3"), ips(subsets, "notReadyAddresses"));
    assertEquals("[{\"port\":8080,\"protocol\":\"TCP\"}]", subsets.get(0).path("ports").toString());
  }

  @Test
  void publishNotReadyAddressesListsUnreadyPodsAsAddresses() {
    JsonNode subsets = EndpointsBuilder.subsets(
        service(",\"publishNotReadyAddresses\":true,\"ports\":[{\"port\":80}]"),
        List.of(pod("c", "10.0.0.3", "Running", false, "")));
    assertEquals(List.of("10.0.0.3"), ips(subsets, "addresses"));
    assertEquals("[{\"port\":80,\"protocol\":\"TCP\"}]", subsets.get(0).path("ports").toString());
  }

  @Test
  void aHeadlessServiceWithoutPortsListsAddressesWithoutPorts() {
    ObjectNode headless = service(",\"clusterIP\":\"None\"");
    ObjectNode endpoints = EndpointsBuilder.build(headless, List.of(pod("a", "10.0.0.1", "Running", true, "")));
    assertEquals(json("""
        {"apiVersion":"v1","kind":"Endpoints",
         "metadata":{"name":"s","namespace":"n","labels":{"team":"a",
           "endpoints.kubernetes.io/managed-by":"endpoint-controller","service.kubernetes.io/headless":""}},
         "subsets":[{"addresses":[{"ip":"10.0.0.1","nodeName":"node-1",
           "targetRef":{"kind":"Pod","namespace":"n","name":"a","uid":"u-a"}}]}]}"""), endpoints);
  }

  @Test
  void noPodsNoSubsets() {
    ObjectNode endpoints = EndpointsBuilder.build(service(",\"ports\":[{\"port\":80}]"), List.of());
    assertEquals(false, endpoints.has("subsets"));
  }

  @Test
  void aPodWhoseSubdomainIsTheServiceGetsItsHostnameOnItsAddress() {
    ObjectNode named = pod("web-0", "10.0.0.1", "Running", true, "");
    ((ObjectNode) named.get("spec")).put("hostname", "web-0").put("subdomain", "s");
    ObjectNode otherSubdomain = pod("web-1", "10.0.0.2", "Running", true, "");
    ((ObjectNode) otherSubdomain.get("spec")).put("hostname", "web-1").put("subdomain", "other");
    ObjectNode noHostname = pod("web-2", "10.0.0.3", "Running", true, "");
    ((ObjectNode) noHostname.get("spec")).put("subdomain", "s");
    JsonNode addresses = EndpointsBuilder.subsets(service(",\"clusterIP\":\"None\""),
        List.of(named, otherSubdomain, noHostname)).get(0).path("addresses");
    assertEquals("web-0", addresses.get(0).path("hostname").asText());
    assertEquals(false, addresses.get(1).has("hostname"));
    assertEquals(false, addresses.get(2).has("hostname"));
    // Kubernetes' field order: ip, hostname, nodeName, targetRef
    List<String> fields = new java.util.ArrayList<>();
    addresses.get(0).fieldNames().forEachRemaining(fields::add);
    assertEquals(List.of("ip", "hostname", "nodeName", "targetRef"), fields);
  }
}
