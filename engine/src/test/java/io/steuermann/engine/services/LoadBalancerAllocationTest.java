package io.steuermann.engine.services;

import static io.steuermann.engine.controllers.gc.TestEngine.done;
import static io.steuermann.engine.controllers.gc.TestEngine.json;
import static io.steuermann.engine.services.ServiceAllocationTest.create;
import static io.steuermann.engine.services.ServiceAllocationTest.key;
import static io.steuermann.engine.services.ServiceAllocationTest.refused;
import static io.steuermann.engine.services.ServiceAllocationTest.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.gc.TestEngine;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.objects.ObjectCommand.Part;
import io.steuermann.engine.objects.ObjectCommand.PatchType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * LoadBalancer and ExternalName Services through the real engine and its allocator: the
 * nodePorts and healthCheckNodePort they get and give back, and the 422s that store nothing.
 */
class LoadBalancerAllocationTest {
  private static TestEngine engine;

  @BeforeAll
  static void start() throws Exception {
    engine = new TestEngine("steuermann.controllers.enabled = false\n");
  }

  @AfterAll
  static void stop() {
    if (engine != null) {
      engine.close();
    }
  }

  private static boolean inRange(int port) {
    return port >= 30000 && port <= 32767;
  }

  private static ObjectNode patch(String name, String mergePatch) {
    return done(engine.engine.store().patch(key(name), PatchType.MERGE, json(mergePatch), Part.MAIN)
        .toCompletableFuture().join());
  }

  @Test
  void aLoadBalancerGetsAClusterIpAndNodePortsAndALocalOneAHealthCheckPort() {
    JsonNode spec = done(create(engine, service("lb", "{\"type\":\"LoadBalancer\",\"selector\":{\"app\":\"a\"},"
        + "\"ports\":[{\"name\":\"http\",\"port\":80},{\"name\":\"dns\",\"port\":53,\"protocol\":\"UDP\"}]}")))
        .path("spec");
    assertEquals("Cluster", spec.path("externalTrafficPolicy").asText());
    assertTrue(spec.path("allocateLoadBalancerNodePorts").asBoolean());
    assertTrue(spec.path("clusterIP").asText().startsWith("10."), spec::toString);
    int http = spec.path("ports").get(0).path("nodePort").asInt();
    int dns = spec.path("ports").get(1).path("nodePort").asInt();
    assertTrue(inRange(http) && inRange(dns) && http != dns, spec::toString);
    assertFalse(spec.has("healthCheckNodePort"));

    JsonNode local = done(create(engine, service("lb-local", "{\"type\":\"LoadBalancer\","
        + "\"externalTrafficPolicy\":\"Local\",\"ports\":[{\"port\":80}]}"))).path("spec");
    int health = local.path("healthCheckNodePort").asInt();
    assertTrue(inRange(health), local::toString);
    assertNotEquals(local.path("ports").get(0).path("nodePort").asInt(), health);

    JsonNode none = done(create(engine, service("lb-no-ports", "{\"type\":\"LoadBalancer\","
        + "\"allocateLoadBalancerNodePorts\":false,\"ports\":[{\"port\":80}]}"))).path("spec");
    assertFalse(none.path("ports").get(0).has("nodePort"), none::toString);
  }

