package io.steuermann.node.probe;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Probes one container instance, as Kubernetes' probe workers: a child of the node agent,
 * started when the instance runs and stopped when it ends or is replaced. The startup probe
 * runs first; liveness and readiness begin once it succeeded (at once without one). Each
 * probe runs every {@code periodSeconds} from {@code initialDelaySeconds} after the
 * container started; an attempt still running when the next is due makes that one skip.
 *
 * <p>It reports to the agent only what the agent acts on: {@link Started},
 * {@link ReadinessChanged} (after successThreshold successes or failureThreshold failures in
 * a row), {@link Unhealthy} for every failed attempt (the event), and {@link Failed} when the
 * liveness or startup probe failed failureThreshold times in a row — after which it probes
 * no more: the container is about to be killed.
 */
public final class ContainerProber extends AbstractBehavior<ContainerProber.Command> {

  public sealed interface Command {}

  private record Tick(ProbeType type) implements Command {}

  private record Attempted(ProbeType type, ProbeResult result) implements Command {}

  /** What a prober tells its agent; each names the instance it is about. */
  public sealed interface Report {
    ProbeTarget target();
  }

  /** The startup probe succeeded: the container counts as started. */
  public record Started(ProbeTarget target) implements Report {}

  /** The readiness probe turned the container ready or unready. */
  public record ReadinessChanged(ProbeTarget target, boolean ready) implements Report {}

  /** One attempt of a probe failed; {@code message} says why. */
  public record Unhealthy(ProbeTarget target, ProbeType type, String message) implements Report {}

  /** The liveness or startup probe failed failureThreshold times in a row: kill the container. */
  public record Failed(ProbeTarget target, ProbeType type, String message, ProbeSpec spec) implements Report {}

  /** How one probe is doing: consecutive results of one kind, and whether an attempt runs. */
  private static final class Progress {
    Boolean last;
    int run;
    boolean inFlight;
  }

  /**
   * @param started whether the instance is known to have started already (found running after
   *     a restart of the agent): its startup probe is not run again
   * @param ready the readiness the agent shows now, from which changes are reported
   */
  public static Behavior<Command> create(ProbeTarget target, ContainerProbes probes, ProbeRunner runner,
      ActorRef<Report> agent, boolean started, boolean ready) {
    Behavior<Command> prober = Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new ContainerProber(context, timers, target, probes, runner, agent, started, ready)));
    // a bug in one attempt must not end the container's probing for good
    return Behaviors.supervise(prober).onFailure(SupervisorStrategy.restart());
  }

  private final TimerScheduler<Command> timers;
  private final ProbeTarget target;
  private final ContainerProbes probes;
  private final ProbeRunner runner;
  private final ActorRef<Report> agent;
  private final Map<ProbeType, Progress> progress = new EnumMap<>(ProbeType.class);
  private boolean ready;
  private boolean done;

  private ContainerProber(ActorContext<Command> context, TimerScheduler<Command> timers, ProbeTarget target,
      ContainerProbes probes, ProbeRunner runner, ActorRef<Report> agent, boolean started, boolean ready) {
    super(context);
    this.ready = ready;
    this.timers = timers;
    this.target = target;
    this.probes = probes;
    this.runner = runner;
    this.agent = agent;
    if (probes.startup().isPresent() && !started) {
      schedule(ProbeType.STARTUP);
    } else {
      schedule(ProbeType.LIVENESS);
      schedule(ProbeType.READINESS);
    }
  }

  private void schedule(ProbeType type) {
    probes.get(type).ifPresent(spec -> {
      progress.put(type, new Progress());
      Duration due = Duration.between(Instant.now(), target.startedAt().plus(spec.initialDelay()));
      timers.startTimerAtFixedRate(type, new Tick(type), due.isNegative() ? Duration.ZERO : due, spec.period());
    });
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Tick.class, this::onTick)
        .onMessage(Attempted.class, this::onAttempted)
        .build();
  }

  private Behavior<Command> onTick(Tick tick) {
    Progress p = progress.get(tick.type());
    if (done || p == null || p.inFlight) {
      return this;
    }
    p.inFlight = true;
    ProbeSpec spec = probes.get(tick.type()).orElseThrow();
    getContext().pipeToSelf(runner.run(spec, target), (result, error) -> new Attempted(tick.type(),
        error != null ? ProbeResult.failed(String.valueOf(error.getMessage())) : result));
    return this;
  }

  private Behavior<Command> onAttempted(Attempted m) {
    Progress p = progress.get(m.type());
    if (done || p == null) {
      return this;
    }
    p.inFlight = false;
    boolean success = m.result().success();
    if (p.last != null && p.last == success) {
      p.run++;
    } else {
      p.last = success;
      p.run = 1;
    }
    ProbeSpec spec = probes.get(m.type()).orElseThrow();
    if (!success) {
      agent.tell(new Unhealthy(target, m.type(), m.result().message()));
    }
    boolean reached = success ? p.run >= spec.successThreshold() : p.run >= spec.failureThreshold();
    if (!reached) {
      return this;
    }
    switch (m.type()) {
      case STARTUP -> {
        timers.cancel(ProbeType.STARTUP);
        progress.remove(ProbeType.STARTUP);
        if (success) {
          agent.tell(new Started(target));
          schedule(ProbeType.LIVENESS);
          schedule(ProbeType.READINESS);
        } else {
          fail(m, spec);
        }
      }
      case LIVENESS -> {
        if (!success) {
          fail(m, spec);
        }
      }
      case READINESS -> {
        if (success != ready) {
          ready = success;
          agent.tell(new ReadinessChanged(target, ready));
        }
      }
    }
    return this;
  }

  private void fail(Attempted m, ProbeSpec spec) {
    done = true;
    timers.cancelAll();
    agent.tell(new Failed(target, m.type(), m.result().message(), spec));
  }
}
