package io.steuermann.engine.controllers.logic;

/** One decision to set a ReplicaSet's {@code spec.replicas} from {@code from} to {@code to}. */
public record Scale(String replicaSet, int from, int to) {
  /** The ScalingReplicaSet event message, in Kubernetes' wording. */
  public String eventMessage() {
    return "Scaled " + (to > from ? "up" : "down") + " replica set " + replicaSet + " from " + from + " to " + to;
  }
}
