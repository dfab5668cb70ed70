package io.steuermann.engine.services;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.network.Ipv4Cidr;
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
 * pkg/apis/core/validation ValidateService, pkg/registry/core/service strategy's
 * dropTypeDependentFields), for all four types: ClusterIP, NodePort, LoadBalancer (served by
 * the nodes' proxies and the load-balancer controller, as k3s' ServiceLB does) and ExternalName
 * (a CNAME in the cluster DNS). Pure functions on JSON trees.
 */
public final class ServiceSpecs {
  private ServiceSpecs() {}

  public static final List<String> TYPES = List.of("ClusterIP", "ExternalName", "LoadBalancer", "NodePort");
  /** The types that get a clusterIP (ExternalName is only a name). */
  private static final List<String> CLUSTER_IP_TYPES = List.of("ClusterIP", "NodePort", "LoadBalancer");
  private static final List<String> TRAFFIC_POLICIES = List.of("Cluster", "Local");
  /** The kubelet's port, which Kubernetes will not let a LoadBalancer expose. */
  private static final int KUBELET_PORT = 10250;
  /** Kubernetes' default session affinity timeout: 3 hours. */
  public static final int DEFAULT_CLIENT_IP_TIMEOUT = 10800;
  private static final int MAX_CLIENT_IP_TIMEOUT = 86400;

  private static final Pattern PORT_NAME_CHARSET = Pattern.compile("^[-a-z0-9]+$");
  private static final Pattern PORT_NAME_ONE_LETTER = Pattern.compile(".*[a-z].*");

  /** Whether a Service of this spec gets a clusterIP. */
  public static boolean needsClusterIp(JsonNode spec) {
    return CLUSTER_IP_TYPES.contains(type(spec)) && !"None".equals(spec.path("clusterIP").asText(""));
  }

  /** Whether the ports of this spec may name nodePorts (and those named are claimed). */
  public static boolean usesNodePorts(JsonNode spec) {
    String type = type(spec);
    return "NodePort".equals(type) || "LoadBalancer".equals(type);
  }

  /** Whether the unset nodePorts are allocated: NodePort, and LoadBalancer unless allocateLoadBalancerNodePorts is false. */
  public static boolean needsNodePorts(JsonNode spec) {
    String type = type(spec);
    return "NodePort".equals(type)
        || ("LoadBalancer".equals(type) && spec.path("allocateLoadBalancerNodePorts").asBoolean(true));
  }

  /** Kubernetes' {@code ExternallyAccessible} (externalIPs aside): the types with an externalTrafficPolicy. */
  public static boolean externallyAccessible(JsonNode spec) {
    return usesNodePorts(spec);
  }

  /** A LoadBalancer with externalTrafficPolicy Local has a healthCheckNodePort (kube's {@code NeedsHealthCheck}). */
  public static boolean needsHealthCheckNodePort(JsonNode spec) {
    return "LoadBalancer".equals(type(spec)) && "Local".equals(spec.path("externalTrafficPolicy").asText(""));
  }

  /** A LoadBalancer that Steuermann's own load balancer serves: one without a loadBalancerClass. */
  public static boolean servedByBuiltInLoadBalancer(JsonNode spec) {
    return "LoadBalancer".equals(type(spec)) && spec.path("loadBalancerClass").asText("").isEmpty();
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
    String type = type(spec);
    if (CLUSTER_IP_TYPES.contains(type)) {
      if (!spec.has("ipFamilies")) {
        spec.putArray("ipFamilies").add("IPv4");
      }
      putIfAbsent(spec, "ipFamilyPolicy", "SingleStack");
      putIfAbsent(spec, "internalTrafficPolicy", "Cluster");
    }
    if (externallyAccessible(spec)) {
      putIfAbsent(spec, "externalTrafficPolicy", "Cluster");
    }
    if ("LoadBalancer".equals(type) && !spec.hasNonNull("allocateLoadBalancerNodePorts")) {
      spec.put("allocateLoadBalancerNodePorts", true);
    }
  }

