package io.steuermann.engine.watch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.selector.FieldSelector;
import io.steuermann.engine.selector.LabelSelector;

/**
 * Which objects a list or watch sees: one kind or all ({@code kind} null), one namespace or
 * all (empty), and the label and field selectors.
 */
public record WatchFilter(Kind kind, String namespace, LabelSelector labels, FieldSelector fields) {

  public static WatchFilter everything() {
    return new WatchFilter(null, "", LabelSelector.parse(""), FieldSelector.parse(""));
  }

  public static WatchFilter of(Kind kind, String namespace) {
    return new WatchFilter(kind, namespace == null ? "" : namespace, LabelSelector.parse(""), FieldSelector.parse(""));
  }

  public boolean inScope(ObjectKey key) {
    return (kind == null || kind == key.kind())
        && (namespace.isEmpty() || namespace.equals(key.namespace()));
  }

  public boolean matches(ObjectKey key, ObjectNode object) {
    return object != null && inScope(key)
        && labels.matches(Meta.labels(object))
        && fields.matches(object);
  }
}
