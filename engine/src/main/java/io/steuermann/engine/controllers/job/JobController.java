package io.steuermann.engine.controllers.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.ControllerContext;
import io.steuermann.engine.controllers.ReadyGate;
import io.steuermann.engine.controllers.WrittenStatus;
import io.steuermann.engine.controllers.ReconcilePacer;
import io.steuermann.engine.controllers.Owners;
import io.steuermann.engine.controllers.SelectorWatch;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.objects.ObjectCommand.Part;
import io.steuermann.engine.objects.ObjectControllers.ObjectChanged;
import io.steuermann.engine.watch.WatchEvent;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Runs one Job's pods to completion, as Kubernetes' Job controller: the arithmetic is
 * {@link JobPlan}; this actor watches the pods the Job's selector matches, creates and deletes
 * pods as the plan says, writes status ({@link JobStatus}) and, once the Job has finished
 * and {@code ttlSecondsAfterFinished} has passed, deletes the Job (foreground, so its pods go
 * first), which Kubernetes leaves to its TTL-after-finished controller. It runs as the child
 * of the Job's entity, like the ReplicaSet controller, with the same expectations (no action
 * until its own creates and deletes are seen) and the same wait after a move.
 *
 * <p>Settings ({@code steuermann.controllers.job}): {@code backoff-base} (10 s) and
 * {@code backoff-max} (6 min) of the failure back-off.
 */
public final class JobController extends AbstractBehavior<JobController.Message> {

  /** Everything the controller reacts to. */
  public sealed interface Message {}

  private record Changed(ObjectChanged change) implements Message {}

  private record PodEvent(WatchEvent event) implements Message {}

  private record WatchEnded() implements Message {}

  private record Reconcile() implements Message {}

  private record Ready() implements Message {}

  private record CreateDone(String name, boolean ok) implements Message {}

  private record DeleteDone(String name, boolean ok) implements Message {}

  private record TtlDeleteDone(boolean ok) implements Message {}

  public static Behavior<ObjectChanged> create(ControllerContext ctx) {
    return Behaviors.transformMessages(ObjectChanged.class,
        Behaviors.<Message>setup(context -> new JobController(context, ctx)),
        pf -> pf.match(ObjectChanged.class, Changed::new));
  }

  private static final int MAX_BATCH = 500;
  private static final Duration MIN_INTERVAL = Duration.ofMillis(50);

  private final ControllerContext ctx;
  private final ReconcilePacer<Message> pacer;
  private final Random random = new Random();
  private final Backoff backoff;
  private final Duration expectationTimeout = Duration.ofSeconds(30);
  private final Duration createDeadline = Duration.ofSeconds(3);
  private final SelectorWatch<Message> watch;
  private final Map<String, ObjectNode> pods = new HashMap<>();
  private final Set<String> expectedCreates = new HashSet<>();
  private final Set<String> expectedDeletes = new HashSet<>();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private Instant expectationsSince = Instant.EPOCH;
  private ObjectNode job;
  private final ReadyGate<Message> gate;
  private boolean ttlDeleteSent;
  private final WrittenStatus written = new WrittenStatus();
  /** The time a wake-up is scheduled for: one timer per deadline or back-off end. */
  private Instant wakeScheduled;
  private boolean settled;

  private JobController(ActorContext<Message> context, ControllerContext ctx) {
    super(context);
    this.pacer = new ReconcilePacer<>(context, new Reconcile());
    this.ctx = ctx;
    this.gate = new ReadyGate<>(context, ctx, new Ready());
    this.backoff = new Backoff(
        ctx.settings().hasPath("job.backoff-base") ? ctx.settings().getDuration("job.backoff-base")
            : Backoff.KUBERNETES.base(),
        ctx.settings().hasPath("job.backoff-max") ? ctx.settings().getDuration("job.backoff-max")
            : Backoff.KUBERNETES.max());
    this.watch = new SelectorWatch<>(ctx, Kind.POD, context.getSelf(), PodEvent::new, new WatchEnded());
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
        .onMessage(CreateDone.class, m -> {
          if (!m.ok()) {
            expectedCreates.remove(m.name());
          }
          return schedule();
        })
        .onMessage(DeleteDone.class, m -> {
          if (!m.ok()) {
            expectedDeletes.remove(m.name());
          }
          return schedule();
        })
        .onMessage(TtlDeleteDone.class, m -> {
          if (!m.ok()) {
            // not deleted (a conflict, a timeout): the next reconcile tries again
            ttlDeleteSent = false;
            getContext().scheduleOnce(Duration.ofSeconds(1), getContext().getSelf(), new Reconcile());
          }
          return this;
        })
        .onSignal(PostStop.class, signal -> {
          stopped.set(true);
          return this;
        })
        .build();
  }

