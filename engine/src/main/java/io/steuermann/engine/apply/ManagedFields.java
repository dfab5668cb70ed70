package io.steuermann.engine.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Meta;
import java.util.ArrayList;
import java.util.List;

/** Reads and writes an object's {@code metadata.managedFields}. */
final class ManagedFields {

  private ManagedFields() {
  }

  static List<ManagedFieldsEntry> read(JsonNode object) {
    List<ManagedFieldsEntry> entries = new ArrayList<>();
    if (object == null) {
      return entries;
    }
    JsonNode list = object.path("metadata").path("managedFields");
    for (JsonNode entry : list) {
      if (entry.isObject() && !entry.path("manager").asText("").isEmpty()) {
        entries.add(ManagedFieldsEntry.fromJson(entry));
      }
    }
    return entries;
  }

  /** Sets the entries on the object; none removes the field. */
  static void write(ObjectNode object, List<ManagedFieldsEntry> entries) {
    ObjectNode meta = Meta.metadata(object);
    if (entries.isEmpty()) {
      meta.remove("managedFields");
      return;
    }
    ArrayNode list = meta.putArray("managedFields");
    entries.forEach(e -> list.add(e.toJson()));
  }

  /** Copies the managedFields of {@code from} (or none) onto {@code to}. */
  static void copy(JsonNode from, ObjectNode to) {
    set(to, from == null ? null : from.path("metadata").get("managedFields"));
  }

  /** Sets a managedFields list as it is; null or empty removes the field. */
  static void set(ObjectNode to, JsonNode list) {
    if (list == null || !list.isArray() || list.isEmpty()) {
      Meta.metadata(to).remove("managedFields");
    } else {
      Meta.metadata(to).set("managedFields", list.deepCopy());
    }
  }
}
