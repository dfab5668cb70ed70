package io.steuermann.engine.controllers.autoscaling;

import io.steuermann.engine.api.Stages;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.autoscaling.PodMetrics;
import io.steuermann.engine.autoscaling.ScalingBehavior;
import io.steuermann.engine.controllers.ControllerContext;
import io.steuermann.engine.controllers.ReadyGate;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.objects.ObjectCommand.Part;
import io.steuermann.engine.objects.ObjectControllers.ObjectChanged;
import io.steuermann.engine.selector.LabelSelector;
import io.steuermann.engine.selector.FieldSelector;
import io.steuermann.engine.selector.SelectorException;
import io.steuermann.engine.watch.WatchFilter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * One HorizontalPodAutoscaler's control loop, as kube's podautoscaler: every sync period
 * ({@code steuermann.controllers.horizontal-pod-autoscaler.sync-period}, kube's 15 s) it reads
 * its target's scale and selector from the watch cache, the pods' usage from the members that
 * run nodes ({@link PodMetrics}), computes a recommendation per metric ({@link Recommendation}),
 * normalises the largest ({@link ScalingBehavior}), writes the target's scale when it changes
 * (event SuccessfulRescale) and the autoscaler's status with kube's conditions AbleToScale,
 * ScalingActive and ScalingLimited. It runs as the child of the autoscaler's entity.
 */
public final class AutoscalerController extends AbstractBehavior<AutoscalerController.Message> {
  static final String MANAGER = "horizontal-pod-autoscaler";

  public sealed interface Message {}

  private record Changed(ObjectChanged change) implements Message {}

  private record Ready() implements Message {}

  private record Tick() implements Message {}

  private record Measured(ObjectNode target, List<ObjectNode> pods, Map<String, PodMetrics.PodUsage> usage)
      implements Message {}

  private record Done() implements Message {}

  /** A rescale was written: remembered for the behavior's rate limits. */
  private record Scaled(int from, int to, Instant at) implements Message {}

  public static Behavior<ObjectChanged> create(ControllerContext ctx) {
    return Behaviors.transformMessages(ObjectChanged.class,
        Behaviors.<Message>setup(context -> Behaviors.withTimers(timers ->
            new AutoscalerController(context, timers, ctx))),
        pf -> pf.match(ObjectChanged.class, Changed::new));
  }

  private final ControllerContext ctx;
  private final ReadyGate<Message> gate;
  private final TimerScheduler<Message> timers;
  private final Duration syncPeriod;
  private final Duration metricsTimeout;
  private final ScalingBehavior.History history = new ScalingBehavior.History();
  private ObjectNode hpa;
  private boolean busy;

  private AutoscalerController(ActorContext<Message> context, TimerScheduler<Message> timers, ControllerContext ctx) {
    super(context);
    this.ctx = ctx;
    this.gate = new ReadyGate<>(context, ctx, new Ready());
    this.timers = timers;
    this.syncPeriod = setting(ctx, "sync-period", Duration.ofSeconds(15));
    this.metricsTimeout = setting(ctx, "metrics-timeout", Duration.ofSeconds(5));
  }

  private static Duration setting(ControllerContext ctx, String name, Duration otherwise) {
    String path = "horizontal-pod-autoscaler." + name;
    return ctx.settings().hasPath(path) ? ctx.settings().getDuration(path) : otherwise;
  }

  @Override
  public Receive<Message> createReceive() {
    return newReceiveBuilder()
        .onMessage(Changed.class, this::onChanged)
        .onMessage(Ready.class, m -> {
          // kube's queue hands an autoscaler to a worker once per sync period, the first time too
          timers.startTimerWithFixedDelay(new Tick(), syncPeriod);
          return this;
        })
        .onMessage(Tick.class, m -> {
          measure();
          return this;
        })
        .onMessage(Measured.class, this::onMeasured)
        .onMessage(Scaled.class, m -> {
          if (hpa != null) {
            history.scaled(hpa.path("spec").get("behavior"), m.from(), m.to(), m.at());
          }
          return this;
        })
        .onMessage(Done.class, m -> {
          busy = false;
          return this;
        })
        .build();
  }

  private Behavior<Message> onChanged(Changed changed) {
    hpa = changed.change().object();
    if (hpa == null) {
      timers.cancelAll();
      return Behaviors.stopped();
    }
    gate.request(Duration.ZERO);
    return this;
  }

  /** Reads the target and its pods now and asks for their usage; {@link Measured} follows. */
  private void measure() {
    if (hpa == null || busy) {
      return;
    }
    String namespace = Meta.namespace(hpa);
    JsonNode ref = hpa.path("spec").path("scaleTargetRef");
    Optional<Kind> kind = Kind.byKindName(ref.path("kind").asText()).filter(Kind::hasScale);
    ObjectNode target = kind.map(k -> ctx.cache().get(ObjectKey.of(k, namespace, ref.path("name").asText())))
        .orElse(null);
    if (target == null) {
      String what = kind.map(k -> k.plural() + (k.group().isEmpty() ? "" : "." + k.group()))
          .orElse(ref.path("kind").asText());
      failedGetScale(kind.isEmpty()
          ? "no matches for kind \"" + ref.path("kind").asText() + "\" in group \"" + group(ref) + "\""
          : what + " \"" + ref.path("name").asText() + "\" not found");
      return;
    }
    List<ObjectNode> pods;
    try {
      LabelSelector selector = LabelSelector.ofWorkload(target);
      pods = ctx.cache().list(new WatchFilter(Kind.POD, namespace, selector, FieldSelector.everything())).items();
    } catch (SelectorException e) {
      failedGetScale("couldn't convert selector into a corresponding internal selector object: " + e.getMessage());
      return;
    }
    busy = true;
    List<ObjectNode> selected = pods;
    Map<String, String> uids = new HashMap<>();
    selected.forEach(p -> uids.put(Meta.name(p), Meta.uid(p)));
    // a sample of an earlier pod of the same name does not count for this one
    getContext().pipeToSelf(usage(namespace), (usage, error) -> new Measured(target, selected,
        error != null ? Map.of() : usage.entrySet().stream()
            .filter(e -> e.getValue().uid().equals(uids.get(e.getKey())))
            .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue))));
  }

  private static String group(JsonNode ref) {
    String apiVersion = ref.path("apiVersion").asText("");
    return apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
  }

  /** Asks every reporter; one that does not answer in time is left out. */
  private CompletionStage<Map<String, PodMetrics.PodUsage>> usage(String namespace) {
    var system = getContext().getSystem();
    CompletionStage<Receptionist.Listing> listing = Stages.on(system.executionContext(), AskPattern.ask(
        system.receptionist(), (ActorRef<Receptionist.Listing> r) -> Receptionist.find(PodMetrics.KEY, r),
        metricsTimeout, system.scheduler()));
    return listing.thenCompose(l -> {
      List<CompletableFuture<PodMetrics.Report>> answers = new ArrayList<>();
      for (ActorRef<PodMetrics.Command> reporter : l.getServiceInstances(PodMetrics.KEY)) {
        answers.add(Stages.on(system.executionContext(), AskPattern.<PodMetrics.Command, PodMetrics.Report>ask(
                reporter, r -> new PodMetrics.Get(namespace, r), metricsTimeout, system.scheduler()))
            .toCompletableFuture()
            .exceptionally(e -> new PodMetrics.Report(List.of())));
      }
      return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(v -> {
        Map<String, PodMetrics.PodUsage> byName = new HashMap<>();
        answers.forEach(a -> a.join().pods().forEach(p -> byName.put(p.name(), p)));
        return byName;
      });
    });
  }

  private Behavior<Message> onMeasured(Measured m) {
    if (hpa == null) {
      busy = false;
      return this;
    }
    Instant now = ctx.clock().instant();
    Recommendation.Outcome outcome = Recommendation.reconcile(hpa, m.target(), m.pods(), m.usage(), history, now);
    outcome.warnings().forEach(w -> ctx.events().record(hpa, "Warning", w.reason(), w.message()));
    ObjectNode current = hpa;
    if (!outcome.rescale()) {
      getContext().pipeToSelf(writeStatus(current, outcome.status()), (v, e) -> new Done());
      return this;
    }
    Kind kind = Kind.byKindName(m.target().path("kind").asText()).orElseThrow();
    ObjectKey key = ObjectKey.of(kind, Meta.namespace(m.target()), Meta.name(m.target()));
    int from = outcome.currentReplicas();
    int to = outcome.desiredReplicas();
    // with the resourceVersion the count was read at, as kube updates the scale it got
    long version = Meta.parseResourceVersion(Meta.resourceVersion(m.target()));
    CompletionStage<Object> done = ctx.store().scale(key, to, version, MANAGER).thenCompose(reply -> {
      String message = "New size: " + to + "; reason: " + outcome.reason();
      if (reply instanceof ObjectCommand.Refused refused) {
        ctx.events().record(current, "Warning", "FailedRescale", message + "; error: " + refused.status().message());
        return writeStatus(current, Recommendation.failedRescale(outcome.status(), now, refused.status().message()));
      }
      ctx.events().record(current, "Normal", "SuccessfulRescale", message);
      getContext().getSelf().tell(new Scaled(from, to, now));
      return writeStatus(current, outcome.status());
    });
    getContext().pipeToSelf(done, (v, e) -> new Done());
    return this;
  }

  private void failedGetScale(String error) {
    ObjectNode status = Recommendation.failedGetScale(hpa, ctx.clock().instant(), error);
    ctx.events().record(hpa, "Warning", "FailedGetScale", error);
    busy = true;
    getContext().pipeToSelf(writeStatus(hpa, status), (v, e) -> new Done());
  }

  private CompletionStage<Object> writeStatus(ObjectNode from, ObjectNode status) {
    if (status.equals(from.path("status"))) {
      return CompletableFuture.completedFuture(status);
    }
    ObjectNode updated = from.deepCopy();
    updated.set("status", status);
    // with its resourceVersion: a conflict means the spec changed, and the next period computes again
    return ctx.store().replace(ObjectKey.of(Kind.HORIZONTAL_POD_AUTOSCALER, Meta.namespace(from), Meta.name(from)),
        updated, Part.STATUS, MANAGER).thenApply(reply -> reply);
  }
}
