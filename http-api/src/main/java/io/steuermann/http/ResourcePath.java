package io.steuermann.http;

import io.steuermann.engine.model.Kind;
import java.util.List;
import java.util.Optional;

/**
 * A request path of the resource API, parsed: which kind, which namespace ({@code ""} for
 * all namespaces or a cluster-scoped kind), which object ({@code null} for the collection)
 * and which subresource ({@code null} for the object itself).
 */
public record ResourcePath(Kind kind, String namespace, String name, String subresource, boolean watchPrefix) {

  public boolean isCollection() {
    return name == null;
  }

  /**
   * Parses {@code /api/v1/...} and {@code /apis/{group}/{version}/...}, including the old
   * {@code /watch/} prefix. Empty when the path names no resource we serve.
   */
  public static Optional<ResourcePath> parse(List<String> segments) {
    String group;
    int i;
    if (segments.size() >= 3 && segments.get(0).equals("api") && segments.get(1).equals("v1")) {
      group = "";
      i = 2;
    } else if (segments.size() >= 4 && segments.get(0).equals("apis")) {
      group = segments.get(1);
      i = 3;
    } else {
      return Optional.empty();
    }
    String version = version(segments);
    boolean watch = false;
    if (segments.get(i).equals("watch")) {
      watch = true;
      i++;
    }
    List<String> rest = segments.subList(i, segments.size());
    String namespace = "";
    if (rest.size() >= 3 && rest.get(0).equals("namespaces") && !isNamespaceSubresource(rest)) {
      namespace = rest.get(1);
      rest = rest.subList(2, rest.size());
    }
    if (rest.isEmpty() || rest.size() > 3) {
      return Optional.empty();
    }
    Optional<Kind> kind = Kind.byPlural(group, rest.get(0)).filter(k -> k.servedVersions().contains(version));
    if (kind.isEmpty()) {
      return Optional.empty();
    }
    if (!kind.get().namespaced() && !namespace.isEmpty()) {
      return Optional.empty();
    }
    String name = rest.size() >= 2 ? rest.get(1) : null;
    String sub = rest.size() == 3 ? rest.get(2) : null;
    if (name != null && name.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new ResourcePath(kind.get(), namespace, name, sub, watch));
  }

  /**
   * The version a resource path names ({@code v1} of {@code /apis/autoscaling/v1/...}); not the
   * stored one for a kind also served at an older version ({@link Kind#servedVersions}).
   */
  public static String version(List<String> segments) {
    return segments.get(0).equals("api") ? segments.get(1) : segments.get(2);
  }

  /** {@code namespaces/x/status} and {@code namespaces/x/finalize} are the Namespace's own. */
  private static boolean isNamespaceSubresource(List<String> rest) {
    return rest.size() == 3 && (rest.get(2).equals("status") || rest.get(2).equals("finalize"));
  }
}
