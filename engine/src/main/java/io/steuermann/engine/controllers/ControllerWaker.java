package io.steuermann.engine.controllers;

import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.objects.ObjectEntity;
import io.steuermann.engine.watch.WatchFilter;
import java.time.Duration;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Keeps the objects that act alive: ReplicaSets and Deployments reconcile in their entities,
 * which are never passivated but die with their member, or stop on a rebalance. This cluster
 * singleton sends each of them a message when it starts (after the watch cache has replayed
 * the journal) and then every {@code wake-interval}, so a controller is running again within
 * that interval after any failover, and at once when a member is removed from the cluster.
 * (Pekko's remember-entities would do the same, but writes
 * its bookkeeping into the journal, between the objects' own changes.)
 */
public final class ControllerWaker {
  /** The waker's only message: a round of wake-ups. */
  public enum Tick { INSTANCE }

  private ControllerWaker() {}

  public static Behavior<Tick> create(ControllerContext ctx) {
    Duration interval = ctx.settings().hasPath("wake-interval")
        ? ctx.settings().getDuration("wake-interval") : Duration.ofSeconds(10);
    return Behaviors.setup(context -> {
      context.pipeToSelf(ctx.ready(), (v, e) -> Tick.INSTANCE);
      // a member gone: its shards move; wake their controllers now, not at the next interval
      Cluster.get(context.getSystem()).subscriptions().tell(Subscribe.create(
          context.messageAdapter(ClusterEvent.MemberRemoved.class, removed -> Tick.INSTANCE),
          ClusterEvent.MemberRemoved.class));
      return Behaviors.withTimers(timers -> Behaviors.receiveMessage(tick -> {
        if (!timers.isTimerActive("wake")) {
          timers.startTimerWithFixedDelay("wake", Tick.INSTANCE, interval);
        }
        for (Kind kind : Kind.values()) {
          if (!ObjectEntity.hasController(kind)) {
            continue;
          }
          for (var object : ctx.cache().list(WatchFilter.of(kind, "")).items()) {
            ctx.store().entity(ObjectKey.of(kind, Meta.namespace(object), Meta.name(object)))
                .tell(new ObjectCommand.Get(context.getSystem().ignoreRef()));
          }
        }
        return Behaviors.same();
      }));
    });
  }
}
