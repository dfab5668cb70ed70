package io.steuermann.engine.services;

import static io.steuermann.engine.controllers.gc.TestEngine.done;
import static io.steuermann.engine.controllers.gc.TestEngine.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.gc.TestEngine;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.objects.ObjectCommand.PatchType;
import io.steuermann.engine.objects.ObjectCommand.Part;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ClusterIP and nodePort allocation on a real engine (H2, cluster sharding, the claim
 * entities): defaults, distinct values under concurrent creates, conflicts refused with 422 and
 * nothing stored or journaled, release on delete and on type change, reuse.
 */
class ServiceAllocationTest {
  private static final String CONFIG = "steuermann.controllers.enabled = false\n";
  private static TestEngine engine;

  @BeforeAll
  static void start() throws Exception {
    engine = new TestEngine(CONFIG);
  }

  @AfterAll
  static void stop() {
    if (engine != null) {
      engine.close();
    }
  }

  static String service(String name, String spec) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"" + name
        + "\",\"namespace\":\"default\"},\"spec\":" + spec + "}";
  }

  static ObjectCommand.Reply create(TestEngine engine, String object) {
    return engine.engine.store().create(json(object)).toCompletableFuture().join();
  }

  static ApiStatus refused(ObjectCommand.Reply reply) {
    return assertInstanceOf(ObjectCommand.Refused.class, reply, () -> String.valueOf(reply)).status();
  }

  static JsonNode array(String text) {
    try {
      return io.steuermann.engine.model.Json.parse(text);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * A nodePort no Service holds now: tests that ask for a port by number must not meet one the
   * random allocation of an earlier test happened to pick.
   */
  static int freePort(TestEngine engine) {
    engine.engine.consistentRead(java.time.Duration.ofSeconds(10)).toCompletableFuture().join();
    Set<Integer> used = new HashSet<>();
    for (ObjectNode svc : engine.engine.cache().list(io.steuermann.engine.watch.WatchFilter.of(Kind.SERVICE, "")).items()) {
      svc.path("spec").path("ports").forEach(p -> used.add(p.path("nodePort").asInt()));
    }
    int port = 32767;
    while (used.contains(port) || RESERVED.contains(port)) {
      port--;
    }
    RESERVED.add(port);
    return port;
  }

  /** Ports handed out by {@link #freePort} (a test may free and ask for one again). */
  private static final Set<Integer> RESERVED = new HashSet<>();

  static ObjectKey key(String name) {
    return ObjectKey.of(Kind.SERVICE, "default", name);
  }

  static long ip(JsonNode service) {
    return ServiceAddresses.parseIpv4(service.path("spec").path("clusterIP").asText());
  }

  @Test
  void aServiceGetsKubernetesDefaultsAndAClusterIpFromTheServiceRange() {
    ObjectNode svc = done(create(engine, service("defaults", "{\"selector\":{\"app\":\"a\"},\"ports\":[{\"port\":80}]}")));
    JsonNode spec = svc.path("spec");
    assertEquals("ClusterIP", spec.path("type").asText());
    assertEquals("None", spec.path("sessionAffinity").asText());
    assertEquals("TCP", spec.path("ports").get(0).path("protocol").asText());
    assertEquals(80, spec.path("ports").get(0).path("targetPort").asInt());
    assertEquals("[\"IPv4\"]", spec.path("ipFamilies").toString());
    assertEquals("SingleStack", spec.path("ipFamilyPolicy").asText());
    assertEquals("Cluster", spec.path("internalTrafficPolicy").asText());
    String ip = spec.path("clusterIP").asText();
    assertTrue(ip.startsWith("10."), ip);
    long n = ServiceAddresses.parseIpv4(ip);
    assertTrue(n >= ServiceAddresses.parseIpv4("10.96.0.2") && n <= ServiceAddresses.parseIpv4("10.111.255.254"), ip);
    assertEquals("[\"" + ip + "\"]", spec.path("clusterIPs").toString());
    assertTrue(!spec.path("ports").get(0).has("nodePort"));

    ObjectNode affinity = done(create(engine, service("affinity",
        "{\"sessionAffinity\":\"ClientIP\",\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"targetPort\":\"http\"}]}")));
    assertEquals(10800, affinity.path("spec").path("sessionAffinityConfig").path("clientIP").path("timeoutSeconds").asInt());
    assertEquals("Cluster", affinity.path("spec").path("externalTrafficPolicy").asText());
    int nodePort = affinity.path("spec").path("ports").get(0).path("nodePort").asInt();
    assertTrue(nodePort >= 30000 && nodePort <= 32767, "nodePort " + nodePort);
    assertEquals("http", affinity.path("spec").path("ports").get(0).path("targetPort").asText());
  }

  @Test
  void fiftyConcurrentCreatesGetDistinctIpsAndNodePorts() {
    List<CompletableFuture<ObjectCommand.Reply>> creates = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      creates.add(engine.engine.store().create(json(service("many-" + i,
          "{\"type\":\"NodePort\",\"ports\":[{\"name\":\"a\",\"port\":80},{\"name\":\"b\",\"port\":81,\"protocol\":\"UDP\"}]}")))
          .toCompletableFuture());
    }
    Set<Long> ips = new HashSet<>();
    Set<Integer> ports = new HashSet<>();
    for (CompletableFuture<ObjectCommand.Reply> create : creates) {
      ObjectNode svc = done(create.join());
      assertTrue(ips.add(ip(svc)), () -> "duplicate IP " + svc);
      for (JsonNode port : svc.path("spec").path("ports")) {
        assertTrue(ports.add(port.path("nodePort").asInt()), () -> "duplicate nodePort " + svc);
      }
    }
    assertEquals(50, ips.size());
    assertEquals(100, ports.size());
  }

  @Test
  void valuesOutOfRangeOrTakenAreRefusedWith422AndNothingIsStoredOrJournaled() {
    int port = freePort(engine);
    ObjectNode holder = done(create(engine, service("holder", "{\"clusterIP\":\"10.96.9.9\",\"type\":\"NodePort\","
        + "\"ports\":[{\"port\":80,\"nodePort\":" + port + "}]}")));
    long before = Meta.parseResourceVersion(Meta.resourceVersion(holder));

    ApiStatus outOfRange = refused(create(engine, service("far", "{\"clusterIP\":\"10.0.0.1\",\"ports\":[{\"port\":80}]}")));
    assertEquals(422, outOfRange.code());
    assertEquals("Service \"far\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.0.0.1\"}: failed to "
        + "allocate IP 10.0.0.1: provided IP is not in the valid range. The range of valid IPs is 10.96.0.0/12",
        outOfRange.message());

    ApiStatus ipTaken = refused(create(engine, service("same-ip", "{\"clusterIP\":\"10.96.9.9\",\"ports\":[{\"port\":80}]}")));
    assertEquals(422, ipTaken.code());
    assertEquals("Service \"same-ip\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.96.9.9\"}: failed to "
        + "allocate IP 10.96.9.9: provided IP is already allocated", ipTaken.message());

    ApiStatus portTaken = refused(create(engine, service("same-port",
        "{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":" + port + "}]}")));
    assertEquals("Service \"same-port\" is invalid: spec.ports[0].nodePort: Invalid value: " + port + ": "
        + "provided port is already allocated", portTaken.message());
    assertEquals("spec.ports[0].nodePort", portTaken.details().causes().get(0).field());

    ApiStatus portOutOfRange = refused(create(engine, service("low-port",
        "{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":8080}]}")));
    assertEquals("Service \"low-port\" is invalid: spec.ports[0].nodePort: Invalid value: 8080: "
        + "provided port is not in the valid range. The range of valid ports is 30000-32767", portOutOfRange.message());

    // a free IP with a taken port: the IP is not left claimed
    ApiStatus mixed = refused(create(engine, service("mixed", "{\"clusterIP\":\"10.96.9.10\",\"type\":\"NodePort\","
        + "\"ports\":[{\"port\":80,\"nodePort\":" + port + "}]}")));
    assertEquals(422, mixed.code());

    for (String name : List.of("far", "same-ip", "same-port", "low-port", "mixed")) {
      assertInstanceOf(ObjectCommand.Refused.class, engine.engine.store().get(key(name)).toCompletableFuture().join());
    }
    ObjectNode marker = done(create(engine, service("marker", "{\"clusterIP\":\"10.96.9.10\",\"ports\":[{\"port\":80}]}")));
    assertEquals(before + 1, Meta.parseResourceVersion(Meta.resourceVersion(marker)),
        "a refused Service create took a journal ordering");
  }

  @Test
  void deletingAServiceReleasesItsValuesForReuse() {
    int port = freePort(engine);
    done(create(engine, service("first", "{\"clusterIP\":\"10.96.7.7\",\"type\":\"NodePort\","
        + "\"ports\":[{\"port\":80,\"nodePort\":" + port + "}]}")));
    refused(create(engine, service("second", "{\"clusterIP\":\"10.96.7.7\",\"type\":\"NodePort\","
        + "\"ports\":[{\"port\":80,\"nodePort\":" + port + "}]}")));
    done(engine.delete(key("first"), null));
    ObjectNode second = done(create(engine, service("second", "{\"clusterIP\":\"10.96.7.7\",\"type\":\"NodePort\","
        + "\"ports\":[{\"port\":80,\"nodePort\":" + port + "}]}")));
    assertEquals("10.96.7.7", second.path("spec").path("clusterIP").asText());
  }

  @Test
  void typeChangesAllocateAndReleaseNodePorts() {
    int first = freePort(engine);
    int second = freePort(engine);
    ObjectNode svc = done(create(engine, service("switch", "{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":" + first + "}]}")));
    String ip = svc.path("spec").path("clusterIP").asText();
    ObjectNode clusterIp = done(engine.engine.store().patch(key("switch"), PatchType.MERGE,
        json("{\"spec\":{\"type\":\"ClusterIP\"}}"), Part.MAIN).toCompletableFuture().join());
    assertTrue(!clusterIp.path("spec").path("ports").get(0).has("nodePort"), clusterIp::toString);
    assertEquals(ip, clusterIp.path("spec").path("clusterIP").asText(), "the clusterIP is kept");
    // the port is free again
    done(create(engine, service("taker", "{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":" + first + "}]}")));

    ObjectNode nodePort = done(engine.engine.store().patch(key("switch"), PatchType.MERGE,
        json("{\"spec\":{\"type\":\"NodePort\"}}"), Part.MAIN).toCompletableFuture().join());
    int allocated = nodePort.path("spec").path("ports").get(0).path("nodePort").asInt();
    assertTrue(allocated >= 30000 && allocated <= 32767 && allocated != first, nodePort::toString);

    // a replace that leaves the allocated values out keeps them (kubectl replace of the manifest)
    ObjectNode replaced = done(engine.engine.store().replace(key("switch"), json(service("switch",
        "{\"type\":\"NodePort\",\"ports\":[{\"port\":80}]}")), Part.MAIN).toCompletableFuture().join());
    assertEquals(allocated, replaced.path("spec").path("ports").get(0).path("nodePort").asInt());
    assertEquals(ip, replaced.path("spec").path("clusterIP").asText());

    // changing a nodePort on update releases the old one
    done(engine.engine.store().patch(key("switch"), PatchType.JSON,
        array("[{\"op\":\"replace\",\"path\":\"/spec/ports/0/nodePort\",\"value\":" + second + "}]"), Part.MAIN)
        .toCompletableFuture().join());
    done(create(engine, service("taker-2", "{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":" + allocated + "}]}")));
    ApiStatus clash = refused(engine.engine.store().patch(key("taker-2"), PatchType.JSON,
        array("[{\"op\":\"replace\",\"path\":\"/spec/ports/0/nodePort\",\"value\":" + second + "}]"), Part.MAIN)
        .toCompletableFuture().join());
    assertEquals(422, clash.code());
    assertEquals("spec.ports[0].nodePort", clash.details().causes().get(0).field());
  }

  @Test
  void claimsSurviveARestartOfTheEngine() throws Exception {
    Path dir = Files.createTempDirectory("steuermann-services");
    String ip;
    try (TestEngine first = new TestEngine(dir, CONFIG)) {
      ObjectNode svc = done(create(first, service("durable", "{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":32100}]}")));
      ip = svc.path("spec").path("clusterIP").asText();
    }
    try (TestEngine second = new TestEngine(dir, CONFIG)) {
      ApiStatus ipTaken = refused(create(second, service("other", "{\"clusterIP\":\"" + ip + "\",\"ports\":[{\"port\":80}]}")));
      assertTrue(ipTaken.message().contains("provided IP is already allocated"), ipTaken.message());
      ApiStatus portTaken = refused(create(second, service("other",
          "{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":32100}]}")));
      assertTrue(portTaken.message().contains("provided port is already allocated"), portTaken.message());
      done(second.delete(key("durable"), null));
      ObjectNode reused = done(create(second, service("other", "{\"clusterIP\":\"" + ip + "\",\"type\":\"NodePort\","
          + "\"ports\":[{\"port\":80,\"nodePort\":32100}]}")));
      assertNotEquals("", reused.path("spec").path("clusterIP").asText());
    }
  }

  @Test
  void aDryRunCreateShowsAllocatedValuesButKeepsNoneOfThem() {
    int port = freePort(engine);
    String spec = "{\"type\":\"NodePort\",\"selector\":{\"app\":\"a\"},\"ports\":[{\"name\":\"a\",\"port\":80,\"nodePort\":" + port
        + "},{\"name\":\"b\",\"port\":81}]}";
    ObjectNode preview = done(engine.engine.store().dryRun().create(json(service("dry-np", spec)))
        .toCompletableFuture().join());
    String ip = preview.path("spec").path("clusterIP").asText();
    assertTrue(ip.startsWith("10."), ip);
    assertEquals(port, preview.path("spec").path("ports").get(0).path("nodePort").asInt());
    int picked = preview.path("spec").path("ports").get(1).path("nodePort").asInt();
    assertTrue(picked >= 30000 && picked <= 32767, "a dry run fills in a nodePort too: " + picked);

    // nothing was claimed: another Service may take exactly those values for real
    String same = "{\"type\":\"NodePort\",\"clusterIP\":\"" + ip + "\",\"selector\":{\"app\":\"a\"},"
        + "\"ports\":[{\"name\":\"a\",\"port\":80,\"nodePort\":" + port + "},{\"name\":\"b\",\"port\":81,\"nodePort\":" + picked + "}]}";
    ObjectNode real = done(create(engine, service("takes-dry-values", same)));
    assertEquals(ip, real.path("spec").path("clusterIP").asText());
    assertEquals(ObjectCommand.Refused.class,
        engine.engine.store().get(key("dry-np")).toCompletableFuture().join().getClass());

    // and a dry run asking for a value now held is refused as the real create would be
    ApiStatus taken = refused(engine.engine.store().dryRun().create(json(service("dry-taken", same)))
        .toCompletableFuture().join());
    assertEquals(422, taken.code());
    assertTrue(taken.message().contains("already allocated"), taken.message());
  }
}
