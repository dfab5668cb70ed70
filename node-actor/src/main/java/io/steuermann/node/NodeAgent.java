package io.steuermann.node;

import io.steuermann.engine.controllers.AsyncLimiter;
import com.fasterxml.jackson.databind.JsonNode;
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
import io.steuermann.node.probe.ContainerProber;
import io.steuermann.node.probe.ProbeClients;
import io.steuermann.node.probe.ProbeResult;
import io.steuermann.node.lifecycle.HookRunner;
import io.steuermann.node.probe.ProbeRunner;
import io.steuermann.node.probe.ProbeTarget;
import io.steuermann.node.podenv.ConfigReferences;
import io.steuermann.node.podenv.ResourceReferences;
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
 * <p>The Node object (registration, heartbeats) is kept by a child, {@link NodeRegistration};
 * each running container with probes has a {@link ContainerProber} child.
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

  private enum Housekeeping implements Command { INSTANCE }

  private enum ResyncVolumes implements Command { INSTANCE }

  private record Adopted(List<RunningPod> pods, Throwable error) implements Command {}

  private record RuntimeChanged(PodRef pod, ContainerStatus status) implements Command {}

  private record PodStarted(String uid, RunningPod pod, Throwable error) implements Command {}

  private record RetryPodStart(String uid) implements Command {}

  private record StartSlow(String uid) implements Command {}

  private record RestartDue(String uid, String container) implements Command {}

  private record ContainerStarted(String uid, String container, int attempt, ContainerStatus status,
      Throwable error) implements Command {}

  private record ShowBackOff(String uid, String container, int attempt) implements Command {}

  private record Probed(ContainerProber.Report report) implements Command {}

  private record ContainerStopped(String uid, String container, String containerId, ContainerStatus status,
      Throwable error) implements Command {}

  private record PodStopped(String uid, Throwable error) implements Command {}

  private record RetryStop(String uid) implements Command {}

  private record StatusWritten(String uid, JsonNode status, Reply reply, Throwable error) implements Command {}

  private record Refetched(String uid, Reply reply, Throwable error) implements Command {}

  private record RetryWrite(String uid) implements Command {}

  private record DeleteAnswered(String uid, Reply reply, Throwable error) implements Command {}

  private record RetryDelete(String uid) implements Command {}

  private record PostStartDone(String uid, String container, String containerId, ProbeResult result)
      implements Command {}

  private record PreStopDone(String uid, int generation, long beganNanos) implements Command {}

  /** A hook failed: its event, recorded on the pod as it was when the hook began. */
  private record HookFailed(ObjectNode pod, String reason, String message) implements Command {}

  /** How long a postStart hook may run; kubelet sets none, a hook that never ends must not pin the container. */
  private static final Duration POST_START_TIMEOUT = Duration.ofMinutes(2);
  /** kubelet's minimumGracePeriodInSeconds: what a container gets after its preStop hook, at least */
  private static final Duration MINIMUM_GRACE = Duration.ofSeconds(2);

  public static final String KUBELET_VERSION = "v1.32.0-steuermann";
  private static final int STASH_CAPACITY = 1_000_000;

  /**
   * The agent of node {@code nodeName}, supervised: a failure restarts it, and the restarted
   * agent adopts what its runtime still runs.
   *
   * @param registrations bounds the registrations of the process's agents in flight
   * @param probeClients the process's HTTPS client for httpGet probes
   * @param onRegistered run once, when the Node object is first registered
   */
  public static Behavior<Command> create(String nodeName, ControllerContext controllers,
      ContainerRuntime runtime, NodeSettings settings, ActorRef<PodRouter.Command> router,
      AsyncLimiter registrations, ProbeClients probeClients, Runnable onRegistered) {
    Behavior<Command> agent = Behaviors.setup(context -> Behaviors.withTimers(timers ->
        Behaviors.withStash(STASH_CAPACITY, stash ->
            new NodeAgent(context, timers, stash, nodeName, controllers, runtime, settings, router,
                registrations, probeClients, onRegistered).adopting())));
    return Behaviors.supervise(agent)
        .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
  }

  private final TimerScheduler<Command> timers;
  private final StashBuffer<Command> stash;
  private final String nodeName;
  private final ControllerContext controllers;
  private final ContainerRuntime runtime;
  private final ContainerRuntime.RuntimeInfo info;
  private final NodeSettings settings;
  private final ProbeRunner probeRunner;
  private final HookRunner hooks;
  /** set while an adopted instance is taken: what starts with a new instance does not run again */
  private boolean adopting;
  private final ActorRef<ContainerProber.Report> probeReports;
  private final Map<String, PodRun> runs = new HashMap<>();
  private final Map<ObjectKey, String> uidByKey = new HashMap<>();
  private final Map<String, RunningPod> adoptable = new HashMap<>();
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(NodeAgent.class);
  private static final java.util.concurrent.atomic.AtomicLong WARNINGS = new java.util.concurrent.atomic.AtomicLong();

  private final io.steuermann.node.podenv.PodEnvironments environments;
  private final PodVolumeSetup volumes;

  private NodeAgent(ActorContext<Command> context, TimerScheduler<Command> timers, StashBuffer<Command> stash,
      String nodeName, ControllerContext controllers, ContainerRuntime runtime, NodeSettings settings,
      ActorRef<PodRouter.Command> router, AsyncLimiter registrations, ProbeClients probeClients,
      Runnable onRegistered) {
    super(context);
    this.probeRunner = new ProbeRunner(runtime, probeClients, context.getExecutionContext());
    this.hooks = new HookRunner(probeRunner);
    this.probeReports = context.messageAdapter(ContainerProber.Report.class, Probed::new);
    this.timers = timers;
    this.stash = stash;
    this.nodeName = nodeName;
    this.controllers = controllers;
    this.runtime = runtime;
    this.info = runtime.info();
    this.settings = settings;
    this.environments = new io.steuermann.node.podenv.PodEnvironments(controllers.cache(),
        io.steuermann.engine.network.ClusterNetwork.fromConfig(context.getSystem().settings().config()));
    this.volumes = new PodVolumeSetup(controllers, runtime, this::lookup);
    ActorRef<Command> self = context.getSelf();
    runtime.setListener((pod, status) -> self.tell(new RuntimeChanged(pod, status)));
    router.tell(new PodRouter.Register(nodeName, self));
    context.pipeToSelf(runtime.listPods(), Adopted::new);
    context.spawn(NodeRegistration.create(nodeName, controllers, info, runtime::networkNotReady, settings, registrations,
        onRegistered),
        "registration");
    timers.startTimerAtFixedRate("housekeeping", Housekeeping.INSTANCE, jitter(settings.heartbeatInterval()),
        settings.heartbeatInterval());
    timers.startTimerAtFixedRate("volumes", ResyncVolumes.INSTANCE, settings.volumeResync());
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
        .onMessageEquals(Housekeeping.INSTANCE, () -> {
          housekeeping();
          return this;
        })
        .onMessageEquals(ResyncVolumes.INSTANCE, () -> {
          volumes.resync(runs.values());
          return this;
        })
        .onMessage(RuntimeChanged.class, this::onRuntimeChanged)
        .onMessage(PodStarted.class, this::onPodStarted)
        .onMessage(RetryPodStart.class, m -> withRun(m.uid(), Stage.STARTING, this::start))
        .onMessage(StartSlow.class, this::onStartSlow)
        .onMessage(RestartDue.class, this::onRestartDue)
        .onMessage(ContainerStarted.class, this::onContainerStarted)
        .onMessage(ShowBackOff.class, this::onShowBackOff)
        .onMessage(Probed.class, this::onProbed)
        .onMessage(ContainerStopped.class, this::onContainerStopped)
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
        .onMessage(PostStartDone.class, this::onPostStartDone)
        .onMessage(PreStopDone.class, this::onPreStopDone)
        .onMessage(HookFailed.class, m -> {
          controllers.events().record(m.pod(), "Warning", m.reason(), m.message());
          return this;
        })
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
    // a container of an adopted pod that restarts gets its references as they are now
    resolutions(run).forEach((c, r) -> c.config = resolved(c, r));
    run.stage = Stage.RUNNING;
    run.podIp = found.podIp();
    run.ports = found.ports();
    Map<String, ContainerStatus> byName = new LinkedHashMap<>();
    found.containers().forEach(s -> byName.put(s.name(), s));
    // an app container that ran, or a status that said so, means the init containers are done
    run.initialized = run.initContainers.isEmpty()
        || run.containers.keySet().stream().anyMatch(byName::containsKey)
        || "True".equals(io.steuermann.engine.objects.PodConditions.get(run.pod.path("status"), "Initialized"))
            && run.pod.path("status").has("initContainerStatuses");
    for (ContainerRun c : run.all()) {
      ContainerStatus status = byName.get(c.config.name());
      if (status != null) {
        adopting = true; // an adopted instance ran its postStart hook when it started
        try {
          apply(run, c, status);
        } finally {
          adopting = false;
        }
        keepProbed(run, c);
      } else if (c.init) {
        // not found: either never started (initialization goes on) or done before the sandbox was found
        if (run.initialized) {
          c.status = new ContainerStatus(c.config.name(), c.config.image(), "", "",
              new Terminated(0, "Completed", null, null, null));
        }
      } else if (run.initialized) {
        c.restartPending = true;
        c.pendingIsRestart = false;
        getContext().getSelf().tell(new RestartDue(run.uid, c.config.name()));
      }
    }
    afterChange(run);
  }

  /**
   * An adopted instance keeps what its probes had found (stored in the pod's status), so a
   * restart of the agent neither runs a passed startup probe again nor flaps readiness.
   */
  private void keepProbed(PodRun run, ContainerRun c) {
    if (c.prober == null) {
      return;
    }
    for (JsonNode stored : run.pod.path("status").path("containerStatuses")) {
      if (c.config.name().equals(stored.path("name").asText())
          && c.status.containerId().equals(stored.path("containerID").asText())) {
        stopProber(c);
        c.started = c.started || stored.path("started").asBoolean(false);
        c.ready = c.started && (c.ready || stored.path("ready").asBoolean(false));
        apply(run, c, c.status); // probes again, from what was known
      }
    }
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
    runtime.observe(m.pod());
    PodRun run = runs.get(uid);
    if (run != null) {
      run.observe(m.pod());
      if (run.deletionRequested() && run.stage != Stage.STOPPING && run.stage != Stage.GONE) {
        run.deleteAfterStop = true;
        stop(run, gracePeriod(run));
      } else if (run.stage == Stage.STOPPING && run.deleteAfterStop && gracePeriod(run).compareTo(run.stopGrace) < 0) {
        // deleted again with a shorter grace period: the stop ends sooner (the runtime's stop is idempotent)
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
    java.util.Optional<io.steuermann.node.volumes.ResolvedVolumes> podVolumes = volumes.prepare(run);
    if (podVolumes.isEmpty() || !resolveConfig(run)) {
      run.showPending |= podVolumes.isEmpty();
      maybeWrite(run);
      timers.startSingleTimer("start:" + run.uid, new RetryPodStart(run.uid), settings.retryDelay());
      return;
    }
    // what the pod learns of the cluster is fixed when it starts, as with kubelet; simulated
    // containers read nothing of it
    io.steuermann.node.podenv.PodEnvironment environment = info.simulated()
        ? io.steuermann.node.podenv.PodEnvironment.none()
        : environments.of(run.key.namespace(), run.key.name(), run.pod.path("spec"));
    getContext().pipeToSelf(runtime.startPod(run.config(environment, podVolumes.get())), (pod, error) -> new PodStarted(uid, pod, error));
  }

  /**
   * Resolves the containers' ConfigMap and Secret references from the watch cache. A container
   * that cannot be resolved yet waits with {@code CreateContainerConfigError} and kubelet's
   * message and is left out of the pod's start; it is started later, as a pending restart that
   * resolves again, when its references are there. The pod starts when at least one container
   * can. The messages name objects and keys only: no value reaches the status, an event or the log.
   */
  private boolean resolveConfig(PodRun run) {
    Map<ContainerRun, ConfigReferences.Resolution> results = resolutions(run);
    boolean any = results.values().stream().anyMatch(r -> r instanceof ConfigReferences.Resolved);
    results.forEach((c, r) -> {
      if (r instanceof ConfigReferences.Failed f) {
        configError(run, c, f);
        if (any) {
          c.awaitingConfig = true;
          c.restartPending = true;
          c.pendingIsRestart = false;
        }
      } else {
        if (c.awaitingConfig) { // an earlier attempt left it out; this start includes it
          c.awaitingConfig = false;
          c.restartPending = false;
        }
        c.config = resolved(c, r);
        warnInvalidNames(run, r);
      }
    });
    if (results.size() > 0 && results.values().stream().anyMatch(r -> r instanceof ConfigReferences.Failed)) {
      run.showPending = true;
      maybeWrite(run);
    }
    return any;
  }

  private void warnInvalidNames(PodRun run, ConfigReferences.Resolution resolution) {
    if (resolution instanceof ConfigReferences.Resolved ok) {
      ok.warnings().forEach(w -> controllers.events().record(run.pod, "Warning", "InvalidEnvironmentVariableNames", w));
    }
  }

  /** The container waits with kubelet's reason; an event when the reason's message is new. */
  private void configError(PodRun run, ContainerRun c, ConfigReferences.Failed f) {
    if (!(c.status.state() instanceof Waiting w) || !f.message().equals(w.message())) {
      controllers.events().record(run.pod, "Warning", "Failed", "Error: " + f.message());
    }
    c.status = new ContainerStatus(c.declared.name(), c.declared.image(), c.status.imageId(), "",
        new Waiting("CreateContainerConfigError", f.message()));
  }

  private static ContainerRuntime.ContainerConfig resolved(ContainerRun c, ConfigReferences.Resolution r) {
    return r instanceof ConfigReferences.Resolved ok
        ? new ContainerRuntime.ContainerConfig(c.declared.name(), c.declared.image(), ok.spec())
        : c.declared;
  }

  private Map<ContainerRun, ConfigReferences.Resolution> resolutions(PodRun run) {
    ConfigReferences.Lookup lookup = lookup(run.key.namespace());
    Map<ContainerRun, ConfigReferences.Resolution> results = new LinkedHashMap<>();
    for (ContainerRun c : run.containers.values()) {
      results.put(c, references(run, c, lookup));
    }
    return results;
  }

  /** The container's spec with the values its environment refers to: resources, ConfigMaps, Secrets. */
  private ConfigReferences.Resolution references(PodRun run, ContainerRun c, ConfigReferences.Lookup lookup) {
    ConfigReferences.Resolution resources = ResourceReferences.resolve(run.pod, c.declared.spec(), info.capacity());
    return resources instanceof ConfigReferences.Resolved r
        ? ConfigReferences.resolve(run.key.namespace(), r.spec(), lookup)
        : resources;
  }

  /** The ConfigMaps and Secrets of a namespace, as the watch cache has them now. */
  private ConfigReferences.Lookup lookup(String namespace) {
    return new ConfigReferences.Lookup() {
      @Override
      public com.fasterxml.jackson.databind.JsonNode configMap(String name) {
        return controllers.cache().get(ObjectKey.of(io.steuermann.engine.model.Kind.CONFIG_MAP, namespace, name));
      }

      @Override
      public com.fasterxml.jackson.databind.JsonNode secret(String name) {
        return controllers.cache().get(ObjectKey.of(io.steuermann.engine.model.Kind.SECRET, namespace, name));
      }

      @Override
      public com.fasterxml.jackson.databind.JsonNode persistentVolumeClaim(String name) {
        return controllers.cache().get(ObjectKey.of(io.steuermann.engine.model.Kind.PERSISTENT_VOLUME_CLAIM, namespace,
            name));
      }

      @Override
      public com.fasterxml.jackson.databind.JsonNode persistentVolume(String name) {
        return controllers.cache().get(ObjectKey.of(io.steuermann.engine.model.Kind.PERSISTENT_VOLUME, "", name));
      }
    };
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
      for (ContainerRun c : run.all()) {
        c.status = new ContainerStatus(c.config.name(), c.config.image(), "", "",
            new Waiting(run.defaultWaiting(), String.valueOf(m.error().getMessage())));
      }
      run.showPending = true;
      timers.startSingleTimer("start:" + run.uid, new RetryPodStart(run.uid), delay);
      maybeWrite(run);
      return this;
    }
    run.stage = Stage.RUNNING;
    run.podIp = m.pod().podIp();
    run.ports = m.pod().ports();
    if (!run.initialized) {
      // the sandbox is up: what an earlier failed start said of the containers no longer holds
      for (ContainerRun c : run.all()) {
        if (c.attempt == 0 && c.status.state() instanceof Waiting) {
          c.status = new ContainerStatus(c.config.name(), c.config.image(), "", "", new Waiting(run.defaultWaiting(), null));
        }
      }
    }
    for (ContainerStatus status : m.pod().containers()) {
      ContainerRun c = run.container(status.name());
      if (c != null) {
        apply(run, c, status);
      }
    }
    for (ContainerRun c : run.containers.values()) {
      if (c.awaitingConfig) {
        timers.startSingleTimer("restart:" + run.uid + ":" + c.declared.name(),
            new RestartDue(run.uid, c.declared.name()), settings.retryDelay());
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
    ContainerRun c = run.container(m.status().name());
    if (c == null || !c.status.containerId().equals(m.status().containerId())) {
      return this; // about an instance already replaced
    }
    apply(run, c, m.status());
    afterChange(run);
    return this;
  }

  /** Takes a container's new state, and decides restarts and probing. */
  private void apply(PodRun run, ContainerRun c, ContainerStatus status) {
    String name = c.config.name();
    if (status.state() instanceof Terminated && c.status.state() instanceof Terminated
        && c.status.containerId().equals(status.containerId())) {
      return; // this exit was taken already (reported twice: by the stop's answer and the listener)
    }
    ContainerStatus previous = c.status;
    c.status = status;
    if (!(status.state() instanceof Running) || !status.containerId().equals(previous.containerId())) {
      stopProber(c);
    }
    if (status.state() instanceof Running running) {
      c.restartPending = false;
      c.startFailures = 0;
      if (!status.containerId().equals(previous.containerId()) || !(previous.state() instanceof Running)) {
        c.started = c.probes.startup().isEmpty();
        c.ready = c.started && c.probes.readiness().isEmpty();
      }
      boolean newInstance = !status.containerId().equals(previous.containerId()) || !(previous.state() instanceof Running);
      if (c.probes.any() && c.prober == null) {
        ProbeTarget target = new ProbeTarget(run.ref, name, status.containerId(), run.podIp, c.config.spec(),
            running.startedAt());
        c.prober = getContext().spawnAnonymous(
            ContainerProber.create(target, c.probes, probeRunner, probeReports, c.started, c.ready));
      }
      java.util.Optional<JsonNode> postStart = HookRunner.handler(c.config.spec(), HookRunner.POST_START);
      if (newInstance && !adopting && postStart.isPresent() && !info.simulated() && run.stage == Stage.RUNNING) {
        String uid = run.uid;
        String containerId = status.containerId();
        getContext().pipeToSelf(hooks.run(postStart.get(), target(run, c), POST_START_TIMEOUT),
            (result, error) -> new PostStartDone(uid, name, containerId,
                result != null ? result : ProbeResult.failed(String.valueOf(error))));
      }
      return;
    }
    c.ready = false;
    c.started = false;
    if (status.state() instanceof Terminated terminated) {
      boolean killed = c.killedByProbe;
      c.killedByProbe = false;
      boolean restart = killed ? !run.restartPolicy().equals("Never") : run.restarts(c, terminated.exitCode());
      if (!restart || run.stage != Stage.RUNNING) {
        c.restartPending = false;
        return;
      }
      if (terminated.startedAt() != null && terminated.finishedAt() != null
          && Duration.between(terminated.startedAt(), terminated.finishedAt())
              .compareTo(settings.restartBackoffMax().multipliedBy(2)) > 0) {
        c.crashes = 0; // it ran long enough to count as healthy: back-off starts over
      }
      Duration delay = settings.crashBackoff(c.crashes++);
      c.restartPending = true;
      c.pendingIsRestart = true;
      if (delay.isZero()) {
        // the first restart is immediate, as in Kubernetes; the exit shows until it runs again
        getContext().getSelf().tell(new RestartDue(run.uid, name));
        return;
      }
      c.lastTermination = terminated;
      c.lastContainerId = status.containerId();
      String message = "back-off " + human(delay) + " restarting failed container=" + name
          + " pod=" + run.key.name() + "_" + run.key.namespace() + "(" + run.uid + ")";
      c.status = new ContainerStatus(name, c.config.image(), status.imageId(), "",
          new Waiting("CrashLoopBackOff", message));
      timers.startSingleTimer("restart:" + run.uid + ":" + name, new RestartDue(run.uid, name), delay);
      controllers.events().record(run.pod, "Warning", "BackOff", "Back-off restarting failed container "
          + name + " in pod " + run.key.name() + "_" + run.key.namespace() + "(" + run.uid + ")");
    } else if (status.state() instanceof Waiting waiting) {
      // the runtime could not start it (an image missing, a bad spec): try again later
      Duration delay = settings.backoff(c.startFailures++);
      c.restartPending = true;
      if (waiting.reason().equals("ErrImagePull")) {
        controllers.events().record(run.pod, "Warning", "Failed", "Failed to pull image \"" + c.config.image()
            + "\": " + waiting.message());
        // ErrImagePull shows first; while the retry waits, ImagePullBackOff (as kubelet's next sync shows it)
        Duration show = delay.dividedBy(2).compareTo(Duration.ofSeconds(1)) < 0 ? delay.dividedBy(2) : Duration.ofSeconds(1);
        timers.startSingleTimer("pull:" + run.uid + ":" + name, new ShowBackOff(run.uid, name, c.attempt), show);
      } else {
        controllers.events().record(run.pod, "Warning", "Failed", "Error: " + waiting.reason());
      }
      warn("Node {}: container {} of pod {} could not start ({}: {}); retrying in {} ms", nodeName, name,
          run.key.entityId(), waiting.reason(), waiting.message(), delay.toMillis());
      timers.startSingleTimer("restart:" + run.uid + ":" + name, new RestartDue(run.uid, name), delay);
    }
  }

  private Behavior<Command> onShowBackOff(ShowBackOff m) {
    PodRun run = runs.get(m.uid());
    ContainerRun c = run == null || run.stage != Stage.RUNNING ? null : run.container(m.container());
    if (c != null && c.attempt == m.attempt() && c.restartPending
        && c.status.state() instanceof Waiting w && w.reason().equals("ErrImagePull")) {
      String message = "Back-off pulling image \"" + c.config.image() + "\"";
      // the status keeps the failed pull's reason, as kubelet's image manager does; the event does not
      c.status = new ContainerStatus(c.config.name(), c.config.image(), c.status.imageId(), c.status.containerId(),
          new Waiting("ImagePullBackOff", message + ": ErrImagePull: " + w.message()));
      controllers.events().record(run.pod, "Normal", "BackOff", message);
      maybeWrite(run);
    }
    return this;
  }

  private Behavior<Command> onRestartDue(RestartDue m) {
    PodRun run = runs.get(m.uid());
    if (run == null || run.stage != Stage.RUNNING) {
      return this;
    }
    ContainerRun c = run.container(m.container());
    if (c == null || !c.restartPending || (!c.init && !run.initialized)) {
      return this; // an app container starts only once the init containers completed
    }
    if (c.status.state() instanceof Terminated ended) {
      c.lastTermination = ended; // restarted at once: the exit becomes the last state now
      c.lastContainerId = c.status.containerId();
    }
    // as kubelet, every new instance gets its references as they are now
    ConfigReferences.Resolution config = references(run, c, lookup(run.key.namespace()));
    if (config instanceof ConfigReferences.Failed f) {
      configError(run, c, f);
      maybeWrite(run);
      timers.startSingleTimer("restart:" + run.uid + ":" + c.declared.name(), new RestartDue(run.uid, c.declared.name()),
          settings.retryDelay());
      return this;
    }
    c.config = resolved(c, config);
    c.awaitingConfig = false;
    warnInvalidNames(run, config);
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
    ContainerRun c = run.container(m.container());
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

  // ---------------------------------------------------------------- probes

  private void stopProber(ContainerRun c) {
    if (c.prober != null) {
      getContext().stop(c.prober);
      c.prober = null;
    }
  }

  private Behavior<Command> onProbed(Probed m) {
    ProbeTarget target = m.report().target();
    PodRun run = runs.get(target.pod().uid());
    ContainerRun c = run == null || run.stage != Stage.RUNNING ? null : run.container(target.container());
    if (c == null || c.killedByProbe || !(c.status.state() instanceof Running)
        || !c.status.containerId().equals(target.containerId())) {
      return this; // about an instance that no longer runs
    }
    String name = c.config.name();
    if (m.report() instanceof ContainerProber.Unhealthy u) {
      controllers.events().record(run.pod, "Warning", "Unhealthy", u.type().title() + " probe failed: " + u.message());
    } else if (m.report() instanceof ContainerProber.Started) {
      c.started = true;
      c.ready = c.probes.readiness().isEmpty();
      maybeWrite(run);
    } else if (m.report() instanceof ContainerProber.ReadinessChanged r) {
      c.ready = r.ready() && c.started;
      maybeWrite(run);
    } else if (m.report() instanceof ContainerProber.Failed f) {
      boolean restarts = !run.restartPolicy().equals("Never");
      controllers.events().record(run.pod, "Normal", "Killing", "Container " + name + " failed "
          + f.type().title().toLowerCase(java.util.Locale.ROOT) + " probe" + (restarts ? ", will be restarted" : ""));
      c.killedByProbe = true;
      c.ready = false;
      stopProber(c);
      maybeWrite(run);
      Duration grace = Duration.ofSeconds(f.spec().terminationGracePeriodSeconds()
          .orElse(Math.max(0, run.pod.path("spec").path("terminationGracePeriodSeconds").asLong(30))));
      kill(run, c, grace);
    }
    return this;
  }

  /**
   * Stops one running container as kubelet's killContainer does: its preStop hook first,
   * within the grace period, then SIGTERM with what is left of it (at least kubelet's 2 s),
   * then SIGKILL. Answers as {@link ContainerStopped}.
   */
  private void kill(PodRun run, ContainerRun c, Duration grace) {
    String uid = run.uid;
    String name = c.config.name();
    String containerId = c.status.containerId();
    java.util.Optional<JsonNode> preStop = HookRunner.handler(c.config.spec(), HookRunner.PRE_STOP);
    if (preStop.isEmpty() || grace.isZero() || info.simulated()) {
      getContext().pipeToSelf(runtime.stopContainer(run.ref, name, grace),
          (status, error) -> new ContainerStopped(uid, name, containerId, status, error));
      return;
    }
    long began = System.nanoTime();
    ObjectNode pod = run.pod;
    PodRef ref = run.ref;
    ActorRef<Command> self = getContext().getSelf();
    java.util.concurrent.CompletionStage<ContainerStatus> stopped = hooks.run(preStop.get(), target(run, c), grace)
        .thenCompose(result -> {
          if (!result.success() && !HookRunner.timedOut(result)) {
            hookFailed(self, pod, run.key, name, HookRunner.PRE_STOP, result);
          }
          return runtime.stopContainer(ref, name, remaining(grace, began));
        });
    getContext().pipeToSelf(stopped, (status, error) -> new ContainerStopped(uid, name, containerId, status, error));
  }

  private static Duration remaining(Duration grace, long beganNanos) {
    Duration left = grace.minusNanos(System.nanoTime() - beganNanos);
    return left.compareTo(MINIMUM_GRACE) < 0 ? MINIMUM_GRACE : left;
  }

  /** kubelet's event leaves the handler's output out (it may hold secrets); the log has the reason. */
  private static void hookFailed(ActorRef<Command> self, ObjectNode pod, ObjectKey key, String container, String hook,
      ProbeResult result) {
    boolean postStart = hook.equals(HookRunner.POST_START);
    warn("{} hook for container {} of pod {} failed: {}", postStart ? "PostStart" : "PreStop", container,
        key.entityId(), result.message());
    self.tell(new HookFailed(pod, postStart ? "FailedPostStartHook" : "FailedPreStopHook",
        postStart ? "PostStartHook failed" : "PreStopHook failed"));
  }

  private ProbeTarget target(PodRun run, ContainerRun c) {
    java.time.Instant startedAt = c.status.state() instanceof Running r ? r.startedAt() : now();
    return new ProbeTarget(run.ref, c.config.name(), c.status.containerId(), run.podIp, c.config.spec(), startedAt);
  }

  /** The postStart hook of a new instance ended: a failure kills it, and it restarts as its policy says. */
  private Behavior<Command> onPostStartDone(PostStartDone m) {
    PodRun run = runs.get(m.uid());
    ContainerRun c = run == null || run.stage != Stage.RUNNING ? null : run.container(m.container());
    if (c == null || c.killedByProbe || !(c.status.state() instanceof Running)
        || !c.status.containerId().equals(m.containerId()) || m.result().success()) {
      return this;
    }
    hookFailed(getContext().getSelf(), run.pod, run.key, c.config.name(), HookRunner.POST_START, m.result());
    controllers.events().record(run.pod, "Normal", "Killing", "FailedPostStartHook");
    c.killedByProbe = true;
    c.ready = false;
    stopProber(c);
    maybeWrite(run);
    kill(run, c, Duration.ofSeconds(Math.max(0, run.pod.path("spec").path("terminationGracePeriodSeconds").asLong(30))));
    return this;
  }

  /** A container killed after a failed probe has stopped: restart it as its policy says. */
  private Behavior<Command> onContainerStopped(ContainerStopped m) {
    PodRun run = runs.get(m.uid());
    ContainerRun c = run == null || run.stage != Stage.RUNNING ? null : run.container(m.container());
    if (c == null || !c.status.containerId().equals(m.containerId()) || !(c.status.state() instanceof Running)) {
      return this; // its exit was taken already, or the pod stops
    }
    ContainerStatus status = m.status();
    if (m.error() != null || !(status.state() instanceof Terminated)) {
      Instant startedAt = ((Running) c.status.state()).startedAt();
      status = new ContainerStatus(c.config.name(), c.config.image(), c.status.imageId(), m.containerId(),
          new Terminated(137, "Error", m.error() == null ? null : String.valueOf(m.error().getMessage()),
              startedAt, now()));
    }
    apply(run, c, status);
    afterChange(run);
    return this;
  }

  private void afterChange(PodRun run) {
    advanceInit(run);
    if (run.stage == Stage.RUNNING && run.allEndedForGood()) {
      // phase Succeeded or Failed: nothing will run again. The ended containers stay until the
      // pod is deleted, so that their logs can still be read (kubectl logs of a finished pod)
      run.stage = Stage.FINISHED;
    }
    maybeWrite(run);
  }

  /**
   * Initialization, one step: the first init container that has not completed is started (if
   * it is not running or waiting for its restart); when all completed, the app containers are.
   * A failed init container with restartPolicy Never ends the pod (phase Failed).
   */
  private void advanceInit(PodRun run) {
    if (run.initialized || run.stage != Stage.RUNNING) {
      return;
    }
    for (ContainerRun c : run.initContainers.values()) {
      if (c.completed()) {
        continue;
      }
      if (c.attempt == 0 && !c.restartPending && c.status.state() instanceof Waiting) {
        // never started: the first run of this init container
        c.restartPending = true;
        c.pendingIsRestart = false;
        getContext().getSelf().tell(new RestartDue(run.uid, c.config.name()));
      }
      return; // running, restarting, or failed for good
    }
    run.initialized = true;
    for (ContainerRun c : run.containers.values()) {
      c.restartPending = true;
      c.pendingIsRestart = false;
      getContext().getSelf().tell(new RestartDue(run.uid, c.config.name()));
    }
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
    } else if (run.stage != Stage.STOPPING || !run.stopGrace.isZero()) {
      // also during a graceful stop (its preStop hooks): a pod gone from the store waits no longer
      stop(run, Duration.ZERO);
    }
  }

  /**
   * Stops the pod's containers within {@code gracePeriod}: first the preStop hooks of the
   * running containers that have one (once per pod; the grace period counts from their start),
   * then SIGTERM with what is left of it (at least kubelet's 2 s), then SIGKILL.
   */
  private void stop(PodRun run, Duration gracePeriod) {
    boolean running = run.stage == Stage.RUNNING || run.stage == Stage.FINISHED;
    run.stage = Stage.STOPPING;
    run.stopGrace = gracePeriod;
    int generation = ++run.stopGeneration;
    run.all().forEach(this::stopProber);
    timers.cancel("slow:" + run.uid);
    String uid = run.uid;
    List<java.util.concurrent.CompletableFuture<ProbeResult>> preStops = new ArrayList<>();
    if (running && !run.preStopped && !gracePeriod.isZero() && !info.simulated()) {
      ActorRef<Command> self = getContext().getSelf();
      for (ContainerRun c : run.all()) {
        java.util.Optional<JsonNode> preStop = HookRunner.handler(c.config.spec(), HookRunner.PRE_STOP);
        if (preStop.isPresent() && c.status.state() instanceof Running) {
          String name = c.config.name();
          ObjectNode pod = run.pod;
          preStops.add(hooks.run(preStop.get(), target(run, c), gracePeriod).toCompletableFuture()
              .whenComplete((result, error) -> {
                if (result != null && !result.success() && !HookRunner.timedOut(result)) {
                  hookFailed(self, pod, run.key, name, HookRunner.PRE_STOP, result);
                }
              }));
        }
      }
    }
    if (preStops.isEmpty()) {
      getContext().pipeToSelf(runtime.stopPod(run.ref, gracePeriod), (done, error) -> new PodStopped(uid, error));
      return;
    }
    run.preStopped = true;
    long began = System.nanoTime();
    java.util.concurrent.CompletableFuture<Void> all = java.util.concurrent.CompletableFuture
        .allOf(preStops.toArray(java.util.concurrent.CompletableFuture[]::new))
        .completeOnTimeout(null, gracePeriod.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    getContext().pipeToSelf(all, (done, error) -> new PreStopDone(uid, generation, began));
  }

  private Behavior<Command> onPreStopDone(PreStopDone m) {
    PodRun run = runs.get(m.uid());
    if (run == null || run.stage != Stage.STOPPING || run.stopGeneration != m.generation()) {
      return this; // a later stop (a shorter grace period) took over
    }
    String uid = run.uid;
    getContext().pipeToSelf(runtime.stopPod(run.ref, remaining(run.stopGrace, m.beganNanos())),
        (done, error) -> new PodStopped(uid, error));
    return this;
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

  // ---------------------------------------------------------------- housekeeping

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

  // ---------------------------------------------------------------- helpers

  static Duration jitter(Duration within) {
    long ms = within.toMillis();
    return ms <= 0 ? Duration.ZERO : Duration.ofMillis(ThreadLocalRandom.current().nextLong(ms));
  }

  private Instant now() {
    return Instant.now(controllers.clock());
  }

  /** Warnings are logged, but a thousand nodes failing alike must not flood the log. */
  static void warn(String format, Object... args) {
    long n = WARNINGS.incrementAndGet();
    if (n <= 20 || n % 100 == 0) {
      log.warn(format + (n > 20 ? " (" + n + " node warnings so far, most not logged)" : ""), args);
    }
  }

  /** A duration as Go prints it, as in kubelet's messages: 200ms, 1.2s, 10s, 2m40s, 5m0s. */
  static String human(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + "ms";
    }
    if (ms < 60_000) {
      return java.math.BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString() + "s";
    }
    long seconds = ms / 1000;
    return seconds / 60 + "m" + seconds % 60 + "s";
  }
}
