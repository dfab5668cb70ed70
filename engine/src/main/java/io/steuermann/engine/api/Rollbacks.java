package io.steuermann.engine.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.Owners;
import io.steuermann.engine.controllers.logic.Revisions;
import io.steuermann.engine.controllers.logic.RsState;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.objects.ObjectCommand.Reply;
import io.steuermann.engine.watch.WatchCache;
import io.steuermann.engine.watch.WatchFilter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What {@code kubectl rollout undo [--to-revision=N]} does, as one server-side call: the
 * Deployment's pod template is set back to the template of the ReplicaSet with that revision
 * (0: the previous one). The rollout itself is then an ordinary template change; the old
 * ReplicaSet is reused and gets the next revision.
 */
public final class Rollbacks {
  private Rollbacks() {}

  public static CompletionStage<Reply> rollback(ObjectStore store, WatchCache cache, ObjectKey deployment, long toRevision) {
    return store.get(deployment).thenCompose(reply -> {
      if (!(reply instanceof ObjectCommand.Done done)) {
        return CompletableFuture.completedFuture(reply);
      }
      ObjectNode current = done.object();
      List<ObjectNode> owned = cache.list(WatchFilter.of(Kind.REPLICA_SET, deployment.namespace())).items().stream()
          .filter(rs -> Owners.isControlledBy(rs, current))
          .toList();
      List<RsState> states = owned.stream().map(RsState::of).toList();
      Optional<RsState> target = Revisions.rollbackTarget(states, toRevision);
      if (target.isEmpty()) {
        return CompletableFuture.completedFuture(new ObjectCommand.Refused(new ApiStatus(404, "NotFound",
            Revisions.rollbackNotFoundMessage(toRevision), null)));
      }
      ObjectNode rs = owned.stream().filter(o -> Meta.name(o).equals(target.get().name())).findFirst().orElseThrow();
      ArrayNode patch = Json.object().arrayNode();
      ObjectNode test = patch.addObject();
      test.put("op", "test");
      test.put("path", "/metadata/resourceVersion");
      test.put("value", Meta.resourceVersion(current));
      ObjectNode replace = patch.addObject();
      replace.put("op", "replace");
      replace.put("path", "/spec/template");
      replace.set("value", Revisions.templateForRollback(rs));
      return store.patch(deployment, ObjectCommand.PatchType.JSON, patch, ObjectCommand.Part.MAIN);
    });
  }
}
