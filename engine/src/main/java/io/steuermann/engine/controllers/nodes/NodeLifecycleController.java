package io.steuermann.engine.controllers.nodes;

import io.steuermann.engine.controllers.AsyncLimiter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.steuermann.engine.api.ObjectStore;
import io.steuermann.engine.controllers.CacheWatch;
import io.steuermann.engine.controllers.ControllerContext;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.selector.FieldSelector;
import io.steuermann.engine.selector.LabelSelector;
import io.steuermann.engine.watch.WatchEvent;
import io.steuermann.engine.watch.WatchFilter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import io.steuermann.engine.cluster.LostMembers;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes' node lifecycle controller, with short defaults: a node whose agent has not
 * renewed the {@code lastHeartbeatTime} of its {@code Ready} condition for the grace period
 * becomes NotReady (Ready status {@code Unknown}, reason {@code NodeStatusUnknown}), gets the
 * {@code node.kubernetes.io/unreachable} taints (NoSchedule and NoExecute) and a Warning Event
 * {@code NodeNotReady}; after the eviction timeout its pods are deleted with grace 0 so their
 * controllers replace them elsewhere. When the agent posts Ready True with a new heartbeat,
 * the taints go. Run it as a cluster singleton.
 *
 * <p>Staleness is measured on this controller's clock, from when it saw the heartbeat value
 * change (as Kubernetes does with its probe timestamps), so clock skew between machines does
 * not matter, and a freshly started controller gives every node a full grace period.
 *
 * <p>Cordoning ({@code spec.unschedulable}) is a client operation: this controller never reads
 * nor changes it, nor the {@code node.kubernetes.io/unschedulable} taint, and a cordoned node
 * that keeps heartbeating is left alone. A cordoned node that stops heartbeating is still
 * marked and its pods evicted, as in Kubernetes; its other taints and the cordon stay.
 */
public final class NodeLifecycleController extends AbstractBehavior<NodeLifecycleController.Command> {
  private static final Logger log = LoggerFactory.getLogger(NodeLifecycleController.class);
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  public static final String UNREACHABLE_TAINT = "node.kubernetes.io/unreachable";
  public static final String REASON_UNKNOWN = "NodeStatusUnknown";
  public static final String MESSAGE_UNKNOWN = "Kubelet stopped posting node status.";
  /**
   * The cluster member a node's agent runs in ({@code pekko://steuermann@host:port#uid}),
   * written by the agent when it registers.
   */
  public static final String MEMBER_ANNOTATION = "steuermann.io/cluster-member";

  /** The messages of the controller; only {@link Stop} is meant for others. */
  public interface Command {}

  /** Stops the controller (the stop message for a cluster singleton). */
  public enum Stop implements Command { INSTANCE }

  private record Observed(WatchEvent event) implements Command {}

  private enum WatchEnded implements Command { INSTANCE }

  private enum Subscribe implements Command { INSTANCE }

  private enum Tick implements Command { INSTANCE }

  private record ActionDone(String node, Throwable error) implements Command {}

  /** The settings, from {@code steuermann.controllers.node-lifecycle}. */
  public record Settings(Duration gracePeriod, Duration evictionTimeout, Duration checkInterval, int concurrency,
      int watchBuffer, Duration memberLostEvictionTimeout) {
    public static Settings from(Config controllers) {
      Config c = controllers.hasPath("node-lifecycle")
          ? controllers.getConfig("node-lifecycle") : ConfigFactory.empty();
      return new Settings(
          c.hasPath("grace-period") ? c.getDuration("grace-period") : Duration.ofSeconds(10),
          c.hasPath("eviction-timeout") ? c.getDuration("eviction-timeout") : Duration.ofSeconds(10),
          c.hasPath("check-interval") ? c.getDuration("check-interval") : Duration.ofSeconds(1),
          c.hasPath("concurrency") ? c.getInt("concurrency") : 20,
          controllers.hasPath("watch-buffer") ? controllers.getInt("watch-buffer") : 100_000,
          c.hasPath("member-lost-eviction-timeout") ? c.getDuration("member-lost-eviction-timeout") : Duration.ZERO);
    }
  }

