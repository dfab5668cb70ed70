package io.steuermann.engine.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The path of one field in an object, as managedFields' {@code FieldsV1} spells its elements:
 * {@code f:name} for a field or map key, {@code k:{"name":"nginx"}} for the element of a list
 * merged by key, {@code v:"value"} for the element of a list of distinct values. The elements
 * are kept in that encoded form, so a path read from managedFields compares equal to the same
 * path computed from an object.
 */
public record FieldPath(List<String> elements) implements Comparable<FieldPath> {

  public static final FieldPath ROOT = new FieldPath(List.of());

  public FieldPath {
    elements = List.copyOf(elements);
  }

  public static FieldPath of(String... elements) {
    return new FieldPath(List.of(elements));
  }

  public FieldPath field(String name) {
    return child("f:" + name);
  }

  /** A keyed list element; the key fields are written with sorted names, as Kubernetes does. */
  public FieldPath key(ObjectNode keyFields) {
    ObjectNode sorted = Json.object();
    new TreeMap<String, JsonNode>(toMap(keyFields)).forEach(sorted::set);
    return child("k:" + Json.string(sorted));
  }

  public FieldPath value(JsonNode value) {
    return child("v:" + Json.string(value));
  }

  public FieldPath child(String element) {
    List<String> longer = new ArrayList<>(elements);
    longer.add(element);
    return new FieldPath(longer);
  }

  public boolean isRoot() {
    return elements.isEmpty();
  }

  public FieldPath parent() {
    return new FieldPath(elements.subList(0, elements.size() - 1));
  }

  public String last() {
    return elements.get(elements.size() - 1);
  }

  /** Whether {@code other} lies strictly below this path. */
  public boolean isStrictPrefixOf(FieldPath other) {
    return other.elements.size() > elements.size()
        && other.elements.subList(0, elements.size()).equals(elements);
  }

  /** The JSON of a {@code k:} or {@code v:} element. */
  static JsonNode decode(String element) {
    try {
      return Json.parse(element.substring(2));
    } catch (IOException e) {
      throw new UncheckedIOException("not a field path element: " + element, e);
    }
  }

  /** As structured-merge-diff prints a path in conflict messages: {@code .spec.containers[name="a"].image}. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    for (String e : elements) {
      if (e.startsWith("f:")) {
        s.append('.').append(e.substring(2));
      } else if (e.startsWith("k:")) {
        List<String> parts = new ArrayList<>();
        decode(e).properties().forEach(p -> parts.add(p.getKey() + "=" + Json.string(p.getValue())));
        s.append('[').append(String.join(",", parts)).append(']');
      } else if (e.startsWith("v:")) {
        s.append("[=").append(e.substring(2)).append(']');
      } else {
        s.append(e);
      }
    }
    return s.toString();
  }

  @Override
  public int compareTo(FieldPath other) {
    for (int i = 0; i < Math.min(elements.size(), other.elements.size()); i++) {
      int c = elements.get(i).compareTo(other.elements.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(elements.size(), other.elements.size());
  }

  private static Map<String, JsonNode> toMap(ObjectNode node) {
    Map<String, JsonNode> map = new TreeMap<>();
    node.properties().forEach(e -> map.put(e.getKey(), e.getValue()));
    return map;
  }
}
