package io.steuermann.node;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.AsyncLimiter;
import io.steuermann.engine.controllers.ControllerContext;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.objects.ObjectCommand.Done;
import io.steuermann.engine.objects.ObjectCommand.Refused;
import io.steuermann.engine.objects.ObjectCommand.Reply;
import io.steuermann.node.runtime.ContainerRuntime.RuntimeInfo;
import java.time.Instant;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Node object of one agent (a child of it): registers it (an existing one from an earlier
 * run gets our labels, its spec is left alone) and writes its status every heartbeat interval,
 * unconditionally — kubelet owns it. A Node deleted meanwhile is registered again.
 */
final class NodeRegistration extends AbstractBehavior<NodeRegistration.Command> {
  sealed interface Command {}

  private enum Heartbeat implements Command { INSTANCE }

  private enum Register implements Command { INSTANCE }

  private enum NetworkCheck implements Command { INSTANCE }

  private record Registered(Reply reply, Throwable error) implements Command {}

  private record LabelsPatched(Reply reply, Throwable error) implements Command {}

  private record HeartbeatWritten(Reply reply, Throwable error) implements Command {}

  private static final Logger log = LoggerFactory.getLogger(NodeRegistration.class);

  /**
   * @param registrations bounds the registrations of the process's agents in flight
   * @param onRegistered run once, when the Node object is first registered
   */
  static Behavior<Command> create(String nodeName, ControllerContext controllers, RuntimeInfo info,
      java.util.function.Supplier<java.util.Optional<String>> network, NodeSettings settings,
      AsyncLimiter registrations, Runnable onRegistered) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new NodeRegistration(context, timers, nodeName, controllers, info, network, settings, registrations,
            onRegistered)));
  }

  private final TimerScheduler<Command> timers;
  private final String nodeName;
  private final ObjectKey nodeKey;
  private final ControllerContext controllers;
  private final RuntimeInfo info;
  /** Why the node's pods have no network yet (empty: they have one); written as Ready=False. */
  private final java.util.function.Supplier<java.util.Optional<String>> network;
  /** The network problem the last status write carried, to write a change at once. */
  private java.util.Optional<String> networkWritten = java.util.Optional.empty();
  private final NodeSettings settings;
  private final AsyncLimiter registrations;
  private final Runnable onRegistered;
  private boolean registered;
  private boolean registering;
  private boolean heartbeatInFlight;
  private boolean announced;

  private NodeRegistration(ActorContext<Command> context, TimerScheduler<Command> timers, String nodeName,
      ControllerContext controllers, RuntimeInfo info, java.util.function.Supplier<java.util.Optional<String>> network,
      NodeSettings settings, AsyncLimiter registrations, Runnable onRegistered) {
    super(context);
    this.network = network;
    this.timers = timers;
    this.nodeName = nodeName;
    this.nodeKey = ObjectKey.of(Kind.NODE, "", nodeName);
    this.controllers = controllers;
    this.info = info;
    this.settings = settings;
    this.registrations = registrations;
    this.onRegistered = onRegistered;
    register();
    // spread the heartbeats of many nodes over the interval instead of writing at one instant
    timers.startTimerAtFixedRate("heartbeat", Heartbeat.INSTANCE, NodeAgent.jitter(settings.heartbeatInterval()),
        settings.heartbeatInterval());
    // the network turning ready (or failing) is written at once, not at the next heartbeat
    if (!info.simulated()) {
      timers.startTimerWithFixedDelay("network", NetworkCheck.INSTANCE, java.time.Duration.ofMillis(200));
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Heartbeat.INSTANCE, this::onHeartbeat)
        .onMessageEquals(NetworkCheck.INSTANCE, () -> network.get().equals(networkWritten) ? this : onHeartbeat())
        .onMessageEquals(Register.INSTANCE, () -> {
          if (!registered) {
            register();
          }
          return this;
        })
        .onMessage(Registered.class, this::onRegistered)
        .onMessage(LabelsPatched.class, this::onLabelsPatched)
        .onMessage(HeartbeatWritten.class, this::onHeartbeatWritten)
        .build();
  }

  private Behavior<Command> onHeartbeat() {
    if (!registered) {
      register();
    } else if (!heartbeatInFlight) {
      heartbeatInFlight = true;
      ObjectNode write = Json.object();
      write.putObject("metadata").put("name", nodeName);
      networkWritten = network.get();
      write.set("status", NodeStatus.status(nodeName, info, controllers.cache().get(nodeKey), now(), networkWritten));
      getContext().pipeToSelf(controllers.store().replace(nodeKey, write, ObjectCommand.Part.STATUS),
          HeartbeatWritten::new);
    }
    return this;
  }

  /** This process's cluster member, as {@code address#uid}: a restarted process is a new member. */
  private String member() {
    UniqueAddress self = Cluster.get(getContext().getSystem()).selfMember().uniqueAddress();
    return self.address() + "#" + self.longUid();
  }

  private void register() {
    if (registering) {
      return;
    }
    registering = true;
    getContext().pipeToSelf(registrations.submit(() ->
        controllers.store().create(NodeStatus.node(nodeName, info, member(), now(), networkWritten = network.get()))),
        Registered::new);
  }

  private Behavior<Command> onRegistered(Registered m) {
    registering = false;
    if (m.reply() instanceof Done) {
      registered();
    } else if (m.reply() instanceof Refused refused && refused.status().code() == 409) {
      // the node exists (from an earlier run): make its labels ours, leave its spec alone,
      // and write a fresh status
      ObjectNode patch = Json.object();
      patch.putObject("metadata").set("labels", NodeStatus.labels(nodeName, info));
      ((ObjectNode) patch.get("metadata")).set("annotations", NodeStatus.annotations(member(), info));
      getContext().pipeToSelf(registrations.submit(() ->
          controllers.store().patch(nodeKey, ObjectCommand.PatchType.MERGE, patch, ObjectCommand.Part.MAIN)),
          LabelsPatched::new);
    } else {
      NodeAgent.warn("Node {}: registration failed ({}); retrying", nodeName,
          m.error() != null ? m.error().toString() : m.reply());
      retryRegistration();
    }
    return this;
  }

  private Behavior<Command> onLabelsPatched(LabelsPatched m) {
    if (m.reply() instanceof Done) {
      registered();
      getContext().getSelf().tell(Heartbeat.INSTANCE);
    } else {
      NodeAgent.warn("Node {}: updating the existing node failed ({}); retrying", nodeName,
          m.error() != null ? m.error().toString() : m.reply());
      retryRegistration();
    }
    return this;
  }

  private void retryRegistration() {
    timers.startSingleTimer(Register.INSTANCE, settings.retryDelay().plus(NodeAgent.jitter(settings.retryDelay())));
  }

  private void registered() {
    registered = true;
    if (!announced) {
      announced = true;
      log.debug("Node {} registered", nodeName);
      onRegistered.run();
    }
  }

  private Behavior<Command> onHeartbeatWritten(HeartbeatWritten m) {
    heartbeatInFlight = false;
    if (m.reply() instanceof Refused refused && refused.status().code() == 404) {
      log.info("Node {} was deleted; registering it again", nodeName);
      registered = false;
      register();
    } else if (!(m.reply() instanceof Done)) {
      NodeAgent.warn("Node {}: heartbeat failed ({})", nodeName, m.error() != null ? m.error().toString() : m.reply());
    }
    return this;
  }

  private Instant now() {
    return Instant.now(controllers.clock());
  }
}
