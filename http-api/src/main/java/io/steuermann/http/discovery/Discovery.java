package io.steuermann.http.discovery;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.http.metrics.MetricsDocuments;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The discovery documents kubectl reads before it does anything else, built from {@link Kind}.
 *
 * <p>All methods are pure: they build fresh Jackson trees and never touch the network or any state.
 * Every document is served with {@code Content-Type: application/json}. kubectl 1.32 first asks
 * {@code /api} and {@code /apis} for the aggregated {@code APIGroupDiscoveryList}, and when the
 * answer's content type is plain {@code application/json} it reads the legacy {@code APIVersions} /
 * {@code APIGroupList} documents and then fetches {@code /api/v1} and {@code /apis/apps/v1}; so the
 * aggregated format is not needed.
 *
 * <p>The OpenAPI documents ({@code /openapi/v3}) are Kubernetes' own, served by {@link OpenApiDocuments}.
 */
public final class Discovery {

  /** {@code gitVersion} reported by {@code /version}. */
  public static final String GIT_VERSION = "v1.32.0-steuermann";
  public static final String MAJOR = "1";
  public static final String MINOR = "32";

  /** The content type of every document built here. */
  public static final String CONTENT_TYPE = "application/json";

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private static final List<String> ALL_VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
  /** Namespaces have no deletecollection in Kubernetes. */
  private static final List<String> NAMESPACE_VERBS =
      List.of("create", "delete", "get", "list", "patch", "update", "watch");
  private static final List<String> SUBRESOURCE_VERBS = List.of("get", "patch", "update");

  private Discovery() {}

  // ---------------------------------------------------------------- /version

  /** {@code GET /version}: a {@code version.Info} with the platform of this JVM. */
  public static ObjectNode version() {
    return version(platform(System.getProperty("os.name", "linux"), System.getProperty("os.arch", "amd64")));
  }

  /** {@code GET /version}: a {@code version.Info} with the given platform, e.g. {@code linux/amd64}. */
  public static ObjectNode version(String platform) {
    ObjectNode v = F.objectNode();
    v.put("major", MAJOR);
    v.put("minor", MINOR);
    v.put("gitVersion", GIT_VERSION);
    v.put("gitCommit", "");
    v.put("gitTreeState", "");
    v.put("buildDate", "");
    v.put("goVersion", "");
    v.put("compiler", "");
    v.put("platform", platform);
    return v;
  }

  /** Go-style platform string from Java's os.name/os.arch, e.g. {@code linux/amd64}. */
  static String platform(String osName, String osArch) {
    String os = osName.toLowerCase(Locale.ROOT);
    if (os.startsWith("mac") || os.startsWith("darwin")) {
      os = "darwin";
    } else if (os.startsWith("windows")) {
      os = "windows";
    } else if (os.startsWith("linux")) {
      os = "linux";
    }
    String arch = switch (osArch.toLowerCase(Locale.ROOT)) {
      case "x86_64", "amd64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      case "x86", "i386", "i686" -> "386";
      default -> osArch.toLowerCase(Locale.ROOT);
    };
    return os + "/" + arch;
  }

  // ---------------------------------------------------------------- /api, /apis

  /**
   * {@code GET /api}: {@code APIVersions}.
   *
   * @param serverAddress host:port clients should use, e.g. {@code 127.0.0.1:8080}
   */
  public static ObjectNode apiVersions(String serverAddress) {
    ObjectNode doc = F.objectNode();
    doc.put("kind", "APIVersions");
    doc.putArray("versions").add("v1");
    ObjectNode cidr = doc.putArray("serverAddressByClientCIDRs").addObject();
    cidr.put("clientCIDR", "0.0.0.0/0");
    cidr.put("serverAddress", serverAddress);
    return doc;
  }

  /** {@code GET /apis}: {@code APIGroupList} with every non-core group in {@link Kind}. */
  public static ObjectNode apiGroupList() {
    ObjectNode doc = F.objectNode();
    doc.put("kind", "APIGroupList");
    doc.put("apiVersion", "v1");
    ArrayNode groups = doc.putArray("groups");
    for (String group : groups()) {
      groups.add(groupBody(group));
    }
    return doc;
  }

  /** {@code GET /apis/{group}}: {@code APIGroup}, empty if the group is not served. */
  public static Optional<ObjectNode> apiGroup(String group) {
    if (group.isEmpty() || !groups().contains(group)) {
      return Optional.empty();
    }
    ObjectNode doc = F.objectNode();
    doc.put("kind", "APIGroup");
    doc.put("apiVersion", "v1");
    doc.setAll(groupBody(group));
    return Optional.of(doc);
  }

  private static ObjectNode groupBody(String group) {
    ObjectNode g = F.objectNode();
    g.put("name", group);
    ArrayNode versions = g.putArray("versions");
    List<String> vs = versionsOf(group);
    for (String v : vs) {
      versions.add(groupVersionForDiscovery(group, v));
    }
    g.set("preferredVersion", groupVersionForDiscovery(group, vs.get(0)));
    return g;
  }

  private static ObjectNode groupVersionForDiscovery(String group, String version) {
    ObjectNode gv = F.objectNode();
    gv.put("groupVersion", group + "/" + version);
    gv.put("version", version);
    return gv;
  }

  /** Non-core API groups, in {@link Kind} declaration order. */
  static List<String> groups() {
    Set<String> groups = new LinkedHashSet<>();
    for (Kind k : Kind.values()) {
      if (!k.group().isEmpty()) {
        groups.add(k.group());
      }
    }
    // kubectl top looks for this group before it asks for metrics
    groups.add(MetricsDocuments.GROUP);
    return List.copyOf(groups);
  }

