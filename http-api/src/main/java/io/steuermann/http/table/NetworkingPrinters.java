package io.steuermann.http.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.steuermann.http.table.Printers.Column;
import java.util.ArrayList;
import java.util.List;

/** The Ingress and IngressClass columns and cells, as kube-apiserver 1.32's printIngress and printIngressClass. */
final class NetworkingPrinters {
  private static final String D_NAME = "Name must be unique within a namespace.";
  private static final String D_AGE = "CreationTimestamp is a timestamp representing the server time when this object "
      + "was created.";
  /** kube's loadBalancerWidth: a longer address list is cut to 13 characters and "..." unless wide. */
  private static final int ADDRESS_WIDTH = 16;

  private NetworkingPrinters() {}

  private static Column col(String name, String description) {
    return new Column(name, "string", "", 0, description);
  }

  static List<Column> ingressColumns() {
    return List.of(new Column("Name", "string", "name", 0, D_NAME),
        col("Class", "The name of the IngressClass resource that should be used for additional configuration"),
        col("Hosts", "Hosts that incoming requests are matched against before the ingress rule"),
        col("Address", "Address is a list containing ingress points for the load-balancer"),
        col("Ports", "Ports of TLS configurations that open"),
        col("Age", D_AGE));
  }

  static List<Column> ingressClassColumns() {
    return List.of(new Column("Name", "string", "name", 0, D_NAME),
        col("Controller", "Controller that is responsible for handling this class"),
        col("Parameters", "A reference to a resource with additional parameters"),
        col("Age", D_AGE));
  }

  static void ingress(ArrayNode c, String name, String age, JsonNode ingress) {
    JsonNode spec = ingress.path("spec");
    c.add(name)
        .add(spec.hasNonNull("ingressClassName") ? spec.get("ingressClassName").asText() : "<none>")
        .add(hosts(spec.path("rules")))
        .add(address(ingress.path("status").path("loadBalancer").path("ingress")))
        .add(spec.path("tls").size() > 0 ? "80, 443" : "80")
        .add(age);
  }

  static void ingressClass(ArrayNode c, String name, String age, JsonNode ingressClass) {
    JsonNode parameters = ingressClass.path("spec").path("parameters");
    String shown = "<none>";
    if (parameters.isObject()) {
      shown = parameters.path("kind").asText("");
      if (parameters.hasNonNull("apiGroup")) {
        shown += "." + parameters.get("apiGroup").asText();
      }
      shown += "/" + parameters.path("name").asText("");
    }
    c.add(name).add(ingressClass.path("spec").path("controller").asText("")).add(shown).add(age);
  }

  /** kube's formatHosts: up to three rule hosts, then "+ N more..."; "*" when no rule names one. */
  static String hosts(JsonNode rules) {
    List<String> list = new ArrayList<>();
    boolean more = false;
    for (JsonNode rule : rules) {
      if (list.size() == 3) {
        more = true;
      }
      String host = rule.path("host").asText("");
      if (!more && !host.isEmpty()) {
        list.add(host);
      }
    }
    if (list.isEmpty()) {
      return "*";
    }
    String joined = String.join(",", list);
    return more ? joined + " + " + (rules.size() - 3) + " more..." : joined;
  }

  /** kube's ingressLoadBalancerStatusStringer (not wide): ips and hostnames, comma-separated, cut at 16. */
  static String address(JsonNode entries) {
    List<String> list = new ArrayList<>();
    for (JsonNode entry : entries) {
      if (!entry.path("ip").asText("").isEmpty()) {
        list.add(entry.path("ip").asText());
      } else if (!entry.path("hostname").asText("").isEmpty()) {
        list.add(entry.path("hostname").asText());
      }
    }
    String joined = String.join(",", list);
    return joined.length() > ADDRESS_WIDTH ? joined.substring(0, ADDRESS_WIDTH - 3) + "..." : joined;
  }
}
