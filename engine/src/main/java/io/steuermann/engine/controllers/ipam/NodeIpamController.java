package io.steuermann.engine.controllers.ipam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.AsyncLimiter;
import io.steuermann.engine.controllers.CacheWatch;
import io.steuermann.engine.controllers.ControllerContext;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.network.ClusterNetwork;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.watch.WatchEvent;
import io.steuermann.engine.watch.WatchFilter;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.Behavior;
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
 * Node IPAM, as kube-controller-manager's range allocator: every Node without
 * {@code spec.podCIDR} gets the lowest free block of the cluster CIDR ({@link ClusterNetwork}),
 * written with the Node's resourceVersion as precondition so a concurrent change is never
 * overwritten. A block is free when no Node holds it; a deleted Node's block is free again.
 * When the cluster CIDR is exhausted the Node gets the condition {@code NetworkUnavailable=True}
 * (reason {@code NoCIDRAvailable}) and a Warning Event {@code CIDRNotAvailable}; its agent keeps
 * it NotReady ("no pod CIDR is assigned"), so nothing is scheduled there and no pod starts with
 * an address it could clash with. Run as a cluster singleton: one allocator, one view of the
 * blocks in use.
 */
public final class NodeIpamController extends AbstractBehavior<NodeIpamController.Command> {
  private static final Logger log = LoggerFactory.getLogger(NodeIpamController.class);
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  public static final String CONDITION = "NetworkUnavailable";
  public static final String REASON_EXHAUSTED = "NoCIDRAvailable";
  public static final String EVENT_EXHAUSTED = "CIDRNotAvailable";

  /** The messages of the controller; only {@link Stop} is meant for others. */
  public interface Command {}

  /** Stops the controller (the stop message for a cluster singleton). */
  public enum Stop implements Command { INSTANCE }

  private record Observed(WatchEvent event) implements Command {}

  private enum WatchEnded implements Command { INSTANCE }

  private enum Subscribe implements Command { INSTANCE }

  private enum Retry implements Command { INSTANCE }

  private record Written(String node, int block, boolean done, String why) implements Command {}

  private record ConditionWritten(String node, boolean done) implements Command {}

  public static Behavior<Command> create(ControllerContext ctx, ClusterNetwork network) {
    return Behaviors.setup(actor -> Behaviors.withTimers(timers -> new NodeIpamController(ctx, network, actor, timers)));
  }

  private final ControllerContext ctx;
  private final ClusterNetwork network;
  private final TimerScheduler<Command> timers;
  private final AsyncLimiter limiter = new AsyncLimiter(20);
  private final PodCidrBlocks blocks;
  /** Every Node as last seen, by name. */
  private final Map<String, ObjectNode> nodes = new TreeMap<>();
  /** Nodes whose podCIDR write is in flight, with the block it claims. */
  private final Map<String, Integer> inFlight = new HashMap<>();
  /** Nodes told (by condition and event) that no block is free; told again only after a change. */
  private final Set<String> toldExhausted = new HashSet<>();
  private final Set<String> conditionInFlight = new HashSet<>();
  private UniqueKillSwitch watch;

