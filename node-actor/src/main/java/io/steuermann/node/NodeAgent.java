package io.steuermann.node;

import io.steuermann.engine.controllers.AsyncLimiter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.ControllerContext;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.objects.ObjectCommand.Done;
import io.steuermann.engine.objects.ObjectCommand.Refused;
import io.steuermann.engine.objects.ObjectCommand.Reply;
import io.steuermann.engine.watch.WatchEvent;
import io.steuermann.node.PodRun.ContainerRun;
import io.steuermann.node.PodRun.Stage;
import io.steuermann.node.runtime.ContainerRuntime;
import io.steuermann.node.runtime.ContainerRuntime.ContainerStatus;
import io.steuermann.node.runtime.ContainerRuntime.PodRef;
import io.steuermann.node.runtime.ContainerRuntime.Running;
import io.steuermann.node.runtime.ContainerRuntime.RunningPod;
import io.steuermann.node.runtime.ContainerRuntime.Terminated;
import io.steuermann.node.runtime.ContainerRuntime.Waiting;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The kubelet of one node: registers the Node object and renews its heartbeat, and runs the
 * pods bound to the node through a {@link ContainerRuntime} — starts them, restarts exited
 * containers with back-off, writes their status, and stops and deletes them when asked.
 *
 * <p>Pods arrive as {@link PodChanged} from the process's {@link PodRouter} (one watch for
 * all agents). On start (also after a supervised restart) the agent first asks the runtime
 * what runs and adopts the pods that are still alive, so a restart never starts a second
 * copy; pod messages wait in a stash meanwhile.
 *
 * <p>Writes: a pod's status is written only when the status the agent wants differs from the
 * stored one, at most one write per pod in flight (changes meanwhile coalesce into the next
 * write), with the resourceVersion seen as precondition (a 409 re-reads and tries again).
 * Node status is written unconditionally (kubelet owns it); spec and taints are never
 * touched.
 */
public final class NodeAgent extends AbstractBehavior<NodeAgent.Command> {

  /** What a node agent understands. */
  public sealed interface Command {}

  /** A pod bound to this node was added, changed or deleted (sent by the pod router). */
  public record PodChanged(WatchEvent.Type type, ObjectKey key, ObjectNode pod) implements Command {}

  /** Stops the agent; its containers keep running (a new agent adopts them). */
  public enum Stop implements Command { INSTANCE }

  private enum Heartbeat implements Command { INSTANCE }

  private enum Register implements Command { INSTANCE }

  private record Adopted(List<RunningPod> pods, Throwable error) implements Command {}

  private record Registered(Reply reply, Throwable error) implements Command {}

  private record LabelsPatched(Reply reply, Throwable error) implements Command {}

  private record HeartbeatWritten(Reply reply, Throwable error) implements Command {}

  private record RuntimeChanged(PodRef pod, ContainerStatus status) implements Command {}

  private record PodStarted(String uid, RunningPod pod, Throwable error) implements Command {}

  private record RetryPodStart(String uid) implements Command {}

  private record StartSlow(String uid) implements Command {}

  private record RestartDue(String uid, String container) implements Command {}

  private record ContainerStarted(String uid, String container, int attempt, ContainerStatus status,
      Throwable error) implements Command {}

  private record ReadyDue(String uid, String container, String containerId) implements Command {}

  private record PodStopped(String uid, Throwable error) implements Command {}

  private record RetryStop(String uid) implements Command {}

  private record StatusWritten(String uid, JsonNode status, Reply reply, Throwable error) implements Command {}

  private record Refetched(String uid, Reply reply, Throwable error) implements Command {}

  private record RetryWrite(String uid) implements Command {}

  private record DeleteAnswered(String uid, Reply reply, Throwable error) implements Command {}

  private record RetryDelete(String uid) implements Command {}

  public static final String KUBELET_VERSION = "v1.32.0-steuermann";
  private static final int STASH_CAPACITY = 1_000_000;