  private Behavior<Message> onChanged(Changed changed) {
    gate.request(changed.change().recovered(), createDeadline);
    job = changed.change().object();
    if (job == null) {
      watch.stop();
      pods.clear();
      return this;
    }
    subscribe();
    return schedule();
  }

  private void subscribe() {
    if (gate.isOpen() && job != null && !settled) {
      watch.follow(job).ifPresent(current -> {
        pods.clear();
        current.forEach(this::seen);
      });
    }
  }

  private Behavior<Message> onPodEvent(PodEvent message) {
    WatchEvent e = message.event();
    if (e.type() == WatchEvent.Type.DELETED) {
      pods.remove(e.key().name());
      expectedDeletes.remove(e.key().name());
    } else {
      seen(e.object());
    }
    return schedule();
  }

  private void seen(ObjectNode pod) {
    pods.put(Meta.name(pod), pod);
    expectedCreates.remove(Meta.name(pod));
    if (Owners.isTerminating(pod)) {
      expectedDeletes.remove(Meta.name(pod));
    }
  }

  private Behavior<Message> schedule() {
    if (gate.isOpen() && job != null) {
      pacer.request(MIN_INTERVAL);
    }
    return this;
  }

  private void reconcile() {
    if (job == null || !gate.isOpen()) {
      return;
    }
    if (settled) {
      // finished, and no pod of it runs: only the TTL is left to watch for
      ttl(Instant.now(ctx.clock()).truncatedTo(ChronoUnit.SECONDS));
      return;
    }
    if (!watch.active()) {
      return;
    }
    pacer.ran();
    Instant now = Instant.now(ctx.clock()).truncatedTo(ChronoUnit.SECONDS);
    List<JobPlan.PodView> views = new ArrayList<>();
    for (ObjectNode pod : pods.values()) {
      if (Owners.isControlledBy(pod, job)) {
        views.add(JobPods.view(pod));
      }
    }
    JsonNode spec = job.path("spec");
    JobPlan.Spec planSpec = spec(spec);
    JobPlan.Plan plan = JobPlan.plan(planSpec, JobStatus.counted(job.path("status")), views, now, backoff);
    writeStatus(plan, planSpec, now);
    plan.wake().ifPresent(at -> wakeAt(at, now));
    if (plan.finished().isPresent()) {
      ttl(now);
      if (JobStatus.finished(job.path("status")).isPresent() && plan.active() == 0 && plan.terminating() == 0
          && expectedCreates.isEmpty() && expectedDeletes.isEmpty()) {
        // a finished Job whose status is written and whose pods all ended: its pod watch is let
        // go, so thousands of finished Jobs cost no watches (a new incarnation looks once more)
        settled = true;
        watch.stop();
        pods.clear();
        return;
      }
    }
    if (Owners.isTerminating(job) || !expectationsSatisfied()) {
      return;
    }
    for (String name : plan.delete()) {
      if (!expectedDeletes.contains(name)) {
        deletePod(name);
      }
    }
    if (plan.create() > 0) {
      int count = Math.min(plan.create(), MAX_BATCH);
      expectationsSince = Instant.now(ctx.clock());
      for (int i = 0; i < count; i++) {
        Integer index = planSpec.indexed() ? plan.createIndexes().get(i) : null;
        createPod(JobPods.fromTemplate(job, index, random));
      }
    }
  }

  static JobPlan.Spec spec(JsonNode spec) {
    JsonNode completions = spec.path("completions");
    JsonNode deadline = spec.path("activeDeadlineSeconds");
    return new JobPlan.Spec(completions.isNumber() ? completions.asInt() : null, spec.path("parallelism").asInt(1),
        spec.path("backoffLimit").asInt(6), "Indexed".equals(spec.path("completionMode").asText()),
        spec.path("suspend").asBoolean(false), deadline.isNumber() ? deadline.asLong() : null,
        "OnFailure".equals(spec.path("template").path("spec").path("restartPolicy").asText()),
        PodFailurePolicy.fromJson(spec.path("podFailurePolicy")));
  }

