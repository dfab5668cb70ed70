package io.steuermann.engine.scheduling;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.Meta;
import java.util.ArrayList;
import java.util.List;

/** A pod toleration ({@code spec.tolerations[]}), matched against taints as Kubernetes' {@code ToleratesTaint}. */
public record Toleration(String key, String operator, String value, String effect) {
  public Toleration {
    key = key == null ? "" : key;
    // Kubernetes defaults an empty operator to Equal.
    operator = operator == null || operator.isEmpty() ? "Equal" : operator;
    value = value == null ? "" : value;
    effect = effect == null ? "" : effect;
  }

  /** Tolerations of a pod object's {@code spec.tolerations}. */
  public static List<Toleration> of(JsonNode pod) {
    List<Toleration> out = new ArrayList<>();
    for (JsonNode t : pod.path("spec").path("tolerations")) {
      out.add(new Toleration(Meta.text(t, "key"), Meta.text(t, "operator"), Meta.text(t, "value"),
          Meta.text(t, "effect")));
    }
    return List.copyOf(out);
  }

  /**
   * An empty effect matches every effect; an empty key with operator Exists matches every
   * taint; Exists ignores the value; Equal compares it.
   */
  public boolean tolerates(Taint taint) {
    if (!effect.isEmpty() && !effect.equals(taint.effect())) {
      return false;
    }
    if (!key.isEmpty() && !key.equals(taint.key())) {
      return false;
    }
    return switch (operator) {
      case "Exists" -> true;
      case "Equal" -> value.equals(taint.value());
      default -> false;
    };
  }

  public static boolean anyTolerates(List<Toleration> tolerations, Taint taint) {
    for (Toleration t : tolerations) {
      if (t.tolerates(taint)) {
        return true;
      }
    }
    return false;
  }
}
