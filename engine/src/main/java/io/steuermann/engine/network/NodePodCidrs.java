package io.steuermann.engine.network;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.validation.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * kube-apiserver's rules for a Node's {@code spec.podCIDR} and {@code spec.podCIDRs}: valid
 * blocks, at most one per address family (we have IPv4 only, so one), the list's first entry
 * equal to {@code podCIDR}, and once set never changed: pods already hold addresses from it.
 */
public final class NodePodCidrs {
  private static final String CIDR_HINT = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";

  private NodePodCidrs() {}

  public static List<FieldError> validate(JsonNode spec) {
    List<FieldError> errors = new ArrayList<>();
    String single = spec.path("podCIDR").asText("");
    if (!single.isEmpty() && !valid(single)) {
      errors.add(FieldError.invalid("spec.podCIDR", single, CIDR_HINT));
    }
    JsonNode list = spec.path("podCIDRs");
    if (!list.isMissingNode() && !list.isNull() && !list.isArray()) {
      errors.add(FieldError.typeInvalid("spec.podCIDRs", list.toString(), "must be a list of CIDR blocks"));
      return errors;
    }
    if (list.size() > 1) {
      errors.add(FieldError.tooMany("spec.podCIDRs", list.size(), 1));
    }
    for (int i = 0; i < list.size(); i++) {
      String cidr = list.get(i).asText("");
      if (!valid(cidr)) {
        errors.add(FieldError.invalid("spec.podCIDRs[" + i + "]", cidr, CIDR_HINT));
      }
    }
    if (!single.isEmpty() && list.size() > 0 && !single.equals(list.get(0).asText(""))) {
      errors.add(FieldError.invalid("spec.podCIDRs[0]", list.get(0).asText(""), "must match spec.podCIDR"));
    }
    return errors;
  }

  /** An update may set the pod CIDRs where there were none, never change them. */
  public static List<FieldError> validateUpdate(JsonNode before, JsonNode after) {
    List<FieldError> errors = new ArrayList<>();
    String was = before.path("podCIDR").asText("");
    JsonNode wasList = before.path("podCIDRs");
    boolean hadAny = !was.isEmpty() || wasList.size() > 0;
    if (hadAny && (!Objects.equals(was, after.path("podCIDR").asText(""))
        || !Objects.equals(list(wasList), list(after.path("podCIDRs"))))) {
      errors.add(FieldError.forbidden("spec.podCIDRs", "node updates may not change podCIDR except from \"\" to valid"));
    }
    return errors;
  }

  private static List<String> list(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(e -> out.add(e.asText("")));
    return out;
  }

  private static boolean valid(String cidr) {
    try {
      Ipv4Cidr parsed = Ipv4Cidr.parse(cidr);
      return parsed.toString().equals(cidr); // no host bits, no spaces, as net.ParseCIDR keeps them out
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
