package io.steuermann.engine.apply;

import com.fasterxml.jackson.databind.JsonNode;

/** Who a write records as the owner of the fields it changes. */
public sealed interface Ownership {

  /**
   * The write names no manager: the server's own controllers, which write through the Java
   * API. Their writes are left out of managedFields: they run on every status change of every
   * pod and set, and each event carries the whole object, so recording them would grow every
   * journal event for entries nobody applies against. Fields they remove still lose their owners.
   */
  record Untracked() implements Ownership {}

  /** A create, update or non-apply patch by {@code manager}; subresource "" for the object. */
  record Update(String manager, String subresource) implements Ownership {}

  /** An apply whose managedFields {@link FieldManager#apply} has already worked out. */
  record Applied(JsonNode managedFields) implements Ownership {}

  Ownership UNTRACKED = new Untracked();

  /** An update by {@code manager}, or {@link #UNTRACKED} when there is none. */
  static Ownership update(String manager, String subresource) {
    return manager == null || manager.isEmpty() ? UNTRACKED : new Update(manager, subresource);
  }
}
