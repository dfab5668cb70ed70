package io.steuermann.node.probe;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One probe of a container ({@code livenessProbe}, {@code readinessProbe} or
 * {@code startupProbe}), read from its Kubernetes JSON with Kubernetes' defaults:
 * periodSeconds 10, timeoutSeconds 1, successThreshold 1, failureThreshold 3,
 * initialDelaySeconds 0. Values below Kubernetes' minimums (period and timeout 1 s,
 * thresholds 1) are raised to them.
 */
public record ProbeSpec(Action action, Duration initialDelay, Duration period, Duration timeout,
    int successThreshold, int failureThreshold, OptionalLong terminationGracePeriodSeconds) {

  /** How a probe checks the container. */
  public sealed interface Action permits HttpGet, TcpSocket, Exec, Unsupported {}

  /**
   * {@code httpGet}: {@code host} empty means the pod's IP; {@code port} is a number or the
   * name of a container port.
   */
  public record HttpGet(String scheme, String host, String port, String path, List<Map.Entry<String, String>> headers)
      implements Action {
    public HttpGet {
      headers = List.copyOf(headers);
    }
  }

  /** {@code tcpSocket}: a connection that opens within the timeout succeeds. */
  public record TcpSocket(String host, String port) implements Action {}

  /** {@code exec}: the command runs in the container; exit code 0 succeeds. */
  public record Exec(List<String> command) implements Action {
    public Exec {
      command = List.copyOf(command);
    }
  }

  /** A handler this node cannot run (grpc): the probe fails, saying why. */
  public record Unsupported(String what) implements Action {}

  /** The probe at {@code field} of a container's JSON, if it has one with a handler. */
  public static Optional<ProbeSpec> of(JsonNode container, String field) {
    JsonNode probe = container.path(field);
    if (!probe.isObject()) {
      return Optional.empty();
    }
    Action action;
    if (probe.path("httpGet").isObject()) {
      JsonNode h = probe.path("httpGet");
      List<Map.Entry<String, String>> headers = new ArrayList<>();
      for (JsonNode header : h.path("httpHeaders")) {
        headers.add(Map.entry(header.path("name").asText(), header.path("value").asText("")));
      }
      String path = h.path("path").asText("");
      action = new HttpGet(h.path("scheme").asText("HTTP").toUpperCase(java.util.Locale.ROOT),
          h.path("host").asText(""), h.path("port").asText(""), path.isEmpty() ? "/" : path, headers);
    } else if (probe.path("tcpSocket").isObject()) {
      JsonNode t = probe.path("tcpSocket");
      action = new TcpSocket(t.path("host").asText(""), t.path("port").asText(""));
    } else if (probe.path("exec").isObject()) {
      List<String> command = new ArrayList<>();
      probe.path("exec").path("command").forEach(c -> command.add(c.asText()));
      action = new Exec(command);
    } else if (probe.path("grpc").isObject()) {
      action = new Unsupported("gRPC probes are not supported by this node");
    } else {
      return Optional.empty();
    }
    OptionalLong grace = probe.path("terminationGracePeriodSeconds").isIntegralNumber()
        ? OptionalLong.of(Math.max(0, probe.path("terminationGracePeriodSeconds").asLong()))
        : OptionalLong.empty();
    return Optional.of(new ProbeSpec(action,
        Duration.ofSeconds(Math.max(0, probe.path("initialDelaySeconds").asLong(0))),
        Duration.ofSeconds(Math.max(1, probe.path("periodSeconds").asLong(10))),
        Duration.ofSeconds(Math.max(1, probe.path("timeoutSeconds").asLong(1))),
        Math.max(1, probe.path("successThreshold").asInt(1)),
        Math.max(1, probe.path("failureThreshold").asInt(3)),
        grace));
  }
}
