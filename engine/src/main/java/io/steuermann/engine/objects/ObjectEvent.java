package io.steuermann.engine.objects;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.persistence.CborSerializable;

/**
 * What the journal records about an object. Each event carries the whole object as it is
 * after the change, without resourceVersion (that is the event's own position in the
 * journal, unknown until it is written). Whole objects make the change feed directly
 * usable as Kubernetes watch events, and replay trivially cheap.
 */
public sealed interface ObjectEvent extends CborSerializable {
  ObjectNode object();

  record Created(ObjectNode object) implements ObjectEvent {}

  record Updated(ObjectNode object) implements ObjectEvent {}

  record Deleted(ObjectNode object) implements ObjectEvent {}
}
