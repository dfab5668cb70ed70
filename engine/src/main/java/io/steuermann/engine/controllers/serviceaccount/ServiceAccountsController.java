package io.steuermann.engine.controllers.serviceaccount;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.CacheWatch;
import io.steuermann.engine.controllers.ControllerContext;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.watch.WatchEvent;
import io.steuermann.engine.watch.WatchFilter;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashSet;
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
 * kube-controller-manager's serviceaccount controller: every namespace that is not terminating
 * has a ServiceAccount {@code default}; it is made when the namespace appears and again when
 * someone deletes it. Driven by watches of Namespaces and ServiceAccounts, with a periodic pass
 * as a safety net for a create that failed. Run as a cluster singleton.
 */
public final class ServiceAccountsController extends AbstractBehavior<ServiceAccountsController.Command> {
  private static final Logger log = LoggerFactory.getLogger(ServiceAccountsController.class);
  public static final String DEFAULT = "default";
  private static final Duration RESYNC = Duration.ofSeconds(30);

  /** The messages of the controller; only {@link Stop} is meant for others. */
  public interface Command {}

  /** Stops the controller (the stop message for a cluster singleton). */
  public enum Stop implements Command { INSTANCE }

  private enum Subscribe implements Command { INSTANCE }

  private enum Resync implements Command { INSTANCE }

  private record Observed(WatchEvent event) implements Command {}

  private record WatchEnded(Kind kind) implements Command {}

  private record Resubscribe(Kind kind) implements Command {}

  private record Created(String namespace, ObjectCommand.Reply reply, Throwable error) implements Command {}

  public static Behavior<Command> create(ControllerContext ctx) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> new ServiceAccountsController(context, ctx,
        timers)));
  }

  private final ControllerContext ctx;
  private final TimerScheduler<Command> timers;
  private final Set<String> creating = new HashSet<>();
  private final Map<Kind, UniqueKillSwitch> watches = new EnumMap<>(Kind.class);

  private ServiceAccountsController(ActorContext<Command> context, ControllerContext ctx,
      TimerScheduler<Command> timers) {
    super(context);
    this.ctx = ctx;
    this.timers = timers;
    context.pipeToSelf(ctx.ready(), (v, error) -> Subscribe.INSTANCE);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Subscribe.INSTANCE, () -> {
          watch(Kind.NAMESPACE);
          watch(Kind.SERVICE_ACCOUNT);
          timers.startTimerWithFixedDelay(Resync.INSTANCE, RESYNC);
          return this;
        })
        .onMessage(Observed.class, m -> {
          onEvent(m.event());
          return this;
        })
        .onMessage(WatchEnded.class, m -> {
          // the new watch lists everything again
          timers.startSingleTimer(new Resubscribe(m.kind()), Duration.ofSeconds(1));
          return this;
        })
        .onMessage(Resubscribe.class, m -> {
          watch(m.kind());
          return this;
        })
        .onMessageEquals(Resync.INSTANCE, () -> {
          for (ObjectNode ns : ctx.cache().list(WatchFilter.of(Kind.NAMESPACE, "")).items()) {
            ensure(ns);
          }
          return this;
        })
        .onMessage(Created.class, m -> {
          creating.remove(m.namespace());
          if (m.error() != null) {
            log.debug("The default ServiceAccount of {} could not be made yet: {}", m.namespace(), m.error().toString());
          }
          return this;
        })
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .onSignal(PostStop.class, s -> {
          watches.values().forEach(UniqueKillSwitch::shutdown);
          return this;
        })
        .build();
  }

  private void watch(Kind kind) {
    watches.put(kind, CacheWatch.subscribe(ctx.cache(), ctx.materializer(), WatchFilter.of(kind, ""), getContext().getSelf(),
        Observed::new, new WatchEnded(kind), 10_000));
  }

  private void onEvent(WatchEvent event) {
    if (event.key().kind() == Kind.NAMESPACE) {
      if (event.type() != WatchEvent.Type.DELETED) {
        ensure(event.object());
      }
    } else if (event.type() == WatchEvent.Type.DELETED && event.key().name().equals(DEFAULT)) {
      ObjectNode ns = ctx.cache().get(ObjectKey.of(Kind.NAMESPACE, "", event.key().namespace()));
      if (ns != null) {
        ensure(ns);
      }
    }
  }

  private void ensure(ObjectNode namespace) {
    String name = namespace.path("metadata").path("name").asText("");
    boolean terminating = namespace.path("metadata").hasNonNull("deletionTimestamp")
        || "Terminating".equals(namespace.path("status").path("phase").asText(""));
    if (name.isEmpty() || terminating || creating.contains(name)
        || ctx.cache().get(ObjectKey.of(Kind.SERVICE_ACCOUNT, name, DEFAULT)) != null) {
      return;
    }
    creating.add(name);
    ObjectNode account = JsonNodeFactory.instance.objectNode();
    account.put("apiVersion", "v1").put("kind", "ServiceAccount");
    account.putObject("metadata").put("name", DEFAULT).put("namespace", name);
    getContext().pipeToSelf(ctx.store().create(account), (reply, error) -> new Created(name, reply, error));
  }
}
