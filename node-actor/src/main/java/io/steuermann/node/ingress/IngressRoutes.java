package io.steuermann.node.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.ingress.IngressClasses;
import io.steuermann.engine.model.Meta;
import io.steuermann.node.proxy.Backend;
import io.steuermann.node.proxy.ProxyState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The pure part of the ingress controller: from the cluster's Ingresses, IngressClasses,
 * Services, Endpoints and Secrets, the routing table every node's proxy answers with.
 *
 * <p>Only Ingresses of the built-in class (or of none) count. Rules are merged over all of
 * them, oldest Ingress first, so that on the same host, path and path type the oldest wins (as
 * ingress-nginx does). A request is matched by host first: the rules of its exact host, then
 * those of the {@code *.} wildcard that covers its first label (one label only, as the API
 * documents), then the rules without a host; within a host the first of these with a matching
 * path wins: an Exact path equal to the request's, else the longest Prefix path that is an
 * element-wise prefix of it ({@code /foo} matches {@code /foo} and {@code /foo/bar}, not
 * {@code /foobar}). ImplementationSpecific paths match as Prefix. A request no rule matches
 * goes to the oldest Ingress's {@code defaultBackend}, else is answered 404.
 *
 * <p>A Service backend is its Service port (by number or name) and that port's ready
 * endpoints, as the Service proxy computes them. TLS comes from Secrets of type
 * {@code kubernetes.io/tls} in the Ingress's namespace, per host (a tls entry without hosts
 * gives the default certificate).
 */
public final class IngressRoutes {
  private IngressRoutes() {}

  /** One path rule: its type (Exact or Prefix), its path as matched, and the backend it routes to. */
  record PathRule(boolean exact, String path, String backend) {}

  /** Where a request goes: the backend key ({@code ns/service:port}), or none (404). */
  public record Match(String backend) {}

  /** The routing table; immutable, swapped whole on every change. */
  public record Table(Map<String, List<PathRule>> exactHosts, Map<String, List<PathRule>> wildcardHosts,
      List<PathRule> anyHost, Optional<String> defaultBackend, Map<String, List<Backend>> backends,
      Map<String, TlsCertificates.KeyEntry> certificates, Optional<TlsCertificates.KeyEntry> defaultCertificate,
      List<String> problems) {

    public static Table empty() {
      return new Table(Map.of(), Map.of(), List.of(), Optional.empty(), Map.of(), Map.of(), Optional.empty(),
          List.of());
    }

    /** The backend for a request, by host (without port) and path (without query). */
    public Optional<String> route(String host, String path) {
      String h = host.toLowerCase(Locale.ROOT);
      List<List<PathRule>> buckets = new ArrayList<>(3);
      List<PathRule> exact = exactHosts.get(h);
      if (exact != null) {
        buckets.add(exact);
      }
      int dot = h.indexOf('.');
      if (dot > 0) {
        List<PathRule> wildcard = wildcardHosts.get(h.substring(dot + 1));
        if (wildcard != null) {
          buckets.add(wildcard);
        }
      }
      buckets.add(anyHost);
      for (List<PathRule> rules : buckets) {
        Optional<String> found = bestPath(rules, path.isEmpty() ? "/" : path);
        if (found.isPresent()) {
          return found;
        }
      }
      return defaultBackend;
    }

    /** The ready endpoints of a backend (none when its Service, port or Endpoints are missing). */
    public List<Backend> endpoints(String backend) {
      return backends.getOrDefault(backend, List.of());
    }

    /** The certificate for a TLS server name: its exact host, its wildcard, else the default. */
    public Optional<TlsCertificates.KeyEntry> certificate(String serverName) {
      if (serverName != null) {
        String h = serverName.toLowerCase(Locale.ROOT);
        TlsCertificates.KeyEntry exact = certificates.get(h);
        if (exact != null) {
          return Optional.of(exact);
        }
        int dot = h.indexOf('.');
        if (dot > 0 && certificates.containsKey("*." + h.substring(dot + 1))) {
          return Optional.of(certificates.get("*." + h.substring(dot + 1)));
        }
      }
      return defaultCertificate.or(() -> certificates.values().stream().findFirst());
    }
  }

  static Optional<String> bestPath(List<PathRule> rules, String path) {
    PathRule best = null;
    for (PathRule rule : rules) {
      if (rule.exact()) {
        if (rule.path().equals(path)) {
          return Optional.of(rule.backend());
        }
      } else if (prefixMatches(rule.path(), path) && (best == null || rule.path().length() > best.path().length())) {
        best = rule;
      }
    }
    return Optional.ofNullable(best).map(PathRule::backend);
  }

  /** kube's Prefix: {@code prefix} (without a trailing slash) is an element-wise prefix of {@code path}. */
  static boolean prefixMatches(String prefix, String path) {
    return prefix.isEmpty() || path.equals(prefix) || path.startsWith(prefix + "/");
  }

  /** A Prefix path as matched: without trailing slashes ("/" becomes "", which matches every path). */
  static String normalizePrefix(String path) {
    String p = path;
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }

