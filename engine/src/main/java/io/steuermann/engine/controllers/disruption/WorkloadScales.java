package io.steuermann.engine.controllers.disruption;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.watch.WatchCache;
import java.util.Optional;

/**
 * The disruption controller's finders: the scale of the workload that controls a pod, from the
 * watch cache. A ReplicaSet a Deployment controls counts as the Deployment (its rollouts keep
 * two ReplicaSets); any other kind with a scale counts as its {@code spec.replicas}.
 */
final class WorkloadScales implements BudgetStatus.Scales {
  private final WatchCache cache;

  WorkloadScales(WatchCache cache) {
    this.cache = cache;
  }

  @Override
  public Optional<BudgetStatus.Scale> of(String namespace, JsonNode ref) {
    Optional<JsonNode> owner = find(namespace, ref);
    if (owner.isEmpty()) {
      return Optional.empty();
    }
    JsonNode workload = owner.get();
    if (Kind.byKindName(workload.path("kind").asText()).orElse(null) == Kind.REPLICA_SET) {
      for (JsonNode up : workload.path("metadata").path("ownerReferences")) {
        if (up.path("controller").asBoolean(false) && "Deployment".equals(up.path("kind").asText())) {
          Optional<JsonNode> deployment = find(namespace, up);
          if (deployment.isPresent()) {
            workload = deployment.get();
          }
        }
      }
    }
    return Optional.of(new BudgetStatus.Scale(Meta.uid(workload), workload.path("spec").path("replicas").asInt(1)));
  }

  /** The object the reference names, if it is a kind with a scale and the uid matches. */
  private Optional<JsonNode> find(String namespace, JsonNode ref) {
    Optional<Kind> kind = Kind.byKindName(ref.path("kind").asText()).filter(Kind::hasScale);
    if (kind.isEmpty()) {
      return Optional.empty();
    }
    JsonNode object = cache.get(ObjectKey.of(kind.get(), namespace, ref.path("name").asText()));
    return object != null && Meta.uid(object).equals(ref.path("uid").asText()) ? Optional.of(object) : Optional.empty();
  }
}
