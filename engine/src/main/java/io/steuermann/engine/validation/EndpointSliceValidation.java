package io.steuermann.engine.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * kube's {@code ValidateEndpointSlice} (discovery.k8s.io/v1): a supported {@code addressType}
 * that never changes, at most 1000 endpoints of 1 to 100 addresses each, valid for the type,
 * DNS-label hostnames and DNS-subdomain node names, at most 100 ports with unique DNS-label
 * names (or none), a supported protocol and a valid number.
 */
public final class EndpointSliceValidation {
  static final List<String> ADDRESS_TYPES = List.of("FQDN", "IPv4", "IPv6");
  static final List<String> PROTOCOLS = List.of("SCTP", "TCP", "UDP");
  static final int MAX_ENDPOINTS = 1000;
  static final int MAX_ADDRESSES = 100;
  static final int MAX_PORTS = 100;

  private EndpointSliceValidation() {}

  /** {@code old}: the slice an update replaces, or null. */
  public static List<FieldError> slice(JsonNode slice, JsonNode old) {
    List<FieldError> errors = new ArrayList<>();
    String type = slice.path("addressType").asText("");
    if (type.isEmpty()) {
      errors.add(FieldError.required("addressType", ""));
    } else if (!ADDRESS_TYPES.contains(type)) {
      errors.add(FieldError.notSupported("addressType", type, ADDRESS_TYPES));
    }
    if (old != null && !type.equals(old.path("addressType").asText(""))) {
      errors.add(FieldError.invalid("addressType", type, "field is immutable"));
    }
    endpoints(slice.path("endpoints"), type, errors);
    ports(slice.path("ports"), errors);
    return errors;
  }

  private static void endpoints(JsonNode endpoints, String type, List<FieldError> errors) {
    if (endpoints.size() > MAX_ENDPOINTS) {
      errors.add(FieldError.tooMany("endpoints", endpoints.size(), MAX_ENDPOINTS));
      return;
    }
    for (int i = 0; i < endpoints.size(); i++) {
      JsonNode endpoint = endpoints.get(i);
      String at = "endpoints[" + i + "]";
      JsonNode addresses = endpoint.path("addresses");
      if (addresses.isEmpty()) {
        errors.add(FieldError.required(at + ".addresses", "must contain at least 1 address"));
      } else if (addresses.size() > MAX_ADDRESSES) {
        errors.add(FieldError.tooMany(at + ".addresses", addresses.size(), MAX_ADDRESSES));
      } else {
        for (int j = 0; j < addresses.size(); j++) {
          address(at + ".addresses[" + j + "]", addresses.get(j).asText(""), type, errors);
        }
      }
      String node = endpoint.path("nodeName").asText("");
      if (endpoint.hasNonNull("nodeName")) {
        Names.dns1123Subdomain(node).forEach(p -> errors.add(FieldError.invalid(at + ".nodeName", node, p)));
      }
      String hostname = endpoint.path("hostname").asText("");
      if (endpoint.hasNonNull("hostname")) {
        Names.dns1123Label(hostname).forEach(p -> errors.add(FieldError.invalid(at + ".hostname", hostname, p)));
      }
    }
  }

  private static void address(String at, String value, String type, List<FieldError> errors) {
    switch (type) {
      case "IPv4" -> {
        if (!isIpv4(value)) {
          errors.add(FieldError.invalid(at, value, "must be a valid IPv4 address"));
        }
      }
      case "IPv6" -> {
        if (!isIpv6(value)) {
          errors.add(FieldError.invalid(at, value, "must be a valid IPv6 address"));
        }
      }
      case "FQDN" -> {
        // kube's IsFullyQualifiedDomainName: a DNS subdomain of at least two labels
        List<String> problems = new ArrayList<>(Names.dns1123Subdomain(value.endsWith(".")
            ? value.substring(0, value.length() - 1) : value));
        if (problems.isEmpty() && !value.replaceAll("\\.$", "").contains(".")) {
          problems.add("should be a domain with at least two segments separated by dots");
        }
        problems.forEach(p -> errors.add(FieldError.invalid(at, value, p)));
      }
      default -> { }
    }
  }

  private static void ports(JsonNode ports, List<FieldError> errors) {
    if (ports.size() > MAX_PORTS) {
      errors.add(FieldError.tooMany("ports", ports.size(), MAX_PORTS));
      return;
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < ports.size(); i++) {
      JsonNode port = ports.get(i);
      String at = "ports[" + i + "]";
      String name = port.path("name").asText("");
      if (!name.isEmpty()) {
        Names.dns1123Label(name).forEach(p -> errors.add(FieldError.invalid(at + ".name", name, p)));
      }
      if (!names.add(name)) {
        errors.add(FieldError.duplicate(at + ".name", name));
      }
      String protocol = port.path("protocol").asText("");
      if (!port.hasNonNull("protocol")) {
        errors.add(FieldError.required(at + ".protocol", ""));
      } else if (!PROTOCOLS.contains(protocol)) {
        errors.add(FieldError.notSupported(at + ".protocol", protocol, PROTOCOLS));
      }
      if (port.hasNonNull("port")) {
        int number = port.path("port").asInt(0);
        if (number < 1 || number > 65535) {
          errors.add(FieldError.invalid(at + ".port", number, "must be between 1 and 65535, inclusive"));
        }
      }
      if (port.hasNonNull("appProtocol")) {
        String app = port.path("appProtocol").asText("");
        Names.qualifiedName(app).forEach(p -> errors.add(FieldError.invalid(at + ".appProtocol", app, p)));
      }
    }
  }

  static boolean isIpv4(String value) {
    return io.steuermann.engine.services.ServiceAddresses.parseIpv4(value) >= 0;
  }

  static boolean isIpv6(String value) {
    if (!value.contains(":") || !value.matches("[0-9a-fA-F:.]+")) {
      return false;
    }
    try {
      // a literal with colons is parsed without a name lookup
      return java.net.InetAddress.getByName(value) instanceof java.net.Inet6Address
          || value.startsWith("::ffff:");
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }
}
