package io.steuermann.engine.watch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.ObjectKey;

/**
 * One change as a Kubernetes watch event. {@code object} carries its resourceVersion, which
 * equals {@code resourceVersion}: the journal ordering of the change. A {@code BOOKMARK} (only
 * for watches that ask for them) has no key and no object: it says that every change up to
 * {@code resourceVersion} has been sent.
 */
public record WatchEvent(Type type, ObjectKey key, long resourceVersion, ObjectNode object) {
  public enum Type { ADDED, MODIFIED, DELETED, BOOKMARK }
}
