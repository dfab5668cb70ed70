package io.steuermann.http.discovery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.http.metrics.MetricsDocuments;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
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
 * <p>{@code /openapi/v3} is needed: with the default {@code --validate=strict}, {@code kubectl create -f}
 * fails when both {@code /openapi/v3} and {@code /openapi/v2} are 404. With the minimal documents
 * built here, kubectl finds the {@code fieldValidation} parameter on each kind's PATCH operation,
 * skips client-side schema validation and sends {@code ?fieldValidation=Strict} to the server instead.
 */
public final class Discovery {

  /** {@code gitVersion} reported by {@code /version}. */
  public static final String GIT_VERSION = "v1.32.0-steuermann";
  public static final String MAJOR = "1";
  public static final String MINOR = "32";

  /** The content type of every document built here. */
  public static final String CONTENT_TYPE = "application/json";

  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final ObjectMapper MAPPER = new ObjectMapper();

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
        vs.add(k.version());
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
      // Served by later issues; listed now so discovery does not change under cached clients.
      out.add(subresource(k, "binding", null, null, "Binding", List.of("create")));
      out.add(subresource(k, "log", null, null, "Pod", List.of("get")));
      out.add(subresource(k, "exec", null, null, "PodExecOptions", List.of("create", "get")));
      out.add(subresource(k, "attach", null, null, "PodAttachOptions", List.of("create", "get")));
    }
    return out;
  }

  /** Kubernetes puts these in category "all" ({@code kubectl get all}). */
  static List<String> categories(Kind k) {
    return switch (k) {
      case POD, SERVICE, REPLICA_SET, DEPLOYMENT -> List.of("all");
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

  // ---------------------------------------------------------------- /openapi/v3

  /**
   * {@code GET /openapi/v3}: the OpenAPI v3 root, pointing at one document per group version,
   * {@code {"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=..."},...}}}.
   */
  public static ObjectNode openApiV3Root() {
    ObjectNode doc = F.objectNode();
    ObjectNode paths = doc.putObject("paths");
    for (String[] gv : groupVersions()) {
      String key = openApiV3Key(gv[0], gv[1]);
      ObjectNode entry = paths.putObject(key);
      entry.put("serverRelativeURL", "/openapi/v3/" + key + "?hash=" + openApiV3Hash(gv[0], gv[1]));
    }
    return doc;
  }

  /**
   * {@code GET /openapi/v3/api/v1} or {@code GET /openapi/v3/apis/{group}/{version}} (any
   * {@code ?hash=} is ignored): a minimal OpenAPI 3 document with, per kind, the PATCH operation on
   * the item path carrying {@code x-kubernetes-group-version-kind} and the {@code fieldValidation}
   * query parameter. That is exactly what kubectl's field-validation verifier looks for. It has no
   * schemas, so {@code kubectl explain} will not work from it.
   */
  public static Optional<ObjectNode> openApiV3GroupVersion(String group, String version) {
    List<Kind> kinds = Kind.inGroupVersion(group, version);
    if (kinds.isEmpty()) {
      return Optional.empty();
    }
    ObjectNode doc = F.objectNode();
    doc.put("openapi", "3.0.0");
    ObjectNode info = doc.putObject("info");
    info.put("title", "Kubernetes");
    info.put("version", GIT_VERSION);
    ObjectNode paths = doc.putObject("paths");
    for (Kind k : kinds) {
      String prefix = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
      String path = prefix + (k.namespaced() ? "/namespaces/{namespace}/" : "/") + k.plural() + "/{name}";
      ObjectNode patch = paths.putObject(path).putObject("patch");
      patch.put("operationId", "patch" + (group.isEmpty() ? "Core" : capitalize(group))
          + capitalize(version) + (k.namespaced() ? "Namespaced" : "") + k.kindName());
      ArrayNode params = patch.putArray("parameters");
      for (String p : List.of("dryRun", "fieldManager", "fieldValidation", "force")) {
        ObjectNode param = params.addObject();
        param.put("name", p);
        param.put("in", "query");
        param.putObject("schema").put("type", p.equals("force") ? "boolean" : "string");
      }
      patch.put("x-kubernetes-action", "patch");
      ObjectNode gvk = patch.putObject("x-kubernetes-group-version-kind");
      gvk.put("group", group);
      gvk.put("version", version);
      gvk.put("kind", k.kindName());
    }
    return Optional.of(doc);
  }

  /** The stable hash clients see in {@code serverRelativeURL} (SHA-512 of the document, upper hex). */
  public static String openApiV3Hash(String group, String version) {
    JsonNode doc = openApiV3GroupVersion(group, version).orElseThrow();
    try {
      byte[] bytes = MAPPER.writeValueAsString(doc).getBytes(StandardCharsets.UTF_8);
      return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-512").digest(bytes));
    } catch (JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String openApiV3Key(String group, String version) {
    return group.isEmpty() ? "api/" + version : "apis/" + group + "/" + version;
  }

  private static List<String[]> groupVersions() {
    Set<String> seen = new LinkedHashSet<>();
    List<String[]> out = new ArrayList<>();
    for (Kind k : Kind.values()) {
      if (seen.add(k.group() + "/" + k.version())) {
        out.add(new String[] {k.group(), k.version()});
      }
    }
    return out;
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  // ---------------------------------------------------------------- routing helper

  /**
   * The discovery document for a request path (without query string), or empty when the path is
   * not a discovery path (or names a group/version that is not served, which should be a 404).
   * Handles {@code /version}, {@code /api}, {@code /api/v1}, {@code /apis}, {@code /apis/G},
   * {@code /apis/G/V}, {@code /openapi/v3}, {@code /openapi/v3/api/v1}, {@code /openapi/v3/apis/G/V}.
   * {@code /openapi/v2} is deliberately not served (404): kubectl only falls back to it when v3 is
   * missing.
   */
  public static Optional<ObjectNode> forPath(String path, String serverAddress) {
    String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    String[] s = p.startsWith("/") ? p.substring(1).split("/", -1) : p.split("/", -1);
    boolean openapi = s.length >= 2 && s[0].equals("openapi") && s[1].equals("v3");
    if (openapi) {
      if (s.length == 2) {
        return Optional.of(openApiV3Root());
      }
      if (s.length == 4 && s[2].equals("api")) {
        return openApiV3GroupVersion("", s[3]);
      }
      if (s.length == 5 && s[2].equals("apis")) {
        return openApiV3GroupVersion(s[3], s[4]);
      }
      return Optional.empty();
    }
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
