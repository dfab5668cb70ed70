package io.steuermann.engine.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import java.util.Objects;

/**
 * One entry of {@code metadata.managedFields}: a manager, the kind of operation it wrote with
 * ({@code Apply} or {@code Update}), and the fields it owns.
 *
 * @param subresource "" for the object itself, else {@code status} or {@code scale}
 */
public record ManagedFieldsEntry(String manager, String operation, String apiVersion, String time,
    String subresource, FieldSet fields) {

  public static final String APPLY = "Apply";
  public static final String UPDATE = "Update";

  public ManagedFieldsEntry {
    subresource = subresource == null ? "" : subresource;
  }

  /**
   * Whether both entries are the same manager. As in Kubernetes, an applier is one manager
   * whatever version it applies in; an updater is one per version; and a manager writing a
   * subresource is another than the same name writing the object.
   */
  public boolean sameManager(ManagedFieldsEntry other) {
    return manager.equals(other.manager) && operation.equals(other.operation)
        && subresource.equals(other.subresource)
        && (operation.equals(APPLY) || Objects.equals(apiVersion, other.apiVersion));
  }

  public ManagedFieldsEntry withFields(FieldSet newFields, String newTime) {
    return new ManagedFieldsEntry(manager, operation, apiVersion, newTime, subresource, newFields);
  }

  /** How conflict messages name the manager, as kube-apiserver prints it. */
  public String describe() {
    StringBuilder s = new StringBuilder(Json.string(Json.MAPPER.getNodeFactory().textNode(manager)));
    if (!subresource.isEmpty()) {
      s.append(" with subresource ").append(Json.string(Json.MAPPER.getNodeFactory().textNode(subresource)));
    }
    if (operation.equals(UPDATE)) {
      s.append(" using ").append(apiVersion);
    }
    return s.toString();
  }

  static ManagedFieldsEntry fromJson(JsonNode json) {
    return new ManagedFieldsEntry(json.path("manager").asText(""), json.path("operation").asText(UPDATE),
        json.path("apiVersion").asText(""), json.path("time").asText(null), json.path("subresource").asText(""),
        FieldSet.fromFieldsV1(json.get("fieldsV1")));
  }

  ObjectNode toJson() {
    ObjectNode json = Json.object();
    json.put("manager", manager);
    json.put("operation", operation);
    json.put("apiVersion", apiVersion);
    if (time != null) {
      json.put("time", time);
    }
    json.put("fieldsType", "FieldsV1");
    json.set("fieldsV1", fields.toFieldsV1());
    if (!subresource.isEmpty()) {
      json.put("subresource", subresource);
    }
    return json;
  }
}
