package io.steuermann.engine.services;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.validation.FieldError;
import io.steuermann.engine.validation.Names;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A Service's spec as Kubernetes defaults and validates it (pkg/apis/core/v1/defaults.go,
 * pkg/apis/core/validation ValidateService), for the types Steuermann serves: ClusterIP and
 * NodePort. Pure functions on JSON trees.
 */
public final class ServiceSpecs {
  private ServiceSpecs() {}

  public static final List<String> TYPES = List.of("ClusterIP", "NodePort");
  /** Kubernetes' default session affinity timeout: 3 hours. */
  public static final int DEFAULT_CLIENT_IP_TIMEOUT = 10800;
  private static final int MAX_CLIENT_IP_TIMEOUT = 86400;

  private static final Pattern PORT_NAME_CHARSET = Pattern.compile("^[-a-z0-9]+$");
  private static final Pattern PORT_NAME_ONE_LETTER = Pattern.compile(".*[a-z].*");

  /** Whether a Service of this spec gets a clusterIP. */
  public static boolean needsClusterIp(JsonNode spec) {
    return TYPES.contains(type(spec)) && !"None".equals(spec.path("clusterIP").asText(""));
  }

  public static boolean needsNodePorts(JsonNode spec) {
    return "NodePort".equals(type(spec));
  }

  public static String type(JsonNode spec) {
    return spec.path("type").asText("ClusterIP");
  }

  /** Kubernetes' defaults for a Service spec (the clusterIP itself is the allocator's). */
  public static void applyDefaults(ObjectNode spec) {
    putIfAbsent(spec, "type", "ClusterIP");
    putIfAbsent(spec, "sessionAffinity", "None");
    if ("ClientIP".equals(spec.path("sessionAffinity").asText())) {
      ObjectNode clientIp = obj(obj(spec, "sessionAffinityConfig"), "clientIP");
      if (!clientIp.hasNonNull("timeoutSeconds")) {
        clientIp.put("timeoutSeconds", DEFAULT_CLIENT_IP_TIMEOUT);
      }
    }
    if (spec.get("ports") instanceof ArrayNode ports) {
      for (JsonNode p : ports) {
        if (p instanceof ObjectNode port) {
          putIfAbsent(port, "protocol", "TCP");
          if (!port.hasNonNull("targetPort") && port.has("port")) {
            port.set("targetPort", port.get("port"));
          }
        }
      }
    }
    // clusterIP and clusterIPs say the same; the one given fills the other
    String clusterIp = spec.path("clusterIP").asText("");
    JsonNode clusterIps = spec.path("clusterIPs");
    if (clusterIp.isEmpty() && clusterIps.isArray() && clusterIps.size() > 0) {
      spec.put("clusterIP", clusterIps.get(0).asText());
    } else if (!clusterIp.isEmpty() && (!clusterIps.isArray() || clusterIps.isEmpty())) {
      spec.putArray("clusterIPs").add(clusterIp);
    }
    if (TYPES.contains(type(spec)) || "None".equals(spec.path("clusterIP").asText())) {
      if (!spec.has("ipFamilies")) {
        spec.putArray("ipFamilies").add("IPv4");
      }
      putIfAbsent(spec, "ipFamilyPolicy", "SingleStack");
    }
    putIfAbsent(spec, "internalTrafficPolicy", "Cluster");
    if (needsNodePorts(spec)) {
      putIfAbsent(spec, "externalTrafficPolicy", "Cluster");
    }
  }

  /**
   * On an update, the values the server allocated are kept when the new spec leaves them out
   * (as {@code kubectl apply} or a PUT of a hand-written manifest does), and nodePorts are
   * dropped when the type changes away from NodePort with them unchanged: Kubernetes'
   * {@code patchAllocatedValues} and {@code dropTypeDependentFields}.
   */
  public static void keepAllocatedValues(JsonNode oldSpec, ObjectNode newSpec) {
    if (needsClusterIp(oldSpec) && needsClusterIp(newSpec)) {
      if (newSpec.path("clusterIP").asText("").isEmpty() && oldSpec.has("clusterIP")) {
        newSpec.set("clusterIP", oldSpec.get("clusterIP").deepCopy());
      }
      if (newSpec.path("clusterIPs").size() == 0 && oldSpec.path("clusterIPs").size() > 0) {
        newSpec.set("clusterIPs", oldSpec.get("clusterIPs").deepCopy());
      }
    }
    if (needsNodePorts(oldSpec) && needsNodePorts(newSpec)) {
      Set<Integer> used = nodePorts(oldSpec);
      used.retainAll(nodePorts(newSpec));
      Map<String, Integer> byName = new HashMap<>();
      for (JsonNode p : oldSpec.path("ports")) {
        byName.put(p.path("name").asText(""), p.path("nodePort").asInt(0));
      }
      for (JsonNode p : newSpec.path("ports")) {
        if (p instanceof ObjectNode port && port.path("nodePort").asInt(0) == 0) {
          int old = byName.getOrDefault(port.path("name").asText(""), 0);
          if (old != 0 && !used.contains(old)) {
            port.put("nodePort", old);
          }
        }
      }
    } else if (needsNodePorts(oldSpec) && !needsNodePorts(newSpec)
        && nodePorts(oldSpec).equals(nodePorts(newSpec))) {
      for (JsonNode p : newSpec.path("ports")) {
        if (p instanceof ObjectNode port) {
          port.remove("nodePort");
        }
      }
    }
  }

