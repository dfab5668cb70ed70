package io.steuermann.engine.quota;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.api.ObjectStore;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.watch.WatchCache;
import io.steuermann.engine.watch.WatchFilter;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * kube's ResourceQuota admission: a create that a namespace's quota counts is charged into the
 * quota's {@code status.used} before it is sent, with a status write conditional on the
 * quota's resourceVersion. Of two creates racing for the last unit one write wins; the other
 * is refused 409 by the quota's entity, reads the quota again (from its entity, not the cache)
 * and finds it full. The entity serialises the writes, so this is as safe as kube's
 * compare-and-swap on etcd. A create charged and then refused later (an invalid object, a
 * name taken) leaves its charge until the quota controller recounts, as in kube.
 */
public final class QuotaAdmission {
  private static final int ATTEMPTS = 10;

  private QuotaAdmission() {}

  public static ObjectStore.CreateAdmission of(WatchCache cache, Supplier<ObjectStore> store) {
    return (key, object, dryRun) -> {
      if (!key.kind().namespaced() || key.kind() == Kind.EVENT) {
        return admitted(object);
      }
      Map<String, BigDecimal> usage = Usage.of(key.kind(), object);
      List<ObjectNode> quotas = cache.list(WatchFilter.of(Kind.RESOURCE_QUOTA, key.namespace())).items();
      CompletionStage<ObjectStore.Verdict> verdict = admitted(object);
      for (ObjectNode quota : quotas) {
        if (!Quotas.counts(quota, key.kind(), object) || !Quotas.constrains(quota, usage, key.kind())) {
          continue;
        }
        ObjectKey quotaKey = ObjectKey.of(Kind.RESOURCE_QUOTA, key.namespace(), Meta.name(quota));
        verdict = verdict.thenCompose(v -> v instanceof ObjectStore.Denied ? CompletableFuture.completedFuture(v)
            : charge(store.get(), key, object, usage, quotaKey, quota, dryRun, ATTEMPTS));
      }
      return verdict;
    };
  }

  private static CompletionStage<ObjectStore.Verdict> admitted(ObjectNode object) {
    return CompletableFuture.completedFuture(new ObjectStore.Admitted(object));
  }

  private static CompletionStage<ObjectStore.Verdict> charge(ObjectStore store, ObjectKey key, ObjectNode object,
      Map<String, BigDecimal> usage, ObjectKey quotaKey, ObjectNode quota, boolean dryRun, int attempts) {
    Optional<String> refusal = Quotas.refusal(quota, key.kind(), object, usage);
    if (refusal.isPresent()) {
      return CompletableFuture.completedFuture(new ObjectStore.Denied(ApiStatus.forbidden(
          key.kind(), key.name(), refusal.get())));
    }
    if (dryRun) {
      return admitted(object); // checked, not charged: nothing will be stored
    }
    ObjectNode updated = quota.deepCopy();
    ObjectNode status = updated.path("status") instanceof ObjectNode s ? s : updated.putObject("status");
    status.set("used", Quotas.toJson(Quotas.charged(quota, usage)));
    return store.replace(quotaKey, updated, ObjectCommand.Part.STATUS).thenCompose(reply -> {
      if (reply instanceof ObjectCommand.Done) {
        return admitted(object);
      }
      ApiStatus why = ((ObjectCommand.Refused) reply).status();
      if (why.code() == 404) {
        return admitted(object); // the quota was deleted meanwhile: it limits nothing now
      }
      if (why.code() != 409 || attempts <= 1) {
        return CompletableFuture.completedFuture(new ObjectStore.Denied(ApiStatus.forbidden(
            key.kind(), key.name(), "quota " + quotaKey.name() + " could not be charged: " + why.message())));
      }
      return store.get(quotaKey).thenCompose(fresh -> fresh instanceof ObjectCommand.Done d
          ? charge(store, key, object, usage, quotaKey, d.object(), false, attempts - 1)
          : admitted(object));
    });
  }
}
