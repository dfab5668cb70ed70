package io.steuermann.http.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.steuermann.http.table.Printers.Column;
import java.util.ArrayList;
import java.util.List;

/**
 * ServiceAccount and RBAC columns as kube-apiserver 1.32 prints them: printServiceAccount,
 * printRoleBinding / printClusterRoleBinding (with rbac.SubjectsStrings for the wide columns),
 * and the default table (Name, Created At) for Role and ClusterRole, which have no printer.
 */
final class RbacPrinters {
  private static final String D_NAME = "Name must be unique within a namespace.";
  private static final String D_AGE = "CreationTimestamp is a timestamp representing the server time when this object was created.";
  private static final String D_ROLE_REF = "RoleRef can reference a Role in the current namespace or a ClusterRole in the "
      + "global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.";

  private RbacPrinters() {}

  static List<Column> serviceAccountColumns() {
    return List.of(new Column("Name", "string", "name", 0, D_NAME),
        new Column("Secrets", "string", "", 0, "Secrets is a list of the secrets in the same namespace that pods running "
            + "using this ServiceAccount are allowed to use."),
        new Column("Age", "string", "", 0, D_AGE));
  }

  static void serviceAccount(ArrayNode c, String name, String age, JsonNode sa) {
    c.add(name).add(sa.path("secrets").size()).add(age);
  }

  /** The default table of kube-apiserver for a kind without a printer. */
  static List<Column> roleColumns() {
    return List.of(new Column("Name", "string", "name", 0, D_NAME),
        new Column("Created At", "date", "", 0, D_AGE));
  }

  static void role(ArrayNode c, String name, JsonNode role) {
    c.add(name).add(role.path("metadata").path("creationTimestamp").asText(""));
  }

  static List<Column> bindingColumns(String what) {
    return List.of(new Column("Name", "string", "name", 0, D_NAME),
        new Column("Role", "string", "", 0, D_ROLE_REF),
        new Column("Age", "string", "", 0, D_AGE),
        new Column("Users", "string", "", 1, "Users in the " + what),
        new Column("Groups", "string", "", 1, "Groups in the " + what),
        new Column("ServiceAccounts", "string", "", 1, "ServiceAccounts in the " + what));
  }

  /** Subjects as rbac.SubjectsStrings: users and groups by name, service accounts as namespace/name. */
  static void binding(ArrayNode c, String name, String age, JsonNode binding) {
    JsonNode ref = binding.path("roleRef");
    List<String> users = new ArrayList<>();
    List<String> groups = new ArrayList<>();
    List<String> accounts = new ArrayList<>();
    for (JsonNode s : binding.path("subjects")) {
      String subject = s.path("name").asText("");
      switch (s.path("kind").asText("")) {
        case "User" -> users.add(subject);
        case "Group" -> groups.add(subject);
        case "ServiceAccount" -> accounts.add(s.path("namespace").asText("") + "/" + subject);
        default -> { }
      }
    }
    c.add(name).add(ref.path("kind").asText("") + "/" + ref.path("name").asText("")).add(age)
        .add(String.join(", ", users)).add(String.join(", ", groups)).add(String.join(", ", accounts));
  }
}
