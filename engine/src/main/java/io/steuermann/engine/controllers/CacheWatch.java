package io.steuermann.engine.controllers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.watch.GoneException;
import io.steuermann.engine.watch.WatchCache;
import io.steuermann.engine.watch.WatchEvent;
import io.steuermann.engine.watch.WatchFilter;
import java.util.List;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Feeds a controller actor from the local watch cache, the way an informer feeds a
 * Kubernetes controller: first an ADDED event for every matching object, then every change,
 * in journal order. When the watch ends (a buffer overflow, or shutdown), the actor gets
 * {@code ended} and subscribes again, which resynchronises it from the current state.
 */
public final class CacheWatch {
  private CacheWatch() {}

  /**
   * Starts a watch of {@code filter} that tells {@code target} each event wrapped by
   * {@code wrap}; {@code ended} is told when the watch stops. The returned switch stops it.
   */
  public static <T> UniqueKillSwitch subscribe(WatchCache cache, Materializer materializer,
      WatchFilter filter, ActorRef<T> target, Function<WatchEvent, T> wrap, T ended, int buffer) {
    try {
      return cache.watch(filter, 0, buffer)
          .viaMat(KillSwitches.single(), Keep.right())
          .toMat(Sink.foreach(e -> target.tell(wrap.apply(e))), Keep.both())
          .mapMaterializedValue(pair -> {
            pair.second().whenComplete((done, error) -> target.tell(ended));
            return pair.first();
          })
          .run(materializer);
    } catch (GoneException e) {
      // a watch from version 0 starts from the current state and cannot be too old
      throw new IllegalStateException(e);
    }
  }

  /** A started watch and the objects it started from. */
  public record Listed(UniqueKillSwitch watch, List<ObjectNode> current) {}

  /**
   * Like {@link #subscribe}, but the matching objects of now are answered at once instead of
   * told as ADDED events, and only the changes after them are told: the caller has its whole
   * view before it acts (an informer's HasSynced), where ADDED events would still be on their
   * way behind the caller's own next message.
   */
  public static <T> Listed subscribeListed(WatchCache cache, Materializer materializer,
      WatchFilter filter, ActorRef<T> target, Function<WatchEvent, T> wrap, T ended, int buffer) {
    WatchCache.Listed listed = cache.listAndWatch(filter, buffer);
    UniqueKillSwitch watch = listed.changes()
        .viaMat(KillSwitches.single(), Keep.right())
        .toMat(Sink.foreach(e -> target.tell(wrap.apply(e))), Keep.both())
        .mapMaterializedValue(pair -> {
          pair.second().whenComplete((done, error) -> target.tell(ended));
          return pair.first();
        })
        .run(materializer);
    return new Listed(watch, listed.snapshot().items());
  }
}
