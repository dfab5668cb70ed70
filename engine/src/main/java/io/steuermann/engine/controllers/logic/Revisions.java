package io.steuermann.engine.controllers.logic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Meta;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code deployment.kubernetes.io/revision} bookkeeping of Deployments, as Kubernetes'
 * {@code deployment_util.go}, {@code rollback.go} and {@code cleanupDeployment}: every template
 * a Deployment has run is a ReplicaSet carrying a revision number; the current one holds the
 * highest; rollback copies an earlier ReplicaSet's template back; old, empty ReplicaSets beyond
 * {@code revisionHistoryLimit} are deleted.
 */
public final class Revisions {
  public static final String ANNOTATION = "deployment.kubernetes.io/revision";
  /** Kubernetes' default {@code revisionHistoryLimit} for apps/v1 Deployments. */
  public static final int DEFAULT_HISTORY_LIMIT = 10;

  private Revisions() {}

  /** The revision annotation of an object; 0 when absent or not a number. */
  public static long revision(JsonNode object) {
    String v = Meta.text(object.path("metadata").path("annotations"), ANNOTATION);
    try {
      return v.isEmpty() ? 0 : Long.parseLong(v);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Kubernetes' {@code MaxRevision}. */
  public static long maxRevision(List<RsState> rss) {
    long max = 0;
    for (RsState rs : rss) {
      max = Math.max(max, rs.revision());
    }
    return max;
  }

  /** The revision for the new ReplicaSet: one more than any old ReplicaSet's. */
  public static long nextRevision(List<RsState> oldRss) {
    return maxRevision(oldRss) + 1;
  }

  /**
   * Whether the new ReplicaSet's annotation must be raised to {@code nextRevision}: Kubernetes
   * only ever increases it, so a ReplicaSet brought back by a rollback gets the newest number.
   */
  public static boolean needsRevisionUpdate(RsState newRs, long nextRevision) {
    return newRs.revision() < nextRevision;
  }

  /**
   * Kubernetes' {@code LastRevision}: the second-highest revision among all ReplicaSets, i.e.
   * the one before the current; 0 when there is none.
   */
  public static long lastRevision(List<RsState> all) {
    long max = 0;
    long second = 0;
    for (RsState rs : all) {
      long v = rs.revision();
      if (v >= max) {
        second = max;
        max = v;
      } else if (v > second) {
        second = v;
      }
    }
    return second;
  }

  /**
   * The ReplicaSet to roll back to for {@code kubectl rollout undo --to-revision=N}: the one with
   * revision {@code N}, or for {@code N = 0} the previous revision ({@link #lastRevision}).
   * Empty when there is no such revision (Kubernetes then gives up with the event
   * {@code RollbackRevisionNotFound}).
   */
  public static Optional<RsState> rollbackTarget(List<RsState> all, long toRevision) {
    long wanted = toRevision == 0 ? lastRevision(all) : toRevision;
    if (wanted <= 0) {
      return Optional.empty();
    }
    return all.stream().filter(rs -> rs.revision() == wanted).findFirst();
  }

  /** The message of the RollbackRevisionNotFound warning, as Kubernetes words it. */
  public static String rollbackNotFoundMessage(long toRevision) {
    return toRevision == 0 ? "Unable to find last revision." : "Unable to find the revision to rollback to.";
  }

  /**
   * The pod template a rollback writes into the Deployment: a copy of the ReplicaSet's
   * {@code spec.template} without the {@code pod-template-hash} label the Deployment added.
   */
  public static ObjectNode templateForRollback(JsonNode replicaSet) {
    JsonNode t = replicaSet.path("spec").path("template");
    ObjectNode copy = t.isObject() ? ((ObjectNode) t).deepCopy() : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    JsonNode labels = copy.path("metadata").path("labels");
    if (labels instanceof ObjectNode l) {
      l.remove(PodTemplateHash.LABEL);
    }
    return copy;
  }

  /**
   * Kubernetes' {@code cleanupDeployment}: of the old ReplicaSets not already being deleted, the
   * {@code count - revisionHistoryLimit} with the lowest revisions are candidates; a candidate is
   * deleted only if it is scaled to 0, has no pods left and its status is current. Kubernetes
   * runs this only once the Deployment is complete (or paused).
   *
   * @param revisionHistoryLimit negative means "keep everything" (the field is unset)
   * @return names of the ReplicaSets to delete, lowest revision first
   */
  public static List<String> toCleanUp(List<RsState> oldRss, int revisionHistoryLimit) {
    if (revisionHistoryLimit < 0) {
      return List.of();
    }
    List<RsState> cleanable = new ArrayList<>(oldRss.stream().filter(rs -> !rs.deleting()).toList());
    int diff = cleanable.size() - revisionHistoryLimit;
    if (diff <= 0) {
      return List.of();
    }
    cleanable.sort(RsState.BY_REVISION);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < diff; i++) {
      RsState rs = cleanable.get(i);
      if (rs.statusReplicas() != 0 || rs.replicas() != 0 || rs.generation() > rs.observedGeneration()) {
        continue;
      }
      out.add(rs.name());
    }
    return List.copyOf(out);
  }

  /** {@code spec.revisionHistoryLimit}, or {@link #DEFAULT_HISTORY_LIMIT} when unset. */
  public static int historyLimit(JsonNode deployment) {
    JsonNode v = deployment.path("spec").path("revisionHistoryLimit");
    return v.isIntegralNumber() ? v.asInt() : DEFAULT_HISTORY_LIMIT;
  }
}
