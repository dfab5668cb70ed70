package io.steuermann.http.protobuf;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.util.List;
import java.util.Map;

/**
 * Go structs embedded with {@code json:",inline"}: one field in protobuf
 * ({@code Probe.handler}), but their fields sit in the parent's JSON object
 * ({@code livenessProbe.httpGet}). The descriptors cannot say which, so this table does.
 */
final class InlineFields {
  private static final Map<String, List<String>> INLINE = Map.of(
      "k8s.io.api.core.v1.Probe", List.of("handler"),
      "k8s.io.api.core.v1.Volume", List.of("volumeSource"),
      "k8s.io.api.core.v1.EphemeralContainer", List.of("ephemeralContainerCommon"),
      "k8s.io.api.core.v1.PersistentVolumeSpec", List.of("persistentVolumeSource"),
      "k8s.io.api.networking.v1.IngressRule", List.of("ingressRuleValue"));

  private InlineFields() {}

  /** The inlined fields of a message type, in declaration order; mostly none. */
  static List<FieldDescriptor> of(Descriptor type) {
    return INLINE.getOrDefault(type.getFullName(), List.of()).stream()
        .map(type::findFieldByName)
        .toList();
  }

  static boolean isInline(FieldDescriptor field) {
    return INLINE.getOrDefault(field.getContainingType().getFullName(), List.of()).contains(field.getName());
  }
}