  /**
   * On an update, the values the server allocated are kept when the new spec leaves them out
   * (as {@code kubectl apply} or a PUT of a hand-written manifest does), and nodePorts are
   * dropped when the type changes away from NodePort with them unchanged: Kubernetes'
   * {@code patchAllocatedValues} and {@code dropTypeDependentFields}.
   */
  public static void keepAllocatedValues(JsonNode oldSpec, ObjectNode newSpec) {
    if (needsHealthCheckNodePort(oldSpec) && needsHealthCheckNodePort(newSpec)
        && newSpec.path("healthCheckNodePort").asInt(0) == 0 && oldSpec.path("healthCheckNodePort").asInt(0) != 0) {
      newSpec.set("healthCheckNodePort", oldSpec.get("healthCheckNodePort").deepCopy());
    }
    if (needsClusterIp(oldSpec) && needsClusterIp(newSpec)) {
      if (newSpec.path("clusterIP").asText("").isEmpty() && oldSpec.has("clusterIP")) {
        newSpec.set("clusterIP", oldSpec.get("clusterIP").deepCopy());
      }
      if (newSpec.path("clusterIPs").size() == 0 && oldSpec.path("clusterIPs").size() > 0) {
        newSpec.set("clusterIPs", oldSpec.get("clusterIPs").deepCopy());
      }
    }
    if (usesNodePorts(oldSpec) && usesNodePorts(newSpec)) {
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
    }
    dropTypeDependentFields(oldSpec, newSpec);
  }

  /**
   * Kubernetes' {@code dropTypeDependentFields}: what a type change leaves without use is
   * dropped, when the update did not change it (a value the user changed is theirs, and
   * validation judges it): the clusterIP and IP families for ExternalName, the nodePorts and
   * allocateLoadBalancerNodePorts, healthCheckNodePort, loadBalancerClass and
   * externalTrafficPolicy for the types that have no use for them.
   */
  private static void dropTypeDependentFields(JsonNode oldSpec, ObjectNode newSpec) {
    if (needsClusterIp(oldSpec) && !CLUSTER_IP_TYPES.contains(type(newSpec))) {
      dropIfSame(oldSpec, newSpec, "clusterIP");
      dropIfSame(oldSpec, newSpec, "clusterIPs");
      dropIfSame(oldSpec, newSpec, "ipFamilies");
      dropIfSame(oldSpec, newSpec, "ipFamilyPolicy");
    }
    if (usesNodePorts(oldSpec) && !usesNodePorts(newSpec) && nodePorts(oldSpec).equals(nodePorts(newSpec))) {
      for (JsonNode p : newSpec.path("ports")) {
        if (p instanceof ObjectNode port) {
          port.remove("nodePort");
        }
      }
    }
    if (needsHealthCheckNodePort(oldSpec) && !needsHealthCheckNodePort(newSpec)) {
      dropIfSame(oldSpec, newSpec, "healthCheckNodePort");
    }
    boolean wasLoadBalancer = "LoadBalancer".equals(type(oldSpec));
    if (wasLoadBalancer && !"LoadBalancer".equals(type(newSpec))) {
      dropIfSame(oldSpec, newSpec, "allocateLoadBalancerNodePorts");
      dropIfSame(oldSpec, newSpec, "loadBalancerClass");
    }
    if (externallyAccessible(oldSpec) && !externallyAccessible(newSpec)) {
      dropIfSame(oldSpec, newSpec, "externalTrafficPolicy");
    }
  }

  private static void dropIfSame(JsonNode oldSpec, ObjectNode newSpec, String field) {
    if (newSpec.has(field) && newSpec.get(field).equals(oldSpec.get(field))) {
      newSpec.remove(field);
    }
  }

