package io.steuermann.http.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Cuts an upstream Kubernetes OpenAPI v3 document for one group version down to what we
 * serve: the paths of our resources and subresources, and the component schemas reachable
 * from those paths by following {@code $ref} transitively.
 *
 * <p>Why filter at all: a client that reads the document (kubectl's field-validation check,
 * code generators, {@code kubectl explain}) must not be told of endpoints that answer 404,
 * such as {@code configmaps} or {@code pods/eviction}. Why filter here and not in a checked-in
 * copy: the upstream files stay byte for byte as published (their sha256 is in the README next
 * to them), updating Kubernetes is replacing two files, and a kind added to {@code Kind}
 * appears in OpenAPI without regenerating anything. The cost is one parse of about 3 MB of
 * JSON (under a second on a cold JVM) the first time OpenAPI is asked for, and about 220 kB of compressed resources in the jar.
 */
final class OpenApiFilter {
  private static final String SCHEMA_REF = "#/components/schemas/";

  private OpenApiFilter() {}

  /**
   * The filtered document. {@code prefix} is {@code /api/v1} or {@code /apis/G/V}; {@code served}
   * holds resource names as discovery lists them ({@code pods}, {@code pods/status}, ...).
   * Kept paths and schemas keep upstream's order; {@code upstream} is not changed.
   */
  static ObjectNode filter(ObjectNode upstream, String prefix, Set<String> served) {
    ObjectNode out = upstream.objectNode();
    out.set("openapi", upstream.get("openapi"));
    out.set("info", upstream.get("info"));
    ObjectNode paths = out.putObject("paths");
    for (Map.Entry<String, JsonNode> e : upstream.path("paths").properties()) {
      if (resourceOf(e.getKey(), prefix).filter(served::contains).isPresent()) {
        paths.set(e.getKey(), e.getValue());
      }
    }
    ObjectNode allSchemas = (ObjectNode) upstream.path("components").path("schemas");
    Set<String> reachable = reachableSchemas(paths, allSchemas);
    ObjectNode components = out.putObject("components");
    ObjectNode schemas = components.putObject("schemas");
    for (Map.Entry<String, JsonNode> e : allSchemas.properties()) {
      if (reachable.contains(e.getKey())) {
        schemas.set(e.getKey(), e.getValue());
      }
    }
    JsonNode security = upstream.path("components").get("securitySchemes");
    if (security != null) {
      components.set("securitySchemes", security);
    }
    return out;
  }

  /**
   * The resource a path is about, as discovery names it: {@code pods} for
   * {@code /api/v1/namespaces/{namespace}/pods/{name}} and {@code /api/v1/watch/pods},
   * {@code pods/log} for {@code .../pods/{name}/log}, {@code namespaces/status} for
   * {@code /api/v1/namespaces/{name}/status}. Empty for a path outside {@code prefix} or of
   * another shape (e.g. {@code .../proxy/{path}}).
   */
  static Optional<String> resourceOf(String path, String prefix) {
    if (!path.startsWith(prefix + "/")) {
      return Optional.empty();
    }
    List<String> s = Arrays.asList(path.substring(prefix.length() + 1).split("/", -1));
    if (!s.isEmpty() && s.get(0).equals("watch")) {
      s = s.subList(1, s.size());
    }
    // {namespace} (not {name}) marks the scope of a namespaced resource
    if (s.size() >= 3 && s.get(0).equals("namespaces") && s.get(1).equals("{namespace}")) {
      s = s.subList(2, s.size());
    }
    if (s.isEmpty() || s.get(0).isEmpty() || s.size() > 3 || (s.size() >= 2 && !s.get(1).equals("{name}"))) {
      return Optional.empty();
    }
    return Optional.of(s.size() == 3 ? s.get(0) + "/" + s.get(2) : s.get(0));
  }

  /** Names of the schemas {@code roots} refer to, directly or through other schemas. */
  static Set<String> reachableSchemas(JsonNode roots, ObjectNode schemas) {
    Set<String> seen = new LinkedHashSet<>();
    Deque<JsonNode> todo = new ArrayDeque<>();
    todo.push(roots);
    while (!todo.isEmpty()) {
      JsonNode node = todo.pop();
      if (node.isObject()) {
        JsonNode ref = node.get("$ref");
        if (ref != null && ref.isTextual() && ref.asText().startsWith(SCHEMA_REF)) {
          String name = ref.asText().substring(SCHEMA_REF.length());
          JsonNode target = schemas.get(name);
          if (seen.add(name) && target != null) {
            todo.push(target);
          }
        }
      }
      if (node.isContainerNode()) {
        node.elements().forEachRemaining(todo::push);
      }
    }
    return seen;
  }
}
