package io.steuermann.engine.model;

import java.util.Objects;

/**
 * Names one object: its kind, namespace (empty for cluster-scoped kinds) and name. The
 * sharding entity id and the persistence id are derived from it, so the same object always
 * lands on the same entity and journal stream.
 */
public record ObjectKey(Kind kind, String namespace, String name) implements Comparable<ObjectKey> {

  public ObjectKey {
    Objects.requireNonNull(kind, "kind");
    namespace = kind.namespaced() ? Objects.requireNonNull(namespace, "namespace") : "";
    Objects.requireNonNull(name, "name");
  }

  public static ObjectKey of(Kind kind, String namespace, String name) {
    return new ObjectKey(kind, namespace == null ? "" : namespace, name);
  }

  /** The sharding entity id: {@code namespace/name}, or {@code name} for cluster-scoped kinds. */
  public String entityId() {
    return namespace.isEmpty() ? name : namespace + "/" + name;
  }

  /** The inverse of {@link #entityId()}. */
  public static ObjectKey fromEntityId(Kind kind, String entityId) {
    int slash = entityId.indexOf('/');
    return slash < 0
        ? new ObjectKey(kind, "", entityId)
        : new ObjectKey(kind, entityId.substring(0, slash), entityId.substring(slash + 1));
  }

  /** The journal's persistence id: {@code Kind|entityId}, e.g. {@code Pod|default/web-1}. */
  public String persistenceId() {
    return kind.kindName() + PERSISTENCE_ID_SEPARATOR + entityId();
  }

  public static final String PERSISTENCE_ID_SEPARATOR = "|";

  /** The inverse of {@link #persistenceId()}; empty for ids that are not object streams. */
  public static java.util.Optional<ObjectKey> fromPersistenceId(String persistenceId) {
    int bar = persistenceId.indexOf('|');
    if (bar < 0) {
      return java.util.Optional.empty();
    }
    return Kind.byKindName(persistenceId.substring(0, bar))
        .map(kind -> fromEntityId(kind, persistenceId.substring(bar + 1)));
  }

  @Override
  public int compareTo(ObjectKey o) {
    int c = kind.compareTo(o.kind);
    if (c != 0) return c;
    c = namespace.compareTo(o.namespace);
    return c != 0 ? c : name.compareTo(o.name);
  }

  @Override
  public String toString() {
    return kind.kindName() + " " + entityId();
  }
}
