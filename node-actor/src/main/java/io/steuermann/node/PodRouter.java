package io.steuermann.node;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.CacheWatch;
import io.steuermann.engine.controllers.ControllerContext;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.watch.WatchEvent;
import io.steuermann.engine.watch.WatchFilter;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.stream.UniqueKillSwitch;

/**
 * One watch of all pods on the local watch cache for all node agents of this process: each
 * pod event goes to the agent named by its {@code spec.nodeName}, so a thousand agents do not
 * each filter every pod event. It keeps the current pods of its nodes, so an agent that
 * (re)starts gets all of them at once when it {@link Register}s.
 */
public final class PodRouter extends AbstractBehavior<PodRouter.Command> {

  public sealed interface Command {}

  /** An agent of node {@code node} (re)started: route its pods to it, starting with all current ones. */
  public record Register(String node, ActorRef<NodeAgent.Command> agent) implements Command {}

  /** Ends the watch and the router. */
  public enum Stop implements Command { INSTANCE }

  private record Event(WatchEvent event) implements Command {}

  private enum Ended implements Command { INSTANCE }

  private enum Resubscribe implements Command { INSTANCE }

  private record AgentStopped(String node, ActorRef<NodeAgent.Command> agent) implements Command {}

  /** A router for the agents of {@code nodes}; pods of other nodes are ignored. */
  public static Behavior<Command> create(ControllerContext controllers, Set<String> nodes) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new PodRouter(context, timers, controllers, Set.copyOf(nodes))));
  }

  private final TimerScheduler<Command> timers;
  private final ControllerContext controllers;
  private final Set<String> nodes;
  private final Map<String, ActorRef<NodeAgent.Command>> agents = new HashMap<>();
  private final Map<String, Map<ObjectKey, ObjectNode>> podsByNode = new HashMap<>();
  private UniqueKillSwitch watch;

  private PodRouter(ActorContext<Command> context, TimerScheduler<Command> timers, ControllerContext controllers,
      Set<String> nodes) {
    super(context);
    this.timers = timers;
    this.controllers = controllers;
    this.nodes = nodes;
    subscribe();
  }

  private void subscribe() {
    watch = CacheWatch.subscribe(controllers.cache(), controllers.materializer(), WatchFilter.of(Kind.POD, ""),
        getContext().getSelf(), Event::new, Ended.INSTANCE, controllers.settings().getInt("watch-buffer"));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Event.class, this::onEvent)
        .onMessage(Register.class, this::onRegister)
        .onMessage(AgentStopped.class, m -> {
          agents.remove(m.node(), m.agent());
          return this;
        })
        .onMessageEquals(Ended.INSTANCE, () -> {
          // resynchronise: the new watch starts with every current pod
          watch = null;
          podsByNode.clear();
          timers.startSingleTimer(Resubscribe.INSTANCE, Duration.ofMillis(200));
          return this;
        })
        .onMessageEquals(Resubscribe.INSTANCE, () -> {
          if (watch == null) {
            getContext().getLog().info("Pod watch of the node agents ended; subscribing again");
            subscribe();
          }
          return this;
        })
        .onMessageEquals(Stop.INSTANCE, () -> {
          if (watch != null) {
            watch.shutdown();
          }
          return Behaviors.stopped();
        })
        .build();
  }

  private Behavior<Command> onEvent(Event m) {
    WatchEvent e = m.event();
    String node = e.object().path("spec").path("nodeName").asText("");
    if (node.isEmpty() || !nodes.contains(node)) {
      return this;
    }
    Map<ObjectKey, ObjectNode> pods = podsByNode.computeIfAbsent(node, n -> new HashMap<>());
    if (e.type() == WatchEvent.Type.DELETED) {
      pods.remove(e.key());
    } else {
      pods.put(e.key(), e.object());
    }
    ActorRef<NodeAgent.Command> agent = agents.get(node);
    if (agent != null) {
      agent.tell(new NodeAgent.PodChanged(e.type(), e.key(), e.object()));
    }
    return this;
  }

  private Behavior<Command> onRegister(Register m) {
    if (agents.put(m.node(), m.agent()) == null) {
      getContext().watchWith(m.agent(), new AgentStopped(m.node(), m.agent()));
    }
    Map<ObjectKey, ObjectNode> pods = podsByNode.getOrDefault(m.node(), Map.of());
    pods.forEach((key, pod) -> m.agent().tell(new NodeAgent.PodChanged(WatchEvent.Type.ADDED, key, pod)));
    return this;
  }
}
