package io.steuermann.engine.controllers.loadbalancer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.AsyncLimiter;
import io.steuermann.engine.controllers.CacheWatch;
import io.steuermann.engine.controllers.ControllerContext;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.objects.PodConditions;
import io.steuermann.engine.services.ServiceSpecs;
import io.steuermann.engine.watch.WatchEvent;
import io.steuermann.engine.watch.WatchFilter;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
 * The status half of Steuermann's built-in load balancer, as k3s' ServiceLB: every node's
 * service proxy answers a LoadBalancer Service's ports on the node's address, so the Service's
 * {@code status.loadBalancer.ingress} is the InternalIP of every Ready node ({@code ipMode: VIP},
 * sorted, each once). It follows Nodes coming, going and changing readiness; a Service with a
 * {@code loadBalancerClass} belongs to another implementation and is left alone; a Service that
 * is no longer a LoadBalancer gets its ingress cleared. Writes go through the status
 * subresource with the Service's resourceVersion as precondition; a refused write is looked at
 * again from the next view. Run as a cluster singleton.
 */
public final class LoadBalancerController extends AbstractBehavior<LoadBalancerController.Command> {
  private static final Logger log = LoggerFactory.getLogger(LoadBalancerController.class);
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** The messages of the controller; only {@link Stop} is meant for others. */
  public interface Command {}

  /** Stops the controller (the stop message for a cluster singleton). */
  public enum Stop implements Command { INSTANCE }

  private record Observed(Kind kind, WatchEvent event) implements Command {}

  private record WatchEnded(Kind kind) implements Command {}

  private record Subscribe(Kind kind) implements Command {}

  /** A status write ended: the Service as written ({@code null} when refused or failed). */
  private record Written(String key, ObjectNode written, String why) implements Command {}

  private enum Retry implements Command { INSTANCE }

  public static Behavior<Command> create(ControllerContext ctx) {
    return Behaviors.setup(actor -> Behaviors.withTimers(timers -> new LoadBalancerController(ctx, actor, timers)));
  }

  private final ControllerContext ctx;
  private final TimerScheduler<Command> timers;
  private final AsyncLimiter limiter = new AsyncLimiter(20);
  /** Services by namespace/name and Nodes by name, as last seen. */
  private final Map<String, ObjectNode> services = new HashMap<>();
  private final Map<String, ObjectNode> nodes = new HashMap<>();
  private final Map<Kind, UniqueKillSwitch> watches = new EnumMap<>(Kind.class);
  /** Services whose status write is in flight: looked at again when it ends. */
  private final Set<String> inFlight = new HashSet<>();
  /** The ingress of every Ready node; recomputed on each Node event. */
  private ArrayNode ingress = JSON.arrayNode();

