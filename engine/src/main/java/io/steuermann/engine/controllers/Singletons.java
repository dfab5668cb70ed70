package io.steuermann.engine.controllers;

import io.steuermann.engine.controllers.endpoints.EndpointsController;
import io.steuermann.engine.controllers.gc.GarbageCollector;
import io.steuermann.engine.controllers.nodes.NodeLifecycleController;
import io.steuermann.engine.controllers.scheduler.Scheduler;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import io.steuermann.engine.cluster.ClusterRoles;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * The cluster-wide controllers, each exactly once in the cluster (a cluster singleton that
 * moves to another member when its member leaves or is downed): the scheduler, the node
 * lifecycle controller, the garbage collector, the endpoints controller, and the waker of the
 * per-object controllers.
 * A controller that fails is restarted.
 */
public final class Singletons {
  /** Proxies to the singletons, wherever they run. */
  public record Refs(ActorRef<Scheduler.Command> scheduler,
      ActorRef<NodeLifecycleController.Command> nodeLifecycle,
      ActorRef<GarbageCollector.Command> garbageCollector,
      ActorRef<ControllerWaker.Tick> waker,
      ActorRef<EndpointsController.Command> endpoints) {}

  private Singletons() {}

  public static Refs start(ActorSystem<?> system, ControllerContext ctx) {
    ClusterSingleton singleton = ClusterSingleton.get(system);
    // on control members only; other members get a proxy
    ClusterSingletonSettings settings = ClusterSingletonSettings.create(system).withRole(ClusterRoles.CONTROL);
    return new Refs(
        singleton.init(SingletonActor.of(
            Behaviors.supervise(Scheduler.create(ctx)).onFailure(SupervisorStrategy.restart()), "scheduler")
            .withSettings(settings)),
        singleton.init(SingletonActor.of(
            Behaviors.supervise(NodeLifecycleController.create(ctx)).onFailure(SupervisorStrategy.restart()),
            "node-lifecycle").withSettings(settings)),
        singleton.init(SingletonActor.of(
            Behaviors.supervise(GarbageCollector.create(ctx)).onFailure(SupervisorStrategy.restart()),
            "garbage-collector").withSettings(settings)),
        singleton.init(SingletonActor.of(
            Behaviors.supervise(ControllerWaker.create(ctx)).onFailure(SupervisorStrategy.restart()),
            "controller-waker").withSettings(settings)),
        singleton.init(SingletonActor.of(
            Behaviors.supervise(EndpointsController.create(ctx)).onFailure(SupervisorStrategy.restart()),
            "endpoints-controller").withSettings(settings)));
  }
}