  /**
   * Validation of an update, beyond {@link #validate}: a clusterIP stays while the type has
   * one (a change to ExternalName drops it), and a LoadBalancer keeps its loadBalancerClass.
   */
  public static List<FieldError> validateUpdate(JsonNode oldSpec, JsonNode newSpec) {
    List<FieldError> errors = new ArrayList<>();
    String before = oldSpec.path("clusterIP").asText("");
    String after = newSpec.path("clusterIP").asText("");
    if (!before.isEmpty() && !before.equals(after) && CLUSTER_IP_TYPES.contains(type(newSpec))) {
      errors.add(FieldError.invalid("spec.clusterIP", after, "field is immutable"));
    }
    if ("LoadBalancer".equals(type(oldSpec)) && "LoadBalancer".equals(type(newSpec))
        && !oldSpec.path("loadBalancerClass").equals(newSpec.path("loadBalancerClass"))) {
      JsonNode lbClass = newSpec.path("loadBalancerClass");
      errors.add(FieldError.invalid("spec.loadBalancerClass", lbClass.isTextual() ? lbClass.asText() : "null",
          "may not change once set"));
    }
    return errors;
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
    if (!TYPES.contains(type)) {
      errors.add(FieldError.notSupported("spec.type", type, TYPES));
    }
    String clusterIp = spec.path("clusterIP").asText("");
    boolean headless = "None".equals(clusterIp);
    if ("ExternalName".equals(type)) {
      externalName(spec, errors);
    } else {
      clusterIps(spec, clusterIp, type, errors);
    }
    JsonNode ports = spec.path("ports");
    if ((!ports.isArray() || ports.isEmpty()) && !headless && !"ExternalName".equals(type)) {
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
      } else if ("LoadBalancer".equals(type) && portNumber == KUBELET_PORT) {
        errors.add(FieldError.invalid(at + ".port", portNumber,
            "may not expose port " + KUBELET_PORT + " externally since it is used by kubelet"));
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
        if ("ClusterIP".equals(type)) {
          errors.add(FieldError.forbidden(at + ".nodePort", "may not be used when `type` is 'ClusterIP'"));
        } else if (usesNodePorts(spec) && (np < 1 || np > 65535)) {
          errors.add(FieldError.invalid(at + ".nodePort", value(nodePort), "must be between 1 and 65535, inclusive"));
        } else if (usesNodePorts(spec) && !nodePortKeys.add(np + "/" + protocol)) {
          errors.add(FieldError.duplicate(at + ".nodePort", np));
        }
      }
    }
    sessionAffinity(spec, errors);
    loadBalancer(spec, type, errors);
    trafficPolicies(spec, errors);
    return errors;
  }

  /** ExternalName: a DNS name (a trailing dot allowed), and nothing of a clusterIP. */
  private static void externalName(JsonNode spec, List<FieldError> errors) {
    if (spec.path("clusterIPs").size() > 0 || !spec.path("clusterIP").asText("").isEmpty()) {
      errors.add(FieldError.forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
    }
    if (spec.path("ipFamilies").size() > 0) {
      errors.add(FieldError.forbidden("spec.ipFamilies", "may not be set for ExternalName services"));
    }
    if (spec.hasNonNull("ipFamilyPolicy")) {
      errors.add(FieldError.forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"));
    }
    String name = spec.path("externalName").asText("");
    String cname = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    if (cname.isEmpty()) {
      errors.add(FieldError.required("spec.externalName", ""));
    } else {
      for (String problem : Names.dns1123Subdomain(cname)) {
        errors.add(FieldError.invalid("spec.externalName", cname, problem));
      }
    }
  }

  /** The LoadBalancer fields: only on a LoadBalancer, a class as a qualified name, source ranges as CIDRs. */
  private static void loadBalancer(JsonNode spec, String type, List<FieldError> errors) {
    boolean loadBalancer = "LoadBalancer".equals(type);
    JsonNode allocate = spec.path("allocateLoadBalancerNodePorts");
    if (!loadBalancer && !allocate.isMissingNode() && !allocate.isNull()) {
      errors.add(FieldError.forbidden("spec.allocateLoadBalancerNodePorts", "may only be used when `type` is 'LoadBalancer'"));
    } else if (loadBalancer && !allocate.isBoolean()) {
      errors.add(FieldError.required("spec.allocateLoadBalancerNodePorts", ""));
    }
    JsonNode lbClass = spec.path("loadBalancerClass");
    if (!lbClass.isMissingNode() && !lbClass.isNull()) {
      if (!loadBalancer) {
        errors.add(FieldError.forbidden("spec.loadBalancerClass", "may only be used when `type` is 'LoadBalancer'"));
      } else {
        for (String problem : Names.qualifiedName(lbClass.asText())) {
          errors.add(FieldError.invalid("spec.loadBalancerClass", lbClass.asText(), problem));
        }
      }
    }
    JsonNode ranges = spec.path("loadBalancerSourceRanges");
    if (ranges.size() > 0) {
      // Kubernetes' own spelling of this path (from the days of the annotation it replaced)
      String path = "spec.LoadBalancerSourceRanges";
      if (!loadBalancer) {
        errors.add(FieldError.forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
      }
      for (int i = 0; i < ranges.size(); i++) {
        String range = ranges.get(i).asText("").trim();
        if (!isCidr(range)) {
          errors.add(FieldError.invalid(path + "[" + i + "]", range,
              "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"));
        }
      }
    }
  }

  /**
   * Kubernetes' {@code ValidateLoadBalancerStatus}: each ingress an IP or a DNS name (not an
   * IP), and an ipMode (VIP or Proxy) only with an IP.
   */
  public static List<FieldError> validateStatus(JsonNode status) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode ingress = status.path("loadBalancer").path("ingress");
    for (int i = 0; i < ingress.size(); i++) {
      String at = "status.loadBalancer.ingress[" + i + "]";
      String ip = ingress.get(i).path("ip").asText("");
      if (!ip.isEmpty() && !isIp(ip)) {
        errors.add(FieldError.invalid(at + ".ip", ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
      }
      JsonNode ipMode = ingress.get(i).path("ipMode");
      if (!ipMode.isMissingNode() && !ipMode.isNull()) {
        if (ip.isEmpty()) {
          errors.add(FieldError.forbidden(at + ".ipMode", "may not be specified when `ip` is not set"));
        } else if (!List.of("Proxy", "VIP").contains(ipMode.asText())) {
          errors.add(FieldError.notSupported(at + ".ipMode", ipMode.asText(), List.of("Proxy", "VIP")));
        }
      }
      String hostname = ingress.get(i).path("hostname").asText("");
      if (!hostname.isEmpty()) {
        for (String problem : Names.dns1123Subdomain(hostname)) {
          errors.add(FieldError.invalid(at + ".hostname", hostname, problem));
        }
        if (isIp(hostname)) {
          errors.add(FieldError.invalid(at + ".hostname", hostname, "must be a DNS name, not an IP address"));
        }
      }
    }
    return errors;
  }

  private static boolean isIp(String text) {
    if (ServiceAddresses.parseIpv4(text) >= 0) {
      return true;
    }
    try {
      return text.contains(":") && text.matches("[0-9a-fA-F:.]+")
          && java.net.InetAddress.getByName(text) instanceof java.net.Inet6Address;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  /** An IPv4 CIDR as {@link Ipv4Cidr} reads it, or an IPv6 one (accepted, as Kubernetes does; our proxy is IPv4 only). */
  static boolean isCidr(String text) {
    try {
      Ipv4Cidr.parse(text);
      return true;
    } catch (IllegalArgumentException e) {
      int slash = text.indexOf('/');
      if (slash < 0 || !text.contains(":")) {
        return false;
      }
      try {
        int bits = Integer.parseInt(text.substring(slash + 1));
        return bits >= 0 && bits <= 128 && java.net.InetAddress.getByName(text.substring(0, slash))
            instanceof java.net.Inet6Address && text.substring(0, slash).matches("[0-9a-fA-F:.]+");
      } catch (NumberFormatException | java.net.UnknownHostException notIpv6) {
        return false;
      }
    }
  }

  /** externalTrafficPolicy only where traffic comes from outside; healthCheckNodePort only for a Local LoadBalancer. */
  private static void trafficPolicies(JsonNode spec, List<FieldError> errors) {
    String external = spec.path("externalTrafficPolicy").asText("");
    if (!externallyAccessible(spec)) {
      if (!external.isEmpty()) {
        errors.add(FieldError.invalid("spec.externalTrafficPolicy", external,
            "may only be set for externally-accessible services"));
      }
    } else if (external.isEmpty()) {
      errors.add(FieldError.required("spec.externalTrafficPolicy", ""));
    } else if (!TRAFFIC_POLICIES.contains(external)) {
      errors.add(FieldError.notSupported("spec.externalTrafficPolicy", external, TRAFFIC_POLICIES));
    }
    String internal = spec.path("internalTrafficPolicy").asText("");
    if (!internal.isEmpty() && !TRAFFIC_POLICIES.contains(internal)) {
      errors.add(FieldError.notSupported("spec.internalTrafficPolicy", internal, TRAFFIC_POLICIES));
    }
    JsonNode healthCheck = spec.path("healthCheckNodePort");
    int hc = healthCheck.isIntegralNumber() ? healthCheck.asInt() : healthCheck.isMissingNode() || healthCheck.isNull() ? 0 : -1;
    if (!needsHealthCheckNodePort(spec)) {
      if (hc != 0) {
        errors.add(FieldError.invalid("spec.healthCheckNodePort", value(healthCheck),
            "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
      }
    } else if (hc < 0 || hc > 65535) {
      // 0: the allocator picks one
      errors.add(FieldError.invalid("spec.healthCheckNodePort", value(healthCheck), "must be between 1 and 65535, inclusive"));
    }
  }

  private static void clusterIps(JsonNode spec, String clusterIp, String type, List<FieldError> errors) {
    if (clusterIp.isEmpty()) {
      return;
    }
    if ("None".equals(clusterIp)) {
      if (usesNodePorts(spec)) {
        errors.add(FieldError.invalid("spec.clusterIPs[0]", "None", "may not be set to 'None' for " + type + " services"));
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
