package io.steuermann.http.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.steuermann.http.table.Printers.Column;
import java.util.ArrayList;
import java.util.List;

/** The EndpointSlice columns and cells, as kube-apiserver 1.32's printEndpointSlice. */
final class DiscoveryPrinters {
  private static final String D_NAME = "Name must be unique within a namespace.";
  private static final String D_AGE = "CreationTimestamp is a timestamp representing the server time when this object "
      + "was created.";
  /** kube shows three ports or addresses, then "+ N more...". */
  private static final int SHOWN = 3;

  private DiscoveryPrinters() {}

  private static Column col(String name, String description) {
    return new Column(name, "string", "", 0, description);
  }

  static List<Column> endpointSliceColumns() {
    return List.of(new Column("Name", "string", "name", 0, D_NAME),
        col("AddressType", "addressType specifies the type of address carried by this EndpointSlice. All addresses in "
            + "this slice must be the same type. This field is immutable after creation. The following address "
            + "types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 "
            + "Address. * FQDN: Represents a Fully Qualified Domain Name."),
        col("Ports", "ports specifies the list of network ports exposed by each endpoint in this slice. Each port "
            + "must have a unique name. When ports is empty, it indicates that there are no defined ports. When a "
            + "port is defined with a nil port value, it indicates \"all ports\". Each slice may include a maximum "
            + "of 100 ports."),
        col("Endpoints", "endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of "
            + "1000 endpoints."),
        col("Age", D_AGE));
  }

  static void endpointSlice(ArrayNode c, String name, String age, JsonNode slice) {
    List<String> ports = new ArrayList<>();
    for (JsonNode port : slice.path("ports")) {
      // kube's formatDiscoveryPorts: the number, else the name, else "*" (all ports)
      ports.add(port.hasNonNull("port") ? port.get("port").asText()
          : port.hasNonNull("name") ? port.get("name").asText() : "*");
    }
    List<String> addresses = new ArrayList<>();
    for (JsonNode endpoint : slice.path("endpoints")) {
      endpoint.path("addresses").forEach(a -> addresses.add(a.asText()));
    }
    c.add(name).add(slice.path("addressType").asText("")).add(withMore(ports)).add(withMore(addresses)).add(age);
  }

  /** kube's listWithMoreString. */
  private static String withMore(List<String> items) {
    if (items.isEmpty()) {
      return "<unset>";
    }
    String shown = String.join(",", items.subList(0, Math.min(SHOWN, items.size())));
    return items.size() > SHOWN ? shown + " + " + (items.size() - SHOWN) + " more..." : shown;
  }
}
