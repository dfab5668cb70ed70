package io.steuermann.engine.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Finds and removes the node a {@link FieldPath} names in an object. */
final class ObjectPaths {

  private ObjectPaths() {
  }

  /** The node at {@code path}, or null when the object has none there. */
  static JsonNode resolve(JsonNode object, FieldPath path) {
    JsonNode node = object;
    for (String element : path.elements()) {
      node = step(node, element);
      if (node == null) {
        return null;
      }
    }
    return node;
  }

  private static JsonNode step(JsonNode node, String element) {
    if (element.startsWith("f:")) {
      JsonNode child = node.isObject() ? node.get(element.substring(2)) : null;
      return child == null || child.isNull() ? null : child;
    }
    if (!node.isArray()) {
      return null;
    }
    int index = indexIn((ArrayNode) node, element);
    return index < 0 ? null : node.get(index);
  }

  private static int indexIn(ArrayNode list, String element) {
    JsonNode decoded = FieldPath.decode(element);
    if (element.startsWith("k:")) {
      return Shapes.indexOfKey(list, decoded);
    }
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).equals(decoded)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Removes the fields of {@code remove} from the object, except where {@code keep} owns
   * something below them; a map or list left empty by a removal goes too unless kept.
   */
  static void removeAll(ObjectNode object, FieldSet remove, FieldSet keep) {
    // a whole element or map goes at once: removing its key field first would lose the element
    List<FieldPath> shallowestFirst = new ArrayList<>(remove.paths());
    shallowestFirst.sort(Comparator.comparingInt((FieldPath p) -> p.elements().size()));
    for (FieldPath path : shallowestFirst) {
      if (keep.contains(path) || keep.hasBelow(path)) {
        continue;
      }
      if (removeOne(object, path)) {
        FieldPath parent = path.parent();
        while (!parent.isRoot() && !keep.contains(parent)) {
          JsonNode container = resolve(object, parent);
          if (container == null || !container.isContainerNode() || !container.isEmpty()) {
            break;
          }
          removeOne(object, parent);
          parent = parent.parent();
        }
      }
    }
  }

  private static boolean removeOne(ObjectNode object, FieldPath path) {
    JsonNode parent = resolve(object, path.parent());
    String last = path.last();
    if (parent == null) {
      return false;
    }
    if (last.startsWith("f:")) {
      return parent.isObject() && ((ObjectNode) parent).remove(last.substring(2)) != null;
    }
    if (!parent.isArray()) {
      return false;
    }
    int index = indexIn((ArrayNode) parent, last);
    if (index < 0) {
      return false;
    }
    ((ArrayNode) parent).remove(index);
    return true;
  }
}
