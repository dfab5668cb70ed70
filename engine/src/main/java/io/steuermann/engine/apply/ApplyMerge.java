package io.steuermann.engine.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * Merges an applied configuration into the live object: maps merge field by field, lists
 * merged by key merge element by element (new elements appended, live order kept), set lists
 * gain the applied values, and every other value, atomic lists included, is replaced.
 * Inputs are never mutated.
 */
final class ApplyMerge {

  private ApplyMerge() {
  }

  static ObjectNode merge(ObjectNode live, ObjectNode config) {
    return (ObjectNode) merge(null, live, config);
  }

  private static JsonNode merge(String field, JsonNode live, JsonNode config) {
    if (config.isObject() && live != null && live.isObject() && !Shapes.isAtomicMap(field)) {
      ObjectNode result = ((ObjectNode) live).deepCopy();
      for (Map.Entry<String, JsonNode> e : config.properties()) {
        if (e.getValue().isNull()) {
          result.remove(e.getKey());
        } else {
          result.set(e.getKey(), merge(e.getKey(), live.get(e.getKey()), e.getValue()));
        }
      }
      return result;
    }
    if (config.isArray() && live != null && live.isArray()) {
      List<String> keys = Shapes.mergeKeys(field, config);
      if (keys != null && Shapes.mergeKeys(field, live) != null) {
        return mergeByKey((ArrayNode) live, (ArrayNode) config, keys);
      }
      if (Shapes.isSetList(field, config) && Shapes.isSetList(field, live)) {
        return union((ArrayNode) live, (ArrayNode) config);
      }
    }
    return config.deepCopy();
  }

  private static ArrayNode mergeByKey(ArrayNode live, ArrayNode config, List<String> keys) {
    ArrayNode result = live.deepCopy();
    for (JsonNode element : config) {
      int index = Shapes.indexOfKey(result, Shapes.keyFields(element, keys));
      if (index >= 0) {
        result.set(index, merge(null, result.get(index), element));
      } else {
        result.add(element.deepCopy());
      }
    }
    return result;
  }

  private static ArrayNode union(ArrayNode live, ArrayNode config) {
    ArrayNode result = live.deepCopy();
    for (JsonNode value : config) {
      boolean present = false;
      for (JsonNode v : result) {
        present |= v.equals(value);
      }
      if (!present) {
        result.add(value.deepCopy());
      }
    }
    return result;
  }
}
