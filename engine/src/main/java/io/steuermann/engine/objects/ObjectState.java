package io.steuermann.engine.objects;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.persistence.CborSerializable;

/**
 * The fold of an object's events: the object as stored (without resourceVersion), or none
 * when it does not exist (never created, or deleted).
 */
public record ObjectState(ObjectNode object) implements CborSerializable {
  public static final ObjectState ABSENT = new ObjectState(null);

  public boolean exists() {
    return object != null;
  }

  public ObjectState apply(ObjectEvent event) {
    // Java 17 has no pattern switch; the sealed interface keeps this list complete.
    return event instanceof ObjectEvent.Deleted ? ABSENT : new ObjectState(event.object());
  }
}
