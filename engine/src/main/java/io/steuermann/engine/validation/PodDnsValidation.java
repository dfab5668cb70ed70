package io.steuermann.engine.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.services.ServiceAddresses;
import java.util.List;
import java.util.regex.Pattern;

/**
 * kube-apiserver's rules for what a pod says about its names: {@code dnsPolicy},
 * {@code dnsConfig}, {@code hostname}, {@code subdomain}, {@code hostAliases},
 * {@code enableServiceLinks}, with its wording.
 */
public final class PodDnsValidation {
  private static final List<String> POLICIES = List.of("ClusterFirst", "ClusterFirstWithHostNet", "Default", "None");
  private static final Pattern IANA_SVC_NAME = Pattern.compile("[-a-z0-9]+");

  private PodDnsValidation() {}

  public static void validate(String path, JsonNode spec, List<FieldError> errors) {
    String policy = spec.path("dnsPolicy").asText("ClusterFirst");
    if (!POLICIES.contains(policy)) {
      errors.add(FieldError.notSupported(path + ".dnsPolicy", policy, POLICIES));
    }
    JsonNode config = spec.path("dnsConfig");
    JsonNode nameservers = config.path("nameservers");
    if (policy.equals("None") && nameservers.isEmpty()) {
      errors.add(FieldError.required(path + ".dnsConfig.nameservers",
          "must provide at least one DNS nameserver when `dnsPolicy` is None"));
    }
    if (nameservers.size() > 3) {
      errors.add(FieldError.invalid(path + ".dnsConfig.nameservers", nameservers.toString(),
          "must not have more than 3 nameservers"));
    }
    for (int i = 0; i < nameservers.size(); i++) {
      String ns = nameservers.get(i).asText("");
      if (ServiceAddresses.parseIpv4(ns) < 0) {
        errors.add(FieldError.invalid(path + ".dnsConfig.nameservers[" + i + "]", ns, "must be valid IP address"));
      }
    }
    JsonNode searches = config.path("searches");
    if (searches.size() > 32) {
      errors.add(FieldError.invalid(path + ".dnsConfig.searches", searches.toString(),
          "must not have more than 32 search paths"));
    }
    int chars = 0;
    for (int i = 0; i < searches.size(); i++) {
      String search = searches.get(i).asText("");
      chars += search.length() + (i > 0 ? 1 : 0);
      String domain = search.endsWith(".") ? search.substring(0, search.length() - 1) : search;
      for (String problem : Names.dns1123Subdomain(domain)) {
        errors.add(FieldError.invalid(path + ".dnsConfig.searches[" + i + "]", search, problem));
      }
    }
    if (chars > 2048) {
      errors.add(FieldError.invalid(path + ".dnsConfig.searches", searches.toString(),
          "must not have more than 2048 characters (including spaces) in the search list"));
    }
    JsonNode options = config.path("options");
    for (int i = 0; i < options.size(); i++) {
      if (options.get(i).path("name").asText("").isEmpty()) {
        errors.add(FieldError.required(path + ".dnsConfig.options[" + i + "].name", "Option.Name must not be empty"));
      }
    }
    label(path + ".hostname", spec.path("hostname"), errors);
    label(path + ".subdomain", spec.path("subdomain"), errors);
    JsonNode aliases = spec.path("hostAliases");
    for (int i = 0; i < aliases.size(); i++) {
      JsonNode alias = aliases.get(i);
      String ip = alias.path("ip").asText("");
      if (ServiceAddresses.parseIpv4(ip) < 0) {
        errors.add(FieldError.invalid(path + ".hostAliases[" + i + "].ip", ip, "must be valid IP address"));
      }
      JsonNode names = alias.path("hostnames");
      for (int j = 0; j < names.size(); j++) {
        for (String problem : Names.dns1123Subdomain(names.get(j).asText(""))) {
          errors.add(FieldError.invalid(path + ".hostAliases[" + i + "].hostnames[" + j + "]",
              names.get(j).asText(""), problem));
        }
      }
    }
    JsonNode links = spec.path("enableServiceLinks");
    if (!links.isMissingNode() && !links.isNull() && !links.isBoolean()) {
      errors.add(FieldError.typeInvalid(path + ".enableServiceLinks", links.toString(), "must be a boolean"));
    }
  }

  /** An IANA service name, the syntax of a named container port: at most 15 characters, a letter among them. */
  public static void portName(String path, String name, List<FieldError> errors) {
    if (name.isEmpty()) {
      return;
    }
    if (name.length() > 15) {
      errors.add(FieldError.invalid(path, name, "must be no more than 15 characters"));
    } else if (!IANA_SVC_NAME.matcher(name).matches()) {
      errors.add(FieldError.invalid(path, name, "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"));
    } else if (name.startsWith("-") || name.endsWith("-")) {
      errors.add(FieldError.invalid(path, name, "must not begin or end with a hyphen"));
    } else if (name.contains("--")) {
      errors.add(FieldError.invalid(path, name, "must not contain consecutive hyphens"));
    } else if (!name.matches(".*[a-z].*")) {
      errors.add(FieldError.invalid(path, name, "must contain at least one letter (a-z)"));
    }
  }

  private static void label(String path, JsonNode value, List<FieldError> errors) {
    String text = value.asText("");
    if (!text.isEmpty()) {
      for (String problem : Names.dns1123Label(text)) {
        errors.add(FieldError.invalid(path, text, problem));
      }
    }
  }
}
