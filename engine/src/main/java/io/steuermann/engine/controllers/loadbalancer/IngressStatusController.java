package io.steuermann.engine.controllers.loadbalancer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.AsyncLimiter;
import io.steuermann.engine.controllers.CacheWatch;
import io.steuermann.engine.controllers.ControllerContext;
import io.steuermann.engine.ingress.IngressClasses;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.watch.WatchEvent;
import io.steuermann.engine.watch.WatchFilter;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * The status half of the built-in ingress controller: every node's ingress proxy answers on
 * the node's address, so an Ingress it serves ({@link IngressClasses#servedByBuiltIn}) gets
 * {@code status.loadBalancer.ingress} = the InternalIP of every Ready node, as the
 * {@link LoadBalancerController} does for Services (an Ingress's entries carry no ipMode).
 * Ingresses of another class are left alone. It also creates the built-in {@code steuermann}
 * class at start when absent (as k3s ships Traefik's class; a later deletion by the admin
 * sticks until the next start of this singleton). Run as a cluster singleton.
 */
public final class IngressStatusController extends AbstractBehavior<IngressStatusController.Command> {
  private static final Logger log = LoggerFactory.getLogger(IngressStatusController.class);
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  /** Nodes first: no Ingress is written from an empty view of the nodes at start. */
  private static final List<Kind> WATCHED = List.of(Kind.NODE, Kind.INGRESS_CLASS, Kind.INGRESS);

  /** The messages of the controller; only {@link Stop} is meant for others. */
  public interface Command {}

  /** Stops the controller (the stop message for a cluster singleton). */
  public enum Stop implements Command { INSTANCE }

  private record Observed(Kind kind, WatchEvent event) implements Command {}

  private record WatchEnded(Kind kind) implements Command {}

  private record Subscribe(Kind kind) implements Command {}

  private record Written(String key, ObjectNode written, String why) implements Command {}

  private enum Retry implements Command { INSTANCE }

  private enum Started implements Command { INSTANCE }

  public static Behavior<Command> create(ControllerContext ctx) {
    return Behaviors.setup(actor -> Behaviors.withTimers(timers -> new IngressStatusController(ctx, actor, timers)));
  }

  private final ControllerContext ctx;
  private final TimerScheduler<Command> timers;
  private final AsyncLimiter limiter = new AsyncLimiter(20);
  private final Map<Kind, Map<String, ObjectNode>> known = new EnumMap<>(Kind.class);
  private final Map<Kind, UniqueKillSwitch> watches = new EnumMap<>(Kind.class);
  private final Set<String> inFlight = new HashSet<>();
  private ArrayNode addresses = JSON.arrayNode();

  private IngressStatusController(ControllerContext ctx, ActorContext<Command> context, TimerScheduler<Command> timers) {
    super(context);
    this.ctx = ctx;
    this.timers = timers;
    WATCHED.forEach(k -> known.put(k, new HashMap<>()));
    context.pipeToSelf(ctx.ready(), (v, error) -> Started.INSTANCE);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Started.INSTANCE, () -> {
          if (ctx.cache().get(IngressClasses.key(IngressClasses.STEUERMANN)) == null) {
            ctx.store().create(IngressClasses.builtIn()).whenComplete((reply, error) -> {
              if (error != null || !(reply instanceof ObjectCommand.Done)) {
                log.debug("The built-in IngressClass was not created: {}", error != null ? error : reply);
              }
            });
          }
          WATCHED.forEach(k -> getContext().getSelf().tell(new Subscribe(k)));
          return this;
        })
        .onMessage(Subscribe.class, m -> {
          watches.put(m.kind(), CacheWatch.subscribe(ctx.cache(), ctx.materializer(), WatchFilter.of(m.kind(), ""),
              getContext().getSelf(), e -> new Observed(m.kind(), e), new WatchEnded(m.kind()), 100_000));
          return this;
        })
        .onMessage(Observed.class, m -> {
          onEvent(m.kind(), m.event());
          return this;
        })
        .onMessage(WatchEnded.class, m -> {
          watches.remove(m.kind());
          known.get(m.kind()).clear();
          timers.startSingleTimer(m.kind(), new Subscribe(m.kind()), Duration.ofSeconds(1));
          return this;
        })
        .onMessage(Written.class, m -> {
          inFlight.remove(m.key());
          if (m.written() == null) {
            log.debug("Ingress {}: writing its load balancer status failed ({}); looking again", m.key(), m.why());
            timers.startSingleTimer(Retry.INSTANCE, Duration.ofMillis(200));
          } else {
            known.get(Kind.INGRESS).put(m.key(), m.written());
            reconcile(m.key());
          }
          return this;
        })
        .onMessageEquals(Retry.INSTANCE, () -> {
          reconcileAll();
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
    String key = kind.namespaced() ? event.key().namespace() + "/" + event.key().name() : event.key().name();
    Map<String, ObjectNode> objects = known.get(kind);
    if (event.type() == WatchEvent.Type.DELETED) {
      objects.remove(key);
    } else {
      ObjectNode before = objects.get(key);
      if (before != null && Meta.uid(before).equals(Meta.uid(event.object()))
          && Meta.parseResourceVersion(Meta.resourceVersion(before))
          > Meta.parseResourceVersion(Meta.resourceVersion(event.object()))) {
        return; // our own write's answer is newer
      }
      objects.put(key, event.object());
    }
    switch (kind) {
      case INGRESS -> reconcile(key);
      case INGRESS_CLASS -> reconcileAll();
      default -> {
        ArrayNode now = addresses(known.get(Kind.NODE).values());
        if (!now.equals(addresses)) {
          addresses = now;
          reconcileAll();
        }
      }
    }
  }

  /** The Ready nodes' InternalIPs as an Ingress's load balancer entries ({@code ip} only). */
  static ArrayNode addresses(Iterable<ObjectNode> nodes) {
    ArrayNode out = JSON.arrayNode();
    for (JsonNode entry : LoadBalancerController.ingress(nodes)) {
      out.addObject().put("ip", entry.path("ip").asText());
    }
    return out;
  }

  private void reconcileAll() {
    known.get(Kind.INGRESS).keySet().forEach(this::reconcile);
  }

  private void reconcile(String key) {
    ObjectNode ingress = known.get(Kind.INGRESS).get(key);
    if (ingress == null || inFlight.contains(key) || !watches.containsKey(Kind.INGRESS_CLASS)
        || !IngressClasses.servedByBuiltIn(ingress, known.get(Kind.INGRESS_CLASS))) {
      return;
    }
    JsonNode current = ingress.path("status").path("loadBalancer").path("ingress");
    if (addresses.equals(current) || (addresses.isEmpty() && current.isMissingNode())) {
      return;
    }
    inFlight.add(key);
    ObjectNode patch = JSON.objectNode();
    patch.putObject("metadata").put("resourceVersion", Meta.resourceVersion(ingress));
    ObjectNode loadBalancer = patch.putObject("status").putObject("loadBalancer");
    if (addresses.isEmpty()) {
      loadBalancer.putNull("ingress");
    } else {
      loadBalancer.set("ingress", addresses.deepCopy());
    }
    ObjectKey objectKey = ObjectKey.of(Kind.INGRESS, Meta.namespace(ingress), Meta.name(ingress));
    getContext().pipeToSelf(
        limiter.submit(() -> ctx.store().patch(objectKey, ObjectCommand.PatchType.MERGE, patch, ObjectCommand.Part.STATUS)),
        (reply, error) -> reply instanceof ObjectCommand.Done done
            ? new Written(key, done.object(), null)
            : new Written(key, null, error != null ? error.toString() : String.valueOf(reply)));
  }
}
