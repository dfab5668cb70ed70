package io.steuermann.http.fields;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.schema.FieldSchema;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Removes the fields a schema does not know, in place, and reports them as kube-apiserver's
 * strict decoder words it ({@code unknown field "spec.template.spec.containers[0].foo"}), in
 * document order, together with the known fields that were given twice ({@code duplicate
 * field "spec.paused"}; a field both unknown and duplicated is only unknown, as there).
 * kube-apiserver decodes into typed structs, so unknown fields are never stored; this does
 * the same for our JSON objects.
 */
public final class UnknownFields {
  private UnknownFields() {}

  /** Prunes an object (a create or update body); {@code duplicates} are paths found by {@link DuplicateFields}. */
  public static List<String> prune(FieldSchema schema, JsonNode document, Set<String> duplicates) {
    List<String> problems = new ArrayList<>();
    new Walk(false, duplicates, problems).walk(schema, document, "");
    return problems;
  }

  /**
   * Prunes a JSON merge patch or strategic merge patch: its directives are not fields, and
   * an unknown field set to null only removes what cannot be there.
   */
  public static List<String> prunePatch(FieldSchema schema, JsonNode patch, Set<String> duplicates) {
    List<String> problems = new ArrayList<>();
    new Walk(true, duplicates, problems).walk(schema, patch, "");
    return problems;
  }

  private record Walk(boolean patch, Set<String> duplicates, List<String> problems) {
    private void walk(FieldSchema schema, JsonNode node, String path) {
      if (schema.keepsEverything() || node == null) {
        return;
      }
      if (node instanceof ObjectNode object) {
        if (schema.properties() != null) {
          for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            String at = path.isEmpty() ? name : path + "." + name;
            FieldSchema known = schema.properties().get(name);
            if (known != null) {
              duplicated(at);
              walk(known, field.getValue(), at);
            } else if (!(patch && (isDirective(name) || field.getValue().isNull()))) {
              problems.add("unknown field \"" + at + "\"");
              it.remove();
            }
          }
        } else if (schema.mapValues() != null) {
          for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (!(patch && isDirective(entry.getKey()))) {
              String at = path + "." + entry.getKey();
              duplicated(at);
              walk(schema.mapValues(), entry.getValue(), at);
            }
          }
        }
      } else if (node instanceof ArrayNode array && schema.items() != null) {
        for (int i = 0; i < array.size(); i++) {
          walk(schema.items(), array.get(i), path + "[" + i + "]");
        }
      }
    }

    private void duplicated(String path) {
      if (!duplicates.isEmpty() && duplicates.contains(path)) {
        problems.add("duplicate field \"" + path + "\"");
      }
    }
  }

  /** Strategic merge patch directives, which sit among the fields of the object they act on. */
  static boolean isDirective(String name) {
    return name.equals("$patch") || name.equals("$retainKeys") || name.startsWith("$setElementOrder/")
        || name.startsWith("$deleteFromPrimitiveList/");
  }
}