  /** The nodePorts a spec names (0s left out). */
  public static Set<Integer> nodePorts(JsonNode spec) {
    Set<Integer> ports = new LinkedHashSet<>();
    for (JsonNode p : spec.path("ports")) {
      int np = p.path("nodePort").asInt(0);
      if (np != 0) {
        ports.add(np);
      }
    }
    return ports;
  }

  /** Validation of a defaulted spec, with Kubernetes' field paths and messages. */
  public static List<FieldError> validate(JsonNode spec) {
    List<FieldError> errors = new ArrayList<>();
    String type = type(spec);
    if (List.of("LoadBalancer", "ExternalName").contains(type)) {
      errors.add(note(FieldError.notSupported("spec.type", type, TYPES),
          "type " + type + " is not supported by Steuermann"));
    } else if (!TYPES.contains(type)) {
      errors.add(FieldError.notSupported("spec.type", type, TYPES));
    }
    String clusterIp = spec.path("clusterIP").asText("");
    boolean headless = "None".equals(clusterIp);
    clusterIps(spec, clusterIp, type, errors);
    JsonNode ports = spec.path("ports");
    if ((!ports.isArray() || ports.isEmpty()) && !headless) {
      errors.add(FieldError.required("spec.ports", ""));
    }
    Set<String> names = new HashSet<>();
    Set<String> portKeys = new HashSet<>();
    Set<String> nodePortKeys = new HashSet<>();
    for (int i = 0; i < ports.size(); i++) {
      JsonNode port = ports.get(i);
      String at = "spec.ports[" + i + "]";
      String name = port.path("name").asText("");
      if (ports.size() > 1 && name.isEmpty()) {
        errors.add(FieldError.required(at + ".name", ""));
      } else if (!name.isEmpty()) {
        for (String problem : Names.dns1123Label(name)) {
          errors.add(FieldError.invalid(at + ".name", name, problem));
        }
        if (!names.add(name)) {
          errors.add(FieldError.duplicate(at + ".name", name));
        }
      }
      JsonNode number = port.path("port");
      int portNumber = number.canConvertToInt() && number.isIntegralNumber() ? number.asInt() : 0;
      if (portNumber < 1 || portNumber > 65535) {
        errors.add(FieldError.invalid(at + ".port", value(number),
            "must be between 1 and 65535, inclusive"));
      }
      String protocol = port.path("protocol").asText("TCP");
      if ("SCTP".equals(protocol)) {
        errors.add(note(FieldError.notSupported(at + ".protocol", protocol, List.of("TCP", "UDP")),
            "SCTP is not supported by Steuermann"));
      } else if (!List.of("TCP", "UDP").contains(protocol)) {
        errors.add(FieldError.notSupported(at + ".protocol", protocol, List.of("TCP", "UDP")));
      }
      targetPort(at + ".targetPort", port.path("targetPort"), errors);
      if (!portKeys.add(portNumber + "/" + protocol)) {
        errors.add(FieldError.duplicate(at, portNumber + "/" + protocol));
      }
      JsonNode nodePort = port.path("nodePort");
      if (!nodePort.isMissingNode() && !nodePort.isNull() && nodePort.asInt(-1) != 0) {
        int np = nodePort.isIntegralNumber() ? nodePort.asInt() : -1;
        // (for the refused types LoadBalancer and ExternalName only the type is reported)
        if ("ClusterIP".equals(type)) {
          errors.add(FieldError.forbidden(at + ".nodePort", "may not be used when `type` is 'ClusterIP'"));
        } else if ("NodePort".equals(type) && (np < 1 || np > 65535)) {
          errors.add(FieldError.invalid(at + ".nodePort", value(nodePort), "must be between 1 and 65535, inclusive"));
        } else if ("NodePort".equals(type) && !nodePortKeys.add(np + "/" + protocol)) {
          errors.add(FieldError.duplicate(at + ".nodePort", np));
        }
      }
    }
    sessionAffinity(spec, errors);
    return errors;
  }

