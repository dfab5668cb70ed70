package io.steuermann.engine.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.services.ServiceSpecs;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * kube 1.32's Ingress and IngressClass validation (networking.k8s.io/v1,
 * {@code pkg/apis/networking/validation}): rules with DNS or wildcard hosts (never an IP),
 * paths with a pathType (Exact and Prefix absolute and free of {@code //}, {@code /./}, ...),
 * backends naming a Service with a port name or number, or a resource, but not both; TLS hosts
 * and Secret names; the class name; the load balancer status. An IngressClass needs a
 * domain-prefixed controller (immutable) and well-formed parameters.
 */
public final class IngressValidation {
  static final List<String> PATH_TYPES = List.of("Exact", "ImplementationSpecific", "Prefix");
  static final List<String> PARAMETER_SCOPES = List.of("Cluster", "Namespace");
  private static final List<String> INVALID_PATH_SEQUENCES = List.of("//", "/./", "/../", "%2f", "%2F");
  private static final List<String> INVALID_PATH_SUFFIXES = List.of("/..", "/.");
  /** The legacy class annotation, which must agree with ingressClassName when both are set. */
  public static final String CLASS_ANNOTATION = "kubernetes.io/ingress.class";
  private static final String WILDCARD_FMT = "\\*\\." + Names.DNS1123_SUBDOMAIN_FMT;
  private static final Pattern WILDCARD = Pattern.compile(WILDCARD_FMT);
  private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
  private static final String HTTP_PATH_FMT = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";

  private IngressValidation() {}

  /** An Ingress on create ({@code old} null) or update. */
  public static List<FieldError> ingress(JsonNode ingress, JsonNode old) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode spec = ingress.path("spec");
    JsonNode rules = spec.path("rules");
    JsonNode defaultBackend = spec.get("defaultBackend");
    boolean hasDefault = defaultBackend != null && !defaultBackend.isNull();
    if (rules.size() == 0 && !hasDefault) {
      errors.add(FieldError.invalid("spec", "null", "either `defaultBackend` or `rules` must be specified"));
    }
    if (hasDefault) {
      backend("spec.defaultBackend", defaultBackend, errors);
    }
    for (int i = 0; i < rules.size(); i++) {
      rule("spec.rules[" + i + "]", rules.get(i), errors);
    }
    JsonNode tls = spec.path("tls");
    for (int i = 0; i < tls.size(); i++) {
      JsonNode hosts = tls.get(i).path("hosts");
      for (int h = 0; h < hosts.size(); h++) {
        String host = hosts.get(h).asText("");
        String at = "spec.tls[" + i + "].hosts[" + h + "]";
        (host.contains("*") ? wildcardSubdomain(host) : Names.dns1123Subdomain(host))
            .forEach(problem -> errors.add(FieldError.invalid(at, host, problem)));
      }
      String secret = tls.get(i).path("secretName").asText("");
      String secretAt = "spec.tls[" + i + "].secretName";
      if (!secret.isEmpty()) {
        Names.dns1123Subdomain(secret).forEach(problem -> errors.add(FieldError.invalid(secretAt, secret, problem)));
      }
    }
    JsonNode className = spec.get("ingressClassName");
    if (className != null && !className.isNull()) {
      Names.dns1123Subdomain(className.asText())
          .forEach(problem -> errors.add(FieldError.invalid("spec.ingressClassName", className.asText(), problem)));
    }
    JsonNode annotation = ingress.path("metadata").path("annotations").get(CLASS_ANNOTATION);
    if (old == null && annotation != null && className != null && !className.isNull()
        && !annotation.asText().equals(className.asText())) {
      errors.add(FieldError.invalid("annotations.kubernetes.io/ingress.class", annotation.asText(),
          "must match `ingressClassName` when both are specified"));
    }
    errors.addAll(ServiceSpecs.validateStatus(ingress.path("status")));
    return errors;
  }

  private static void rule(String at, JsonNode rule, List<FieldError> errors) {
    String host = rule.path("host").asText("");
    if (!host.isEmpty()) {
      if (isIp(host)) {
        errors.add(FieldError.invalid(at + ".host", host, "must be a DNS name, not an IP address"));
      }
      (host.contains("*") ? wildcardSubdomain(host) : Names.dns1123Subdomain(host))
          .forEach(problem -> errors.add(FieldError.invalid(at + ".host", host, problem)));
    }
    JsonNode http = rule.get("http");
    if (http == null || http.isNull()) {
      return;
    }
    JsonNode paths = http.path("paths");
    if (paths.size() == 0) {
      errors.add(FieldError.required(at + ".http.paths", ""));
    }
    for (int p = 0; p < paths.size(); p++) {
      path(at + ".http.paths[" + p + "]", paths.get(p), errors);
    }
  }

  private static void path(String at, JsonNode path, List<FieldError> errors) {
    JsonNode type = path.get("pathType");
    if (type == null || type.isNull()) {
      errors.add(FieldError.required(at + ".pathType", "pathType must be specified"));
      return;
    }
    String value = path.path("path").asText("");
    switch (type.asText()) {
      case "Exact", "Prefix" -> {
        if (!value.startsWith("/")) {
          errors.add(FieldError.invalid(at + ".path", value, "must be an absolute path"));
        }
        for (String sequence : INVALID_PATH_SEQUENCES) {
          if (value.contains(sequence)) {
            errors.add(FieldError.invalid(at + ".path", value, "must not contain '" + sequence + "'"));
          }
        }
        for (String suffix : INVALID_PATH_SUFFIXES) {
          if (value.endsWith(suffix)) {
            errors.add(FieldError.invalid(at + ".path", value, "cannot end with '" + suffix + "'"));
          }
        }
      }
      case "ImplementationSpecific" -> {
        if (!value.isEmpty() && !value.startsWith("/")) {
          errors.add(FieldError.invalid(at + ".path", value, "must be an absolute path"));
        }
      }
      default -> errors.add(FieldError.notSupported(at + ".pathType", type.asText(), PATH_TYPES));
    }
    backend(at + ".backend", path.path("backend"), errors);
  }

  private static void backend(String at, JsonNode backend, List<FieldError> errors) {
    JsonNode resource = backend.get("resource");
    JsonNode service = backend.get("service");
    boolean hasResource = resource != null && !resource.isNull();
    boolean hasService = service != null && !service.isNull();
    if (hasResource && hasService) {
      errors.add(FieldError.invalid(at, "", "cannot set both resource and service backends"));
    } else if (hasResource) {
      typedReference(at + ".resource", resource, errors);
    } else if (hasService) {
      String name = service.path("name").asText("");
      if (name.isEmpty()) {
        errors.add(FieldError.required(at + ".service.name", ""));
      } else {
        Names.dns1035Label(name).forEach(problem -> errors.add(FieldError.invalid(at + ".service.name", name, problem)));
      }
      String portName = service.path("port").path("name").asText("");
      int number = service.path("port").path("number").asInt(0);
      if (!portName.isEmpty() && number != 0) {
        errors.add(FieldError.invalid(at, "", "cannot set both port name & port number"));
      } else if (!portName.isEmpty()) {
        PodDnsValidation.portName(at + ".service.port.name", portName, errors);
      } else if (number != 0) {
        if (number < 1 || number > 65535) {
          errors.add(FieldError.invalid(at + ".service.port.number", number, "must be between 1 and 65535, inclusive"));
        }
      } else {
        errors.add(FieldError.required(at, "port name or number is required"));
      }
    } else {
      errors.add(FieldError.invalid(at, "", "resource or service backend is required"));
    }
  }

  /** An IngressClass on create ({@code old} null) or update (the controller is immutable). */
  public static List<FieldError> ingressClass(JsonNode ingressClass, JsonNode old) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode spec = ingressClass.path("spec");
    String controller = spec.path("controller").asText("");
    if (old != null && !controller.equals(old.path("spec").path("controller").asText(""))) {
      errors.add(FieldError.invalid("spec.controller", controller, "field is immutable"));
    }
    if (controller.isEmpty()) {
      errors.add(FieldError.required("spec.controller", ""));
    } else {
      if (controller.length() > 250) {
        errors.add(FieldError.tooLong("spec.controller", "", 250));
      }
      domainPrefixedPath("spec.controller", controller, errors);
    }
    JsonNode parameters = spec.get("parameters");
    if (parameters != null && !parameters.isNull()) {
      typedReference("spec.parameters", parameters, errors);
      JsonNode scope = parameters.get("scope");
      JsonNode namespace = parameters.get("namespace");
      boolean hasNamespace = namespace != null && !namespace.isNull();
      if (scope == null || scope.isNull()) {
        errors.add(FieldError.required("spec.parameters.scope", ""));
      } else if (!PARAMETER_SCOPES.contains(scope.asText())) {
        errors.add(FieldError.notSupported("spec.parameters.scope", scope.asText(), PARAMETER_SCOPES));
      } else if ("Namespace".equals(scope.asText())) {
        if (!hasNamespace) {
          errors.add(FieldError.required("spec.parameters.namespace", "`parameters.scope` is set to 'Namespace'"));
        } else {
          Names.dns1123Label(namespace.asText()).forEach(problem ->
              errors.add(FieldError.invalid("spec.parameters.namespace", namespace.asText(), problem)));
        }
      } else if (hasNamespace) {
        errors.add(FieldError.forbidden("spec.parameters.namespace", "`parameters.scope` is set to 'Cluster'"));
      }
    }
    return errors;
  }

  /** {@code apiGroup} a DNS subdomain when set; {@code kind} and {@code name} required path segments. */
  private static void typedReference(String at, JsonNode reference, List<FieldError> errors) {
    JsonNode group = reference.get("apiGroup");
    if (group != null && !group.isNull()) {
      Names.dns1123Subdomain(group.asText()).forEach(problem ->
          errors.add(FieldError.invalid(at + ".apiGroup", group.asText(), problem)));
    }
    for (String field : List.of("kind", "name")) {
      String value = reference.path(field).asText("");
      if (value.isEmpty()) {
        errors.add(FieldError.required(at + "." + field, ""));
      } else {
        Names.pathSegmentName(value, false).forEach(problem ->
            errors.add(FieldError.invalid(at + "." + field, value, problem)));
      }
    }
  }

  /** kube's {@code IsDomainPrefixedPath}: {@code acme.io/foo}. */
  private static void domainPrefixedPath(String at, String value, List<FieldError> errors) {
    String[] segments = value.split("/", 2);
    if (segments.length != 2 || segments[0].isEmpty() || segments[1].isEmpty()) {
      errors.add(FieldError.invalid(at, value, "must be a domain-prefixed path (such as \"acme.io/foo\")"));
      return;
    }
    Names.dns1123Subdomain(segments[0]).forEach(problem -> errors.add(FieldError.invalid(at, segments[0], problem)));
    if (!segments[1].matches(HTTP_PATH_FMT)) {
      errors.add(FieldError.invalid(at, segments[1], Names.regexError("Invalid path", HTTP_PATH_FMT)));
    }
  }

  /** kube's {@code IsWildcardDNS1123Subdomain}. */
  static List<String> wildcardSubdomain(String value) {
    List<String> errs = new ArrayList<>();
    if (value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > Names.DNS1123_SUBDOMAIN_MAX_LENGTH) {
      errs.add(Names.maxLenError(Names.DNS1123_SUBDOMAIN_MAX_LENGTH));
    }
    if (!WILDCARD.matcher(value).matches()) {
      errs.add(Names.regexError("a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, "
          + "which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character",
          WILDCARD_FMT, "*.example.com"));
    }
    return errs;
  }

  private static boolean isIp(String host) {
    var m = IPV4.matcher(host);
    if (m.matches()) {
      for (int g = 1; g <= 4; g++) {
        if (Integer.parseInt(m.group(g)) > 255) {
          return false;
        }
      }
      return true;
    }
    return host.contains(":");
  }
}
