package io.steuermann.engine.controllers.ipam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Meta;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** One condition of a Node's status, read and written by type. */
final class NodeConditions {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private NodeConditions() {}

  /** The condition's status ("True", "False", "Unknown"), or "" without the condition. */
  static String status(JsonNode node, String type) {
    return field(node, type, "status");
  }

  /** The condition's reason, or "" without the condition. */
  static String reason(JsonNode node, String type) {
    return field(node, type, "reason");
  }

  private static String field(JsonNode node, String type, String field) {
    for (JsonNode c : node.path("status").path("conditions")) {
      if (type.equals(c.path("type").asText())) {
        return c.path(field).asText("");
      }
    }
    return "";
  }

  /**
   * A merge patch of the status that sets condition {@code type} and keeps the others, with the
   * Node's resourceVersion as precondition (a merge patch replaces the whole list, so a
   * concurrent heartbeat must make it fail rather than be undone).
   */
  static ObjectNode patch(JsonNode node, String type, String status, String reason, String message, Instant now) {
    String time = now.truncatedTo(ChronoUnit.SECONDS).toString();
    ArrayNode conditions = JSON.arrayNode();
    boolean found = false;
    for (JsonNode c : node.path("status").path("conditions")) {
      if (type.equals(c.path("type").asText())) {
        found = true;
        conditions.add(condition(type, status, reason, message, time,
            status.equals(c.path("status").asText()) ? c.path("lastTransitionTime").asText(time) : time));
      } else {
        conditions.add(c);
      }
    }
    if (!found) {
      conditions.add(condition(type, status, reason, message, time, time));
    }
    ObjectNode patch = JSON.objectNode();
    patch.putObject("metadata").put("resourceVersion", Meta.resourceVersion(node));
    patch.putObject("status").set("conditions", conditions);
    return patch;
  }

  private static ObjectNode condition(String type, String status, String reason, String message, String heartbeat,
      String transition) {
    return JSON.objectNode().put("type", type).put("status", status).put("lastHeartbeatTime", heartbeat)
        .put("lastTransitionTime", transition).put("reason", reason).put("message", message);
  }
}