  private LoadBalancerController(ControllerContext ctx, ActorContext<Command> context, TimerScheduler<Command> timers) {
    super(context);
    this.ctx = ctx;
    this.timers = timers;
    context.pipeToSelf(ctx.ready(), (v, error) -> new Subscribe(Kind.NODE));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Subscribe.class, m -> {
          watches.put(m.kind(), CacheWatch.subscribe(ctx.cache(), ctx.materializer(), WatchFilter.of(m.kind(), ""),
              getContext().getSelf(), e -> new Observed(m.kind(), e), new WatchEnded(m.kind()), 100_000));
          if (m.kind() == Kind.NODE && !watches.containsKey(Kind.SERVICE)) {
            // the Nodes' ADDED events are queued ahead of the Services': no Service is written
            // from an empty view of the nodes at start
            getContext().getSelf().tell(new Subscribe(Kind.SERVICE));
          }
          return this;
        })
        .onMessage(Observed.class, m -> {
          onEvent(m.kind(), m.event());
          return this;
        })
        .onMessage(WatchEnded.class, m -> {
          // the new watch lists everything again
          watches.remove(m.kind());
          (m.kind() == Kind.NODE ? nodes : services).clear();
          timers.startSingleTimer(m.kind(), new Subscribe(m.kind()), Duration.ofSeconds(1));
          return this;
        })
        .onMessage(Written.class, m -> {
          inFlight.remove(m.key());
          if (m.written() == null) {
            log.debug("Service {}: writing its load balancer status failed ({}); looking again", m.key(), m.why());
            timers.startSingleTimer(Retry.INSTANCE, Duration.ofMillis(200));
          } else {
            // the write's own view, ahead of its watch event: the next look starts from it
            remember(services, m.key(), m.written());
            reconcile(m.key());
          }
          return this;
        })
        .onMessageEquals(Retry.INSTANCE, () -> {
          services.keySet().forEach(this::reconcile);
          return this;
        })
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .onSignal(PostStop.class, s -> {
          watches.values().forEach(UniqueKillSwitch::shutdown);
          return this;
        })
        .build();
  }

  private void onEvent(Kind kind, WatchEvent event) {
    String key = kind == Kind.NODE ? event.key().name() : event.key().namespace() + "/" + event.key().name();
    Map<String, ObjectNode> known = kind == Kind.NODE ? nodes : services;
    if (event.type() == WatchEvent.Type.DELETED) {
      known.remove(key);
    } else if (!remember(known, key, event.object())) {
      return;
    }
    if (kind == Kind.SERVICE) {
      reconcile(key);
      return;
    }
    ArrayNode now = ingress(nodes.values());
    if (!now.equals(ingress)) {
      ingress = now;
      log.debug("Load balancer: the Ready nodes' addresses are now {}", now);
      services.keySet().forEach(this::reconcile);
    }
  }

  /** Keeps {@code object} unless a newer version of it is known already; whether it was kept. */
  private static boolean remember(Map<String, ObjectNode> known, String key, ObjectNode object) {
    ObjectNode before = known.get(key);
    if (before != null && Meta.uid(before).equals(Meta.uid(object))
        && Meta.parseResourceVersion(Meta.resourceVersion(before)) > Meta.parseResourceVersion(Meta.resourceVersion(object))) {
      return false;
    }
    known.put(key, object);
    return true;
  }

  /** {@code [{ip, ipMode: VIP}]} for the InternalIP of each Ready node, sorted, each address once. */
  static ArrayNode ingress(Iterable<ObjectNode> nodes) {
    TreeSet<String> addresses = new TreeSet<>();
    for (ObjectNode node : nodes) {
      JsonNode status = node.path("status");
      if (!"True".equals(PodConditions.get(status, "Ready")) || node.path("metadata").has("deletionTimestamp")) {
        continue;
      }
      for (JsonNode address : status.path("addresses")) {
        if ("InternalIP".equals(address.path("type").asText()) && !address.path("address").asText("").isEmpty()) {
          addresses.add(address.path("address").asText());
        }
      }
    }
    ArrayNode ingress = JSON.arrayNode();
    addresses.stream().sorted(LoadBalancerController::byAddress)
        .forEach(ip -> ingress.addObject().put("ip", ip).put("ipMode", "VIP"));
    return ingress;
  }

  /** Numerically for IPv4 (10.0.0.9 before 10.0.0.10), as text otherwise. */
  private static int byAddress(String a, String b) {
    long x = io.steuermann.engine.services.ServiceAddresses.parseIpv4(a);
    long y = io.steuermann.engine.services.ServiceAddresses.parseIpv4(b);
    return x >= 0 && y >= 0 ? Long.compare(x, y) : a.compareTo(b);
  }

  private void reconcile(String key) {
    ObjectNode service = services.get(key);
    if (service == null || inFlight.contains(key)) {
      return;
    }
    JsonNode spec = service.path("spec");
    JsonNode current = service.path("status").path("loadBalancer").path("ingress");
    ArrayNode wanted;
    if (ServiceSpecs.servedByBuiltInLoadBalancer(spec)) {
      wanted = ingress;
    } else if (!"LoadBalancer".equals(ServiceSpecs.type(spec)) && current.size() > 0) {
      wanted = JSON.arrayNode(); // no longer a LoadBalancer: nothing answers there any more
    } else {
      return; // another implementation's (loadBalancerClass), or nothing to clear
    }
    if (wanted.equals(current) || (wanted.isEmpty() && current.isMissingNode())) {
      return;
    }
    inFlight.add(key);
    ObjectNode patch = JSON.objectNode();
    patch.putObject("metadata").put("resourceVersion", Meta.resourceVersion(service));
    ObjectNode loadBalancer = patch.putObject("status").putObject("loadBalancer");
    if (wanted.isEmpty()) {
      loadBalancer.putNull("ingress");
    } else {
      loadBalancer.set("ingress", wanted.deepCopy());
    }
    ObjectKey objectKey = ObjectKey.of(Kind.SERVICE, Meta.namespace(service), Meta.name(service));
    log.debug("Load balancer: Service {} ingress {}", key, wanted);
    getContext().pipeToSelf(
        limiter.submit(() -> ctx.store().patch(objectKey, ObjectCommand.PatchType.MERGE, patch, ObjectCommand.Part.STATUS)),
        (reply, error) -> reply instanceof ObjectCommand.Done done
            ? new Written(key, done.object(), null)
            : new Written(key, null, error != null ? error.toString() : String.valueOf(reply)));
  }
}
