package io.steuermann.engine.objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Meta;

/**
 * A DaemonSet's template generation, as kube-apiserver's DaemonSet strategy keeps it: 1 on
 * create, one more whenever {@code spec.template} changes, never the client's to set. apps/v1
 * has no field for it; it travels in the {@code deprecated.daemonset.template.generation}
 * annotation, and the controller labels pods with it ({@code pod-template-generation}).
 */
final class DaemonSetTemplateGeneration {
  static final String ANNOTATION = "deprecated.daemonset.template.generation";

  private DaemonSetTemplateGeneration() {}

  static void onCreate(ObjectNode metadata) {
    annotations(metadata).put(ANNOTATION, "1");
  }

  static void onUpdate(ObjectNode current, ObjectNode updated) {
    long before = of(current);
    long after = current.path("spec").path("template").equals(updated.path("spec").path("template"))
        ? before : before + 1;
    annotations(Meta.metadata(updated)).put(ANNOTATION, Long.toString(after));
  }

  /** The stored generation; 0 for an object written before this was kept. */
  static long of(JsonNode daemonSet) {
    try {
      return Long.parseLong(daemonSet.path("metadata").path("annotations").path(ANNOTATION).asText("0"));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static ObjectNode annotations(ObjectNode metadata) {
    JsonNode a = metadata.get("annotations");
    if (a instanceof ObjectNode o) {
      return o;
    }
    // a mistyped value stays for validation to refuse
    return a == null || a.isNull() ? metadata.putObject("annotations") : metadata.objectNode();
  }
}