  /**
   * The agent of node {@code nodeName}, supervised: a failure restarts it, and the restarted
   * agent adopts what its runtime still runs.
   *
   * @param registrations bounds the registrations of the process's agents in flight
   * @param onRegistered run once, when the Node object is first registered
   */
  public static Behavior<Command> create(String nodeName, ControllerContext controllers,
      ContainerRuntime runtime, NodeSettings settings, ActorRef<PodRouter.Command> router,
      AsyncLimiter registrations, Runnable onRegistered) {
    Behavior<Command> agent = Behaviors.setup(context -> Behaviors.withTimers(timers ->
        Behaviors.withStash(STASH_CAPACITY, stash ->
            new NodeAgent(context, timers, stash, nodeName, controllers, runtime, settings, router,
                registrations, onRegistered).adopting())));
    return Behaviors.supervise(agent)
        .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
  }

  private final TimerScheduler<Command> timers;
  private final StashBuffer<Command> stash;
  private final String nodeName;
  private final ObjectKey nodeKey;
  private final ControllerContext controllers;
  private final ContainerRuntime runtime;
  private final ContainerRuntime.RuntimeInfo info;
  private final NodeSettings settings;
  private final Runnable onRegistered;
  private final AsyncLimiter registrations;
  private final Map<String, PodRun> runs = new HashMap<>();
  private final Map<ObjectKey, String> uidByKey = new HashMap<>();
  private final Map<String, RunningPod> adoptable = new HashMap<>();
  private boolean registered;
  private boolean registering;
  private boolean heartbeatInFlight;
  private boolean announcedRegistration;
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(NodeAgent.class);
  private static final java.util.concurrent.atomic.AtomicLong WARNINGS = new java.util.concurrent.atomic.AtomicLong();

  private NodeAgent(ActorContext<Command> context, TimerScheduler<Command> timers, StashBuffer<Command> stash,
      String nodeName, ControllerContext controllers, ContainerRuntime runtime, NodeSettings settings,
      ActorRef<PodRouter.Command> router, AsyncLimiter registrations, Runnable onRegistered) {
    super(context);
    this.registrations = registrations;
    this.timers = timers;
    this.stash = stash;
    this.nodeName = nodeName;
    this.nodeKey = ObjectKey.of(Kind.NODE, "", nodeName);
    this.controllers = controllers;
    this.runtime = runtime;
    this.info = runtime.info();
    this.settings = settings;
    this.onRegistered = onRegistered;
    ActorRef<Command> self = context.getSelf();
    runtime.setListener((pod, status) -> self.tell(new RuntimeChanged(pod, status)));
    router.tell(new PodRouter.Register(nodeName, self));
    context.pipeToSelf(runtime.listPods(), Adopted::new);
    register();
    // spread the heartbeats of many nodes over the interval instead of writing at one instant
    timers.startTimerAtFixedRate("heartbeat", Heartbeat.INSTANCE, jitter(settings.heartbeatInterval()),
        settings.heartbeatInterval());
  }

  /** Until the runtime said what already runs, everything but that answer waits. */
  private Behavior<Command> adopting() {
    return Behaviors.receive(Command.class)
        .onMessage(Adopted.class, adopted -> {
          onAdopted(adopted);
          return stash.unstashAll(this);
        })
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .onAnyMessage(message -> {
          stash.stash(message);
          return Behaviors.same();
        })
        .build();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(PodChanged.class, this::onPodChanged)
        .onMessageEquals(Heartbeat.INSTANCE, this::onHeartbeat)
        .onMessageEquals(Register.INSTANCE, () -> {
          if (!registered) {
            register();
          }
          return this;
        })
        .onMessage(Registered.class, this::onRegistered)
        .onMessage(LabelsPatched.class, this::onLabelsPatched)
        .onMessage(HeartbeatWritten.class, this::onHeartbeatWritten)
        .onMessage(RuntimeChanged.class, this::onRuntimeChanged)
        .onMessage(PodStarted.class, this::onPodStarted)
        .onMessage(RetryPodStart.class, m -> withRun(m.uid(), Stage.STARTING, this::start))
        .onMessage(StartSlow.class, this::onStartSlow)
        .onMessage(RestartDue.class, this::onRestartDue)
        .onMessage(ContainerStarted.class, this::onContainerStarted)
        .onMessage(ReadyDue.class, this::onReadyDue)
        .onMessage(PodStopped.class, this::onPodStopped)
        .onMessage(RetryStop.class, m -> withRun(m.uid(), Stage.STOPPING, run -> stop(run, Duration.ZERO)))
        .onMessage(StatusWritten.class, this::onStatusWritten)
        .onMessage(Refetched.class, this::onRefetched)
        .onMessage(RetryWrite.class, m -> {
          PodRun run = runs.get(m.uid());
          if (run != null) {
            maybeWrite(run);
          }
          return this;
        })
        .onMessage(DeleteAnswered.class, this::onDeleteAnswered)
        .onMessage(RetryDelete.class, m -> withRun(m.uid(), Stage.GONE, this::delete))
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .onMessage(Adopted.class, m -> this)
        .build();
  }

