package io.steuermann.http.protobuf;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.util.Map;

/**
 * The few fields whose protobuf name is not their JSON name: go-to-protobuf derives the name
 * from the Go field, so {@code APIGroup} of an IngressClass's parameters is {@code aPIGroup}
 * on the wire while its JSON tag says {@code apiGroup}.
 */
final class JsonNames {
  /** Message type, then protobuf name to JSON name. */
  private static final Map<String, Map<String, String>> RENAMED = Map.of(
      "k8s.io.api.networking.v1.IngressClassParametersReference", Map.of("aPIGroup", "apiGroup"));

  private JsonNames() {}

  static String of(FieldDescriptor field) {
    return RENAMED.getOrDefault(field.getContainingType().getFullName(), Map.of())
        .getOrDefault(field.getName(), field.getName());
  }

  /** The field a JSON key names, or null. */
  static FieldDescriptor find(Descriptor type, String jsonName) {
    Map<String, String> renamed = RENAMED.getOrDefault(type.getFullName(), Map.of());
    for (Map.Entry<String, String> e : renamed.entrySet()) {
      if (e.getValue().equals(jsonName)) {
        return type.findFieldByName(e.getKey());
      }
    }
    return renamed.containsKey(jsonName) ? null : type.findFieldByName(jsonName);
  }
}
