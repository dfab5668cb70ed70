package io.steuermann.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.api.ObjectStore;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.watch.WatchCache;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The {@code deletecollection} verb: every object of a list deleted as one DELETE would delete
 * it, a few at a time (each is a journal write; a namespace of thousands must not take every
 * write slot at once). As kube-apiserver, an object that is already gone is skipped and the
 * answer is the list of what was deleted; the first other refusal is the answer, and what was
 * deleted before it stays deleted (there is no transaction across objects in Kubernetes either).
 */
final class CollectionDeletes {
  private static final int PARALLELISM = 8;

  private final Materializer materializer;

  CollectionDeletes(ActorSystem<?> system) {
    this.materializer = Materializer.matFromSystem(system);
  }

  /** The deleted objects as a list at the newest version among them, or the refusal. */
  record Outcome(WatchCache.Snapshot snapshot, ApiStatus refusal) {}

  CompletionStage<Outcome> delete(ObjectStore store, Kind kind, WatchCache.Snapshot listed, DeleteOptions options) {
    return Source.from(listed.items())
        .mapAsync(PARALLELISM, object -> store.delete(ObjectKey.of(kind, Meta.namespace(object), Meta.name(object)), Meta.uid(object), options.resourceVersion(),
            options.gracePeriodSeconds(), options.propagationPolicy()))
        .runWith(Sink.seq(), materializer)
        .thenApply(replies -> {
          List<ObjectNode> deleted = new ArrayList<>();
          long version = listed.resourceVersion();
          for (ObjectCommand.Reply reply : replies) {
            if (reply instanceof ObjectCommand.Done done) {
              deleted.add(done.object());
              version = Math.max(version, Meta.parseResourceVersion(Meta.resourceVersion(done.object())));
            } else if (reply instanceof ObjectCommand.Refused refused && refused.status().code() != 404) {
              return new Outcome(null, refused.status());
            }
          }
          return new Outcome(new WatchCache.Snapshot(version, deleted), null);
        });
  }
}
