package io.steuermann.node.podenv;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * kubelet's Service variables: for each Service with a clusterIP in the pod's namespace (all of
 * them, or none with {@code enableServiceLinks: false}) and always for {@code default/kubernetes},
 * {@code {SVC}_SERVICE_HOST}, {@code {SVC}_SERVICE_PORT}, {@code {SVC}_SERVICE_PORT_{NAME}} and
 * the Docker-links {@code {SVC}_PORT}, {@code {SVC}_PORT_{port}_{PROTO}[_PROTO|_PORT|_ADDR]}.
 * Services are taken in name order, so the same Services always give the same list.
 */
public final class ServiceEnvironment {
  private ServiceEnvironment() {}

  public static Map<String, String> variables(List<JsonNode> servicesOfNamespace, JsonNode kubernetes,
      boolean serviceLinks) {
    Map<String, String> env = new LinkedHashMap<>();
    if (serviceLinks) {
      servicesOfNamespace.stream().sorted(Comparator.comparing(s -> s.path("metadata").path("name").asText()))
          .forEach(s -> add(env, s));
    }
    if (kubernetes != null) {
      add(env, kubernetes);
    }
    return env;
  }

  private static void add(Map<String, String> env, JsonNode service) {
    String ip = service.path("spec").path("clusterIP").asText("");
    if (ip.isEmpty() || ip.equals("None")) {
      return;
    }
    JsonNode ports = service.path("spec").path("ports");
    if (ports.isEmpty()) {
      return;
    }
    String prefix = service.path("metadata").path("name").asText().toUpperCase(Locale.ROOT).replace('-', '_');
    env.put(prefix + "_SERVICE_HOST", ip);
    env.put(prefix + "_SERVICE_PORT", ports.get(0).path("port").asText());
    for (JsonNode p : ports) {
      String name = p.path("name").asText("");
      if (!name.isEmpty()) {
        env.put(prefix + "_SERVICE_PORT_" + name.toUpperCase(Locale.ROOT).replace('-', '_'), p.path("port").asText());
      }
    }
    JsonNode first = ports.get(0);
    env.put(prefix + "_PORT", protocol(first).toLowerCase(Locale.ROOT) + "://" + ip + ":" + first.path("port").asText());
    for (JsonNode p : ports) {
      String protocol = protocol(p);
      String port = p.path("port").asText();
      String link = prefix + "_PORT_" + port + "_" + protocol;
      env.put(link, protocol.toLowerCase(Locale.ROOT) + "://" + ip + ":" + port);
      env.put(link + "_PROTO", protocol.toLowerCase(Locale.ROOT));
      env.put(link + "_PORT", port);
      env.put(link + "_ADDR", ip);
    }
  }

  private static String protocol(JsonNode port) {
    return port.path("protocol").asText("TCP").toUpperCase(Locale.ROOT);
  }
}
