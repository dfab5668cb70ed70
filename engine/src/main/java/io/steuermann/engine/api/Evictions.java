package io.steuermann.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.disruption.BudgetStatus;
import io.steuermann.engine.controllers.logic.ActivePods;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.objects.ObjectCommand.Reply;
import io.steuermann.engine.selector.LabelSelector;
import io.steuermann.engine.selector.SelectorException;
import io.steuermann.engine.watch.WatchCache;
import io.steuermann.engine.watch.WatchFilter;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The {@code pods/eviction} subresource, as kube-apiserver's: a pod is deleted only if the one
 * PodDisruptionBudget that selects it allows a disruption now, and the budget counts the
 * eviction ({@code disruptionsAllowed} less one, the pod in {@code disruptedPods}) in a status
 * write conditional on the budget's resourceVersion before the pod is deleted; a concurrent
 * eviction makes it re-read and decide again. A budget that allows none answers 429, which
 * {@code kubectl drain} retries. Pods that are already done, pending or terminating are deleted
 * without asking; an unready pod is deleted without counting when the budget is met
 * ({@code IfHealthyBudget}) or its policy is {@code AlwaysAllow}.
 */
public final class Evictions {
  /** kube-apiserver's {@code EvictionsRetry}: conflicting budget writes are retried this often. */
  private static final int ATTEMPTS = 5;
  private static final String REFUSED = "Cannot evict pod as it would violate the pod's disruption budget.";

  private Evictions() {}

  /** What to delete with: the Eviction's {@code deleteOptions}. */
  public record Options(Long gracePeriodSeconds, String uid, long resourceVersion, boolean dryRun) {}

  public static CompletionStage<Reply> evict(ObjectStore store, WatchCache cache, Clock clock, ObjectKey pod,
      Options options) {
    return store.get(pod).thenCompose(reply -> {
      if (!(reply instanceof ObjectCommand.Done done)) {
        return CompletableFuture.completedFuture(reply);
      }
      ObjectNode current = done.object();
      String phase = current.path("status").path("phase").asText("Pending");
      if (phase.equals("Succeeded") || phase.equals("Failed") || phase.equals("Pending")
          || Meta.metadata(current).has("deletionTimestamp")) {
        return delete(store, pod, options);
      }
      List<ObjectNode> budgets = cache.list(WatchFilter.of(Kind.POD_DISRUPTION_BUDGET, pod.namespace())).items().stream()
          .filter(b -> selects(b, current))
          .toList();
      if (budgets.size() > 1) {
        return refused(ApiStatus.internal(
            "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."));
      }
      if (budgets.isEmpty()) {
        return delete(store, pod, options);
      }
      ObjectKey budget = ObjectKey.of(Kind.POD_DISRUPTION_BUDGET, pod.namespace(), Meta.name(budgets.get(0)));
      return counted(store, clock, budget, current, options, ATTEMPTS).thenCompose(decision -> decision == null
          ? delete(store, pod, options)
          : CompletableFuture.completedFuture(decision));
    });
  }

  /**
   * Counts the eviction into the budget (read fresh, written conditionally); null when the pod
   * may go, else the refusal.
   */
  private static CompletionStage<Reply> counted(ObjectStore store, Clock clock, ObjectKey budget, JsonNode pod,
      Options options, int attempts) {
    return store.get(budget).thenCompose(reply -> {
      if (!(reply instanceof ObjectCommand.Done done)) {
        // the budget just went: nothing protects the pod any more
        return CompletableFuture.completedFuture(reply instanceof ObjectCommand.Refused r && r.status().code() == 404
            ? null : reply);
      }
      ObjectNode pdb = done.object();
      JsonNode spec = pdb.path("spec");
      JsonNode status = pdb.path("status");
      if (!ActivePods.isReady(pod)) {
        if ("AlwaysAllow".equals(spec.path("unhealthyPodEvictionPolicy").asText())) {
          return CompletableFuture.completedFuture(null);
        }
        int desired = status.path("desiredHealthy").asInt(0);
        if (status.path("currentHealthy").asInt(0) >= desired && desired > 0) {
          return CompletableFuture.completedFuture(null);
        }
      }
      String name = Meta.name(pdb);
      if (status.path("observedGeneration").asLong(0) < Meta.generation(pdb)) {
        return CompletableFuture.completedFuture(tooMany("The disruption budget " + name
            + " is still being processed by the server."));
      }
      int allowed = status.path("disruptionsAllowed").asInt(0);
      if (allowed < 0) {
        return CompletableFuture.completedFuture(new ObjectCommand.Refused(ApiStatus.forbidden(
            "poddisruptionbudgets.policy \"" + name + "\" is forbidden: pdb disruptions allowed is negative")));
      }
      if (allowed == 0) {
        return CompletableFuture.completedFuture(tooMany("The disruption budget " + name + " needs "
            + status.path("desiredHealthy").asInt(0) + " healthy pods and has " + status.path("currentHealthy").asInt(0)
            + " currently"));
      }
      if (options.dryRun()) {
        return CompletableFuture.completedFuture(null);
      }
      ObjectNode updated = pdb.deepCopy();
      ObjectNode newStatus = updated.with("status");
      newStatus.put("disruptionsAllowed", allowed - 1);
      newStatus.with("disruptedPods").put(Meta.name(pod), clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
      if (allowed - 1 == 0) {
        BudgetStatus.insufficientPods(newStatus, status, clock.instant());
      }
      return store.replace(budget, updated, ObjectCommand.Part.STATUS).thenCompose(written -> {
        if (written instanceof ObjectCommand.Done) {
          return CompletableFuture.completedFuture(null);
        }
        if (written instanceof ObjectCommand.Refused r && r.status().code() == 409 && attempts > 1) {
          return counted(store, clock, budget, pod, options, attempts - 1);
        }
        return CompletableFuture.completedFuture(written);
      });
    });
  }

  /** policy/v1: an absent selector selects nothing, an empty one every pod of the namespace. */
  private static boolean selects(JsonNode pdb, JsonNode pod) {
    try {
      return LabelSelector.fromJson(pdb.path("spec").get("selector")).matches(Meta.stringMap(pod.path("metadata")
          .path("labels")));
    } catch (SelectorException e) {
      return false;
    }
  }

  private static CompletionStage<Reply> delete(ObjectStore store, ObjectKey pod, Options options) {
    ObjectStore target = options.dryRun() ? store.dryRun() : store;
    return target.delete(pod, options.uid() == null ? "" : options.uid(), options.resourceVersion(),
        options.gracePeriodSeconds(), null);
  }

  private static Reply tooMany(String cause) {
    ApiStatus base = ApiStatus.tooManyRequests(REFUSED);
    return new ObjectCommand.Refused(new ApiStatus(base.code(), base.reason(), base.message(),
        new ApiStatus.Details(null, null, null, List.of(new ApiStatus.Cause("DisruptionBudget", cause, null)))));
  }

  private static CompletionStage<Reply> refused(ApiStatus status) {
    return CompletableFuture.completedFuture(new ObjectCommand.Refused(status));
  }
}