  private Behavior<Command> withRun(String uid, Stage stage, java.util.function.Consumer<PodRun> action) {
    PodRun run = runs.get(uid);
    if (run != null && run.stage == stage) {
      action.accept(run);
    }
    return this;
  }

  // ---------------------------------------------------------------- adoption

  private void onAdopted(Adopted adopted) {
    if (adopted.error() != null) {
      // nothing adoptable is known; the pods are started afresh
      log.warn("Node {}: the container runtime could not list its pods: {}",
          nodeName, adopted.error().toString());
      return;
    }
    for (RunningPod pod : adopted.pods()) {
      ObjectNode cached = controllers.cache().get(ObjectKey.of(Kind.POD, pod.ref().namespace(), pod.ref().name()));
      if (cached != null && Meta.uid(cached).equals(pod.ref().uid())
          && nodeName.equals(cached.path("spec").path("nodeName").asText())) {
        adoptable.put(pod.ref().uid(), pod);
      } else {
        log.info("Node {}: stopping containers of pod {}/{} ({}), which no longer exists",
            nodeName, pod.ref().namespace(), pod.ref().name(), pod.ref().uid());
        runtime.stopPod(pod.ref(), Duration.ZERO);
      }
    }
    if (!adoptable.isEmpty()) {
      log.info("Node {}: adopting {} running pods", nodeName, adoptable.size());
    }
  }

  private void adopt(PodRun run, RunningPod found) {
    run.stage = Stage.RUNNING;
    run.podIp = found.podIp();
    run.ports = found.ports();
    Map<String, ContainerStatus> byName = new LinkedHashMap<>();
    found.containers().forEach(s -> byName.put(s.name(), s));
    for (ContainerRun c : run.containers.values()) {
      ContainerStatus status = byName.get(c.config.name());
      if (status != null) {
        apply(run, c, status);
      } else {
        c.restartPending = true;
        c.pendingIsRestart = false;
        getContext().getSelf().tell(new RestartDue(run.uid, c.config.name()));
      }
    }
    afterChange(run);
  }

  // ---------------------------------------------------------------- pods

  private Behavior<Command> onPodChanged(PodChanged m) {
    String uid = Meta.uid(m.pod());
    if (m.type() == WatchEvent.Type.DELETED) {
      PodRun run = runs.get(uid);
      if (run != null) {
        disappeared(run);
      }
      RunningPod orphan = adoptable.remove(uid);
      if (orphan != null) {
        runtime.stopPod(orphan.ref(), Duration.ZERO);
      }
      return this;
    }
    PodRun run = runs.get(uid);
    if (run != null) {
      run.observe(m.pod());
      if (run.deletionRequested() && run.stage != Stage.STOPPING && run.stage != Stage.GONE) {
        run.deleteAfterStop = true;
        stop(run, gracePeriod(run));
      } else {
        maybeWrite(run);
      }
      return this;
    }
    String previous = uidByKey.get(m.key());
    if (previous != null && runs.containsKey(previous)) {
      // a new pod of the same name: the old one is gone
      disappeared(runs.get(previous));
    }
    RunningPod found = adoptable.remove(uid);
    run = new PodRun(m.key(), m.pod(), now());
    if (run.deletionRequested()) {
      track(run);
      run.deleteAfterStop = true;
      stop(run, gracePeriod(run));
      return this;
    }
    String phase = m.pod().path("status").path("phase").asText("");
    if (found == null && (phase.equals("Succeeded") || phase.equals("Failed"))) {
      return this; // ended before; nothing runs and nothing will
    }
    track(run);
    if (found != null) {
      adopt(run, found);
    } else {
      start(run);
    }
    return this;
  }

