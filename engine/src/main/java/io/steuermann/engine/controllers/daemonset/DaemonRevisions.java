package io.steuermann.engine.controllers.daemonset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.Owners;
import io.steuermann.engine.controllers.logic.PodTemplateHash;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Meta;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A DaemonSet's history as ControllerRevisions, the way Kubernetes' DaemonSet controller keeps
 * it ({@code constructHistory}, {@code snapshot}, {@code cleanupHistory}) and kubectl reads it
 * ({@code rollout history|undo}): one revision per distinct pod template, named
 * {@code <ds>-<hash>}, labelled with the template's labels plus {@code controller-revision-hash},
 * owned by the DaemonSet, whose {@code data} is the strategic merge patch that puts the template
 * back ({@code {"spec":{"template":{..., "$patch":"replace"}}}}); kubectl's {@code rollout undo}
 * sends exactly that patch. Restoring an old template makes its revision the newest again.
 */
public final class DaemonRevisions {
  /** The label on revisions and pods naming the revision's hash. */
  public static final String HASH_LABEL = "controller-revision-hash";
  /** The pod label holding the DaemonSet's template generation. */
  public static final String GENERATION_LABEL = "pod-template-generation";
  /** The DaemonSet annotation holding its template generation (kept by the API server). */
  public static final String GENERATION_ANNOTATION = "deprecated.daemonset.template.generation";

  private DaemonRevisions() {}

  /** The revision's {@code data}: a patch that replaces the DaemonSet's template with this one. */
  public static ObjectNode data(JsonNode daemonSet) {
    ObjectNode data = Json.object();
    ObjectNode template = comparable(daemonSet.path("spec").path("template"));
    template.put("$patch", "replace");
    data.putObject("spec").set("template", template);
    return data;
  }

  /** Whether {@code revision} holds the DaemonSet's current template (Kubernetes' {@code Match}). */
  public static boolean matches(JsonNode daemonSet, JsonNode revision) {
    JsonNode stored = revision.path("data").path("spec").path("template");
    if (!stored.isObject()) {
      return false;
    }
    ObjectNode template = comparable(stored);
    template.remove("$patch");
    return template.equals(comparable(daemonSet.path("spec").path("template")));
  }

  /** The hash of the current template, with {@code status.collisionCount} mixed in. */
  public static String hash(JsonNode daemonSet) {
    JsonNode count = daemonSet.path("status").path("collisionCount");
    return PodTemplateHash.compute(comparable(daemonSet.path("spec").path("template")),
        count.isNumber() ? count.asInt() : null);
  }

  public static long revision(JsonNode controllerRevision) {
    return controllerRevision.path("revision").asLong(0);
  }

  public static long maxRevision(List<? extends JsonNode> revisions) {
    return revisions.stream().mapToLong(DaemonRevisions::revision).max().orElse(0);
  }

  /** The revisions holding the current template, lowest revision first (more than one only by a race). */
  public static List<JsonNode> current(JsonNode daemonSet, List<? extends JsonNode> revisions) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode r : revisions) {
      if (matches(daemonSet, r)) {
        out.add(r);
      }
    }
    out.sort(Comparator.comparingLong(DaemonRevisions::revision));
    return out;
  }

  /** A new ControllerRevision object for the DaemonSet's current template (Kubernetes' {@code snapshot}). */
  public static ObjectNode snapshot(JsonNode daemonSet, String hash, long revision) {
    ObjectNode cr = Json.object();
    cr.put("apiVersion", "apps/v1");
    cr.put("kind", "ControllerRevision");
    ObjectNode meta = cr.putObject("metadata");
    meta.put("name", name(Meta.name(daemonSet), hash));
    meta.put("namespace", Meta.namespace(daemonSet));
    JsonNode templateLabels = daemonSet.path("spec").path("template").path("metadata").path("labels");
    ObjectNode labels = templateLabels.isObject() ? ((ObjectNode) templateLabels).deepCopy() : Json.object();
    labels.put(HASH_LABEL, hash);
    meta.set("labels", labels);
    JsonNode annotations = daemonSet.path("metadata").path("annotations");
    if (annotations.isObject() && !annotations.isEmpty()) {
      // kubectl rollout history shows the change-cause annotation of each revision
      meta.set("annotations", annotations.deepCopy());
    }
    Owners.setController(meta, daemonSet);
    cr.set("data", data(daemonSet));
    cr.put("revision", revision);
    return cr;
  }

  /** Kubernetes' {@code ControllerRevisionName}: the prefix cut to 223 characters, a dash, the hash. */
  public static String name(String prefix, String hash) {
    return (prefix.length() > 223 ? prefix.substring(0, 223) : prefix) + "-" + hash;
  }

  /** The hash a revision's pods carry. */
  public static String hashOf(JsonNode revision) {
    return revision.path("metadata").path("labels").path(HASH_LABEL).asText("");
  }

  /**
   * Kubernetes' {@code cleanupHistory}: beyond {@code revisionHistoryLimit} old revisions, the
   * oldest go first, except those whose hash a live pod still carries.
   */
  public static List<String> toCleanUp(List<? extends JsonNode> old, Set<String> liveHashes, int limit) {
    int toKill = old.size() - Math.max(0, limit);
    List<String> out = new ArrayList<>();
    if (toKill <= 0) {
      return out;
    }
    List<JsonNode> sorted = new ArrayList<>(old);
    sorted.sort(Comparator.comparingLong(DaemonRevisions::revision));
    for (JsonNode r : sorted) {
      if (toKill <= 0) {
        break;
      }
      if (liveHashes.contains(hashOf(r))) {
        continue;
      }
      out.add(Meta.name(r));
      toKill--;
    }
    return out;
  }

  /** The revision with the given number, when there is one. */
  public static Optional<JsonNode> find(List<? extends JsonNode> revisions, long number) {
    return revisions.stream().filter(r -> revision(r) == number).map(r -> (JsonNode) r).findFirst();
  }

  /** A template without the null timestamp clients add, so that equal templates compare equal. */
  private static ObjectNode comparable(JsonNode template) {
    ObjectNode copy = template.isObject() ? ((ObjectNode) template).deepCopy() : Json.object();
    if (copy.path("metadata") instanceof ObjectNode m && m.path("creationTimestamp").isNull()) {
      m.remove("creationTimestamp");
    }
    return copy;
  }
}
