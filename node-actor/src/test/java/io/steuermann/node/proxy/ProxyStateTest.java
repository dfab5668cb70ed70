package io.steuermann.node.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProxyStateTest {
  private static final String NODE = "127.0.0.1";

  static JsonNode json(String text) {
    try {
      return Json.parse(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ListenerKey tcp(String host, int port) {
    return new ListenerKey(ListenerKey.Protocol.TCP, host, port);
  }

  @Test
  void clusterIpAndNodePortOfEachPortForwardToTheReadyAddressesOfTheNamedEndpointsPort() {
    JsonNode service = json("""
        {"kind": "Service", "metadata": {"namespace": "default", "name": "web"},
         "spec": {"type": "NodePort", "clusterIP": "127.64.0.10", "ports": [
           {"name": "http", "port": 80, "targetPort": 8080, "nodePort": 30080, "protocol": "TCP"},
           {"name": "dns", "port": 53, "protocol": "UDP"}]}}""");
    JsonNode endpoints = json("""
        {"kind": "Endpoints", "metadata": {"namespace": "default", "name": "web"},
         "subsets": [{"addresses": [{"ip": "127.0.0.2"}, {"ip": "127.0.0.3"}],
                      "notReadyAddresses": [{"ip": "127.0.0.9"}],
                      "ports": [{"name": "dns", "port": 5353, "protocol": "UDP"},
                                {"name": "http", "port": 8080, "protocol": "TCP"}]}]}""");
    ProxyState.Desired desired = ProxyState.desired(Map.of("default/web", service), Map.of("default/web", endpoints),
        NODE);
    List<Backend> http = List.of(new Backend("127.0.0.2", 8080), new Backend("127.0.0.3", 8080));
    assertEquals(new ListenerSpec(tcp("127.64.0.10", 80), "default/web:http", 0, http),
        desired.listeners().get(tcp("127.64.0.10", 80)));
    assertEquals(http, desired.listeners().get(tcp(NODE, 30080)).backends());
    assertEquals(List.of(new Backend("127.0.0.2", 5353), new Backend("127.0.0.3", 5353)),
        desired.listeners().get(new ListenerKey(ListenerKey.Protocol.UDP, "127.64.0.10", 53)).backends());
    assertEquals(3, desired.listeners().size());
    assertTrue(desired.conflicts().isEmpty());
  }

  @Test
  void anUnnamedPortUsesTheUnnamedEndpointsPortAndSubsetsAddUp() {
    JsonNode service = json("""
        {"metadata": {"namespace": "a", "name": "s"},
         "spec": {"clusterIP": "127.64.0.11", "ports": [{"port": 80}]}}""");
    JsonNode endpoints = json("""
        {"metadata": {"namespace": "a", "name": "s"},
         "subsets": [{"addresses": [{"ip": "127.0.0.2"}], "ports": [{"port": 8080}]},
                     {"addresses": [{"ip": "127.0.0.3"}], "ports": [{"port": 9090}]},
                     {"addresses": [{"ip": "127.0.0.4"}], "ports": [{"name": "other", "port": 7070}]}]}""");
    ListenerSpec spec = ProxyState.desired(Map.of("a/s", service), Map.of("a/s", endpoints), NODE)
        .listeners().get(tcp("127.64.0.11", 80));
    assertEquals(List.of(new Backend("127.0.0.2", 8080), new Backend("127.0.0.3", 9090)), spec.backends());
  }

  @Test
  void withoutEndpointsTheListenerStillExistsWithNoBackends() {
    JsonNode service = json("""
        {"metadata": {"namespace": "a", "name": "s"},
         "spec": {"clusterIP": "127.64.0.12", "ports": [{"port": 80}]}}""");
    ListenerSpec spec = ProxyState.desired(Map.of("a/s", service), Map.of(), NODE).listeners()
        .get(tcp("127.64.0.12", 80));
    assertEquals(List.of(), spec.backends());
  }

  @Test
  void headlessExternalNameAndSctpGetNoListener() {
    Map<String, JsonNode> services = Map.of(
        "a/headless", json("""
            {"metadata": {"namespace": "a", "name": "headless"},
             "spec": {"clusterIP": "None", "ports": [{"port": 80}]}}"""),
        "a/ext", json("""
            {"metadata": {"namespace": "a", "name": "ext"},
             "spec": {"type": "ExternalName", "externalName": "example.org"}}"""),
        "a/sctp", json("""
            {"metadata": {"namespace": "a", "name": "sctp"},
             "spec": {"clusterIP": "127.64.0.13", "ports": [{"port": 80, "protocol": "SCTP"}]}}"""),
        "a/pending", json("""
            {"metadata": {"namespace": "a", "name": "pending"}, "spec": {"ports": [{"port": 80}]}}"""));
    assertEquals(Map.of(), ProxyState.desired(services, Map.of(), NODE).listeners());
  }

  @Test
  void clientIpAffinityWithItsTimeoutOrTheDefaultThreeHours() {
    Map<String, JsonNode> services = Map.of(
        "a/s1", json("""
            {"metadata": {"namespace": "a", "name": "s1"},
             "spec": {"clusterIP": "127.64.0.14", "ports": [{"port": 80}], "sessionAffinity": "ClientIP",
                      "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 60}}}}"""),
        "a/s2", json("""
            {"metadata": {"namespace": "a", "name": "s2"},
             "spec": {"clusterIP": "127.64.0.15", "ports": [{"port": 80}], "sessionAffinity": "ClientIP"}}"""));
    Map<ListenerKey, ListenerSpec> listeners = ProxyState.desired(services, Map.of(), NODE).listeners();
    assertEquals(60, listeners.get(tcp("127.64.0.14", 80)).affinitySeconds());
    assertEquals(10800, listeners.get(tcp("127.64.0.15", 80)).affinitySeconds());
  }

  @Test
  void twoServicesClaimingOneNodePortLeaveItToTheFirstAndSaySo() {
    Map<String, JsonNode> services = Map.of(
        "a/one", json("""
            {"metadata": {"namespace": "a", "name": "one"},
             "spec": {"type": "NodePort", "clusterIP": "127.64.0.16", "ports": [{"port": 80, "nodePort": 30001}]}}"""),
        "a/two", json("""
            {"metadata": {"namespace": "a", "name": "two"},
             "spec": {"type": "NodePort", "clusterIP": "127.64.0.17", "ports": [{"port": 80, "nodePort": 30001}]}}"""));
    ProxyState.Desired desired = ProxyState.desired(services, Map.of(), NODE);
    assertEquals("a/one:80", desired.listeners().get(tcp(NODE, 30001)).servicePort());
    assertEquals(1, desired.conflicts().size());
    assertTrue(desired.conflicts().get(0).contains("a/two:80"), desired.conflicts().get(0));
  }

  @Test
  void aLoadBalancerAnswersItsPortOnTheNodeAddressUnlessItHasAClass() {
    JsonNode lb = json("""
        {"metadata": {"namespace": "a", "name": "lb"},
         "spec": {"type": "LoadBalancer", "clusterIP": "127.64.0.20", "externalTrafficPolicy": "Cluster",
                  "loadBalancerSourceRanges": ["10.0.0.0/8", " 127.0.0.0/24 "],
                  "ports": [{"port": 8080, "nodePort": 30090}]}}""");
    JsonNode classed = json("""
        {"metadata": {"namespace": "a", "name": "other"},
         "spec": {"type": "LoadBalancer", "clusterIP": "127.64.0.21", "loadBalancerClass": "example.com/lb",
                  "ports": [{"port": 8081, "nodePort": 30091}]}}""");
    JsonNode endpoints = json("""
        {"metadata": {"namespace": "a", "name": "lb"},
         "subsets": [{"addresses": [{"ip": "127.0.0.2", "nodeName": "n1"}], "ports": [{"port": 80}]}]}""");
    ProxyState.Desired desired = ProxyState.desired(Map.of("a/lb", lb, "a/other", classed),
        Map.of("a/lb", endpoints), NODE, java.util.Set.of("n1"));
    ListenerSpec spec = desired.listeners().get(tcp(NODE, 8080));
    assertEquals(List.of(new Backend("127.0.0.2", 80)), spec.backends());
    assertTrue(spec.loadBalancer());
    assertTrue(spec.admits("127.0.0.7") && spec.admits("10.1.2.3"));
    assertEquals(false, spec.admits("127.0.1.7"));
    // the nodePort admits every client, as kube-proxy's does
    assertTrue(desired.listeners().get(tcp(NODE, 30090)).admits("127.0.1.7"));
    // a class of its own: the clusterIP and nodePort as for any Service, but not the load balancer's port
    assertTrue(desired.listeners().containsKey(tcp(NODE, 30091)));
    assertEquals(false, desired.listeners().containsKey(tcp(NODE, 8081)));
    assertEquals(5, desired.listeners().size());
  }

  @Test
  void externalTrafficPolicyLocalKeepsOnlyTheEndpointsOfThisMachinesNodes() {
    JsonNode lb = json("""
        {"metadata": {"namespace": "a", "name": "lb"},
         "spec": {"type": "LoadBalancer", "clusterIP": "127.64.0.22", "externalTrafficPolicy": "Local",
                  "ports": [{"port": 8080, "nodePort": 30092}]}}""");
    JsonNode endpoints = json("""
        {"metadata": {"namespace": "a", "name": "lb"},
         "subsets": [{"addresses": [{"ip": "10.244.1.5", "nodeName": "here"}, {"ip": "10.244.2.5", "nodeName": "there"}],
                      "ports": [{"port": 80}]}]}""");
    ProxyState.Desired here = ProxyState.desired(Map.of("a/lb", lb), Map.of("a/lb", endpoints), NODE,
        java.util.Set.of("here"));
    List<Backend> local = List.of(new Backend("10.244.1.5", 80));
    assertEquals(local, here.listeners().get(tcp(NODE, 8080)).backends());
    assertEquals(local, here.listeners().get(tcp(NODE, 30092)).backends());
    // the clusterIP follows internalTrafficPolicy (Cluster): every endpoint
    assertEquals(2, here.listeners().get(tcp("127.64.0.22", 8080)).backends().size());
    // a machine without an endpoint of its own: the listener stays, and refuses (no backends)
    ProxyState.Desired elsewhere = ProxyState.desired(Map.of("a/lb", lb), Map.of("a/lb", endpoints), NODE,
        java.util.Set.of("third"));
    assertEquals(List.of(), elsewhere.listeners().get(tcp(NODE, 8080)).backends());
    assertEquals(List.of(), new Balancer(elsewhere.listeners().get(tcp(NODE, 8080))).candidates("127.0.0.1", 0, 3));
  }
}
