package io.steuermann.engine.controllers.endpoints;

import static io.steuermann.engine.controllers.endpoints.EndpointsBuilderTest.json;
import static io.steuermann.engine.controllers.endpoints.EndpointsBuilderTest.pod;
import static io.steuermann.engine.controllers.endpoints.EndpointsBuilderTest.service;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The EndpointSlice contents, as Kubernetes' EndpointSlice controller computes them. */
class EndpointSliceBuilderTest {

  private static JsonNode tree(String text) {
    try {
      return io.steuermann.engine.model.Json.parse(text);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<ObjectNode> contents(ObjectNode service, List<ObjectNode> pods) {
    return EndpointSliceBuilder.contents(service, pods, EndpointSliceBuilder.MAX_ENDPOINTS_PER_SLICE);
  }

  @Test
  void conditionsFollowReadinessAndTerminatingPodsStayServingButNotReady() {
    ObjectNode service = service(",\"ports\":[{\"name\":\"web\",\"port\":80,\"targetPort\":\"http\"}]");
    List<ObjectNode> slices = contents(service, List.of(
        pod("a", "10.0.0.1", "Running", true, ""),
        pod("b", "10.0.0.2", "Running", false, ""),
        pod("c", "10.0.0.3", "Running", true, ",\"deletionTimestamp\":\"2026-01-01T00:00:00Z\""),
        pod("d", "10.0.0.4", "Succeeded", true, ""),
        pod("e", "", "Pending", false, "")));
    assertEquals(1, slices.size());
    assertEquals(json("""
        {"addressType":"IPv4","endpoints":[
          {"addresses":["10.0.0.1"],"conditions":{"ready":true,"serving":true,"terminating":false},
           "targetRef":{"kind":"Pod","namespace":"n","name":"a","uid":"u-a"},"nodeName":"node-1"},
          {"addresses":["10.0.0.2"],"conditions":{"ready":false,"serving":false,"terminating":false},
           "targetRef":{"kind":"Pod","namespace":"n","name":"b","uid":"u-b"},"nodeName":"node-1"},
          {"addresses":["10.0.0.3"],"conditions":{"ready":false,"serving":true,"terminating":true},
           "targetRef":{"kind":"Pod","namespace":"n","name":"c","uid":"u-c"},"nodeName":"node-1"}],
         "ports":[{"name":"web","protocol":"TCP","port":8080}]}"""), slices.get(0));
  }

  @Test
  void publishNotReadyAddressesMakesEveryEndpointReady() {
    ObjectNode service = service(",\"publishNotReadyAddresses\":true");
    JsonNode conditions = contents(service, List.of(pod("b", "10.0.0.2", "Running", false, "")))
        .get(0).path("endpoints").path(0).path("conditions");
    assertEquals(json("{\"ready\":true,\"serving\":false,\"terminating\":false}"), conditions);
  }

  @Test
  void atMostAHundredEndpointsASliceAndAnEmptySliceWithoutPods() {
    ObjectNode service = service("");
    List<ObjectNode> pods = new ArrayList<>();
    for (int i = 0; i < 205; i++) {
      pods.add(pod("p" + i, "10.1." + (i / 250) + "." + (i % 250), "Running", true, ""));
    }
    List<ObjectNode> slices = contents(service, pods);
    assertEquals(List.of(100, 100, 5), slices.stream().map(s -> s.path("endpoints").size()).toList());
    assertEquals(205, slices.stream().flatMap(s -> {
      List<String> ips = new ArrayList<>();
      s.path("endpoints").forEach(e -> ips.add(e.path("addresses").path(0).asText()));
      return ips.stream();
    }).distinct().count());

    List<ObjectNode> none = contents(service, List.of());
    assertEquals(List.of(json("{\"addressType\":\"IPv4\",\"endpoints\":[]}")), none);
    assertEquals(List.of(), contents(service(",\"type\":\"ExternalName\""), pods));
  }

  @Test
  void podsResolvingDifferentPortsGetSlicesOfTheirOwn() {
    ObjectNode service = service(",\"ports\":[{\"name\":\"web\",\"port\":80,\"targetPort\":\"http\"},"
        + "{\"port\":9090}]");
    ObjectNode other = pod("x", "10.0.0.9", "Running", true, "");
    ((ObjectNode) other.path("spec").path("containers").get(0).path("ports").get(0)).put("name", "other");
    List<ObjectNode> slices = contents(service, List.of(pod("a", "10.0.0.1", "Running", true, ""), other));
    assertEquals(2, slices.size());
    // in the order of their ports' JSON text: stable, whatever order the pods come in
    assertEquals(List.of(tree("[{\"name\":\"\",\"protocol\":\"TCP\",\"port\":9090}]"),
        tree("[{\"name\":\"web\",\"protocol\":\"TCP\",\"port\":8080},"
            + "{\"name\":\"\",\"protocol\":\"TCP\",\"port\":9090}]")).toString(),
        slices.stream().map(s -> s.path("ports")).toList().toString());
  }

  @Test
  void labelsAndOwner() {
    ObjectNode service = service(",\"clusterIP\":\"None\"");
    service.with("metadata").put("uid", "svc-uid");
    ObjectNode slice = EndpointSliceBuilder.slice(service, "s-abcde", contents(service, List.of()).get(0));
    assertEquals(json("""
        {"team":"a","service.kubernetes.io/headless":"","kubernetes.io/service-name":"s",
         "endpointslice.kubernetes.io/managed-by":"endpointslice-controller.k8s.io"}"""),
        slice.path("metadata").path("labels"));
    assertEquals(tree("""
        [{"apiVersion":"v1","kind":"Service","name":"s","uid":"svc-uid","controller":true,"blockOwnerDeletion":true}]"""),
        slice.path("metadata").path("ownerReferences"));
    assertEquals("discovery.k8s.io/v1", slice.path("apiVersion").asText());
  }
}