  private void track(PodRun run) {
    runs.put(run.uid, run);
    uidByKey.put(run.key, run.uid);
  }

  private void forget(PodRun run) {
    runs.remove(run.uid);
    uidByKey.remove(run.key, run.uid);
  }

  private void start(PodRun run) {
    run.stage = Stage.STARTING;
    if (!run.showPending) {
      timers.startSingleTimer("slow:" + run.uid, new StartSlow(run.uid), settings.pendingStatusAfter());
    }
    String uid = run.uid;
    getContext().pipeToSelf(runtime.startPod(run.config()), (pod, error) -> new PodStarted(uid, pod, error));
  }

  private Behavior<Command> onStartSlow(StartSlow m) {
    PodRun run = runs.get(m.uid());
    if (run != null && run.stage == Stage.STARTING) {
      run.showPending = true;
      maybeWrite(run);
    }
    return this;
  }

  private Behavior<Command> onPodStarted(PodStarted m) {
    PodRun run = runs.get(m.uid());
    if (run == null || run.stage != Stage.STARTING) {
      return this; // stopped meanwhile; a stop wins over a start in the runtime
    }
    timers.cancel("slow:" + run.uid);
    if (m.error() != null) {
      Duration delay = settings.backoff(run.startFailures++);
      warn("Node {}: pod {} could not be started ({}); retrying in {} ms", nodeName, run.key.entityId(),
          m.error().toString(), delay.toMillis());
      for (ContainerRun c : run.containers.values()) {
        c.status = new ContainerStatus(c.config.name(), c.config.image(), "", "",
            new Waiting("ContainerCreating", String.valueOf(m.error().getMessage())));
      }
      run.showPending = true;
      timers.startSingleTimer("start:" + run.uid, new RetryPodStart(run.uid), delay);
      maybeWrite(run);
      return this;
    }
    run.stage = Stage.RUNNING;
    run.podIp = m.pod().podIp();
    run.ports = m.pod().ports();
    for (ContainerStatus status : m.pod().containers()) {
      ContainerRun c = run.containers.get(status.name());
      if (c != null) {
        apply(run, c, status);
      }
    }
    afterChange(run);
    return this;
  }

  private Behavior<Command> onRuntimeChanged(RuntimeChanged m) {
    PodRun run = runs.get(m.pod().uid());
    if (run == null || run.stage != Stage.RUNNING) {
      return this;
    }
    ContainerRun c = run.containers.get(m.status().name());
    if (c == null || !c.status.containerId().equals(m.status().containerId())) {
      return this; // about an instance already replaced
    }
    apply(run, c, m.status());
    afterChange(run);
    return this;
  }

  /** Takes a container's new state, and decides restarts and readiness. */
  private void apply(PodRun run, ContainerRun c, ContainerStatus status) {
    String name = c.config.name();
    c.status = status;
    if (status.state() instanceof Running running) {
      c.everStarted = true;
      c.restartPending = false;
      long delaySeconds = c.config.spec().path("readinessProbe").path("initialDelaySeconds").asLong(0);
      if (delaySeconds <= 0) {
        c.ready = true;
      } else {
        c.ready = false;
        Duration due = Duration.between(now(), running.startedAt().plusSeconds(delaySeconds));
        timers.startSingleTimer("ready:" + run.uid + ":" + name,
            new ReadyDue(run.uid, name, status.containerId()), due.isNegative() ? Duration.ZERO : due);
      }
    } else if (status.state() instanceof Terminated terminated) {
      c.everStarted = true;
      c.ready = false;
      if (run.restarts(terminated.exitCode()) && run.stage == Stage.RUNNING) {
        if (terminated.startedAt() != null && terminated.finishedAt() != null
            && Duration.between(terminated.startedAt(), terminated.finishedAt())
                .compareTo(settings.restartBackoffMax().multipliedBy(2)) > 0) {
          c.failures = 0; // it ran long enough to count as healthy: back-off starts over
        }
        Duration delay = settings.backoff(c.failures++);
        c.lastTermination = terminated;
        c.lastContainerId = status.containerId();
        c.restartPending = true;
        c.pendingIsRestart = true;
        String message = "back-off " + human(delay) + " restarting failed container=" + name
            + " pod=" + run.key.name() + "_" + run.key.namespace() + "(" + run.uid + ")";
        c.status = new ContainerStatus(name, c.config.image(), status.imageId(), "",
            new Waiting("CrashLoopBackOff", message));
        timers.startSingleTimer("restart:" + run.uid + ":" + name, new RestartDue(run.uid, name), delay);
        controllers.events().record(run.pod, "Warning", "BackOff", "Back-off restarting failed container "
            + name + " in pod " + run.key.name());
      } else {
        c.restartPending = false;
      }
    } else if (status.state() instanceof Waiting waiting) {
      // the runtime could not start it (an image missing, a bad spec): try again later
      c.ready = false;
      Duration delay = settings.backoff(c.failures++);
      c.restartPending = true;
      warn("Node {}: container {} of pod {} could not start ({}: {}); retrying in {} ms", nodeName, name,
          run.key.entityId(), waiting.reason(), waiting.message(), delay.toMillis());
      timers.startSingleTimer("restart:" + run.uid + ":" + name, new RestartDue(run.uid, name), delay);
    }
  }

