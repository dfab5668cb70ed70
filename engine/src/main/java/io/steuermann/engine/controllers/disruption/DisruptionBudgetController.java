package io.steuermann.engine.controllers.disruption;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.ControllerContext;
import io.steuermann.engine.controllers.ReadyGate;
import io.steuermann.engine.controllers.ReconcilePacer;
import io.steuermann.engine.controllers.SelectorWatch;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand.Part;
import io.steuermann.engine.objects.ObjectControllers.ObjectChanged;
import io.steuermann.engine.watch.WatchEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Keeps one PodDisruptionBudget's status ({@link BudgetStatus}) as its pods come, go and turn
 * ready, as Kubernetes' disruption controller; it runs as the child of the budget's entity.
 * The status is written with the resourceVersion it was computed from: an eviction that
 * counted itself into the budget in between makes the write fail, and the eviction's change
 * brings a new computation that keeps its pod in {@code disruptedPods}.
 */
public final class DisruptionBudgetController extends AbstractBehavior<DisruptionBudgetController.Message> {

  /** Everything the controller reacts to. */
  public sealed interface Message {}

  private record Changed(ObjectChanged change) implements Message {}

  private record PodEvent(WatchEvent event) implements Message {}

  private record WatchEnded() implements Message {}

  private record Reconcile() implements Message {}

  private record Ready() implements Message {}

  public static Behavior<ObjectChanged> create(ControllerContext ctx) {
    return Behaviors.transformMessages(ObjectChanged.class,
        Behaviors.<Message>setup(context -> new DisruptionBudgetController(context, ctx)),
        pf -> pf.match(ObjectChanged.class, Changed::new));
  }

  private static final Duration MIN_INTERVAL = Duration.ofMillis(100);

  private final ControllerContext ctx;
  private final ReconcilePacer<Message> pacer;
  private final SelectorWatch<Message> watch;
  private final WorkloadScales scales;
  private final Map<String, ObjectNode> pods = new HashMap<>();
  private ObjectNode pdb;
  private final ReadyGate<Message> gate;
  /** The status last written and the resourceVersion it was computed from: not written twice. */
  private String lastWritten = "";

  private DisruptionBudgetController(ActorContext<Message> context, ControllerContext ctx) {
    super(context);
    this.ctx = ctx;
    this.gate = new ReadyGate<>(context, ctx, new Ready());
    this.pacer = new ReconcilePacer<>(context, new Reconcile());
    this.watch = new SelectorWatch<>(ctx, Kind.POD, context.getSelf(), PodEvent::new, new WatchEnded());
    this.scales = new WorkloadScales(ctx.cache());
  }

  @Override
  public Receive<Message> createReceive() {
    return newReceiveBuilder()
        .onMessage(Changed.class, this::onChanged)
        .onMessage(Ready.class, m -> {
          gate.open();
          subscribe();
          return schedule();
        })
        .onMessage(PodEvent.class, this::onPodEvent)
        .onMessage(WatchEnded.class, m -> {
          watch.ended();
          subscribe();
          return this;
        })
        .onMessage(Reconcile.class, m -> {
          pacer.arrived();
          reconcile();
          return this;
        })
        .build();
  }

  private Behavior<Message> onChanged(Changed changed) {
    gate.request(Duration.ZERO);
    pdb = changed.change().object();
    if (pdb == null) {
      watch.stop();
      pods.clear();
      return this;
    }
    subscribe();
    return schedule();
  }

  private void subscribe() {
    if (gate.isOpen() && pdb != null) {
      watch.follow(pdb).ifPresent(current -> {
        pods.clear();
        current.forEach(p -> pods.put(Meta.name(p), p));
      });
    }
  }

  private Behavior<Message> onPodEvent(PodEvent message) {
    WatchEvent e = message.event();
    if (e.type() == WatchEvent.Type.DELETED) {
      pods.remove(e.key().name());
    } else {
      pods.put(e.key().name(), e.object());
    }
    return schedule();
  }

  private Behavior<Message> schedule() {
    if (gate.isOpen() && pdb != null) {
      pacer.request(MIN_INTERVAL);
    }
    return this;
  }

  private void reconcile() {
    if (pdb == null || !gate.isOpen() || !watch.active()) {
      return;
    }
    pacer.ran();
    Instant now = ctx.clock().instant();
    BudgetStatus.Computed computed = BudgetStatus.compute(pdb, pods.values(), scales, now);
    computed.recheckAt().ifPresent(at ->
        getContext().scheduleOnce(Duration.between(now, at).plusMillis(50), getContext().getSelf(), new Reconcile()));
    String version = Meta.resourceVersion(pdb);
    String written = version + computed.status();
    if (computed.status().equals(pdb.path("status")) || written.equals(lastWritten)) {
      return;
    }
    lastWritten = written;
    ObjectNode updated = pdb.deepCopy();
    updated.set("status", computed.status());
    // with its resourceVersion: a conflict means an eviction changed the budget, whose change comes next
    ctx.store().replace(ObjectKey.of(Kind.POD_DISRUPTION_BUDGET, Meta.namespace(pdb), Meta.name(pdb)), updated,
        Part.STATUS);
  }
}