  private NodeIpamController(ControllerContext ctx, ClusterNetwork network, ActorContext<Command> context,
      TimerScheduler<Command> timers) {
    super(context);
    this.ctx = ctx;
    this.network = network;
    this.timers = timers;
    this.blocks = new PodCidrBlocks(network);
    log.info("Node IPAM started: cluster CIDR {}, a /{} per node ({} blocks)", network.clusterCidr(),
        network.nodeMaskSize(), network.nodeBlocks());
    context.pipeToSelf(ctx.ready(), (v, error) -> Subscribe.INSTANCE);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Observed.class, m -> {
          onEvent(m.event());
          return this;
        })
        .onMessageEquals(Subscribe.INSTANCE, () -> {
          watch = CacheWatch.subscribe(ctx.cache(), ctx.materializer(), WatchFilter.of(Kind.NODE, ""),
              getContext().getSelf(), Observed::new, WatchEnded.INSTANCE, 100_000);
          return this;
        })
        .onMessageEquals(WatchEnded.INSTANCE, () -> {
          // the new watch lists every Node again
          nodes.clear();
          blocks.clear();
          inFlight.forEach((node, block) -> blocks.hold(block, node));
          timers.startSingleTimer(Subscribe.INSTANCE, Duration.ofSeconds(1));
          return this;
        })
        .onMessageEquals(Retry.INSTANCE, () -> {
          allocateAll();
          return this;
        })
        .onMessage(Written.class, m -> {
          onWritten(m);
          return this;
        })
        .onMessage(ConditionWritten.class, m -> {
          conditionInFlight.remove(m.node());
          if (!m.done()) {
            toldExhausted.remove(m.node());
            timers.startSingleTimer(Retry.INSTANCE, Duration.ofSeconds(1));
          }
          return this;
        })
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .onSignal(PostStop.class, s -> {
          if (watch != null) {
            watch.shutdown();
          }
          return this;
        })
        .build();
  }

  private void onEvent(WatchEvent event) {
    String name = event.key().name();
    if (event.type() == WatchEvent.Type.DELETED) {
      nodes.remove(name);
      toldExhausted.remove(name);
      if (!inFlight.containsKey(name)) {
        blocks.releaseHeldBy(name);
      }
      allocateAll(); // a block may have become free for a node that waits
      return;
    }
    ObjectNode node = event.object();
    nodes.put(name, node);
    Optional<String> cidr = podCidr(node);
    if (cidr.isPresent()) {
      toldExhausted.remove(name);
      clearExhaustedCondition(name, node);
      if (!inFlight.containsKey(name)) {
        blocks.releaseHeldBy(name);
        blocks.index(cidr.get()).ifPresent(block -> {
          String other = blocks.holder(block);
          if (other != null && !other.equals(name)) {
            log.warn("Nodes {} and {} both hold the pod CIDR {}: their pods' addresses may clash", other, name,
                cidr.get());
          } else {
            blocks.hold(block, name);
          }
        });
      }
    } else {
      allocate(name, node);
    }
  }

  private void allocateAll() {
    nodes.forEach((name, node) -> {
      if (podCidr(node).isEmpty()) {
        allocate(name, node);
      } else {
        clearExhaustedCondition(name, node);
      }
    });
  }

  private void allocate(String name, ObjectNode node) {
    if (inFlight.containsKey(name)) {
      return;
    }
    blocks.releaseHeldBy(name); // a node without a podCIDR holds nothing (its write failed, or it was removed)
    Optional<Integer> free = blocks.lowestFree();
    if (free.isEmpty()) {
      exhausted(name, node);
      return;
    }
    int block = free.get();
    String cidr = network.nodeBlock(block).toString();
    blocks.hold(block, name);
    inFlight.put(name, block);
    ObjectNode patch = JSON.objectNode();
    patch.putObject("metadata").put("resourceVersion", Meta.resourceVersion(node));
    ObjectNode spec = patch.putObject("spec");
    spec.put("podCIDR", cidr);
    spec.putArray("podCIDRs").add(cidr);
    ObjectKey key = ObjectKey.of(Kind.NODE, "", name);
    getContext().pipeToSelf(
        limiter.submit(() -> ctx.store().patch(key, ObjectCommand.PatchType.MERGE, patch, ObjectCommand.Part.MAIN)),
        (reply, error) -> reply instanceof ObjectCommand.Done
            ? new Written(name, block, true, null)
            : new Written(name, block, false, error != null ? error.toString() : String.valueOf(reply)));
  }

  private void onWritten(Written m) {
    inFlight.remove(m.node());
    String cidr = network.nodeBlock(m.block()).toString();
    if (m.done()) {
      // the watch event of this write clears a NetworkUnavailable condition, from the new resourceVersion
      log.info("Node {}: pod CIDR {} assigned", m.node(), cidr);
      return;
    }
    // a concurrent change (the agent's registration, a user's edit) or a deleted node: look again
    log.debug("Node {}: assigning {} failed ({}); trying again from the current state", m.node(), cidr, m.why());
    blocks.releaseHeldBy(m.node());
    ObjectNode current = ctx.cache().get(ObjectKey.of(Kind.NODE, "", m.node()));
    if (current != null) {
      nodes.put(m.node(), current);
      podCidr(current).flatMap(blocks::index).ifPresent(block -> blocks.hold(block, m.node()));
    }
    timers.startSingleTimer(Retry.INSTANCE, Duration.ofMillis(200));
  }

  private void exhausted(String name, ObjectNode node) {
    if (toldExhausted.contains(name) || conditionInFlight.contains(name)) {
      return;
    }
    toldExhausted.add(name);
    String message = "no pod CIDR is free: all " + network.nodeBlocks() + " blocks /" + network.nodeMaskSize()
        + " of the cluster CIDR " + network.clusterCidr() + " are assigned to other nodes";
    log.warn("Node {}: {}", name, message);
    ctx.events().record(node, "Warning", EVENT_EXHAUSTED, "Node " + name + " status is now: " + EVENT_EXHAUSTED);
    writeCondition(name, node, "True", REASON_EXHAUSTED, message);
  }

  /**
   * Level-triggered: any view of a Node that has a block and still says NetworkUnavailable=True
   * (ours) writes it back to False; a write refused by a concurrent change is retried from the
   * next view (Retry goes over every Node).
   */
  private void clearExhaustedCondition(String name, ObjectNode node) {
    if (!conditionInFlight.contains(name) && NodeConditions.status(node, CONDITION).equals("True")
        && REASON_EXHAUSTED.equals(NodeConditions.reason(node, CONDITION))) {
      writeCondition(name, node, "False", "CIDRAssigned", "the node has a pod CIDR");
    }
  }

  private void writeCondition(String name, ObjectNode node, String status, String reason, String message) {
    conditionInFlight.add(name);
    ObjectNode patch = NodeConditions.patch(node, CONDITION, status, reason, message, ctx.clock().instant());
    ObjectKey key = ObjectKey.of(Kind.NODE, "", name);
    getContext().pipeToSelf(
        limiter.submit(() -> ctx.store().patch(key, ObjectCommand.PatchType.MERGE, patch, ObjectCommand.Part.STATUS)),
        (reply, error) -> new ConditionWritten(name, reply instanceof ObjectCommand.Done));
  }

  static Optional<String> podCidr(JsonNode node) {
    String cidr = node.path("spec").path("podCIDR").asText("");
    return cidr.isEmpty() ? Optional.empty() : Optional.of(cidr);
  }
}
