package io.steuermann.http.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.steuermann.http.table.Printers.Column;
import java.util.List;

/** The PodDisruptionBudget columns and cells, as kube-apiserver 1.32's printPodDisruptionBudget. */
final class PolicyPrinters {
  private static final String D_NAME = "Name must be unique within a namespace.";
  private static final String D_AGE = "CreationTimestamp is a timestamp representing the server time when this object was created.";

  private PolicyPrinters() {}

  static List<Column> disruptionBudgetColumns() {
    return List.of(new Column("Name", "string", "name", 0, D_NAME),
        new Column("Min Available", "string", "", 0, "The minimum number of pods that must be available."),
        new Column("Max Unavailable", "string", "", 0, "The maximum number of pods that may be unavailable."),
        new Column("Allowed Disruptions", "integer", "", 0, "Calculated number of pods that may be disrupted at this time."),
        new Column("Age", "string", "", 0, D_AGE));
  }

  /** An unset bound is {@code N/A}; a set one as written (an integer or a percentage). */
  static void disruptionBudget(ArrayNode c, String name, String age, JsonNode pdb) {
    JsonNode spec = pdb.path("spec");
    c.add(name)
        .add(spec.hasNonNull("minAvailable") ? spec.get("minAvailable").asText() : "N/A")
        .add(spec.hasNonNull("maxUnavailable") ? spec.get("maxUnavailable").asText() : "N/A")
        .add(pdb.path("status").path("disruptionsAllowed").asInt(0))
        .add(age);
  }
}
