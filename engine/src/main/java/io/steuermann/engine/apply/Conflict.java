package io.steuermann.engine.apply;

import io.steuermann.engine.model.ApiStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A field an apply would change that another manager owns. */
public record Conflict(ManagedFieldsEntry owner, FieldPath path) {

  /** The 409 kube-apiserver answers, worded as it words it, one cause per field. */
  public static ApiStatus status(List<Conflict> conflicts) {
    List<ApiStatus.Cause> causes = new ArrayList<>();
    for (Conflict c : conflicts) {
      causes.add(new ApiStatus.Cause("FieldManagerConflict", "conflict with " + c.owner().describe(),
          c.path().toString()));
    }
    return new ApiStatus(409, "Conflict", message(conflicts), new ApiStatus.Details(null, null, null, causes));
  }

  static String message(List<Conflict> conflicts) {
    if (conflicts.size() == 1) {
      Conflict c = conflicts.get(0);
      return "Apply failed with 1 conflict: conflict with " + c.owner().describe() + ": " + c.path();
    }
    Map<String, List<FieldPath>> byManager = new TreeMap<>();
    for (Conflict c : conflicts) {
      byManager.computeIfAbsent(c.owner().describe(), m -> new ArrayList<>()).add(c.path());
    }
    List<String> lines = new ArrayList<>();
    byManager.forEach((manager, paths) -> {
      lines.add("conflicts with " + manager + ":");
      paths.forEach(p -> lines.add("- " + p));
    });
    return "Apply failed with " + conflicts.size() + " conflicts: " + String.join("\n", lines);
  }
}
