package io.steuermann.node.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Reading probes from a container's JSON: Kubernetes' defaults, the handlers, named ports. */
class ProbeSpecTest {

  private static JsonNode json(String text) throws Exception {
    return Json.parse(text);
  }

  @Test
  void defaultsAreKubernetes() throws Exception {
    ProbeSpec spec = ProbeSpec.of(json("{\"livenessProbe\": {\"tcpSocket\": {\"port\": 8080}}}"), "livenessProbe")
        .orElseThrow();
    assertEquals(Duration.ZERO, spec.initialDelay());
    assertEquals(Duration.ofSeconds(10), spec.period());
    assertEquals(Duration.ofSeconds(1), spec.timeout());
    assertEquals(1, spec.successThreshold());
    assertEquals(3, spec.failureThreshold());
    assertTrue(spec.terminationGracePeriodSeconds().isEmpty());
    assertEquals(new ProbeSpec.TcpSocket("", "8080"), spec.action());
  }

  @Test
  void httpGetWithHeadersAndExplicitValues() throws Exception {
    ProbeSpec spec = ProbeSpec.of(json("""
        {"readinessProbe": {"httpGet": {"path": "/healthz", "port": "http", "scheme": "HTTPS",
            "httpHeaders": [{"name": "X-Probe", "value": "1"}]},
          "initialDelaySeconds": 5, "periodSeconds": 2, "timeoutSeconds": 3, "successThreshold": 2,
          "failureThreshold": 4, "terminationGracePeriodSeconds": 9}}"""), "readinessProbe").orElseThrow();
    ProbeSpec.HttpGet get = assertInstanceOf(ProbeSpec.HttpGet.class, spec.action());
    assertEquals("HTTPS", get.scheme());
    assertEquals("/healthz", get.path());
    assertEquals("http", get.port());
    assertEquals("", get.host());
    assertEquals("X-Probe", get.headers().get(0).getKey());
    assertEquals(Duration.ofSeconds(5), spec.initialDelay());
    assertEquals(Duration.ofSeconds(2), spec.period());
    assertEquals(Duration.ofSeconds(3), spec.timeout());
    assertEquals(2, spec.successThreshold());
    assertEquals(4, spec.failureThreshold());
    assertEquals(9, spec.terminationGracePeriodSeconds().getAsLong());
  }

  @Test
  void execAndAbsentAndUnsupportedProbes() throws Exception {
    JsonNode container = json("""
        {"startupProbe": {"exec": {"command": ["cat", "/tmp/ready"]}},
         "livenessProbe": {"grpc": {"port": 9000}},
         "readinessProbe": {"periodSeconds": 3}}""");
    ContainerProbes probes = ContainerProbes.of(container);
    assertEquals(new ProbeSpec.Exec(List.of("cat", "/tmp/ready")), probes.startup().orElseThrow().action());
    assertInstanceOf(ProbeSpec.Unsupported.class, probes.liveness().orElseThrow().action());
    assertTrue(probes.readiness().isEmpty(), "a probe without a handler is no probe");
    assertTrue(probes.any());
    assertTrue(!ContainerProbes.of(json("{}")).any());
  }

  @Test
  void portsByNumberOrName() throws Exception {
    ProbeTarget target = new ProbeTarget(null, "web", "id", "127.0.0.1",
        json("{\"ports\": [{\"name\": \"http\", \"containerPort\": 8080}]}"), Instant.now());
    assertEquals(OptionalInt.of(8080), target.port("http"));
    assertEquals(OptionalInt.of(9090), target.port("9090"));
    assertEquals(OptionalInt.empty(), target.port("metrics"));
    assertEquals(OptionalInt.empty(), target.port("70000"));
  }
}