  private Behavior<Command> onRestartDue(RestartDue m) {
    PodRun run = runs.get(m.uid());
    if (run == null || run.stage != Stage.RUNNING) {
      return this;
    }
    ContainerRun c = run.containers.get(m.container());
    if (c == null || !c.restartPending) {
      return this;
    }
    if (c.pendingIsRestart) {
      c.restartCount++;
      c.pendingIsRestart = false;
    }
    int attempt = ++c.attempt;
    String uid = run.uid;
    String name = c.config.name();
    getContext().pipeToSelf(runtime.startContainer(run.ref, c.config, c.restartCount),
        (status, error) -> new ContainerStarted(uid, name, attempt, status, error));
    return this;
  }

  private Behavior<Command> onContainerStarted(ContainerStarted m) {
    PodRun run = runs.get(m.uid());
    if (run == null || run.stage != Stage.RUNNING) {
      return this;
    }
    ContainerRun c = run.containers.get(m.container());
    if (c == null || c.attempt != m.attempt()) {
      return this;
    }
    ContainerStatus status = m.error() != null
        ? new ContainerStatus(c.config.name(), c.config.image(), "", "",
            new Waiting("CreateContainerError", String.valueOf(m.error().getMessage())))
        : m.status();
    apply(run, c, status);
    afterChange(run);
    return this;
  }

  private Behavior<Command> onReadyDue(ReadyDue m) {
    PodRun run = runs.get(m.uid());
    if (run == null || run.stage != Stage.RUNNING) {
      return this;
    }
    ContainerRun c = run.containers.get(m.container());
    if (c != null && c.status.containerId().equals(m.containerId()) && c.status.state() instanceof Running) {
      c.ready = true;
      maybeWrite(run);
    }
    return this;
  }

  private void afterChange(PodRun run) {
    if (run.stage == Stage.RUNNING && run.allEndedForGood()) {
      // phase Succeeded or Failed: nothing will run again; free the sandbox
      run.stage = Stage.FINISHED;
      runtime.stopPod(run.ref, Duration.ZERO);
    }
    maybeWrite(run);
  }

  // ---------------------------------------------------------------- stopping and deleting

  private Duration gracePeriod(PodRun run) {
    return Duration.ofSeconds(Math.max(0, run.pod.path("metadata").path("deletionGracePeriodSeconds").asLong(
        run.pod.path("spec").path("terminationGracePeriodSeconds").asLong(30))));
  }

  /** The pod is no longer in the store (or was replaced by a new one of its name): stop it, delete nothing. */
  private void disappeared(PodRun run) {
    run.deleteAfterStop = false;
    if (run.stage == Stage.GONE) {
      forget(run);
    } else if (run.stage != Stage.STOPPING) {
      stop(run, Duration.ZERO);
    }
  }

  private void stop(PodRun run, Duration gracePeriod) {
    run.stage = Stage.STOPPING;
    timers.cancel("slow:" + run.uid);
    String uid = run.uid;
    getContext().pipeToSelf(runtime.stopPod(run.ref, gracePeriod), (done, error) -> new PodStopped(uid, error));
  }

