package io.steuermann.engine.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fields an object sets, each with its value: what an applier owns when it applies the
 * object, and what two versions of an object are compared by to learn which fields a write
 * changed.
 */
final class ObjectFields {

  /**
   * The value of a field that is owned but holds other fields (a free map, a list element):
   * it "changes" only by appearing or disappearing, never when a field below it changes.
   */
  static final JsonNode COMPOUND = MissingNode.getInstance();

  /** Set by the server, or the object's identity: nobody owns them. */
  private static final Set<String> SYSTEM_METADATA = Set.of("name", "namespace", "uid", "resourceVersion",
      "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink",
      "managedFields");

  private ObjectFields() {
  }

  /** Every field of the object, in document order, with its value or {@link #COMPOUND}. */
  static Map<FieldPath, JsonNode> of(JsonNode object) {
    Map<FieldPath, JsonNode> fields = new LinkedHashMap<>();
    if (object == null || !object.isObject()) {
      return fields;
    }
    for (Map.Entry<String, JsonNode> e : object.properties()) {
      String name = e.getKey();
      if (name.equals("apiVersion") || name.equals("kind")) {
        continue;
      }
      if (name.equals("metadata") && e.getValue().isObject()) {
        for (Map.Entry<String, JsonNode> m : e.getValue().properties()) {
          if (!SYSTEM_METADATA.contains(m.getKey())) {
            walk(m.getKey(), m.getValue(), FieldPath.ROOT.field("metadata").field(m.getKey()), fields);
          }
        }
        continue;
      }
      walk(name, e.getValue(), FieldPath.ROOT.field(name), fields);
    }
    return fields;
  }

  static FieldSet paths(JsonNode object) {
    return FieldSet.of(of(object).keySet());
  }

  private static void walk(String name, JsonNode value, FieldPath path, Map<FieldPath, JsonNode> into) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      // an explicit null sets nothing
      return;
    }
    if (value.isObject()) {
      if (value.isEmpty() || Shapes.isAtomicMap(name)) {
        into.put(path, value);
        return;
      }
      if (Shapes.isFreeMap(name)) {
        into.put(path, COMPOUND);
      }
      for (Map.Entry<String, JsonNode> e : value.properties()) {
        walk(e.getKey(), e.getValue(), path.field(e.getKey()), into);
      }
      return;
    }
    if (value.isArray()) {
      List<String> keys = Shapes.mergeKeys(name, value);
      if (keys != null && !value.isEmpty()) {
        for (JsonNode element : value) {
          FieldPath item = path.key(Shapes.keyFields(element, keys));
          into.put(item, COMPOUND);
          for (Map.Entry<String, JsonNode> e : element.properties()) {
            walk(e.getKey(), e.getValue(), item.field(e.getKey()), into);
          }
        }
        return;
      }
      if (Shapes.isSetList(name, value) && !value.isEmpty()) {
        for (JsonNode element : value) {
          into.put(path.value(element), element);
        }
        return;
      }
      into.put(path, (ArrayNode) value);
      return;
    }
    into.put(path, value);
  }
}
