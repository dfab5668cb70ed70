package io.steuermann.engine.controllers.cronjob;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.CacheWatch;
import io.steuermann.engine.controllers.ControllerContext;
import io.steuermann.engine.controllers.ReadyGate;
import io.steuermann.engine.controllers.WrittenStatus;
import io.steuermann.engine.controllers.Owners;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.objects.ObjectCommand.Part;
import io.steuermann.engine.objects.ObjectControllers.ObjectChanged;
import io.steuermann.engine.watch.WatchEvent;
import io.steuermann.engine.watch.WatchFilter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
import org.apache.pekko.stream.UniqueKillSwitch;

/**
 * Starts one CronJob's Jobs on its schedule, as Kubernetes' CronJob controller: what to do is
 * {@link CronJobPlan}; this actor watches the Jobs of the CronJob's namespace, keeps those it
 * controls, creates the due Job (deleting the active ones first under {@code Replace}), deletes
 * finished Jobs beyond the history limits, writes status ({@code active},
 * {@code lastScheduleTime}, {@code lastSuccessfulTime}), and wakes itself at the next scheduled
 * time. It also looks again every {@code cronjob.resync-interval} (10 s), so a clock that jumped
 * or a timer lost with a moved entity delays a run by at most that. It runs as the child of
 * the CronJob's entity.
 *
 * <p>A Job name is the scheduled time, so a run is created at most once, however often this
 * reconciles or moves: a second create of the same name is refused as AlreadyExists.
 */
public final class CronJobController extends AbstractBehavior<CronJobController.Message> {

  /** Everything the controller reacts to. */
  public sealed interface Message {}

  private record Changed(ObjectChanged change) implements Message {}

  private record JobEvent(WatchEvent event) implements Message {}

  private record WatchEnded() implements Message {}

  private record Reconcile() implements Message {}

  private record Ready() implements Message {}

  private record Resync() implements Message {}

  private record Created(String name, Instant scheduled, boolean ok) implements Message {}

  public static Behavior<ObjectChanged> create(ControllerContext ctx) {
    return Behaviors.transformMessages(ObjectChanged.class,
        Behaviors.<Message>setup(context -> new CronJobController(context, ctx)),
        pf -> pf.match(ObjectChanged.class, Changed::new));
  }

  private final ControllerContext ctx;
  private final Duration resync;
  private final Map<String, ObjectNode> jobs = new HashMap<>();
  private final Set<String> deleting = new HashSet<>();
  private ObjectNode cronJob;
  private UniqueKillSwitch watch;
  private final ReadyGate<Message> gate;
  private boolean reconcileScheduled;
  /** A create in flight: nothing else is started until it is answered. */
  private String creating;
  /** The run this incarnation last started: status may not show it yet. */
  private Instant startedRun;
  private final WrittenStatus written = new WrittenStatus();
  private Instant wakeScheduled;

  private CronJobController(ActorContext<Message> context, ControllerContext ctx) {
    super(context);
    this.ctx = ctx;
    this.gate = new ReadyGate<>(context, ctx, new Ready());
    this.resync = ctx.settings().hasPath("cronjob.resync-interval")
        ? ctx.settings().getDuration("cronjob.resync-interval") : Duration.ofSeconds(10);
  }

  @Override
  public Receive<Message> createReceive() {
    return newReceiveBuilder()
        .onMessage(Changed.class, this::onChanged)
        .onMessage(Ready.class, m -> {
          gate.open();
          subscribe();
          getContext().getSelf().tell(new Reconcile());
          return this;
        })
        .onMessage(JobEvent.class, this::onJobEvent)
        .onMessage(WatchEnded.class, m -> {
          watch = null;
          subscribe();
          return this;
        })
        .onMessage(Reconcile.class, m -> {
          reconcileScheduled = false;
          reconcile();
          return this;
        })
        .onMessage(Resync.class, m -> {
          getContext().scheduleOnce(resync, getContext().getSelf(), new Resync());
          return schedule();
        })
        .onMessage(Created.class, this::onCreated)
        .onSignal(PostStop.class, signal -> {
          stopWatch();
          return this;
        })
        .build();
  }

