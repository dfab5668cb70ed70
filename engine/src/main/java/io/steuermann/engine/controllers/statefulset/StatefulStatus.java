package io.steuermann.engine.controllers.statefulset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.Owners;
import io.steuermann.engine.controllers.daemonset.DaemonRevisions;
import io.steuermann.engine.controllers.logic.ActivePods;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Meta;
import java.time.Instant;
import java.util.List;

/**
 * A StatefulSet's status as Kubernetes computes it ({@code computeReplicaStatus}): every pod
 * counts in {@code replicas}, a running ready one (terminating or not) in {@code readyReplicas}
 * and, ready for {@code minReadySeconds}, in {@code availableReplicas}; the pods not terminating
 * at each revision in {@code currentReplicas} and {@code updatedReplicas}. With
 * {@code completeRollingUpdate}, once {@code spec.replicas} pods are there, updated and ready
 * (RollingUpdate), the update revision is the current one.
 */
public final class StatefulStatus {
  private StatefulStatus() {}

  public static ObjectNode of(JsonNode set, List<? extends JsonNode> pods, String currentRevision,
      String updateRevision, Instant now) {
    int minReady = set.path("spec").path("minReadySeconds").asInt(0);
    int replicas = 0;
    int ready = 0;
    int available = 0;
    int current = 0;
    int updated = 0;
    for (JsonNode p : pods) {
      replicas++;
      if ("Running".equals(p.path("status").path("phase").asText()) && ActivePods.isReady(p)) {
        ready++;
        available += ActivePods.isAvailable(p, minReady, now) ? 1 : 0;
      }
      if (!Owners.isTerminating(p)) {
        String revision = p.path("metadata").path("labels").path(DaemonRevisions.HASH_LABEL).asText("");
        current += revision.equals(currentRevision) ? 1 : 0;
        updated += revision.equals(updateRevision) ? 1 : 0;
      }
    }
    boolean rolling = "RollingUpdate".equals(set.path("spec").path("updateStrategy").path("type").asText(""));
    int wanted = set.path("spec").path("replicas").asInt(1);
    String currentName = currentRevision;
    if (rolling && updated == wanted && ready == wanted && replicas == wanted) {
      current = updated;
      currentName = updateRevision;
    }
    ObjectNode status = set.path("status").isObject() ? ((ObjectNode) set.get("status")).deepCopy() : Json.object();
    status.put("observedGeneration", Meta.generation(set));
    status.put("replicas", replicas);
    status.put("readyReplicas", ready);
    status.put("currentReplicas", current);
    status.put("updatedReplicas", updated);
    status.put("currentRevision", currentName);
    status.put("updateRevision", updateRevision);
    status.put("collisionCount", set.path("status").path("collisionCount").asInt(0));
    status.put("availableReplicas", available);
    return status;
  }
}