  private Behavior<Command> onPodStopped(PodStopped m) {
    PodRun run = runs.get(m.uid());
    if (run == null || run.stage != Stage.STOPPING) {
      return this;
    }
    if (m.error() != null) {
      warn("Node {}: stopping pod {} failed ({}); retrying", nodeName, run.key.entityId(), m.error().toString());
      timers.startSingleTimer("stop:" + run.uid, new RetryStop(run.uid), settings.retryDelay());
      return this;
    }
    if (run.deleteAfterStop) {
      run.stage = Stage.GONE;
      delete(run);
    } else {
      forget(run);
    }
    return this;
  }

  /** Its containers are stopped: the pod goes, at once, and only this instance of it. */
  private void delete(PodRun run) {
    String uid = run.uid;
    getContext().pipeToSelf(controllers.store().delete(run.key, uid, 0, 0L, null),
        (reply, error) -> new DeleteAnswered(uid, reply, error));
  }

  private Behavior<Command> onDeleteAnswered(DeleteAnswered m) {
    PodRun run = runs.get(m.uid());
    if (run == null) {
      return this;
    }
    if (m.reply() instanceof Done) {
      // gone, or held by finalizers; the DELETED event (or housekeeping) forgets it
      return this;
    }
    if (m.reply() instanceof Refused refused && (refused.status().code() == 404 || refused.status().code() == 409)) {
      forget(run);
      return this;
    }
    warn("Node {}: deleting pod {} failed ({}); retrying", nodeName, run.key.entityId(),
        m.error() != null ? m.error().toString() : m.reply());
    timers.startSingleTimer("delete:" + run.uid, new RetryDelete(run.uid), settings.retryDelay());
    return this;
  }

  // ---------------------------------------------------------------- pod status

  /** Writes the pod's status if it differs from the stored one; at most one write in flight per pod. */
  private void maybeWrite(PodRun run) {
    if (run.writing || run.stage == Stage.STOPPING || run.stage == Stage.GONE) {
      return;
    }
    if (run.stage == Stage.STARTING && !run.showPending) {
      return; // a fast start goes straight to Running: one write instead of two
    }
    ObjectNode desired = run.desiredStatus(info.hostIp(), now());
    if (PodRun.same(desired, run.pod.get("status"))) {
      return;
    }
    if (PodRun.same(desired, run.written) && run.writtenVersion == run.observedVersion) {
      return; // written, and the store kept something else: do not loop
    }
    run.writing = true;
    ObjectNode write = Json.object();
    ObjectNode meta = write.putObject("metadata");
    meta.put("name", run.key.name());
    meta.put("namespace", run.key.namespace());
    meta.put("resourceVersion", Long.toString(run.observedVersion));
    write.set("status", desired);
    String uid = run.uid;
    getContext().pipeToSelf(controllers.store().replace(run.key, write, ObjectCommand.Part.STATUS),
        (reply, error) -> new StatusWritten(uid, desired, reply, error));
  }

  private Behavior<Command> onStatusWritten(StatusWritten m) {
    PodRun run = runs.get(m.uid());
    if (run == null) {
      return this;
    }
    run.writing = false;
    if (m.reply() instanceof Done done) {
      run.observe(done.object());
      run.written = m.status();
      run.writtenVersion = run.observedVersion;
      maybeWrite(run);
    } else if (m.reply() instanceof Refused refused && refused.status().code() == 409) {
      // changed since we saw it: read it again and write onto the new version
      run.writing = true;
      getContext().pipeToSelf(controllers.store().get(run.key), (reply, error) -> new Refetched(m.uid(), reply, error));
    } else if (m.reply() instanceof Refused refused && refused.status().code() == 404) {
      // gone: its DELETED event follows
    } else if (m.reply() instanceof Refused refused) {
      warn("Node {}: the status of pod {} was refused: {}", nodeName, run.key.entityId(), refused.status());
      run.written = m.status();
      run.writtenVersion = run.observedVersion;
    } else {
      timers.startSingleTimer("write:" + run.uid, new RetryWrite(run.uid), settings.retryDelay());
    }
    return this;
  }