  /** What the controller knows of one node. */
  private static final class NodeState {
    ObjectNode object;
    String heartbeat;
    Instant heartbeatSeen;
    /** When the node was found NotReady (by this controller's clock), or null while it is Ready. */
    Instant notReadySince;
    /** A write for this node is in flight; the next check waits for it. */
    boolean busy;
    boolean evictionAnnounced;
  }

  public static Behavior<Command> create(ControllerContext ctx) {
    return Behaviors.setup(actor -> Behaviors.withTimers(timers ->
        new NodeLifecycleController(ctx, Settings.from(ctx.settings()), actor, timers)));
  }

  private final ControllerContext ctx;
  private final ObjectStore store;
  private final Settings settings;
  private final TimerScheduler<Command> timers;
  private final AsyncLimiter limiter;
  private final Map<String, NodeState> nodes = new HashMap<>();
  /** Nodes deleted while pods were bound to them: when they were seen gone. */
  private final Map<String, Instant> deletedNodes = new HashMap<>();
  private final java.util.Set<String> busyDeleted = new java.util.HashSet<>();
  private UniqueKillSwitch watch;

  private NodeLifecycleController(ControllerContext ctx, Settings settings, ActorContext<Command> context,
      TimerScheduler<Command> timers) {
    super(context);
    this.ctx = ctx;
    this.store = ctx.store();
    this.settings = settings;
    this.timers = timers;
    this.limiter = new AsyncLimiter(settings.concurrency());
    log.info("Node lifecycle controller started ({}); waiting for the watch cache to hold the whole journal",
        settings);
    context.pipeToSelf(ctx.ready(), (v, error) -> Subscribe.INSTANCE);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Observed.class, m -> {
          onEvent(m.event());
          return this;
        })
        .onMessageEquals(WatchEnded.INSTANCE, () -> {
          log.info("Node lifecycle controller: watch ended; resynchronising");
          // the new watch lists every node again; forget those deleted meanwhile, keep the heartbeats seen
          nodes.keySet().removeIf(name -> ctx.cache().get(ObjectKey.of(Kind.NODE, "", name)) == null);
          timers.startSingleTimer(Subscribe.INSTANCE, Duration.ofSeconds(1));
          return this;
        })
        .onMessageEquals(Subscribe.INSTANCE, () -> {
          subscribe();
          if (!timers.isTimerActive(Tick.INSTANCE)) {
            timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.checkInterval());
          }
          return this;
        })
        .onMessageEquals(Tick.INSTANCE, () -> {
          check();
          return this;
        })
        .onMessage(ActionDone.class, this::onActionDone)
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .onSignal(PostStop.class, s -> {
          if (watch != null) {
            watch.shutdown();
          }
          return this;
        })
        .build();
  }

  private void subscribe() {
    watch = CacheWatch.subscribe(ctx.cache(), ctx.materializer(), WatchFilter.of(Kind.NODE, ""),
        getContext().getSelf(), Observed::new, WatchEnded.INSTANCE, settings.watchBuffer());
  }

  private void onEvent(WatchEvent event) {
    String name = event.key().name();
    if (event.type() == WatchEvent.Type.DELETED) {
      NodeState gone = nodes.remove(name);
      log.debug("node {} deleted", name);
      if (gone != null) {
        deletedNodes.put(name, now());
      }
      return;
    }
    deletedNodes.remove(name);
    NodeState state = nodes.get(name);
    Instant now = now();
    ObjectNode object = event.object();
    if (state == null || !Meta.uid(state.object).equals(Meta.uid(object))) {
      state = new NodeState();
      state.heartbeat = heartbeat(object);
      state.heartbeatSeen = now;
      JsonNode ready = readyCondition(object);
      if (ready != null && "Unknown".equals(Meta.text(ready, "status")) && hasUnreachableTaints(object)) {
        // marked before this controller started (a failover): keep counting from then
        state.notReadySince = earliest(parseTime(Meta.text(ready, "lastTransitionTime")), now);
      }
      nodes.put(name, state);
    } else {
      String heartbeat = heartbeat(object);
      if (!heartbeat.equals(state.heartbeat)) {
        state.heartbeat = heartbeat;
        state.heartbeatSeen = now;
      }
    }
    state.object = object;
  }

  // ---------------------------------------------------------------- the periodic check

  private void check() {
    Instant now = now();
    for (Map.Entry<String, NodeState> e : nodes.entrySet()) {
      String name = e.getKey();
      NodeState state = e.getValue();
      if (state.busy) {
        continue;
      }
      ObjectNode node = state.object;
      boolean lost = memberLost(node);
      boolean stale = lost || Duration.between(state.heartbeatSeen, now).compareTo(settings.gracePeriod()) > 0;
      JsonNode ready = readyCondition(node);
      String readyStatus = ready == null ? "" : Meta.text(ready, "status");
      if (stale) {
        if (state.notReadySince == null) {
          state.notReadySince = now;
          state.evictionAnnounced = false;
        }
        if (!"Unknown".equals(readyStatus) || !hasUnreachableTaints(node)) {
          run(name, state, markNotReady(name, node, ready, !"Unknown".equals(readyStatus),
              lost ? "its cluster member " + memberOf(node) + " is gone"
                  : "no heartbeat for more than " + settings.gracePeriod(),
              lost ? MESSAGE_UNKNOWN + " Its cluster member " + memberOf(node) + " is gone." : MESSAGE_UNKNOWN));
        } else {
          run(name, state, evictPods(name, node, state, now,
              lost ? settings.memberLostEvictionTimeout() : settings.evictionTimeout()));
        }
      } else {
        state.notReadySince = null;
        if ("True".equals(readyStatus) && hasAnyUnreachableTaint(node)) {
          run(name, state, removeTaints(name, node));
        }
      }
    }
    for (Map.Entry<String, Instant> e : deletedNodes.entrySet()) {
      String name = e.getKey();
      if (!busyDeleted.contains(name)
          && Duration.between(e.getValue(), now).compareTo(settings.evictionTimeout()) >= 0) {
        busyDeleted.add(name);
        getContext().pipeToSelf(deletePodsOfDeletedNode(name), (v, error) -> new ActionDone(name, error));
      }
    }
  }

  private void run(String name, NodeState state, CompletionStage<?> action) {
    if (action == null) {
      return;
    }
    state.busy = true;
    getContext().pipeToSelf(action, (v, error) -> new ActionDone(name, error));
  }

  private Behavior<Command> onActionDone(ActionDone done) {
    NodeState state = nodes.get(done.node());
    if (state != null) {
      state.busy = false;
    }
    if (busyDeleted.remove(done.node()) && done.error() == null) {
      ObjectKey key = ObjectKey.of(Kind.NODE, "", done.node());
      if (ctx.cache().get(key) != null || evictable(podsOn(done.node())).isEmpty()) {
        deletedNodes.remove(done.node());
      }
    }
    if (done.error() != null) {
      log.warn("Node lifecycle controller: acting on node {} failed (retrying at the next check): {}",
          done.node(), done.error().toString());
    }
    return this;
  }

  // ---------------------------------------------------------------- NotReady

  /**
   * Sets Ready to Unknown (only if the heartbeat is still the one seen: JSON patch test), then
   * adds the unreachable taints (a merge patch of spec.taints under the resourceVersion just
   * written, so no concurrent taint change is lost).
   */
  private CompletionStage<?> markNotReady(String name, ObjectNode node, JsonNode ready, boolean statusChange,
      String why, String message) {
    ObjectKey key = ObjectKey.of(Kind.NODE, "", name);
    CompletionStage<ObjectNode> marked;
    if (statusChange) {
      String now = timestamp(now());
      ArrayNode ops = JSON.arrayNode();
      ops.add(op("test", "/metadata/uid", JSON.textNode(Meta.uid(node))));
      ObjectNode condition = JSON.objectNode();
      condition.put("type", "Ready");
      condition.put("status", "Unknown");
      condition.put("lastTransitionTime", now);
      condition.put("reason", REASON_UNKNOWN);
      condition.put("message", message);
      int index = readyIndex(node);
      if (index >= 0) {
        // the whole condition as seen: a heartbeat meanwhile makes the patch fail, as it should
        ObjectNode updated = ((ObjectNode) ready).deepCopy();
        updated.setAll(condition);
        ops.add(op("test", "/status/conditions/" + index, ready));
        ops.add(op("replace", "/status/conditions/" + index, updated));
      } else {
        if (!node.path("status").isObject()) {
          ObjectNode status = JSON.objectNode();
          status.putArray("conditions").add(condition);
          ops.add(op("add", "/status", status));
        } else if (!node.path("status").path("conditions").isArray()) {
          ops.add(op("add", "/status/conditions", JSON.arrayNode().add(condition)));
        } else {
          ops.add(op("add", "/status/conditions/-", condition));
        }
      }
      marked = limiter.submit(() -> store.patch(key, ObjectCommand.PatchType.JSON, ops, ObjectCommand.Part.STATUS))
          .thenApply(reply -> {
            if (reply instanceof ObjectCommand.Done d) {
              log.info("Node {} is NotReady: {}", name, why);
              ctx.events().record(d.object(), "Warning", "NodeNotReady",
                  "Node " + name + " status is now: NodeNotReady");
              return d.object();
            }
            logRefusal(name, "marking NotReady", ((ObjectCommand.Refused) reply).status());
            return null;
          });
    } else {
      marked = CompletableFuture.completedFuture(node);
    }
    return marked.thenCompose(current -> current == null || hasUnreachableTaints(current)
        ? CompletableFuture.completedFuture(null)
        : writeTaints(key, current, withUnreachableTaints(current.path("spec").path("taints"), timestamp(now())),
            "adding the unreachable taints"));
  }

  private CompletionStage<?> removeTaints(String name, ObjectNode node) {
    log.info("Node {} is Ready again; removing the unreachable taints", name);
    ArrayNode kept = JSON.arrayNode();
    for (JsonNode t : node.path("spec").path("taints")) {
      if (!UNREACHABLE_TAINT.equals(Meta.text(t, "key"))) {
        kept.add(t);
      }
    }
    return writeTaints(ObjectKey.of(Kind.NODE, "", name), node, kept, "removing the unreachable taints");
  }

  private CompletionStage<?> writeTaints(ObjectKey key, ObjectNode node, ArrayNode taints, String what) {
    ObjectNode patch = JSON.objectNode();
    ObjectNode meta = patch.putObject("metadata");
    meta.put("resourceVersion", Meta.resourceVersion(node));
    ObjectNode spec = patch.putObject("spec");
    if (taints.isEmpty()) {
      spec.putNull("taints");
    } else {
      spec.set("taints", taints);
    }
    return limiter.submit(() -> store.patch(key, ObjectCommand.PatchType.MERGE, patch, ObjectCommand.Part.MAIN))
        .thenApply(reply -> {
          if (reply instanceof ObjectCommand.Done) {
            log.debug("node {}: {} done", key.name(), what);
          } else {
            logRefusal(key.name(), what, ((ObjectCommand.Refused) reply).status());
          }
          return null;
        });
  }

  /** The taints with the two unreachable taints (NoSchedule, NoExecute) present. */
  static ArrayNode withUnreachableTaints(JsonNode taints, String now) {
    ArrayNode out = JSON.arrayNode();
    boolean noSchedule = false;
    boolean noExecute = false;
    for (JsonNode t : taints) {
      if (UNREACHABLE_TAINT.equals(Meta.text(t, "key"))) {
        noSchedule |= "NoSchedule".equals(Meta.text(t, "effect"));
        noExecute |= "NoExecute".equals(Meta.text(t, "effect"));
      }
      out.add(t);
    }
    if (!noSchedule) {
      out.addObject().put("key", UNREACHABLE_TAINT).put("effect", "NoSchedule");
    }
    if (!noExecute) {
      out.addObject().put("key", UNREACHABLE_TAINT).put("effect", "NoExecute").put("timeAdded", now);
    }
    return out;
  }

  // ---------------------------------------------------------------- eviction

  /**
   * Deletes (grace 0) the pods on a NotReady node whose time is up: the eviction timeout, or
   * the {@code tolerationSeconds} of a pod's toleration of the unreachable NoExecute taint; a
   * pod tolerating it without a limit stays.
   */
  private CompletionStage<?> evictPods(String name, ObjectNode node, NodeState state, Instant now,
      Duration evictionTimeout) {
    List<ObjectNode> due = new ArrayList<>();
    for (ObjectNode pod : evictable(podsOn(name))) {
      Duration allowed = tolerated(pod, evictionTimeout);
      if (allowed != null && !state.notReadySince.plus(allowed).isAfter(now)) {
        due.add(pod);
      }
    }
    if (due.isEmpty()) {
      return null;
    }
    if (!state.evictionAnnounced) {
      state.evictionAnnounced = true;
      log.info("Node {} NotReady for {}: deleting its {} pods", name,
          Duration.between(state.notReadySince, now).truncatedTo(ChronoUnit.MILLIS), due.size());
      ctx.events().record(node, "Normal", "DeletingAllPods", "Deleting all Pods from Node " + name + ".");
    }
    return deletePods(due, "node " + name + " is NotReady");
  }

  private CompletionStage<?> deletePodsOfDeletedNode(String name) {
    List<ObjectNode> pods = evictable(podsOn(name));
    if (!pods.isEmpty()) {
      log.info("Node {} was deleted: deleting its {} pods", name, pods.size());
    }
    return deletePods(pods, "node " + name + " was deleted");
  }

  private CompletionStage<?> deletePods(List<ObjectNode> pods, String why) {
    List<CompletableFuture<?>> deletes = new ArrayList<>();
    for (ObjectNode pod : pods) {
      ObjectKey key = ObjectKey.of(Kind.POD, Meta.namespace(pod), Meta.name(pod));
      deletes.add(limiter.submit(() -> store.delete(key, Meta.uid(pod), 0, 0L, null)).thenApply(reply -> {
        if (reply instanceof ObjectCommand.Done) {
          log.debug("deleted pod {}: {}", key, why);
          ctx.events().record(pod, "Normal", "TaintManagerEviction",
              "Marking for deletion Pod " + key.namespace() + "/" + key.name());
        } else {
          ApiStatus status = ((ObjectCommand.Refused) reply).status();
          if (status.code() != 404 && status.code() != 409) {
            throw new IllegalStateException("deleting pod " + key + " was refused: " + status.message());
          }
        }
        return null;
      }).toCompletableFuture());
    }
    return CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new));
  }

  /** Pods not yet deleted with grace 0 (such a pod stays only while finalizers hold it). */
  private static List<ObjectNode> evictable(List<ObjectNode> pods) {
    List<ObjectNode> out = new ArrayList<>();
    for (ObjectNode pod : pods) {
      JsonNode meta = pod.path("metadata");
      if (!meta.hasNonNull("deletionTimestamp") || meta.path("deletionGracePeriodSeconds").asLong(1) != 0) {
        out.add(pod);
      }
    }
    return out;
  }

  private List<ObjectNode> podsOn(String node) {
    return ctx.cache().list(new WatchFilter(Kind.POD, "", LabelSelector.parse(""),
        FieldSelector.parse("spec.nodeName=" + node))).items();
  }

  /**
   * How long a pod stays on an unreachable node: the eviction timeout, or what its toleration
   * of the unreachable NoExecute taint says; null for a pod that tolerates it for ever.
   */
  private static Duration tolerated(JsonNode pod, Duration evictionTimeout) {
    for (JsonNode t : pod.path("spec").path("tolerations")) {
      String key = Meta.text(t, "key");
      String operator = Meta.text(t, "operator").isEmpty() ? "Equal" : Meta.text(t, "operator");
      String effect = Meta.text(t, "effect");
      boolean keyMatches = key.isEmpty() ? "Exists".equals(operator) : key.equals(UNREACHABLE_TAINT);
      boolean valueMatches = "Exists".equals(operator) || Meta.text(t, "value").isEmpty();
      boolean effectMatches = effect.isEmpty() || "NoExecute".equals(effect);
      if (keyMatches && valueMatches && effectMatches) {
        JsonNode seconds = t.get("tolerationSeconds");
        return seconds == null || seconds.isNull() ? null : Duration.ofSeconds(Math.max(0, seconds.asLong()));
      }
    }
    return evictionTimeout;
  }

  // ---------------------------------------------------------------- lost cluster members

  /**
   * The node's agent ran in a cluster member that this member saw downed (crashed,
   * partitioned away, frozen: {@link LostMembers}), and no new incarnation runs at its
   * address. Such a node will not heartbeat again, so it is NotReady at once and its pods are
   * evicted after {@code member-lost-eviction-timeout} instead of the heartbeat grace period
   * and eviction timeout. A member that left gracefully (a restart), one restarted at the
   * same address, and one this process never saw (after a full restart of the cluster) keep
   * the heartbeat rule, so they can register their nodes again and adopt their containers.
   */
  private static String memberOf(JsonNode node) {
    return Meta.text(node.path("metadata").path("annotations"), MEMBER_ANNOTATION);
  }

  private boolean memberLost(ObjectNode node) {
    String member = memberOf(node);
    if (member.isEmpty() || !LostMembers.get(getContext().getSystem()).wasDowned(member)) {
      return false;
    }
    if (CoordinatedShutdown.get(getContext().getSystem()).getShutdownReason().isPresent()) {
      // this member is shutting down too — when a whole cluster is stopped, the last members
      // see the first ones downed; their pods must wait for them to come back, not be evicted
      return false;
    }
    int hash = member.lastIndexOf('#');
    String address = hash > 0 ? member.substring(0, hash) : member;
    for (Member m : Cluster.get(getContext().getSystem()).state().getMembers()) {
      if (m.address().toString().equals(address)
          && m.status() != MemberStatus.down() && m.status() != MemberStatus.removed()) {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- helpers

  private static JsonNode readyCondition(JsonNode node) {
    for (JsonNode c : node.path("status").path("conditions")) {
      if ("Ready".equals(Meta.text(c, "type"))) {
        return c;
      }
    }
    return null;
  }

  private static int readyIndex(JsonNode node) {
    JsonNode conditions = node.path("status").path("conditions");
    for (int i = 0; i < conditions.size(); i++) {
      if ("Ready".equals(Meta.text(conditions.get(i), "type"))) {
        return i;
      }
    }
    return -1;
  }

  private static String heartbeat(JsonNode node) {
    JsonNode ready = readyCondition(node);
    return ready == null ? "" : Meta.text(ready, "lastHeartbeatTime");
  }

  /** Both unreachable taints are on the node. */
  static boolean hasUnreachableTaints(JsonNode node) {
    boolean noSchedule = false;
    boolean noExecute = false;
    for (JsonNode t : node.path("spec").path("taints")) {
      if (UNREACHABLE_TAINT.equals(Meta.text(t, "key"))) {
        noSchedule |= "NoSchedule".equals(Meta.text(t, "effect"));
        noExecute |= "NoExecute".equals(Meta.text(t, "effect"));
      }
    }
    return noSchedule && noExecute;
  }

  static boolean hasAnyUnreachableTaint(JsonNode node) {
    for (JsonNode t : node.path("spec").path("taints")) {
      if (UNREACHABLE_TAINT.equals(Meta.text(t, "key"))) {
        return true;
      }
    }
    return false;
  }

  private static ObjectNode op(String op, String path, JsonNode value) {
    ObjectNode o = JSON.objectNode();
    o.put("op", op);
    o.put("path", path);
    if (value != null) {
      o.set("value", value);
    }
    return o;
  }

  private void logRefusal(String node, String what, ApiStatus status) {
    if (status.code() == 404 || status.code() == 409 || status.code() == 422) {
      log.debug("node {}: {} skipped, the node changed meanwhile ({}); the next check looks again",
          node, what, status.message());
    } else {
      throw new IllegalStateException(what + " on node " + node + " was refused: " + status.code() + " "
          + status.message());
    }
  }

  private Instant now() {
    return ctx.clock().instant();
  }

  private static String timestamp(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static Instant parseTime(String text) {
    try {
      return text.isEmpty() ? null : Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static Instant earliest(Instant a, Instant b) {
    return a == null ? b : a.isBefore(b) ? a : b;
  }
}
