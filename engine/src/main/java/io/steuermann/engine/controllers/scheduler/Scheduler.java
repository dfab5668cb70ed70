package io.steuermann.engine.controllers.scheduler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.ControllerContext;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.scheduling.Feasibility;
import io.steuermann.engine.scheduling.FailureMessage;
import io.steuermann.engine.scheduling.HostPort;
import io.steuermann.engine.scheduling.NodeInfo;
import io.steuermann.engine.scheduling.PodRequests;
import io.steuermann.engine.scheduling.Resources;
import io.steuermann.engine.scheduling.Scoring;
import io.steuermann.engine.storage.ClaimConstraints;
import io.steuermann.engine.watch.GoneException;
import io.steuermann.engine.watch.WatchCache;
import io.steuermann.engine.watch.WatchEvent;
import io.steuermann.engine.watch.WatchFilter;
import io.steuermann.persistence.CborSerializable;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The default scheduler: places every pending pod on a node. Run as a cluster singleton.
 *
 * <p>It keeps, in memory, a view of every node ({@link NodeInfo}: what it offers, what the pods
 * bound to it take) fed by watches of nodes and pods, and a queue of pending pods. It decides in
 * batches: for each pod it scans nodes from a rotating start, keeps the first
 * {@link SchedulerSettings#sampleLimit feasible few} (Nomad's bounded sample) and ranks them with
 * {@link Scoring}; the chosen placement is <em>assumed</em> at once in the node's view, so a burst
 * of pods never over-commits a node, and the binding is sent asynchronously, a bounded number at
 * a time. A binding that fails forgets its assumption; one that succeeds is confirmed when the
 * watch shows the pod bound.
 *
 * <p>A pod that fits nowhere gets {@code PodScheduled=False} (reason Unschedulable, with
 * Kubernetes' "0/N nodes are available: ..." message; written only when the message changes)
 * and a FailedScheduling event. It waits, without being retried in a loop, until a node is
 * added or changes in a way that matters to scheduling, or a pod frees capacity.
 *
 * <p>Pods of identical constraints (requests, host ports, node selector, node affinity,
 * tolerations) that fail while nothing in the cluster changed fail the same way: the first
 * failure's message is reused without scanning the nodes again.
 */
public final class Scheduler extends AbstractBehavior<Scheduler.Command> {

  /** What the scheduler understands. */
  public sealed interface Command {}

  /** Asks for the scheduler's counters; answered with {@link Stats}. */
  public record GetStats(ActorRef<Stats> replyTo) implements Command, CborSerializable {}

  /** Clears the counters and latencies (for benchmarks); answered with the stats before. */
  public record ResetStats(ActorRef<Stats> replyTo) implements Command, CborSerializable {}

  /**
   * The scheduler's counters since it started (or was reset).
   *
   * @param decisions     scheduling attempts: placements and "fits nowhere" outcomes
   * @param binds         bindings acknowledged by the store
   * @param failures      attempts that found no feasible node
   * @param bindErrors    bindings refused or failed (409, 404, timeouts)
   * @param p50LatencyMs  median time from first seeing a pod pending to its binding acknowledged
   * @param p99LatencyMs  99th percentile of that time
   * @param pending       pods waiting: queued, unschedulable, or with a binding in flight
   * @param unschedulable pods that fit nowhere and wait for the cluster to change
   * @param bindsInFlight bindings sent and not yet answered
   * @param nodes         nodes known
   * @param busyMillis    time spent deciding (not waiting for bindings); decisions / busy time is
   *                      the scheduler's own decision rate
   */
  public record Stats(long decisions, long binds, long failures, long bindErrors, double p50LatencyMs,
      double p99LatencyMs, int pending, int unschedulable, int bindsInFlight, int nodes, long busyMillis)
      implements CborSerializable {}

  private record Observed(Kind kind, long epoch, WatchEvent event) implements Command {}

  private record WatchEnded(Kind kind, long epoch) implements Command {}

  private record Resubscribe(Kind kind) implements Command {}

  private record Start(Throwable error) implements Command {}

  private record BindResult(ObjectKey pod, String node, long attempt, ObjectCommand.Reply reply, Throwable error)
      implements Command {}

  private record StatusWritten(ObjectKey pod) implements Command {}

  private record Requeue(ObjectKey pod) implements Command {}

  private enum Tick implements Command { SCHEDULE, RETRY_UNSCHEDULABLE, PERIODIC_RETRY, METRICS }

  public static final String DEFAULT_SCHEDULER = "default-scheduler";

  private static final Pattern ASSIGNED = Pattern.compile("already assigned to node \"([^\"]*)\"");
  private static final Object RETRY_TIMER = "retry-unschedulable";
  /** How often the queue gauges of /metrics are brought up to date (stats walk every pod). */
  private static final Duration METRICS_INTERVAL = Duration.ofSeconds(5);
  private static final Object PERIODIC_TIMER = "periodic-retry";

  /** The behavior to run as a cluster singleton, with settings from {@code ctx.settings()}. */
  public static Behavior<Command> create(ControllerContext ctx) {
    return create(ctx, SchedulerSettings.from(ctx.settings()));
  }

  public static Behavior<Command> create(ControllerContext ctx, SchedulerSettings settings) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> new Scheduler(context, timers, ctx, settings)));
  }

  // ---- state ------------------------------------------------------------------------------

  /** What one pod takes on one node, as counted in that node's {@link Usage}. */
  private record Account(String node, PodRequests requests, String owner) {}

  /** The sum of what the pods counted on a node take; kept even while the node is unknown. */
  private static final class Usage {
    Resources requested = Resources.ZERO;
    Resources nonZero = Resources.ZERO;
    final Map<HostPort, Integer> ports = new HashMap<>();
    final Map<String, Integer> owners = new HashMap<>();
    int pods;
  }

  private static final class NodeState {
    final String name;
    NodeInfo base;
    NodeInfo view;
    Usage usage;
    int index;

    NodeState(String name) {
      this.name = name;
    }
  }

  private static final class PodState {
    final ObjectKey key;
    ObjectNode object;
    long firstPendingNanos;
    Feasibility feasibility;
    String invalid;
    String classKey;
    Account account;
    boolean assumed;
    long attempt;
    int bindTries;
    boolean queued;
    boolean unschedulable;
    boolean statusQueued;
    boolean statusWriteInFlight;
    boolean waitingForStatusWrite;
    String failure;
    String eventedFailure;
    long eventNanos;

    PodState(ObjectKey key) {
      this.key = key;
    }
  }

  private record ClassFailure(long stateVersion, String message) {}

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final ControllerContext ctx;
  private final SchedulerSettings settings;
  private final Scoring scoring;

  private final Map<String, NodeState> nodes = new HashMap<>();
  private final List<NodeState> nodeList = new ArrayList<>();
  private final Map<String, Usage> usage = new HashMap<>();
  private final Map<ObjectKey, PodState> pods = new HashMap<>();
  private final ArrayDeque<PodState> active = new ArrayDeque<>();
  private final LinkedHashSet<ObjectKey> unschedulable = new LinkedHashSet<>();
  private final ArrayDeque<PodState> statusQueue = new ArrayDeque<>();
  private final Map<String, ClassFailure> classFailures = new HashMap<>();

  private final Map<Kind, Long> epochs = new EnumMap<>(Kind.class);
  private final Map<Kind, UniqueKillSwitch> watches = new EnumMap<>(Kind.class);

  private int cursor;
  private long stateVersion;
  private long attempts;
  private int bindsInFlight;
  private int statusWritesInFlight;
  private boolean batchPending;
  private boolean retryRequested;
  private long lastRetryNanos;

  private long decisions;
  private long binds;
  private long failures;
  private long bindErrors;
  private long busyNanos;
  private final LatencyRecorder latencies = new LatencyRecorder(100_000);
  private final SchedulerGauges gauges;

  private Scheduler(ActorContext<Command> context, TimerScheduler<Command> timers, ControllerContext ctx,
      SchedulerSettings settings) {
    super(context);
    this.context = context;
    this.timers = timers;
    this.ctx = ctx;
    this.settings = settings;
    this.scoring = Scoring.named(settings.scoring());
    // a partly replayed cache would show nodes emptier than they are: wait for all of it
    context.pipeToSelf(ctx.ready(), (version, error) -> new Start(error));
    Duration periodic = settings.unschedulableRetryInterval();
    if (!periodic.isZero() && !periodic.isNegative()) {
      timers.startTimerWithFixedDelay(PERIODIC_TIMER, Tick.PERIODIC_RETRY, periodic);
    }
    this.gauges = new SchedulerGauges(ctx.meters().registry());
    timers.startTimerWithFixedDelay(Tick.METRICS, Tick.METRICS, METRICS_INTERVAL);
    context.getLog().info("Scheduler started: sample {} (x log2 N {}), {} bindings in flight, scoring {}",
        settings.sampleSize(), settings.sampleLogFactor(), settings.maxBindsInFlight(), settings.scoring());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Observed.class, this::onObserved)
        .onMessage(WatchEnded.class, this::onWatchEnded)
        .onMessage(Start.class, this::onStart)
        .onMessage(Resubscribe.class, r -> {
          subscribe(r.kind());
          return this;
        })
        .onMessage(BindResult.class, this::onBindResult)
        .onMessage(StatusWritten.class, this::onStatusWritten)
        .onMessage(Requeue.class, this::onRequeue)
        .onMessageEquals(Tick.SCHEDULE, this::onSchedule)
        .onMessageEquals(Tick.RETRY_UNSCHEDULABLE, () -> {
          ensureBatch();
          return this;
        })
        .onMessageEquals(Tick.METRICS, () -> {
          gauges.update(stats());
          return this;
        })
        .onMessageEquals(Tick.PERIODIC_RETRY, () -> {
          requestRetry();
          return this;
        })
        .onMessage(GetStats.class, g -> {
          g.replyTo().tell(stats());
          return this;
        })
        .onMessage(ResetStats.class, r -> {
          r.replyTo().tell(stats());
          decisions = binds = failures = bindErrors = busyNanos = 0;
          latencies.clear();
          return this;
        })
        .onSignal(PostStop.class, s -> {
          watches.values().forEach(UniqueKillSwitch::shutdown);
          gauges.close();
          return this;
        })
        .build();
  }

  // ---- watches ----------------------------------------------------------------------------

  /**
   * Lists the kind from the local cache and watches the changes after that list, replacing what
   * was known of the kind: exact also after a watch ended (a buffer overflow), where objects
   * deleted in between must be forgotten.
   */
  private void subscribe(Kind kind) {
    UniqueKillSwitch old = watches.remove(kind);
    if (old != null) {
      old.shutdown();
    }
    long epoch = epochs.merge(kind, 1L, Long::sum);
    WatchFilter filter = WatchFilter.of(kind, "");
    WatchCache cache = ctx.cache();
    ActorRef<Command> self = context.getSelf();
    for (int attempt = 0; attempt < 5; attempt++) {
      WatchCache.Snapshot snapshot = cache.list(filter);
      try {
        UniqueKillSwitch kill = cache.watch(filter, snapshot.resourceVersion(), settings.watchBuffer())
            .viaMat(KillSwitches.single(), Keep.right())
            .toMat(Sink.foreach(e -> self.tell(new Observed(kind, epoch, e))), Keep.both())
            .mapMaterializedValue(pair -> {
              pair.second().whenComplete((done, error) -> self.tell(new WatchEnded(kind, epoch)));
              return pair.first();
            })
            .run(ctx.materializer());
        watches.put(kind, kill);
        resync(kind, snapshot.items());
        return;
      } catch (GoneException e) {
        context.getLog().debug("Watch of {} from {} is gone; listing again", kind, snapshot.resourceVersion());
      }
    }
    context.scheduleOnce(Duration.ofSeconds(1), self, new Resubscribe(kind));
  }

  private Behavior<Command> onStart(Start start) {
    if (start.error() != null) {
      context.getLog().warn("The object store did not become ready ({}); scheduling from what it holds",
          start.error().toString());
    }
    subscribe(Kind.NODE);
    subscribe(Kind.POD);
    // a claim bound or a volume made can let a waiting pod fit
    subscribe(Kind.PERSISTENT_VOLUME_CLAIM);
    subscribe(Kind.PERSISTENT_VOLUME);
    return this;
  }

  private Behavior<Command> onWatchEnded(WatchEnded ended) {
    if (Objects.equals(epochs.get(ended.kind()), ended.epoch())) {
      context.getLog().info("Watch of {} ended; listing again", ended.kind());
      watches.remove(ended.kind());
      context.scheduleOnce(Duration.ofMillis(100), context.getSelf(), new Resubscribe(ended.kind()));
    }
    return this;
  }

  private void resync(Kind kind, List<ObjectNode> items) {
    if (kind == Kind.PERSISTENT_VOLUME_CLAIM || kind == Kind.PERSISTENT_VOLUME) {
      clusterChanged();
    } else if (kind == Kind.NODE) {
      Set<String> seen = new HashSet<>();
      for (ObjectNode node : items) {
        seen.add(Meta.name(node));
        upsertNode(Meta.name(node), node);
      }
      for (String name : new ArrayList<>(nodes.keySet())) {
        if (!seen.contains(name)) {
          removeNode(name);
        }
      }
    } else {
      Set<ObjectKey> seen = new HashSet<>();
      for (ObjectNode pod : items) {
        ObjectKey key = ObjectKey.of(Kind.POD, Meta.namespace(pod), Meta.name(pod));
        seen.add(key);
        upsertPod(key, pod);
      }
      for (ObjectKey key : new ArrayList<>(pods.keySet())) {
        if (!seen.contains(key)) {
          removePod(key);
        }
      }
    }
    ensureBatch();
  }

  private Behavior<Command> onObserved(Observed observed) {
    if (!Objects.equals(epochs.get(observed.kind()), observed.epoch())) {
      return this;
    }
    WatchEvent e = observed.event();
    if (observed.kind() == Kind.PERSISTENT_VOLUME_CLAIM || observed.kind() == Kind.PERSISTENT_VOLUME) {
      // the claims themselves are read from the cache when a pod is scheduled
      clusterChanged();
    } else if (observed.kind() == Kind.NODE) {
      if (e.type() == WatchEvent.Type.DELETED) {
        removeNode(e.key().name());
      } else {
        upsertNode(e.key().name(), e.object());
      }
    } else if (e.type() == WatchEvent.Type.DELETED) {
      removePod(e.key());
    } else {
      upsertPod(e.key(), e.object());
    }
    ensureBatch();
    return this;
  }

  // ---- nodes ------------------------------------------------------------------------------

  private void upsertNode(String name, ObjectNode object) {
    NodeInfo base = baseOf(name, object);
    NodeState node = nodes.get(name);
    if (node == null) {
      node = new NodeState(name);
      node.base = base;
      node.usage = usage.get(name);
      node.index = nodeList.size();
      nodes.put(name, node);
      nodeList.add(node);
      clusterChanged();
    } else if (!base.equals(node.base)) {
      node.base = base;
      node.view = null;
      clusterChanged();
    }
  }

  private void removeNode(String name) {
    NodeState node = nodes.remove(name);
    if (node == null) {
      return;
    }
    NodeState last = nodeList.remove(nodeList.size() - 1);
    if (last != node) {
      nodeList.set(node.index, last);
      last.index = node.index;
    }
    stateVersion++;
  }

  private NodeInfo baseOf(String name, ObjectNode object) {
    try {
      return NodeInfo.of(object, List.of());
    } catch (IllegalArgumentException e) {
      context.getLog().warn("Node {} reports capacity that does not parse ({}); it takes no pods", name,
          e.getMessage());
      return NodeInfo.of(withoutCapacity(object), List.of());
    }
  }

  private static ObjectNode withoutCapacity(ObjectNode node) {
    ObjectNode copy = node.deepCopy();
    JsonNode status = copy.get("status");
    if (status instanceof ObjectNode s) {
      s.remove(List.of("allocatable", "capacity"));
    }
    return copy;
  }

  /** The node's current view, rebuilt only after something on it changed. */
  private NodeInfo view(NodeState node) {
    if (node.view == null) {
      NodeInfo b = node.base;
      Usage u = node.usage;
      node.view = u == null ? b : new NodeInfo(b.name(), b.labels(), b.allocatable(), u.requested, u.nonZero,
          u.ports.keySet(), b.taints(), b.unschedulable(), b.ready());
    }
    return node.view;
  }

  // ---- pods -------------------------------------------------------------------------------

  static boolean isPending(JsonNode pod) {
    JsonNode spec = pod.path("spec");
    String scheduler = Meta.text(spec, "schedulerName");
    String phase = Meta.text(pod.path("status"), "phase");
    return Meta.text(spec, "nodeName").isEmpty()
        && !pod.path("metadata").hasNonNull("deletionTimestamp")
        && (scheduler.isEmpty() || DEFAULT_SCHEDULER.equals(scheduler))
        && !"Succeeded".equals(phase) && !"Failed".equals(phase);
  }

  private void upsertPod(ObjectKey key, ObjectNode object) {
    PodState pod = pods.get(key);
    ObjectNode previous = null;
    if (pod == null) {
      pod = new PodState(key);
      pods.put(key, pod);
    } else {
      previous = pod.object;
    }
    pod.object = object;

    Account wanted = accountOf(object, pod.account);
    if (pod.assumed) {
      if (wanted == null && isPending(object)) {
        // the binding is not visible yet: the assumption stands
      } else {
        // confirmed on the assumed node, or bound elsewhere, or going away: the watch decides now
        pod.assumed = false;
        setAccount(pod, wanted);
      }
    } else {
      setAccount(pod, wanted);
    }

    if (isPending(object)) {
      if (pod.firstPendingNanos == 0) {
        pod.firstPendingNanos = System.nanoTime();
      }
      boolean specChanged = previous == null || !previous.path("spec").equals(object.path("spec"));
      if (specChanged) {
        pod.feasibility = null;
        pod.invalid = null;
        pod.classKey = null;
      }
      if (pod.unschedulable && specChanged) {
        unschedulable.remove(key);
        pod.unschedulable = false;
      }
      if (!pod.assumed && pod.attempt == 0) {
        enqueue(pod);
      }
    } else {
      pod.queued = false;
      if (pod.unschedulable) {
        pod.unschedulable = false;
        unschedulable.remove(key);
      }
    }
  }

  private void removePod(ObjectKey key) {
    PodState pod = pods.remove(key);
    if (pod == null) {
      return;
    }
    pod.assumed = false;
    setAccount(pod, null);
    pod.queued = false;
    if (pod.unschedulable) {
      unschedulable.remove(key);
      pod.unschedulable = false;
    }
  }

  /** What a pod takes on its node per the object: nothing when unbound or finished. */
  private static Account accountOf(JsonNode pod, Account current) {
    String node = Meta.text(pod.path("spec"), "nodeName");
    String phase = Meta.text(pod.path("status"), "phase");
    if (node.isEmpty() || "Succeeded".equals(phase) || "Failed".equals(phase)) {
      return null;
    }
    // a terminating pod still takes its resources but no longer counts for spreading
    String owner = pod.path("metadata").hasNonNull("deletionTimestamp") ? "" : Scoring.ownerUid(pod);
    PodRequests requests;
    if (current != null && current.node().equals(node)) {
      requests = current.requests();
    } else {
      try {
        requests = PodRequests.of(pod);
      } catch (IllegalArgumentException e) {
        requests = new PodRequests(new Resources(0, 0, 1), new Resources(0, 0, 1), Set.of());
      }
    }
    return new Account(node, requests, owner);
  }

  private void setAccount(PodState pod, Account wanted) {
    Account old = pod.account;
    if (Objects.equals(old, wanted)) {
      return;
    }
    if (old != null) {
      Usage u = usage.get(old.node());
      if (u != null) {
        u.requested = minus(u.requested, old.requests().requests());
        u.nonZero = minus(u.nonZero, old.requests().nonZero());
        for (HostPort p : old.requests().hostPorts()) {
          u.ports.computeIfPresent(p, (k, n) -> n <= 1 ? null : n - 1);
        }
        if (!old.owner().isEmpty()) {
          u.owners.computeIfPresent(old.owner(), (k, n) -> n <= 1 ? null : n - 1);
        }
        if (--u.pods <= 0) {
          usage.remove(old.node());
          NodeState n = nodes.get(old.node());
          if (n != null) {
            n.usage = null;
          }
        }
      }
      invalidate(old.node());
    }
    if (wanted != null) {
      Usage u = usage.get(wanted.node());
      if (u == null) {
        u = new Usage();
        usage.put(wanted.node(), u);
        NodeState n = nodes.get(wanted.node());
        if (n != null) {
          n.usage = u;
        }
      }
      u.requested = u.requested.plus(wanted.requests().requests());
      u.nonZero = u.nonZero.plus(wanted.requests().nonZero());
      for (HostPort p : wanted.requests().hostPorts()) {
        u.ports.merge(p, 1, Integer::sum);
      }
      if (!wanted.owner().isEmpty()) {
        u.owners.merge(wanted.owner(), 1, Integer::sum);
      }
      u.pods++;
      invalidate(wanted.node());
    }
    pod.account = wanted;
    stateVersion++;
    if (old != null && (wanted == null || !old.node().equals(wanted.node()))) {
      // capacity freed on a node: pods that fit nowhere may fit now
      requestRetry();
    }
  }

  private void invalidate(String node) {
    NodeState n = nodes.get(node);
    if (n != null) {
      n.view = null;
    }
  }

  private static Resources minus(Resources a, Resources b) {
    return new Resources(a.milliCpu() - b.milliCpu(), a.memoryBytes() - b.memoryBytes(), a.pods() - b.pods());
  }

  private void enqueue(PodState pod) {
    if (!pod.queued && !pod.unschedulable) {
      pod.queued = true;
      active.addLast(pod);
    }
  }

  // ---- scheduling -------------------------------------------------------------------------

  private void clusterChanged() {
    stateVersion++;
    requestRetry();
  }

  private void requestRetry() {
    if (!unschedulable.isEmpty()) {
      retryRequested = true;
      ensureBatch();
    }
  }

  private void ensureBatch() {
    if (batchPending) {
      return;
    }
    boolean work = (!active.isEmpty() && bindsInFlight < settings.maxBindsInFlight())
        || (retryRequested && !unschedulable.isEmpty());
    if (work) {
      batchPending = true;
      context.getSelf().tell(Tick.SCHEDULE);
    }
  }

  private Behavior<Command> onSchedule() {
    batchPending = false;
    long start = System.nanoTime();
    if (retryRequested) {
      if (unschedulable.isEmpty()) {
        retryRequested = false;
      } else {
        long wait = settings.retryMinInterval().toNanos() - (start - lastRetryNanos);
        if (wait <= 0) {
          retryRequested = false;
          lastRetryNanos = start;
          for (ObjectKey key : unschedulable) {
            PodState pod = pods.get(key);
            if (pod != null) {
              pod.unschedulable = false;
              enqueue(pod);
            }
          }
          unschedulable.clear();
        } else if (!timers.isTimerActive(RETRY_TIMER)) {
          timers.startSingleTimer(RETRY_TIMER, Tick.RETRY_UNSCHEDULABLE, Duration.ofNanos(wait));
        }
      }
    }
    int budget = settings.batchSize();
    while (budget > 0 && bindsInFlight < settings.maxBindsInFlight() && !active.isEmpty()) {
      PodState pod = active.pollFirst();
      if (!pod.queued || pods.get(pod.key) != pod) {
        continue;
      }
      pod.queued = false;
      if (!isPending(pod.object) || pod.assumed || pod.attempt != 0) {
        continue;
      }
      if (pod.statusWriteInFlight) {
        // a PodScheduled=False write must land before the binding sets it True
        pod.waitingForStatusWrite = true;
        continue;
      }
      budget--;
      scheduleOne(pod);
    }
    busyNanos += System.nanoTime() - start;
    pumpStatusWrites();
    ensureBatch();
    return this;
  }

  private void scheduleOne(PodState pod) {
    decisions++;
    if (pod.feasibility == null && pod.invalid == null) {
      try {
        pod.feasibility = Feasibility.forPod(pod.object);
        pod.classKey = classKey(pod.object, pod.feasibility.requests());
      } catch (IllegalArgumentException e) {
        pod.invalid = e.getMessage();
      }
    }
    int n = nodeList.size();
    if (pod.invalid != null) {
      fitsNowhere(pod, "0/" + n + " nodes are available: " + pod.invalid + ".");
      return;
    }
    if (n == 0) {
      fitsNowhere(pod, FailureMessage.NO_NODES);
      return;
    }
    ClassFailure known = classFailures.get(pod.classKey);
    if (known != null && known.stateVersion() == stateVersion) {
      fitsNowhere(pod, known.message());
      return;
    }
    ClaimConstraints.Result claims = ClaimConstraints.of(pod.object, ctx.cache());
    if (claims instanceof ClaimConstraints.Unschedulable u) {
      fitsNowhere(pod, "0/" + n + " nodes are available: " + u.reason() + ".");
      return;
    }
    ClaimConstraints.Placement placement = (ClaimConstraints.Placement) claims;
    int limit = settings.sampleLimit(n);
    List<NodeInfo> feasible = new ArrayList<>(Math.min(limit, n));
    List<NodeState> feasibleNodes = new ArrayList<>(Math.min(limit, n));
    Map<String, List<String>> reasons = null;
    int scanned = 0;
    while (scanned < n && feasible.size() < limit) {
      NodeState node = nodeList.get((cursor + scanned) % n);
      scanned++;
      NodeInfo view = view(node);
      List<String> why = pod.feasibility.check(view);
      if (why.isEmpty() && !placement.allows(view.labels(), view.name())) {
        why = List.of(ClaimConstraints.AFFINITY_CONFLICT);
      }
      if (why.isEmpty()) {
        feasible.add(view);
        feasibleNodes.add(node);
      } else if (feasible.isEmpty()) {
        if (reasons == null) {
          reasons = new HashMap<>();
        }
        reasons.put(node.name, why);
      }
    }
    cursor = (cursor + scanned) % n;
    if (feasible.isEmpty()) {
      String message = FailureMessage.of(n, reasons == null ? Map.of() : reasons);
      classFailures.put(pod.classKey, new ClassFailure(stateVersion, message));
      if (classFailures.size() > 10_000) {
        classFailures.values().removeIf(f -> f.stateVersion() != stateVersion);
      }
      fitsNowhere(pod, message);
      return;
    }
    String owner = Scoring.ownerUid(pod.object);
    Map<String, Integer> ownerPods = new HashMap<>();
    if (!owner.isEmpty()) {
      for (NodeState node : feasibleNodes) {
        Integer count = node.usage == null ? null : node.usage.owners.get(owner);
        if (count != null) {
          ownerPods.put(node.name, count);
        }
      }
    }
    String chosen = scoring.rank(pod.key.name(), pod.feasibility.requests(), feasible, ownerPods).orElseThrow();
    // assume at once, so the next pod of the burst sees this one on the node
    pod.assumed = true;
    setAccount(pod, new Account(chosen, pod.feasibility.requests(), owner));
    pod.attempt = ++attempts;
    pod.bindTries = 0;
    pod.failure = null;
    bind(pod.key, chosen, pod.attempt);
  }

  private static String classKey(JsonNode pod, PodRequests requests) {
    JsonNode spec = pod.path("spec");
    // pods with claims are alike only with the same claims
    String claims = ClaimConstraints.hasClaims(pod) ? "|" + Meta.namespace(pod) + "|" + spec.path("volumes") : "";
    return requests + "|" + spec.path("nodeSelector") + "|" + spec.path("affinity").path("nodeAffinity")
        + "|" + spec.path("tolerations") + claims;
  }

  private void bind(ObjectKey key, String node, long attempt) {
    bindsInFlight++;
    ActorRef<Command> self = context.getSelf();
    ctx.store().bind(key, node).whenComplete((reply, error) ->
        self.tell(new BindResult(key, node, attempt, reply, error)));
  }

  private Behavior<Command> onBindResult(BindResult result) {
    bindsInFlight--;
    PodState pod = pods.get(result.pod());
    boolean current = pod != null && pod.attempt == result.attempt();
    ObjectCommand.Reply reply = result.reply();
    if (reply instanceof ObjectCommand.Done
        || (reply instanceof ObjectCommand.Refused r && r.status().code() == 409
            && result.node().equals(assignedNode(r.status().message())))) {
      // bound (perhaps by an earlier try whose answer was lost); the watch confirms the assumption
      binds++;
      if (current) {
        pod.attempt = 0;
        if (pod.firstPendingNanos != 0) {
          latencies.record(System.nanoTime() - pod.firstPendingNanos);
        }
        ctx.events().record(pod.object, "Normal", "Scheduled", "Successfully assigned "
            + result.pod().namespace() + "/" + result.pod().name() + " to " + result.node());
      }
    } else if (result.error() != null && current && pod.bindTries < settings.bindRetries()) {
      // the outcome is unknown: keep the assumption and ask again
      pod.bindTries++;
      context.getLog().debug("Binding {} to {} failed ({}); trying again", result.pod(), result.node(),
          result.error().toString());
      bind(result.pod(), result.node(), result.attempt());
    } else {
      bindErrors++;
      if (current) {
        context.getLog().debug("Binding {} to {} failed: {}", result.pod(), result.node(),
            reply != null ? reply : result.error());
        pod.attempt = 0;
        if (pod.assumed) {
          pod.assumed = false;
          setAccount(pod, accountOf(pod.object, null));
        }
        // a 409 or 404 is explained by the watch soon; anything else is retried. Both after a pause.
        context.scheduleOnce(settings.bindFailureBackoff(), context.getSelf(), new Requeue(pod.key));
      }
    }
    ensureBatch();
    return this;
  }

  private static String assignedNode(String message) {
    if (message == null) {
      return null;
    }
    Matcher m = ASSIGNED.matcher(message);
    return m.find() ? m.group(1) : null;
  }

  private Behavior<Command> onRequeue(Requeue requeue) {
    PodState pod = pods.get(requeue.pod());
    if (pod != null && isPending(pod.object) && !pod.assumed && pod.attempt == 0) {
      enqueue(pod);
      ensureBatch();
    }
    return this;
  }

  // ---- pods that fit nowhere --------------------------------------------------------------

  private void fitsNowhere(PodState pod, String message) {
    failures++;
    pod.unschedulable = true;
    unschedulable.add(pod.key);
    pod.failure = message;
    long now = System.nanoTime();
    if (!message.equals(pod.eventedFailure) || now - pod.eventNanos >= settings.eventInterval().toNanos()) {
      pod.eventedFailure = message;
      pod.eventNanos = now;
      ctx.events().record(pod.object, "Warning", "FailedScheduling", message);
    }
    if (!message.equals(conditionMessage(pod.object)) && !pod.statusQueued) {
      pod.statusQueued = true;
      statusQueue.addLast(pod);
    }
  }

  /** The message of the pod's PodScheduled=False/Unschedulable condition, or null. */
  private static String conditionMessage(JsonNode pod) {
    for (JsonNode c : pod.path("status").path("conditions")) {
      if ("PodScheduled".equals(Meta.text(c, "type"))) {
        return "False".equals(Meta.text(c, "status")) && "Unschedulable".equals(Meta.text(c, "reason"))
            ? Meta.text(c, "message") : null;
      }
    }
    return null;
  }

  private void pumpStatusWrites() {
    while (statusWritesInFlight < settings.maxStatusWritesInFlight() && !statusQueue.isEmpty()) {
      PodState pod = statusQueue.pollFirst();
      pod.statusQueued = false;
      if (pods.get(pod.key) != pod || !pod.unschedulable || pod.failure == null
          || !isPending(pod.object) || pod.failure.equals(conditionMessage(pod.object))) {
        continue;
      }
      writeCondition(pod, pod.failure);
    }
  }

  /**
   * Sets PodScheduled=False by a strategic merge patch of the status, which merges conditions by
   * type: atomic on the pod's current status, so nothing else in it is overwritten.
   */
  private void writeCondition(PodState pod, String message) {
    boolean wasFalse = false;
    for (JsonNode c : pod.object.path("status").path("conditions")) {
      if ("PodScheduled".equals(Meta.text(c, "type"))) {
        wasFalse = "False".equals(Meta.text(c, "status"));
      }
    }
    ObjectNode patch = Json.object();
    ObjectNode condition = patch.putObject("status").putArray("conditions").addObject();
    condition.put("type", "PodScheduled");
    condition.put("status", "False");
    condition.putNull("lastProbeTime");
    if (!wasFalse) {
      condition.put("lastTransitionTime",
          Instant.now(ctx.clock()).truncatedTo(ChronoUnit.SECONDS).toString());
    }
    condition.put("reason", "Unschedulable");
    condition.put("message", message);
    pod.statusWriteInFlight = true;
    statusWritesInFlight++;
    ObjectKey key = pod.key;
    ActorRef<Command> self = context.getSelf();
    ctx.store().patch(key, ObjectCommand.PatchType.STRATEGIC, patch, ObjectCommand.Part.STATUS)
        .whenComplete((reply, error) -> {
          if (error != null || !(reply instanceof ObjectCommand.Done)) {
            org.slf4j.LoggerFactory.getLogger(Scheduler.class).debug("Status of {} not written: {}", key,
                error != null ? error.toString() : reply);
          }
          self.tell(new StatusWritten(key));
        });
  }

  private Behavior<Command> onStatusWritten(StatusWritten written) {
    statusWritesInFlight--;
    PodState pod = pods.get(written.pod());
    if (pod != null) {
      pod.statusWriteInFlight = false;
      if (pod.waitingForStatusWrite) {
        pod.waitingForStatusWrite = false;
        if (isPending(pod.object) && !pod.assumed && pod.attempt == 0) {
          enqueue(pod);
        }
      }
    }
    pumpStatusWrites();
    ensureBatch();
    return this;
  }

  // ---- stats ------------------------------------------------------------------------------

  private Stats stats() {
    int queued = 0;
    for (PodState p : active) {
      if (p.queued) {
        queued++;
      }
    }
    int waiting = 0;
    for (PodState p : pods.values()) {
      if (p.waitingForStatusWrite && !p.queued) {
        waiting++;
      }
    }
    return new Stats(decisions, binds, failures, bindErrors, latencies.quantileMillis(0.50),
        latencies.quantileMillis(0.99), queued + unschedulable.size() + bindsInFlight + waiting,
        unschedulable.size(), bindsInFlight, nodes.size(), busyNanos / 1_000_000);
  }
}