  private Behavior<Command> onRefetched(Refetched m) {
    PodRun run = runs.get(m.uid());
    if (run == null) {
      return this;
    }
    run.writing = false;
    if (m.reply() instanceof Done done && Meta.uid(done.object()).equals(run.uid)) {
      run.observe(done.object());
      maybeWrite(run);
    } else if (m.error() != null) {
      timers.startSingleTimer("write:" + run.uid, new RetryWrite(run.uid), settings.retryDelay());
    }
    return this;
  }

  // ---------------------------------------------------------------- node and heartbeat

  private Behavior<Command> onHeartbeat() {
    housekeeping();
    if (!registered) {
      register();
    } else if (!heartbeatInFlight) {
      heartbeatInFlight = true;
      ObjectNode write = Json.object();
      write.putObject("metadata").put("name", nodeName);
      write.set("status", nodeStatus());
      getContext().pipeToSelf(controllers.store().replace(nodeKey, write, ObjectCommand.Part.STATUS),
          HeartbeatWritten::new);
    }
    return this;
  }

  /**
   * Self-healing against missed watch events: pods whose object is gone from the store are
   * stopped, and statuses that differ from what the agent wants (a failed write, another
   * writer) are written again.
   */
  private void housekeeping() {
    for (PodRun run : new ArrayList<>(runs.values())) {
      ObjectNode cached = controllers.cache().get(run.key);
      if (cached == null || !Meta.uid(cached).equals(run.uid)) {
        disappeared(run);
      } else {
        run.observe(cached);
        maybeWrite(run);
      }
    }
    adoptable.values().removeIf(pod -> {
      ObjectNode cached = controllers.cache().get(ObjectKey.of(Kind.POD, pod.ref().namespace(), pod.ref().name()));
      if (cached == null || !Meta.uid(cached).equals(pod.ref().uid())) {
        runtime.stopPod(pod.ref(), Duration.ZERO);
        return true;
      }
      return false;
    });
  }

  private void register() {
    if (registering) {
      return;
    }
    registering = true;
    getContext().pipeToSelf(registrations.submit(() -> controllers.store().create(nodeObject())), Registered::new);
  }

  private Behavior<Command> onRegistered(Registered m) {
    registering = false;
    if (m.reply() instanceof Done) {
      registered();
    } else if (m.reply() instanceof Refused refused && refused.status().code() == 409) {
      // the node exists (from an earlier run): make its labels ours, leave its spec alone,
      // and write a fresh status
      ObjectNode patch = Json.object();
      patch.putObject("metadata").set("labels", labels());
      ((ObjectNode) patch.get("metadata")).set("annotations", annotations());
      getContext().pipeToSelf(registrations.submit(() ->
          controllers.store().patch(nodeKey, ObjectCommand.PatchType.MERGE, patch, ObjectCommand.Part.MAIN)),
          LabelsPatched::new);
    } else {
      warn("Node {}: registration failed ({}); retrying", nodeName,
          m.error() != null ? m.error().toString() : m.reply());
      timers.startSingleTimer(Register.INSTANCE, settings.retryDelay().plus(jitter(settings.retryDelay())));
    }
    return this;
  }

  private Behavior<Command> onLabelsPatched(LabelsPatched m) {
    if (m.reply() instanceof Done) {
      registered();
      getContext().getSelf().tell(Heartbeat.INSTANCE);
    } else {
      warn("Node {}: updating the existing node failed ({}); retrying", nodeName,
          m.error() != null ? m.error().toString() : m.reply());
      timers.startSingleTimer(Register.INSTANCE, settings.retryDelay().plus(jitter(settings.retryDelay())));
    }
    return this;
  }

  private void registered() {
    registered = true;
    if (!announcedRegistration) {
      announcedRegistration = true;
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
      warn("Node {}: heartbeat failed ({})", nodeName, m.error() != null ? m.error().toString() : m.reply());
    }
    return this;
  }

  /** The cluster member this agent runs in, so the node lifecycle controller knows when it is gone. */
  private ObjectNode annotations() {
    var self = org.apache.pekko.cluster.typed.Cluster.get(getContext().getSystem()).selfMember().uniqueAddress();
    ObjectNode annotations = Json.object();
    annotations.put(io.steuermann.engine.controllers.nodes.NodeLifecycleController.MEMBER_ANNOTATION,
        self.address() + "#" + self.longUid());
    return annotations;
  }

