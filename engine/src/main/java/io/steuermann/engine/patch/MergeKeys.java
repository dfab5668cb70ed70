package io.steuermann.engine.patch;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The lists Kubernetes' schema merges element by element, and the field that identifies an
 * element, by field name. There is no schema here, so the table applies by name at any
 * depth. Strategic merge patch and server-side apply share it, so both agree on which lists
 * are maps; every other list is atomic (replaced as a whole).
 */
public final class MergeKeys {

  /** Field name -> merge key candidates, tried in order against each element. */
  private static final Map<String, List<String>> KEYS = Map.ofEntries(
      Map.entry("containers", List.of("name")),
      Map.entry("initContainers", List.of("name")),
      Map.entry("ephemeralContainers", List.of("name")),
      Map.entry("volumes", List.of("name")),
      Map.entry("env", List.of("name")),
      Map.entry("imagePullSecrets", List.of("name")),
      Map.entry("volumeMounts", List.of("mountPath")),
      Map.entry("volumeDevices", List.of("devicePath")),
      // container ports have containerPort, Service ports have port
      Map.entry("ports", List.of("containerPort", "port")),
      Map.entry("conditions", List.of("type")),
      Map.entry("ownerReferences", List.of("uid")),
      Map.entry("hostAliases", List.of("ip")));

  private MergeKeys() {
  }

  /** The merge key candidates of a list under {@code field}, if it is a merged list. */
  public static Optional<List<String>> forField(String field) {
    return Optional.ofNullable(KEYS.get(field));
  }

  /** The first candidate the element carries, or null. */
  public static String keyOf(JsonNode element, List<String> candidates) {
    for (String k : candidates) {
      if (element.has(k)) {
        return k;
      }
    }
    return null;
  }
}