  /** Objects keyed as the watch cache delivers them: {@code namespace/name}, or the name for classes. */
  public static Table table(Map<String, ? extends JsonNode> ingresses, Map<String, ? extends JsonNode> classes,
      Map<String, ? extends JsonNode> services, Map<String, ? extends JsonNode> endpoints,
      Map<String, ? extends JsonNode> secrets) {
    Map<String, List<PathRule>> exactHosts = new HashMap<>();
    Map<String, List<PathRule>> wildcardHosts = new HashMap<>();
    List<PathRule> anyHost = new ArrayList<>();
    Map<String, List<Backend>> backends = new HashMap<>();
    Map<String, TlsCertificates.KeyEntry> certificates = new LinkedHashMap<>();
    TlsCertificates.KeyEntry defaultCertificate = null;
    String defaultBackend = null;
    List<String> problems = new ArrayList<>();

    List<JsonNode> served = ingresses.values().stream()
        .filter(i -> IngressClasses.servedByBuiltIn(i, classes))
        .filter(i -> !i.path("metadata").has("deletionTimestamp"))
        .sorted(Comparator.comparing((JsonNode i) -> i.path("metadata").path("creationTimestamp").asText(""))
            .thenComparing(ProxyState::key))
        .map(i -> (JsonNode) i).toList();
    for (JsonNode ingress : served) {
      String ns = Meta.namespace(ingress);
      JsonNode spec = ingress.path("spec");
      JsonNode def = spec.get("defaultBackend");
      if (def != null && def.isObject() && defaultBackend == null) {
        defaultBackend = backend(ns, def, services, endpoints, backends);
      }
      for (JsonNode rule : spec.path("rules")) {
        String host = rule.path("host").asText("").toLowerCase(Locale.ROOT);
        List<PathRule> bucket = host.isEmpty() ? anyHost
            : host.startsWith("*.") ? wildcardHosts.computeIfAbsent(host.substring(2), h -> new ArrayList<>())
            : exactHosts.computeIfAbsent(host, h -> new ArrayList<>());
        for (JsonNode path : rule.path("http").path("paths")) {
          boolean exact = "Exact".equals(path.path("pathType").asText());
          String p = path.path("path").asText("");
          String matched = exact ? p : normalizePrefix(p);
          if (bucket.stream().anyMatch(r -> r.exact() == exact && r.path().equals(matched))) {
            continue; // an older Ingress has this host and path
          }
          String target = backend(ns, path.path("backend"), services, endpoints, backends);
          bucket.add(new PathRule(exact, matched, target));
        }
      }
      for (JsonNode tls : spec.path("tls")) {
        String secretName = tls.path("secretName").asText("");
        if (secretName.isEmpty()) {
          continue;
        }
        JsonNode secret = secrets.get(ns + "/" + secretName);
        Optional<TlsCertificates.KeyEntry> entry;
        try {
          entry = secret == null ? Optional.empty() : TlsCertificates.fromSecret(secret);
        } catch (IllegalArgumentException e) {
          problems.add("Ingress " + ProxyState.key(ingress) + ": Secret " + secretName + ": " + e.getMessage());
          continue;
        }
        if (entry.isEmpty()) {
          problems.add("Ingress " + ProxyState.key(ingress) + ": no kubernetes.io/tls Secret " + secretName);
          continue;
        }
        if (tls.path("hosts").isEmpty() && defaultCertificate == null) {
          defaultCertificate = entry.get();
        }
        for (JsonNode host : tls.path("hosts")) {
          certificates.putIfAbsent(host.asText().toLowerCase(Locale.ROOT), entry.get());
        }
      }
    }
    return new Table(Map.copyOf(exactHosts), Map.copyOf(wildcardHosts), List.copyOf(anyHost),
        Optional.ofNullable(defaultBackend), Map.copyOf(backends), Map.copyOf(certificates),
        Optional.ofNullable(defaultCertificate), List.copyOf(problems));
  }

  /**
   * The key of a backend and (once per key) its ready endpoints: {@code ns/service:port} for a
   * Service backend, {@code ns/resource:kind/name} for a resource backend (which this controller
   * cannot serve: it has no endpoints and is answered 503).
   */
  private static String backend(String ns, JsonNode backend, Map<String, ? extends JsonNode> services,
      Map<String, ? extends JsonNode> endpoints, Map<String, List<Backend>> backends) {
    JsonNode service = backend.path("service");
    if (!service.isObject()) {
      String key = ns + "/resource:" + backend.path("resource").path("kind").asText("") + "/"
          + backend.path("resource").path("name").asText("");
      backends.putIfAbsent(key, List.of());
      return key;
    }
    String name = service.path("name").asText("");
    JsonNode port = service.path("port");
    String portRef = port.hasNonNull("name") && !port.get("name").asText().isEmpty()
        ? port.get("name").asText() : Integer.toString(port.path("number").asInt(0));
    String key = ns + "/" + name + ":" + portRef;
    if (!backends.containsKey(key)) {
      backends.put(key, endpointsOf(services.get(ns + "/" + name), endpoints.get(ns + "/" + name), port));
    }
    return key;
  }

  private static List<Backend> endpointsOf(JsonNode service, JsonNode endpoints, JsonNode port) {
    if (service == null) {
      return List.of();
    }
    String wantedName = port.path("name").asText("");
    int wantedNumber = port.path("number").asInt(0);
    for (JsonNode p : service.path("spec").path("ports")) {
      if (!"TCP".equals(p.path("protocol").asText("TCP"))) {
        continue;
      }
      boolean matches = wantedName.isEmpty() ? p.path("port").asInt(-1) == wantedNumber
          : wantedName.equals(p.path("name").asText(""));
      if (matches) {
        return ProxyState.readyBackends(endpoints, p.path("name").asText(""));
      }
    }
    return List.of();
  }
}
