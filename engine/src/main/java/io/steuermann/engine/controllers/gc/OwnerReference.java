package io.steuermann.engine.controllers.gc;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One entry of {@code metadata.ownerReferences}: the owner's apiVersion, kind, name and uid.
 * Owners live in the dependent's namespace (or are cluster-scoped).
 */
public record OwnerReference(String apiVersion, String kind, String name, String uid) {

  /** The owner references of an object, in order; entries without a uid are skipped. */
  public static List<OwnerReference> of(JsonNode object) {
    List<OwnerReference> out = new ArrayList<>();
    for (JsonNode ref : object.path("metadata").path("ownerReferences")) {
      String uid = Meta.text(ref, "uid");
      if (!uid.isEmpty()) {
        out.add(new OwnerReference(Meta.text(ref, "apiVersion"), Meta.text(ref, "kind"),
            Meta.text(ref, "name"), uid));
      }
    }
    return List.copyOf(out);
  }

  /**
   * The key of the owner as seen from a dependent with key {@code dependent}; empty when the
   * kind is not one this store knows (such owners are never judged absent), or when the
   * reference is impossible (a namespaced owner of a cluster-scoped object).
   */
  public Optional<ObjectKey> ownerKey(ObjectKey dependent) {
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    Optional<Kind> resolved = Kind.byKindName(kind).filter(k -> k.group().equals(group));
    if (resolved.isEmpty() || name.isEmpty()) {
      return Optional.empty();
    }
    Kind k = resolved.get();
    if (k.namespaced() && !dependent.kind().namespaced()) {
      return Optional.empty();
    }
    return Optional.of(ObjectKey.of(k, k.namespaced() ? dependent.namespace() : "", name));
  }
}
