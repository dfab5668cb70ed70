package io.steuermann.http.table;

import java.util.Optional;

/**
 * The {@code includeObject} query parameter of a Table request: what goes into each row's
 * {@code object}. kubectl 1.32 never sends the parameter for {@code get} or {@code get -w}, so the
 * server default, {@link #METADATA}, is what it gets; it reads {@code metadata.namespace} from the
 * row object for the NAMESPACE column of {@code -A}.
 */
public enum IncludeObject {
  /** No {@code object} in rows. */
  NONE("None"),
  /** {@code object} is a {@code PartialObjectMetadata} with the object's full metadata (the default). */
  METADATA("Metadata"),
  /** {@code object} is the whole object. */
  OBJECT("Object");

  private final String wire;

  IncludeObject(String wire) {
    this.wire = wire;
  }

  /** The query-parameter spelling: None, Metadata or Object. */
  public String wire() {
    return wire;
  }

  /**
   * The policy for a query-parameter value; {@link #METADATA} when absent or empty, empty when the
   * value is not one of None/Metadata/Object (kube-apiserver answers that with 400 BadRequest).
   */
  public static Optional<IncludeObject> fromQuery(String value) {
    if (value == null || value.isEmpty()) {
      return Optional.of(METADATA);
    }
    for (IncludeObject i : values()) {
      if (i.wire.equals(value)) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }
}