  private Behavior<Message> onChanged(Changed changed) {
    if (gate.request(Duration.ZERO)) {
      // the periodic look, for timers that a jumped clock or a move made late
      getContext().scheduleOnce(resync, getContext().getSelf(), new Resync());
    }
    cronJob = changed.change().object();
    if (cronJob == null) {
      stopWatch();
      jobs.clear();
      return this;
    }
    subscribe();
    return schedule();
  }

  private void subscribe() {
    if (gate.isOpen() && cronJob != null && watch == null) {
      CacheWatch.Listed listed = CacheWatch.subscribeListed(ctx.cache(), ctx.materializer(),
          WatchFilter.of(Kind.JOB, Meta.namespace(cronJob)), getContext().getSelf(), JobEvent::new,
          new WatchEnded(), 10_000);
      watch = listed.watch();
      jobs.clear();
      listed.current().forEach(this::seen);
    }
  }

  private void stopWatch() {
    if (watch != null) {
      UniqueKillSwitch w = watch;
      watch = null;
      w.shutdown();
    }
  }

  private void seen(ObjectNode job) {
    if (cronJob != null && Owners.isControlledBy(job, cronJob)) {
      jobs.put(Meta.name(job), job);
    }
  }

  private Behavior<Message> onJobEvent(JobEvent message) {
    WatchEvent e = message.event();
    if (e.type() == WatchEvent.Type.DELETED) {
      jobs.remove(e.key().name());
      deleting.remove(e.key().name());
    } else {
      seen(e.object());
    }
    return schedule();
  }

  private Behavior<Message> schedule() {
    if (!reconcileScheduled && gate.isOpen() && cronJob != null) {
      reconcileScheduled = true;
      getContext().scheduleOnce(Duration.ofMillis(20), getContext().getSelf(), new Reconcile());
    }
    return this;
  }

  private void reconcile() {
    if (cronJob == null || !gate.isOpen() || watch == null) {
      return;
    }
    Instant now = Instant.now(ctx.clock());
    List<ObjectNode> owned = List.copyOf(jobs.values());
    writeStatus(owned, null);
    if (Owners.isTerminating(cronJob)) {
      return;
    }
    cleanHistory(owned);
    JsonNode spec = cronJob.path("spec");
    CronSchedule schedule;
    try {
      schedule = CronSchedule.parse(spec.path("schedule").asText(""), spec.path("timeZone").asText(null));
    } catch (CronSchedule.InvalidSchedule e) {
      // validation refuses such a schedule; one stored before it was refused runs never
      ctx.events().record(cronJob, "Warning", "UnparseableSchedule", "unparseable schedule: " + e.getMessage());
      return;
    }
    List<ObjectNode> active = owned.stream().filter(j -> !CronJobs.finished(j) && !deleting.contains(Meta.name(j)))
        .toList();
    Instant earliest = lastScheduleTime();
    JsonNode deadline = spec.path("startingDeadlineSeconds");
    CronJobPlan.Plan plan = CronJobPlan.plan(schedule, earliest, deadline.isNumber() ? deadline.asLong() : null, now,
        spec.path("suspend").asBoolean(false), spec.path("concurrencyPolicy").asText("Allow"), active.size());
    plan.nextWake().ifPresent(at -> {
      // one timer per scheduled time, however often this reconciles before it
      if (!at.equals(wakeScheduled) || !now.isBefore(at)) {
        wakeScheduled = at;
        getContext().scheduleOnce(Duration.between(now, at).plusMillis(100), getContext().getSelf(), new Reconcile());
      }
    });
    if (plan.action() != CronJobPlan.Action.START || creating != null) {
      return;
    }
    Instant scheduled = plan.scheduled().orElseThrow();
    String name = CronJobPlan.jobName(Meta.name(cronJob), scheduled);
    if (plan.tooManyMissed()) {
      ctx.events().record(cronJob, "Warning", "TooManyMissedTimes", "too many missed start times: "
          + plan.missed() + ". Set or decrease .spec.startingDeadlineSeconds or check clock skew");
    }
    if (jobs.containsKey(name)) {
      // already started (by a predecessor whose status write was lost): only the status follows
      recordScheduled(owned, scheduled);
      return;
    }
    if (plan.replaceActive()) {
      for (ObjectNode old : active) {
        deleting.add(Meta.name(old));
        ctx.store().delete(ObjectKey.of(Kind.JOB, Meta.namespace(old), Meta.name(old)), Meta.uid(old), 0, null,
            "Background");
        ctx.events().record(cronJob, "Normal", "SuccessfulDelete", "Deleted job " + Meta.name(old));
      }
    }
    creating = name;
    ObjectNode job = CronJobs.jobFor(cronJob, scheduled, schedule.zone());
    getContext().pipeToSelf(ctx.store().create(job), (reply, error) -> new Created(name, scheduled,
        error == null && (reply instanceof ObjectCommand.Done
            || reply instanceof ObjectCommand.Refused r && "AlreadyExists".equals(r.status().reason()))));
  }

