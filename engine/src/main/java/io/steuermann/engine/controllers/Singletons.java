package io.steuermann.engine.controllers;

import io.steuermann.engine.controllers.apiservice.ApiServiceController;
import io.steuermann.engine.controllers.endpoints.EndpointsController;
import io.steuermann.engine.controllers.gc.GarbageCollector;
import io.steuermann.engine.controllers.ipam.NodeIpamController;
import io.steuermann.engine.controllers.loadbalancer.IngressStatusController;
import io.steuermann.engine.controllers.loadbalancer.LoadBalancerController;
import io.steuermann.engine.controllers.nodes.NodeLifecycleController;
import io.steuermann.engine.controllers.serviceaccount.ServiceAccountsController;
import io.steuermann.engine.controllers.scheduler.Scheduler;
import io.steuermann.engine.network.ClusterNetwork;
import io.steuermann.engine.storage.PersistentVolumeController;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import io.steuermann.engine.cluster.ClusterRoles;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * The cluster-wide controllers, each exactly once in the cluster (a cluster singleton that
 * moves to another member when its member leaves or is downed): the scheduler, the node
 * lifecycle controller, the garbage collector, the endpoints controller, node IPAM, the
 * {@code kubernetes} Service, the PersistentVolume controller, the built-in load balancer's
 * and ingress status, the namespaces' default ServiceAccounts, and the waker of the per-object
 * controllers.
 * A controller that fails is restarted.
 */
public final class Singletons {
  /** Proxies to the singletons, wherever they run. */
  public record Refs(ActorRef<Scheduler.Command> scheduler,
      ActorRef<NodeLifecycleController.Command> nodeLifecycle,
      ActorRef<GarbageCollector.Command> garbageCollector,
      ActorRef<ControllerWaker.Tick> waker,
      ActorRef<EndpointsController.Command> endpoints,
      ActorRef<NodeIpamController.Command> nodeIpam,
      ActorRef<ApiServiceController.Command> apiService,
      ActorRef<PersistentVolumeController.Command> persistentVolumes,
      ActorRef<LoadBalancerController.Command> loadBalancer,
      ActorRef<ServiceAccountsController.Command> serviceAccounts,
      ActorRef<IngressStatusController.Command> ingressStatus) {}

  private Singletons() {}

  public static Refs start(ActorSystem<?> system, ControllerContext ctx) {
    ClusterSingleton singleton = ClusterSingleton.get(system);
    // on control members only; other members get a proxy
    ClusterSingletonSettings settings = ClusterSingletonSettings.create(system).withRole(ClusterRoles.CONTROL);
    ClusterNetwork network = ClusterNetwork.fromConfig(system.settings().config());
    return new Refs(
        init(singleton, settings, "scheduler", Scheduler.create(ctx)),
        init(singleton, settings, "node-lifecycle", NodeLifecycleController.create(ctx)),
        init(singleton, settings, "garbage-collector", GarbageCollector.create(ctx)),
        init(singleton, settings, "controller-waker", ControllerWaker.create(ctx)),
        init(singleton, settings, "endpoints-controller", EndpointsController.create(ctx)),
        init(singleton, settings, "node-ipam", NodeIpamController.create(ctx, network)),
        init(singleton, settings, "api-service", ApiServiceController.create(ctx, network, Duration.ofSeconds(1))),
        init(singleton, settings, "persistent-volume-controller",
            PersistentVolumeController.create(ctx, Duration.ofSeconds(5))),
        init(singleton, settings, "load-balancer", LoadBalancerController.create(ctx)),
        init(singleton, settings, "service-accounts", ServiceAccountsController.create(ctx)),
        init(singleton, settings, "ingress-status", IngressStatusController.create(ctx)));
  }

  /** One singleton, restarted when it fails. */
  private static <T> ActorRef<T> init(ClusterSingleton singleton, ClusterSingletonSettings settings, String name,
      Behavior<T> behavior) {
    return singleton.init(SingletonActor.of(Behaviors.supervise(behavior).onFailure(SupervisorStrategy.restart()), name)
        .withSettings(settings));
  }
}