  private static List<String> versionsOf(String group) {
    if (group.equals(MetricsDocuments.GROUP)) {
      return List.of(MetricsDocuments.VERSION);
    }
    Set<String> vs = new LinkedHashSet<>();
    for (Kind k : Kind.values()) {
      if (k.group().equals(group)) {
        vs.addAll(k.servedVersions());
      }
    }
    return List.copyOf(vs);
  }

  // ---------------------------------------------------------------- /api/v1, /apis/apps/v1

  /**
   * {@code GET /api/v1} (group {@code ""}) or {@code GET /apis/{group}/{version}}: the
   * {@code APIResourceList}; empty if nothing is served in that group version.
   */
  public static Optional<ObjectNode> apiResourceList(String group, String version) {
    if (group.equals(MetricsDocuments.GROUP) && version.equals(MetricsDocuments.VERSION)) {
      return Optional.of(MetricsDocuments.resourceList());
    }
    List<Kind> kinds = Kind.inGroupVersion(group, version);
    if (kinds.isEmpty()) {
      return Optional.empty();
    }
    ObjectNode doc = F.objectNode();
    doc.put("kind", "APIResourceList");
    doc.put("apiVersion", "v1");
    doc.put("groupVersion", group.isEmpty() ? version : group + "/" + version);
    List<ObjectNode> resources = new ArrayList<>();
    for (Kind k : kinds) {
      resources.addAll(resourcesOf(k));
    }
    resources.sort(Comparator.comparing(r -> r.get("name").asText()));
    doc.putArray("resources").addAll(resources);
    return Optional.of(doc);
  }

  /** The APIResource entries of one kind: the resource itself, then its subresources. */
  static List<ObjectNode> resourcesOf(Kind k) {
    List<ObjectNode> out = new ArrayList<>();
    ObjectNode main = F.objectNode();
    main.put("name", k.plural());
    main.put("singularName", k.singular());
    main.put("namespaced", k.namespaced());
    main.put("kind", k.kindName());
    addStrings(main.putArray("verbs"), k == Kind.NAMESPACE ? NAMESPACE_VERBS : ALL_VERBS);
    if (!k.shortNames().isEmpty()) {
      addStrings(main.putArray("shortNames"), k.shortNames());
    }
    List<String> categories = categories(k);
    if (!categories.isEmpty()) {
      addStrings(main.putArray("categories"), categories);
    }
    out.add(main);
    if (k.hasStatus()) {
      out.add(subresource(k, "status", null, null, k.kindName(), SUBRESOURCE_VERBS));
    }
    if (k.hasScale()) {
      out.add(subresource(k, "scale", "autoscaling", "v1", "Scale", SUBRESOURCE_VERBS));
    }
    if (k == Kind.POD) {
      out.add(subresource(k, "binding", null, null, "Binding", List.of("create")));
      out.add(subresource(k, "eviction", "policy", "v1", "Eviction", List.of("create")));
      out.add(subresource(k, "log", null, null, "Pod", List.of("get")));
      // Kubernetes also lists "create": the POST that SPDY clients upgrade. Only the WebSocket
      // upgrade (a GET; kubectl's default since 1.31) is served here, so only "get" is advertised.
      out.add(subresource(k, "exec", null, null, "PodExecOptions", List.of("get")));
      out.add(subresource(k, "attach", null, null, "PodAttachOptions", List.of("get")));
      out.add(subresource(k, "portforward", null, null, "PodPortForwardOptions", List.of("get")));
    }
    return out;
  }

  /** Kubernetes puts these in category "all" ({@code kubectl get all}). */
  static List<String> categories(Kind k) {
    return switch (k) {
      case POD, SERVICE, REPLICATION_CONTROLLER, REPLICA_SET, DEPLOYMENT, DAEMON_SET, STATEFUL_SET, JOB, CRON_JOB,
          HORIZONTAL_POD_AUTOSCALER -> List.of("all");
      default -> List.of();
    };
  }

  private static ObjectNode subresource(Kind k, String sub, String group, String version,
                                        String kind, List<String> verbs) {
    ObjectNode r = F.objectNode();
    r.put("name", k.plural() + "/" + sub);
    r.put("singularName", "");
    r.put("namespaced", k.namespaced());
    if (group != null) {
      r.put("group", group);
      r.put("version", version);
    }
    r.put("kind", kind);
    addStrings(r.putArray("verbs"), verbs);
    return r;
  }

  private static void addStrings(ArrayNode array, List<String> values) {
    values.forEach(array::add);
  }

  // ---------------------------------------------------------------- routing helper

  /**
   * The discovery document for a request path (without query string), or empty when the path is
   * not a discovery path (or names a group/version that is not served, which should be a 404).
   * Handles {@code /version}, {@code /api}, {@code /api/v1}, {@code /apis}, {@code /apis/G},
   * {@code /apis/G/V}. OpenAPI is {@link OpenApiDocuments}' job.
   */
  public static Optional<ObjectNode> forPath(String path, String serverAddress) {
    String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    String[] s = p.startsWith("/") ? p.substring(1).split("/", -1) : p.split("/", -1);
    if (s.length == 1 && s[0].equals("version")) {
      return Optional.of(version());
    }
    if (s[0].equals("api")) {
      if (s.length == 1) {
        return Optional.of(apiVersions(serverAddress));
      }
      if (s.length == 2) {
        return apiResourceList("", s[1]);
      }
      return Optional.empty();
    }
    if (s[0].equals("apis")) {
      if (s.length == 1) {
        return Optional.of(apiGroupList());
      }
      if (s.length == 2) {
        return apiGroup(s[1]);
      }
      if (s.length == 3) {
        return apiResourceList(s[1], s[2]);
      }
    }
    return Optional.empty();
  }
}
