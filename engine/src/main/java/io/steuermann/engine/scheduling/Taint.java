package io.steuermann.engine.scheduling;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.Meta;
import java.util.ArrayList;
import java.util.List;

/** A node taint ({@code spec.taints[]}): key, value and effect (NoSchedule, PreferNoSchedule, NoExecute). */
public record Taint(String key, String value, String effect) {
  public static final String NO_SCHEDULE = "NoSchedule";
  public static final String PREFER_NO_SCHEDULE = "PreferNoSchedule";
  public static final String NO_EXECUTE = "NoExecute";

  /** The taint Kubernetes puts on cordoned nodes; a pod tolerating it may land on them anyway. */
  public static final Taint UNSCHEDULABLE = new Taint("node.kubernetes.io/unschedulable", "", NO_SCHEDULE);
  /** The taint Kubernetes puts on nodes whose Ready condition is False. */
  public static final Taint NOT_READY = new Taint("node.kubernetes.io/not-ready", "", NO_SCHEDULE);

  public Taint {
    key = key == null ? "" : key;
    value = value == null ? "" : value;
    effect = effect == null ? "" : effect;
  }

  /** Taints of a node object's {@code spec.taints}. */
  public static List<Taint> of(JsonNode node) {
    List<Taint> out = new ArrayList<>();
    for (JsonNode t : node.path("spec").path("taints")) {
      out.add(new Taint(Meta.text(t, "key"), Meta.text(t, "value"), Meta.text(t, "effect")));
    }
    return List.copyOf(out);
  }

  /** Whether the scheduler must respect this taint (PreferNoSchedule only affects scoring). */
  public boolean blocksScheduling() {
    return NO_SCHEDULE.equals(effect) || NO_EXECUTE.equals(effect);
  }
}