  private static void clusterIps(JsonNode spec, String clusterIp, String type, List<FieldError> errors) {
    if (clusterIp.isEmpty()) {
      return;
    }
    if ("None".equals(clusterIp)) {
      if ("NodePort".equals(type)) {
        errors.add(FieldError.invalid("spec.clusterIPs[0]", "None", "may not be set to 'None' for NodePort services"));
      }
    } else if (ServiceAddresses.parseIpv4(clusterIp) < 0) {
      errors.add(FieldError.invalid("spec.clusterIPs[0]", clusterIp,
          clusterIp.contains(":") ? "IPv6 is not supported: Steuermann's services are IPv4 only"
              : "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
    }
    JsonNode clusterIps = spec.path("clusterIPs");
    if (clusterIps.size() > 1) {
      errors.add(FieldError.invalid("spec.clusterIPs", clusterIps.toString(),
          "may specify no more than one IP for each IP family; Steuermann's services are IPv4 only"));
    }
    if (clusterIps.size() > 0 && !clusterIp.equals(clusterIps.get(0).asText())) {
      errors.add(FieldError.invalid("spec.clusterIPs", clusterIps.toString(),
          "first value must match `clusterIP`"));
    }
  }

  private static void targetPort(String path, JsonNode target, List<FieldError> errors) {
    if (target.isTextual()) {
      for (String problem : ianaServiceName(target.asText())) {
        errors.add(FieldError.invalid(path, target.asText(), problem));
      }
    } else {
      int n = target.isIntegralNumber() ? target.asInt() : 0;
      if (n < 1 || n > 65535) {
        errors.add(FieldError.invalid(path, value(target),
            "must be between 1 and 65535, inclusive"));
      }
    }
  }

  /** Kubernetes' {@code IsValidPortName} (an IANA_SVC_NAME), its messages. */
  public static List<String> ianaServiceName(String name) {
    List<String> problems = new ArrayList<>();
    if (name.length() > 15) {
      problems.add("must be no more than 15 characters");
    }
    if (!PORT_NAME_CHARSET.matcher(name).matches()) {
      problems.add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    }
    if (!PORT_NAME_ONE_LETTER.matcher(name).matches()) {
      problems.add("must contain at least one letter (a-z)");
    }
    if (name.contains("--")) {
      problems.add("must not contain consecutive hyphens");
    }
    if (name.startsWith("-") || name.endsWith("-")) {
      problems.add("must not begin or end with a hyphen");
    }
    return problems;
  }

  private static void sessionAffinity(JsonNode spec, List<FieldError> errors) {
    String affinity = spec.path("sessionAffinity").asText("None");
    if (!List.of("None", "ClientIP").contains(affinity)) {
      errors.add(FieldError.notSupported("spec.sessionAffinity", affinity, List.of("ClientIP", "None")));
      return;
    }
    JsonNode config = spec.path("sessionAffinityConfig");
    if ("ClientIP".equals(affinity)) {
      JsonNode timeout = config.path("clientIP").path("timeoutSeconds");
      int t = timeout.isIntegralNumber() ? timeout.asInt() : 0;
      if (t <= 0 || t > MAX_CLIENT_IP_TIMEOUT) {
        errors.add(FieldError.invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", value(timeout),
            "must be greater than 0 and less than " + MAX_CLIENT_IP_TIMEOUT));
      }
    } else if (!config.isMissingNode() && !config.isNull() && config.size() > 0) {
      errors.add(FieldError.forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"));
    }
  }

  /** A number as a number (Kubernetes prints {@code Invalid value: 0}), anything else as text. */
  private static Object value(JsonNode node) {
    if (node.isMissingNode() || node.isNull()) {
      return 0;
    }
    return node.isIntegralNumber() ? (Object) node.asLong() : node.asText();
  }

  /** Kubernetes' message, and why Steuermann refuses a value Kubernetes would accept. */
  private static FieldError note(FieldError error, String why) {
    return new FieldError(error.field(), error.type(), error.message() + " (" + why + ")", error.badValue());
  }

  private static ObjectNode obj(ObjectNode parent, String field) {
    return parent.get(field) instanceof ObjectNode o ? o : parent.putObject(field);
  }

  private static void putIfAbsent(ObjectNode node, String field, String value) {
    if (!node.hasNonNull(field)) {
      node.put(field, value);
    }
  }
}
