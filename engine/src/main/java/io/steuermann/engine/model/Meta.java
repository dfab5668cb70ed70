package io.steuermann.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes the {@code metadata} of objects held as JSON trees. Objects are kept as
 * JSON so that every field a client sends is stored and returned faithfully, including the
 * ones no controller acts on yet; these helpers are the typed view of the fields we act on.
 */
public final class Meta {
  private Meta() {}

  public static ObjectNode metadata(ObjectNode object) {
    JsonNode m = object.get("metadata");
    if (m instanceof ObjectNode o) {
      return o;
    }
    return object.putObject("metadata");
  }

  public static String text(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v == null || v.isNull() ? "" : v.asText();
  }

  public static String name(JsonNode object) {
    return text(object.path("metadata"), "name");
  }

  public static String namespace(JsonNode object) {
    return text(object.path("metadata"), "namespace");
  }

  public static String uid(JsonNode object) {
    return text(object.path("metadata"), "uid");
  }

  public static String resourceVersion(JsonNode object) {
    return text(object.path("metadata"), "resourceVersion");
  }

  public static long generation(JsonNode object) {
    return object.path("metadata").path("generation").asLong(0);
  }

  public static Map<String, String> labels(JsonNode object) {
    return stringMap(object.path("metadata").path("labels"));
  }

  public static Map<String, String> stringMap(JsonNode node) {
    Map<String, String> out = new LinkedHashMap<>();
    if (node != null && node.isObject()) {
      node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    }
    return out;
  }

  /** A copy of {@code object} carrying {@code resourceVersion}; the input is left untouched. */
  public static ObjectNode withResourceVersion(ObjectNode object, long resourceVersion) {
    ObjectNode copy = object.deepCopy();
    metadata(copy).put("resourceVersion", Long.toString(resourceVersion));
    return copy;
  }

  /** Parses a resourceVersion given by a client; empty or absent is 0, junk is -1. */
  public static long parseResourceVersion(String text) {
    if (text == null || text.isEmpty()) {
      return 0;
    }
    try {
      long v = Long.parseLong(text);
      return v < 0 ? -1 : v;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
