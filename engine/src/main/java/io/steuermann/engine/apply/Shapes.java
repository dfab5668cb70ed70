package io.steuermann.engine.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.patch.MergeKeys;
import java.util.List;
import java.util.Set;

/**
 * What Kubernetes' OpenAPI schema would say about the shape of a field, guessed by its name:
 * there is no schema here. Lists merged by key come from {@link MergeKeys}, shared with
 * strategic merge patch; any other list is atomic. Unknown maps are structs.
 */
final class Shapes {

  /**
   * Maps whose keys are data rather than a schema's fields (labels, a ConfigMap's data, a
   * resource list): the map is itself a field, and so is each of its keys.
   */
  private static final Set<String> FREE_MAPS = Set.of("labels", "annotations", "nodeSelector",
      "data", "binaryData", "stringData", "matchLabels", "limits", "requests", "capacity", "allocatable");

  /** Maps Kubernetes marks atomic (a Service's selector, a workload's LabelSelector): one field. */
  private static final Set<String> ATOMIC_MAPS = Set.of("selector");

  /** Lists of distinct scalars (Kubernetes' {@code listType=set}): each value is a field. */
  private static final Set<String> SET_LISTS = Set.of("finalizers");

  private Shapes() {
  }

  static boolean isFreeMap(String field) {
    return field != null && FREE_MAPS.contains(field);
  }

  static boolean isAtomicMap(String field) {
    return field != null && ATOMIC_MAPS.contains(field);
  }

  /** A set list: its field name says so and it holds only scalars. */
  static boolean isSetList(String field, JsonNode list) {
    if (field == null || !SET_LISTS.contains(field) || !list.isArray()) {
      return false;
    }
    for (JsonNode e : list) {
      if (!e.isValueNode()) {
        return false;
      }
    }
    return true;
  }

  /** The merge key candidates when the list is merged by key: every element is an object with a key. */
  static List<String> mergeKeys(String field, JsonNode list) {
    if (field == null || !list.isArray()) {
      return null;
    }
    List<String> keys = MergeKeys.forField(field).orElse(null);
    if (keys == null) {
      return null;
    }
    for (JsonNode e : list) {
      if (!e.isObject() || MergeKeys.keyOf(e, keys) == null) {
        return null;
      }
    }
    return keys;
  }

  /** The key fields of an element of a keyed list. */
  static ObjectNode keyFields(JsonNode element, List<String> keys) {
    String key = MergeKeys.keyOf(element, keys);
    ObjectNode fields = Json.object();
    fields.set(key, element.get(key));
    return fields;
  }

  /** Whether an element matches a {@code k:} path element's key fields. */
  static boolean matchesKey(JsonNode element, JsonNode keyFields) {
    if (!element.isObject()) {
      return false;
    }
    for (var e : keyFields.properties()) {
      if (!e.getValue().equals(element.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  static int indexOfKey(ArrayNode list, JsonNode keyFields) {
    for (int i = 0; i < list.size(); i++) {
      if (matchesKey(list.get(i), keyFields)) {
        return i;
      }
    }
    return -1;
  }
}
