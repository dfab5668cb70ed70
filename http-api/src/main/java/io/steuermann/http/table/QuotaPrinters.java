package io.steuermann.http.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.steuermann.http.table.Printers.Column;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** The ResourceQuota columns and cells, as kube-apiserver 1.32's printResourceQuota. */
final class QuotaPrinters {
  private QuotaPrinters() {}

  static List<Column> resourceQuotaColumns() {
    return List.of(new Column("Name", "string", "name", 0, "Name must be unique within a namespace."),
        new Column("Age", "string", "", 0,
            "CreationTimestamp is a timestamp representing the server time when this object was created."),
        new Column("Request", "string", "", 0,
            "Request represents a minimum amount of cpu/memory that a container may consume."),
        new Column("Limit", "string", "", 0,
            "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node."));
  }

  /** {@code resource: used/hard} for every resource of status.hard, sorted; limits.* in the Limit column. */
  static void resourceQuota(ArrayNode c, String name, String age, JsonNode quota) {
    JsonNode hard = quota.path("status").path("hard");
    JsonNode used = quota.path("status").path("used");
    TreeSet<String> resources = new TreeSet<>();
    hard.fieldNames().forEachRemaining(resources::add);
    List<String> requests = new ArrayList<>();
    List<String> limits = new ArrayList<>();
    for (String resource : resources) {
      String cell = resource + ": " + used.path(resource).asText("0") + "/" + hard.path(resource).asText();
      (resource.startsWith("limits.") ? limits : requests).add(cell);
    }
    c.add(name).add(age).add(String.join(", ", requests)).add(String.join(", ", limits));
  }
}