  private ObjectNode labels() {
    ObjectNode labels = Json.object();
    labels.put("kubernetes.io/hostname", nodeName);
    labels.put("kubernetes.io/os", "linux");
    labels.put("kubernetes.io/arch", info.architecture());
    if (info.simulated()) {
      labels.put("steuermann.io/hollow", "true");
    }
    return labels;
  }

  private ObjectNode nodeObject() {
    ObjectNode node = Json.object();
    node.put("apiVersion", "v1");
    node.put("kind", "Node");
    ObjectNode meta = node.putObject("metadata");
    meta.put("name", nodeName);
    meta.set("labels", labels());
    meta.set("annotations", annotations());
    node.putObject("spec");
    node.set("status", nodeStatus());
    return node;
  }

  /** The node's status now: capacity, conditions with a fresh heartbeat, addresses, node info. */
  private ObjectNode nodeStatus() {
    String now = PodRun.time(now());
    ObjectNode status = Json.object();
    ObjectNode capacity = status.putObject("capacity");
    info.capacity().forEach(capacity::put);
    status.set("allocatable", capacity.deepCopy());
    ObjectNode cached = controllers.cache().get(nodeKey);
    JsonNode previous = cached == null ? Json.object() : cached.path("status").path("conditions");
    ArrayNode conditions = status.putArray("conditions");
    condition(conditions, previous, "MemoryPressure", "False", "KubeletHasSufficientMemory",
        "kubelet has sufficient memory available", now);
    condition(conditions, previous, "DiskPressure", "False", "KubeletHasNoDiskPressure",
        "kubelet has no disk pressure", now);
    condition(conditions, previous, "PIDPressure", "False", "KubeletHasSufficientPID",
        "kubelet has sufficient PID available", now);
    condition(conditions, previous, "Ready", "True", "KubeletReady", "kubelet is posting ready status", now);
    ArrayNode addresses = status.putArray("addresses");
    addresses.addObject().put("type", "InternalIP").put("address", info.hostIp());
    addresses.addObject().put("type", "Hostname").put("address", nodeName);
    status.putObject("daemonEndpoints").putObject("kubeletEndpoint").put("Port", 0);
    ObjectNode nodeInfo = status.putObject("nodeInfo");
    nodeInfo.put("machineID", "");
    nodeInfo.put("systemUUID", "");
    nodeInfo.put("bootID", "");
    nodeInfo.put("kernelVersion", info.kernelVersion());
    nodeInfo.put("osImage", info.osImage());
    nodeInfo.put("containerRuntimeVersion", info.version());
    nodeInfo.put("kubeletVersion", KUBELET_VERSION);
    nodeInfo.put("kubeProxyVersion", KUBELET_VERSION);
    nodeInfo.put("operatingSystem", "linux");
    nodeInfo.put("architecture", info.architecture());
    return status;
  }

  private static void condition(ArrayNode conditions, JsonNode previous, String type, String value,
      String reason, String message, String now) {
    String transition = now;
    for (JsonNode p : previous) {
      if (type.equals(p.path("type").asText()) && value.equals(p.path("status").asText())
          && p.hasNonNull("lastTransitionTime")) {
        transition = p.path("lastTransitionTime").asText();
      }
    }
    conditions.addObject()
        .put("type", type)
        .put("status", value)
        .put("lastHeartbeatTime", now)
        .put("lastTransitionTime", transition)
        .put("reason", reason)
        .put("message", message);
  }

  // ---------------------------------------------------------------- helpers

  private static Duration jitter(Duration within) {
    long ms = within.toMillis();
    return ms <= 0 ? Duration.ZERO : Duration.ofMillis(ThreadLocalRandom.current().nextLong(ms));
  }

  private Instant now() {
    return Instant.now(controllers.clock());
  }

  /** Warnings are logged, but a thousand nodes failing alike must not flood the log. */
  private static void warn(String format, Object... args) {
    long n = WARNINGS.incrementAndGet();
    if (n <= 20 || n % 100 == 0) {
      log.warn(format + (n > 20 ? " (" + n + " node warnings so far, most not logged)" : ""), args);
    }
  }

  private static String human(Duration d) {
    long ms = d.toMillis();
    if (ms % 60_000 == 0 && ms > 0) {
      return ms / 60_000 + "m0s";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
