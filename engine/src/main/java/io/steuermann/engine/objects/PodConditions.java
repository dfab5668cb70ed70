package io.steuermann.engine.objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Sets conditions in a {@code status.conditions} list, keeping lastTransitionTime honest. */
public final class PodConditions {
  private PodConditions() {}

  /**
   * Sets condition {@code type} in {@code status}; lastTransitionTime changes only when the
   * status value changes. Returns whether anything changed.
   */
  public static boolean set(ObjectNode status, String type, String value, String reason, String message, String now) {
    JsonNode list = status.get("conditions");
    ArrayNode conditions = list instanceof ArrayNode a ? a : status.putArray("conditions");
    for (JsonNode c : conditions) {
      if (type.equals(c.path("type").asText())) {
        ObjectNode condition = (ObjectNode) c;
        boolean transition = !value.equals(condition.path("status").asText());
        boolean changed = transition
            || !java.util.Objects.equals(reason, textOrNull(condition, "reason"))
            || !java.util.Objects.equals(message, textOrNull(condition, "message"));
        if (!changed) {
          return false;
        }
        condition.put("status", value);
        if (transition) {
          condition.put("lastTransitionTime", now);
        }
        putOrRemove(condition, "reason", reason);
        putOrRemove(condition, "message", message);
        return true;
      }
    }
    ObjectNode condition = conditions.addObject();
    condition.put("type", type);
    condition.put("status", value);
    condition.putNull("lastProbeTime");
    condition.put("lastTransitionTime", now);
    putOrRemove(condition, "reason", reason);
    putOrRemove(condition, "message", message);
    return true;
  }

  /** The status value of condition {@code type}, or empty. */
  public static String get(JsonNode status, String type) {
    for (JsonNode c : status.path("conditions")) {
      if (type.equals(c.path("type").asText())) {
        return c.path("status").asText("");
      }
    }
    return "";
  }

  private static String textOrNull(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static void putOrRemove(ObjectNode node, String field, String value) {
    if (value == null) {
      node.remove(field);
    } else {
      node.put(field, value);
    }
  }
}
