package io.steuermann.node.proxy;

import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.TcpSO;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP listener of the proxy: binds its address (retrying with back-off while the port is
 * taken), hands every accepted connection to a {@link TcpForwarder} with its {@link Balancer},
 * swaps the balancer's backends on {@link Update}, and unbinds at once on {@link Stop}.
 * Connections already established are left alone by both: they drain, as they do under
 * kube-proxy (a pod taken out of the endpoints because it turned unready or is terminating
 * still finishes what it serves; a pod that is gone closes its connections itself).
 */
final class TcpListener {
  private static final Logger log = LoggerFactory.getLogger(TcpListener.class);

  private TcpListener() {}

  sealed interface Command {}

  /** New backends or affinity for this listener. */
  record Update(ListenerSpec spec) implements Command {}

  /** Unbind now and stop. */
  enum Stop implements Command { INSTANCE }

  private record Bound(Tcp.ServerBinding binding) implements Command {}

  private record BindFailed(Throwable error) implements Command {}

  private enum Retry implements Command { INSTANCE }

  private record Unbound(Tcp.ServerBinding binding) implements Command {}

  static Behavior<Command> create(ListenerSpec spec, ProxySettings settings, Materializer materializer,
      ProxyMeters meters) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      Balancer balancer = new Balancer(spec);
      TcpForwarder forwarder = new TcpForwarder(Adapter.toClassic(context.getSystem()), materializer, settings, meters);
      return new State(context, timers, spec.key(), settings, materializer, balancer, forwarder).binding(0);
    }));
  }

  private static final class State {
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final ListenerKey key;
    private final ProxySettings settings;
    private final Materializer materializer;
    private final Balancer balancer;
    private final TcpForwarder forwarder;
    private final List<Inet.SocketOption> options = List.of(TcpSO.reuseAddress(true), TcpSO.tcpNoDelay(true));

    State(ActorContext<Command> context, TimerScheduler<Command> timers, ListenerKey key, ProxySettings settings,
        Materializer materializer, Balancer balancer, TcpForwarder forwarder) {
      this.context = context;
      this.timers = timers;
      this.key = key;
      this.settings = settings;
      this.materializer = materializer;
      this.balancer = balancer;
      this.forwarder = forwarder;
    }

    /** A bind is in flight; {@code failures} before it. */
    Behavior<Command> binding(int failures) {
      String name = key.toString();
      context.pipeToSelf(
          Tcp.get(context.getSystem()).bind(key.host(), key.port(), settings.backlog(), options, true, Optional.empty())
              .to(Sink.foreach(connection -> serve(connection, name)))
              .run(materializer),
          (binding, error) -> error == null ? new Bound(binding) : new BindFailed(error));
      return Behaviors.receive(Command.class)
          .onMessage(Update.class, this::update)
          .onMessage(Bound.class, m -> {
            if (failures > 0) {
              context.getLog().info("Service proxy listens on {} after {} failed attempt(s)", key, failures);
            }
            return bound(m.binding());
          })
          .onMessage(BindFailed.class, m -> {
            if (failures == 0) {
              context.getLog().warn("Service proxy cannot listen on {} ({}): {}; retrying until it can", key,
                  balancerSummary(), m.error().getMessage());
            } else {
              context.getLog().debug("Service proxy still cannot listen on {}: {}", key, m.error().getMessage());
            }
            timers.startSingleTimer(Retry.INSTANCE, settings.bindRetry(failures + 1));
            return waiting(failures + 1);
          })
          .onMessageEquals(Stop.INSTANCE, this::stopWhenBound)
          .build();
    }

    /** Waiting before the next bind attempt. */
    private Behavior<Command> waiting(int failures) {
      return Behaviors.receive(Command.class)
          .onMessage(Update.class, this::update)
          .onMessageEquals(Retry.INSTANCE, () -> binding(failures))
          .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
          .build();
    }

    private Behavior<Command> bound(Tcp.ServerBinding binding) {
      context.pipeToSelf(binding.whenUnbound(), (done, error) -> new Unbound(binding));
      return Behaviors.receive(Command.class)
          .onMessage(Update.class, this::update)
          .onMessage(Unbound.class, m -> {
            // only Stop unbinds on purpose; anything else (the accept loop ended) binds again
            context.getLog().warn("Service proxy listener {} ended unexpectedly; binding again", key);
            return binding(0);
          })
          .onMessageEquals(Stop.INSTANCE, () -> {
            binding.unbind();
            // stop once unbound, so that the unbinding's own notice does not end up a dead letter
            return Behaviors.receive(Command.class)
                .onMessage(Unbound.class, m -> Behaviors.stopped())
                .build();
          })
          .build();
    }

    /** Stop arrived while binding: wait for the outcome so that a late success is unbound, not leaked. */
    private Behavior<Command> stopWhenBound() {
      return Behaviors.receive(Command.class)
          .onMessage(Bound.class, m -> {
            m.binding().unbind();
            return Behaviors.stopped();
          })
          .onMessage(BindFailed.class, m -> Behaviors.stopped())
          .build();
    }

    private void serve(Tcp.IncomingConnection connection, String name) {
      try {
        forwarder.serve(connection, balancer, name);
      } catch (RuntimeException e) {
        // one connection's trouble must not end the accept loop of every other
        log.warn("Service proxy {}: cannot serve {}: {}", name, connection.remoteAddress(),
            e.toString());
      }
    }

    private Behavior<Command> update(Update m) {
      balancer.update(m.spec());
      return Behaviors.same();
    }

    private String balancerSummary() {
      return balancer.backends().size() + " endpoint(s)";
    }
  }
}
