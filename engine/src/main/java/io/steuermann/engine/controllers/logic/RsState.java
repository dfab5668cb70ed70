package io.steuermann.engine.controllers.logic;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.Meta;
import java.time.Instant;
import java.util.Comparator;

/**
 * What the Deployment logic needs to know about one of its ReplicaSets.
 *
 * @param replicas          {@code spec.replicas} -- what the Deployment last asked for
 * @param statusReplicas    {@code status.replicas} -- pods that actually exist
 * @param createdAt         {@code metadata.creationTimestamp}, null when unknown
 * @param revision          the {@code deployment.kubernetes.io/revision} annotation, 0 when absent
 * @param deleting          whether {@code metadata.deletionTimestamp} is set
 */
public record RsState(
    String name,
    String uid,
    int replicas,
    int statusReplicas,
    int readyReplicas,
    int availableReplicas,
    Instant createdAt,
    long revision,
    long generation,
    long observedGeneration,
    boolean deleting) {

  /** A ReplicaSet whose status is current and has no deletion pending; for tests and callers. */
  public static RsState of(String name, int replicas, int availableReplicas, Instant createdAt, long revision) {
    return new RsState(name, "", replicas, replicas, availableReplicas, availableReplicas, createdAt, revision,
        1, 1, false);
  }

  public static RsState of(JsonNode rs) {
    JsonNode status = rs.path("status");
    return new RsState(Meta.name(rs), Meta.uid(rs),
        rs.path("spec").path("replicas").asInt(1),
        status.path("replicas").asInt(0),
        status.path("readyReplicas").asInt(0),
        status.path("availableReplicas").asInt(0),
        ActivePods.time(rs.path("metadata"), "creationTimestamp"),
        Revisions.revision(rs),
        Meta.generation(rs),
        status.path("observedGeneration").asLong(0),
        rs.path("metadata").hasNonNull("deletionTimestamp"));
  }

  public RsState withReplicas(int newReplicas) {
    return new RsState(name, uid, newReplicas, statusReplicas, readyReplicas, availableReplicas, createdAt, revision,
        generation, observedGeneration, deleting);
  }

  /**
   * Kubernetes' {@code ReplicaSetsByCreationTimestamp}: oldest first, a missing timestamp
   * first of all, ties broken by name.
   */
  public static final Comparator<RsState> BY_CREATION = Comparator
      .comparing(RsState::createdAt, Comparator.nullsFirst(Comparator.naturalOrder()))
      .thenComparing(RsState::name);

  /** Kubernetes' {@code ReplicaSetsByRevision}: lowest revision first, then by creation. */
  public static final Comparator<RsState> BY_REVISION =
      Comparator.comparingLong(RsState::revision).thenComparing(BY_CREATION);
}