  private void wakeAt(Instant at, Instant now) {
    if (at.equals(wakeScheduled) && Instant.now(ctx.clock()).isBefore(at)) {
      return;
    }
    wakeScheduled = at;
    Duration wait = Duration.between(now, at).plusMillis(100);
    getContext().scheduleOnce(wait.isNegative() ? Duration.ofMillis(100) : wait, getContext().getSelf(),
        new Reconcile());
  }

  /** {@code ttlSecondsAfterFinished}: the finished Job is deleted, its pods before it. */
  private void ttl(Instant now) {
    JsonNode ttl = job.path("spec").path("ttlSecondsAfterFinished");
    Optional<Instant> finishedAt = JobStatus.finishedAt(job.path("status"));
    if (!ttl.isNumber() || finishedAt.isEmpty() || ttlDeleteSent || Owners.isTerminating(job)) {
      return;
    }
    Instant due = finishedAt.get().plusSeconds(ttl.asLong());
    if (now.isBefore(due)) {
      wakeAt(due, now);
      return;
    }
    ttlDeleteSent = true;
    getContext().pipeToSelf(ctx.store().delete(key(), Meta.uid(job), 0, null, "Foreground"),
        (reply, error) -> new TtlDeleteDone(error == null && reply instanceof ObjectCommand.Done));
  }

  private boolean expectationsSatisfied() {
    if (expectedCreates.isEmpty() && expectedDeletes.isEmpty()) {
      return true;
    }
    if (Instant.now(ctx.clock()).isAfter(expectationsSince.plus(expectationTimeout))) {
      expectedCreates.clear();
      expectedDeletes.clear();
      return true;
    }
    return false;
  }

  private void createPod(ObjectNode pod) {
    String name = Meta.name(pod);
    expectedCreates.add(name);
    ObjectNode owner = job;
    long notAfter = ctx.clock().millis() + createDeadline.toMillis();
    getContext().pipeToSelf(ctx.store().create(pod, notAfter, () -> !stopped.get()), (reply, error) -> {
      boolean ok = error == null && reply instanceof ObjectCommand.Done;
      if (ok) {
        ctx.events().record(owner, "Normal", "SuccessfulCreate", "Created pod: " + name);
      } else {
        ctx.events().record(owner, "Warning", "FailedCreate", "Error creating pod " + name);
      }
      return new CreateDone(name, ok);
    });
  }

  private void deletePod(String name) {
    ObjectNode pod = pods.get(name);
    if (pod == null) {
      return;
    }
    expectedDeletes.add(name);
    expectationsSince = Instant.now(ctx.clock());
    ObjectNode owner = job;
    getContext().pipeToSelf(ctx.store().delete(ObjectKey.of(Kind.POD, Meta.namespace(pod), name), Meta.uid(pod), 0,
        null, null), (reply, error) -> {
          boolean ok = error == null && reply instanceof ObjectCommand.Done;
          if (ok) {
            ctx.events().record(owner, "Normal", "SuccessfulDelete", "Deleted pod: " + name);
          }
          return new DeleteDone(name, ok);
        });
  }

  private void writeStatus(JobPlan.Plan plan, JobPlan.Spec spec, Instant now) {
    JsonNode current = job.path("status");
    ObjectNode status = JobStatus.next(current, plan, spec.suspend(), spec.indexed(), now);
    if (status.equals(current) || written.isWritten(job, status)) {
      return;
    }
    boolean justFinished = plan.finished().isPresent() && JobStatus.finished(current).isEmpty();
    written.wrote(job, status);
    ObjectNode updated = job.deepCopy();
    Meta.metadata(updated).remove("resourceVersion");
    updated.set("status", status);
    ctx.store().replace(key(), updated, Part.STATUS);
    if (justFinished) {
      JobPlan.Finished f = plan.finished().get();
      if ("Complete".equals(f.type())) {
        ctx.events().record(job, "Normal", "Completed", "Job completed");
      } else {
        ctx.events().record(job, "Warning", f.reason(), f.message());
      }
    }
  }

  private ObjectKey key() {
    return ObjectKey.of(Kind.JOB, Meta.namespace(job), Meta.name(job));
  }
}
