package io.steuermann.engine.storage;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.scheduling.NodeAffinity;
import io.steuermann.engine.scheduling.Quantity;
import io.steuermann.engine.selector.LabelSelector;
import io.steuermann.engine.selector.SelectorException;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which PersistentVolume can hold a claim, as kube's PV controller's {@code findMatchingVolume}:
 * the same class and volume mode, every access mode the claim asks for, at least its requested
 * storage, labels its selector matches, not bound to another claim, and (when the claim waits
 * for its first consumer) reachable from the node the consumer was scheduled to. Of several,
 * one pre-bound to the claim, else the smallest.
 */
public final class VolumeMatch {
  private VolumeMatch() {}

  /** The best volume for the claim among {@code volumes}; {@code node} null when any node will do. */
  public static <T extends JsonNode> Optional<T> best(JsonNode claim, Collection<T> volumes, String node,
      Map<String, String> nodeLabels) {
    return volumes.stream()
        .filter(pv -> satisfies(pv, claim) && (node == null || reachableFrom(pv, node, nodeLabels)))
        .min(Comparator.comparing((T pv) -> preBoundTo(pv, claim) ? 0 : 1)
            .thenComparing(pv -> capacity(pv)));
  }

  /** Whether the volume meets the claim's wishes and is free for it. */
  public static boolean satisfies(JsonNode pv, JsonNode claim) {
    JsonNode pvSpec = pv.path("spec");
    JsonNode spec = claim.path("spec");
    if (pv.path("metadata").has("deletionTimestamp")) {
      return false;
    }
    String volumeName = spec.path("volumeName").asText("");
    if (!volumeName.isEmpty() && !volumeName.equals(Meta.name(pv))) {
      return false;
    }
    JsonNode ref = pvSpec.path("claimRef");
    if (ref.isObject() && !refersTo(ref, claim)) {
      return false;
    }
    String phase = pv.path("status").path("phase").asText("Pending");
    if (!ref.isObject() && !(phase.equals("Available") || phase.equals("Pending"))) {
      return false;
    }
    if (!pvSpec.path("storageClassName").asText("").equals(StorageClasses.className(claim))) {
      return false;
    }
    if (!pvSpec.path("volumeMode").asText("Filesystem").equals(spec.path("volumeMode").asText("Filesystem"))) {
      return false;
    }
    Set<String> offered = new HashSet<>();
    pvSpec.path("accessModes").forEach(m -> offered.add(m.asText()));
    for (JsonNode m : spec.path("accessModes")) {
      if (!offered.contains(m.asText())) {
        return false;
      }
    }
    if (capacity(pv).compareTo(request(claim)) < 0) {
      return false;
    }
    JsonNode selector = spec.path("selector");
    if (selector.isObject()) {
      try {
        return LabelSelector.fromJson(selector).matches(Meta.labels(pv));
      } catch (SelectorException e) {
        return false;
      }
    }
    return true;
  }

  /** Whether a claimRef names the claim (its uid too, once the binding recorded it). */
  public static boolean refersTo(JsonNode ref, JsonNode claim) {
    String uid = ref.path("uid").asText("");
    return ref.path("name").asText("").equals(Meta.name(claim))
        && ref.path("namespace").asText("").equals(Meta.namespace(claim))
        && (uid.isEmpty() || uid.equals(Meta.uid(claim)));
  }

  private static boolean preBoundTo(JsonNode pv, JsonNode claim) {
    return pv.path("spec").path("claimRef").isObject();
  }

  /** The volume's node affinity as the scheduler's terms; empty when it has none. */
  public static Optional<NodeAffinity> affinity(JsonNode pv) {
    JsonNode required = pv.path("spec").path("nodeAffinity").path("required");
    return required.isObject() ? Optional.of(NodeAffinity.ofSelector(required)) : Optional.empty();
  }

  public static boolean reachableFrom(JsonNode pv, String node, Map<String, String> nodeLabels) {
    return affinity(pv).map(a -> a.matches(nodeLabels, node)).orElse(true);
  }

  public static BigDecimal capacity(JsonNode pv) {
    return quantity(pv.path("spec").path("capacity").path("storage"));
  }

  public static BigDecimal request(JsonNode claim) {
    return quantity(claim.path("spec").path("resources").path("requests").path("storage"));
  }

  private static BigDecimal quantity(JsonNode value) {
    try {
      return Quantity.parse(value.asText("0"));
    } catch (IllegalArgumentException e) {
      return BigDecimal.ZERO;
    }
  }
}