  private Behavior<Message> onCreated(Created created) {
    creating = null;
    if (cronJob == null) {
      return this;
    }
    if (created.ok()) {
      ctx.events().record(cronJob, "Normal", "SuccessfulCreate", "Created job " + created.name());
      recordScheduled(List.copyOf(jobs.values()), created.scheduled());
    } else {
      ctx.events().record(cronJob, "Warning", "FailedCreate", "Error creating job " + created.name());
    }
    return schedule();
  }

  private void recordScheduled(List<ObjectNode> owned, Instant scheduled) {
    startedRun = scheduled;
    writeStatus(owned, scheduled);
  }

  /** status.lastScheduleTime, or the run this incarnation started since; the creation when it never ran. */
  private Instant lastScheduleTime() {
    Instant last = parse(cronJob.path("status").path("lastScheduleTime").asText(""));
    if (last == null) {
      last = parse(cronJob.path("metadata").path("creationTimestamp").asText(""));
    }
    if (last == null) {
      last = Instant.EPOCH;
    }
    return startedRun != null && startedRun.isAfter(last) ? startedRun : last;
  }

  private void cleanHistory(List<ObjectNode> owned) {
    JsonNode spec = cronJob.path("spec");
    for (JsonNode old : CronJobs.beyondHistory(owned, spec.path("successfulJobsHistoryLimit").asInt(3),
        spec.path("failedJobsHistoryLimit").asInt(1))) {
      String name = Meta.name(old);
      if (deleting.add(name)) {
        ctx.store().delete(ObjectKey.of(Kind.JOB, Meta.namespace(old), name), Meta.uid(old), 0, null, "Background");
        ctx.events().record(cronJob, "Normal", "SuccessfulDelete", "Deleted job " + name);
      }
    }
  }

  private void writeStatus(List<ObjectNode> owned, Instant scheduled) {
    JsonNode current = cronJob.path("status");
    ObjectNode status = current.isObject() ? ((ObjectNode) current).deepCopy() : cronJob.objectNode();
    var active = CronJobs.active(owned.stream().filter(j -> !deleting.contains(Meta.name(j))).toList());
    if (active.isEmpty()) {
      status.remove("active");
    } else {
      status.set("active", active);
    }
    // the run started last, also when the CronJob seen here does not show it yet: a status
    // written from that older view must not take it back
    Instant lastSchedule = parse(status.path("lastScheduleTime").asText(""));
    Instant started = scheduled != null ? scheduled : startedRun;
    if (started != null && (lastSchedule == null || started.isAfter(lastSchedule))) {
      status.put("lastScheduleTime", started.truncatedTo(ChronoUnit.SECONDS).toString());
    }
    Instant lastSuccess = parse(status.path("lastSuccessfulTime").asText(""));
    for (JsonNode j : owned) {
      Instant done = parse(j.path("status").path("completionTime").asText(""));
      if ("Complete".equals(CronJobs.finishedType(j)) && done != null
          && (lastSuccess == null || done.isAfter(lastSuccess))) {
        lastSuccess = done;
      }
    }
    if (lastSuccess != null) {
      status.put("lastSuccessfulTime", lastSuccess.toString());
    }
    if (status.equals(current) || written.isWritten(cronJob, status)) {
      return;
    }
    written.wrote(cronJob, status);
    ObjectNode updated = cronJob.deepCopy();
    Meta.metadata(updated).remove("resourceVersion");
    updated.set("status", status);
    ctx.store().replace(ObjectKey.of(Kind.CRON_JOB, Meta.namespace(cronJob), Meta.name(cronJob)), updated,
        Part.STATUS);
  }

  private static Instant parse(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
