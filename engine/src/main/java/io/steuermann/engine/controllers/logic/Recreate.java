package io.steuermann.engine.controllers.logic;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.Meta;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * One reconcile of a Recreate Deployment, as Kubernetes' {@code rolloutRecreate}: scale every
 * old ReplicaSet to 0; wait until none of their pods is left running; only then create (or
 * scale) the new ReplicaSet to {@code replicas}. Old and new pods never run side by side.
 */
public final class Recreate {
  private Recreate() {}

  /**
   * What to do now.
   *
   * @param scales               replica changes to apply (old sets down, or the new set up)
   * @param waitingForOldPods    old pods still exist; do nothing else until they are gone
   * @param createNewReplicaSet  the new ReplicaSet does not exist yet: create it with
   *                             {@code newReplicaSetReplicas}
   */
  public record Step(List<Scale> scales, boolean waitingForOldPods, boolean createNewReplicaSet,
                     int newReplicaSetReplicas) {
    public Step {
      scales = List.copyOf(scales);
    }
  }

  /**
   * @param newRs          the ReplicaSet of the current template, or null if not created yet
   * @param oldPodsRunning the result of {@link #oldPodsRunning} for the old sets' pods
   */
  public static Step step(int replicas, RsState newRs, List<RsState> oldRss, boolean oldPodsRunning) {
    List<Scale> down = new ArrayList<>();
    for (RsState rs : oldRss) {
      if (rs.replicas() > 0) {
        down.add(new Scale(rs.name(), rs.replicas(), 0));
      }
    }
    if (!down.isEmpty()) {
      return new Step(down, false, false, 0);
    }
    if (oldPodsRunning) {
      return new Step(List.of(), true, false, 0);
    }
    if (newRs == null) {
      return new Step(List.of(), false, true, replicas);
    }
    if (newRs.replicas() != replicas) {
      return new Step(List.of(new Scale(newRs.name(), newRs.replicas(), replicas)), false, false, 0);
    }
    return new Step(List.of(), false, false, 0);
  }

  /**
   * Kubernetes' {@code oldPodsRunning}: an old ReplicaSet still reports pods, or one of the
   * given pods of old ReplicaSets is not in a terminal phase (Unknown counts as running: we
   * cannot be sure it stopped).
   */
  public static boolean oldPodsRunning(List<RsState> oldRss, Collection<? extends JsonNode> oldPods) {
    for (RsState rs : oldRss) {
      if (rs.statusReplicas() > 0) {
        return true;
      }
    }
    for (JsonNode pod : oldPods) {
      String phase = Meta.text(pod.path("status"), "phase");
      if (!"Succeeded".equals(phase) && !"Failed".equals(phase)) {
        return true;
      }
    }
    return false;
  }
}