  @Test
  void backToClusterIpReleasesTheNodePortsAndTheHealthCheckPort() {
    int nodePort = ServiceAllocationTest.freePort(engine);
    int health = ServiceAllocationTest.freePort(engine);
    ObjectNode lb = done(create(engine, service("lb-switch", "{\"type\":\"LoadBalancer\",\"externalTrafficPolicy\":\"Local\","
        + "\"healthCheckNodePort\":" + health + ",\"ports\":[{\"port\":80,\"nodePort\":" + nodePort + "}]}")));
    String ip = lb.path("spec").path("clusterIP").asText();
    // both ports are held
    for (int port : new int[] {nodePort, health}) {
      assertEquals(422, refused(create(engine, service("taker-" + port,
          "{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":" + port + "}]}"))).code());
    }
    JsonNode clusterIp = patch("lb-switch", "{\"spec\":{\"type\":\"ClusterIP\"}}").path("spec");
    assertEquals(ip, clusterIp.path("clusterIP").asText());
    assertFalse(clusterIp.path("ports").get(0).has("nodePort"), clusterIp::toString);
    for (String gone : new String[] {"healthCheckNodePort", "externalTrafficPolicy", "allocateLoadBalancerNodePorts"}) {
      assertFalse(clusterIp.has(gone), gone + ": " + clusterIp);
    }
    for (int port : new int[] {nodePort, health}) {
      done(create(engine, service("taker-" + port, "{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":" + port + "}]}")));
    }
  }

  @Test
  void aLoadBalancerClassIsValidatedAndImmutableAndARefusalStoresNothing() {
    ApiStatus badClass = refused(create(engine, service("lb-bad-class",
        "{\"type\":\"LoadBalancer\",\"loadBalancerClass\":\"-bad\",\"ports\":[{\"port\":80}]}")));
    assertEquals(422, badClass.code());
    assertEquals("spec.loadBalancerClass", badClass.details().causes().get(0).field());
    ApiStatus badRange = refused(create(engine, service("lb-bad-range",
        "{\"type\":\"LoadBalancer\",\"loadBalancerSourceRanges\":[\"300.0.0.0/8\"],\"ports\":[{\"port\":80}]}")));
    assertEquals(422, badRange.code());
    assertEquals("spec.LoadBalancerSourceRanges[0]", badRange.details().causes().get(0).field());
    for (String name : new String[] {"lb-bad-class", "lb-bad-range"}) {
      assertInstanceOf(ObjectCommand.Refused.class, engine.engine.store().get(key(name)).toCompletableFuture().join());
    }

    done(create(engine, service("lb-class", "{\"type\":\"LoadBalancer\",\"loadBalancerClass\":\"example.com/other\","
        + "\"ports\":[{\"port\":80}]}")));
    ApiStatus changed = refused(engine.engine.store().patch(key("lb-class"), PatchType.MERGE,
        json("{\"spec\":{\"loadBalancerClass\":\"example.com/mine\"}}"), Part.MAIN).toCompletableFuture().join());
    assertEquals(422, changed.code());
    assertEquals("Service \"lb-class\" is invalid: spec.loadBalancerClass: Invalid value: \"example.com/mine\": "
        + "may not change once set", changed.message());
  }

  @Test
  void anExternalNameGetsNoClusterIpAndAClusterIpServiceCanBecomeOne() {
    JsonNode spec = done(create(engine, service("ext", "{\"type\":\"ExternalName\",\"externalName\":\"db.example.org\"}")))
        .path("spec");
    assertFalse(spec.has("clusterIP"), spec::toString);
    assertFalse(spec.has("ipFamilies"), spec::toString);
    ApiStatus noName = refused(create(engine, service("ext-none", "{\"type\":\"ExternalName\"}")));
    assertEquals("spec.externalName", noName.details().causes().get(0).field());

    done(create(engine, service("to-ext", "{\"ports\":[{\"port\":80}]}")));
    JsonNode external = patch("to-ext", "{\"spec\":{\"type\":\"ExternalName\",\"externalName\":\"web.example.org\"}}")
        .path("spec");
    assertFalse(external.has("clusterIP"), external::toString);
    JsonNode back = patch("to-ext", "{\"spec\":{\"type\":\"ClusterIP\",\"externalName\":null}}").path("spec");
    assertTrue(back.path("clusterIP").asText().startsWith("10."), back::toString);
  }

  @Test
  void aStatusWithABadIngressIsRefusedAndTheOldOneKept() {
    done(create(engine, service("lb-status", "{\"type\":\"LoadBalancer\",\"loadBalancerClass\":\"example.com/x\","
        + "\"ports\":[{\"port\":80}]}")));
    ApiStatus bad = refused(engine.engine.store().patch(key("lb-status"), PatchType.MERGE,
        json("{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"999.1.1.1\"}]}}}"), Part.STATUS)
        .toCompletableFuture().join());
    assertEquals(422, bad.code());
    assertEquals("status.loadBalancer.ingress[0].ip", bad.details().causes().get(0).field());
    JsonNode written = done(engine.engine.store().patch(key("lb-status"), PatchType.MERGE,
        json("{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"192.0.2.7\",\"ipMode\":\"Proxy\"}]}}}"),
        Part.STATUS).toCompletableFuture().join()).path("status");
    assertEquals("[{\"ip\":\"192.0.2.7\",\"ipMode\":\"Proxy\"}]", written.path("loadBalancer").path("ingress").toString());
  }
}
