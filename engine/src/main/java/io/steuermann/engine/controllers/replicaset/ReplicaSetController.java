package io.steuermann.engine.controllers.replicaset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.SelectorWatch;
import io.steuermann.engine.controllers.ControllerContext;
import io.steuermann.engine.controllers.ReadyGate;
import io.steuermann.engine.controllers.WrittenStatus;
import io.steuermann.engine.controllers.ReconcilePacer;
import io.steuermann.engine.controllers.Owners;
import io.steuermann.engine.controllers.logic.ActivePods;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.objects.ObjectCommand.Part;
import io.steuermann.engine.objects.ObjectCommand.PatchType;
import io.steuermann.engine.objects.ObjectControllers.ObjectChanged;
import io.steuermann.engine.objects.PodConditions;
import io.steuermann.engine.watch.WatchEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Keeps {@code spec.replicas} pods of one ReplicaSet (or ReplicationController: the selector's
 * form, read by {@code LabelSelector.ofWorkload}, is their one difference here), as Kubernetes'
 * ReplicaSet controller:
 * creates missing pods from the template with a controller reference (in slow-start batches
 * 1, 2, 4, ... that stop after a failure), adopts matching orphans, releases owned pods that
 * stop matching, deletes the surplus (unscheduled, then not ready, then newest first), and
 * writes status. It runs as the child of the ReplicaSet's entity.
 *
 * <p>Expectations: after issuing creations or deletions it does not act again until the watch
 * has shown all of them (or they failed, or {@code expectation-timeout} passed), so a cache
 * that lags a few milliseconds behind its own writes never causes duplicate pods.
 *
 * <p>Across incarnations: every create carries a deadline ({@code create-deadline}) after which
 * the pod's entity refuses it, and an incarnation that starts for a ReplicaSet that existed
 * before (it moved here, or its member restarted) lets that deadline pass before it looks at
 * the pods. A create its predecessor sent, perhaps still waiting in a moving shard's buffer,
 * has by then either landed (and is in the cache) or can never land.
 */
public final class ReplicaSetController extends AbstractBehavior<ReplicaSetController.Message> {

  /** Everything the controller reacts to. */
  public sealed interface Message {}

  private record Changed(ObjectChanged change) implements Message {}

  private record PodEvent(WatchEvent event) implements Message {}

  private record WatchEnded() implements Message {}

  private record Reconcile() implements Message {}

  private record Ready() implements Message {}

  private record BatchDone(int created, int failed, List<String> failedNames) implements Message {}

  private record DeleteDone(String name, boolean ok) implements Message {}

  /** A fresh read of the ReplicaSet, taken before adopting orphans (Kubernetes' RecheckDeletionTimestamp). */
  private record AdoptChecked(ObjectCommand.Reply fresh) implements Message {}

  public static Behavior<ObjectChanged> create(ControllerContext ctx) {
    return Behaviors.transformMessages(ObjectChanged.class,
        Behaviors.<Message>setup(context -> new ReplicaSetController(context, ctx)),
        pf -> pf.match(ObjectChanged.class, Changed::new));
  }

  private static final String ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";
  private static final int MAX_BATCH = 500;
  private static final Duration MIN_INTERVAL = Duration.ofMillis(50);

  private final ControllerContext ctx;
  private final ReconcilePacer<Message> pacer;
  // names need to be unique, not unpredictable
  private final java.util.Random random = new java.util.Random();
  private final Duration expectationTimeout;
  private final Duration createDeadline;
  private ObjectNode rs;
  private final ReadyGate<Message> gate;
  private final SelectorWatch<Message> watch;
  private final Map<String, ObjectNode> pods = new HashMap<>();
  private final Set<String> expectedCreates = new HashSet<>();
  /** Set when this actor stops: creates it queued must not go out after that (see createInBatches). */
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final Set<String> expectedDeletes = new HashSet<>();
  private Instant expectationsSince = Instant.EPOCH;
  private boolean adoptionCheckInFlight;
  private boolean creating;
  /** Slow start carries over between reconciles: it doubles after a clean batch, resets after a failure. */
  private int nextBatchSize = 1;
  private final WrittenStatus written = new WrittenStatus();

  private ReplicaSetController(ActorContext<Message> context, ControllerContext ctx) {
    super(context);
    this.pacer = new ReconcilePacer<>(context, new Reconcile());
    this.ctx = ctx;
    this.gate = new ReadyGate<>(context, ctx, new Ready());
    this.expectationTimeout = ctx.settings().hasPath("replicaset.expectation-timeout")
        ? ctx.settings().getDuration("replicaset.expectation-timeout") : Duration.ofSeconds(30);
    this.createDeadline = ctx.settings().hasPath("replicaset.create-deadline")
        ? ctx.settings().getDuration("replicaset.create-deadline") : Duration.ofSeconds(3);
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
        .onMessage(BatchDone.class, this::onBatchDone)
        .onMessage(AdoptChecked.class, this::onAdoptChecked)
        .onSignal(PostStop.class, signal -> {
          stopped.set(true);
          return this;
        })
        .onMessage(DeleteDone.class, m -> {
          if (!m.ok()) {
            expectedDeletes.remove(m.name());
          }
          return schedule();
        })
        .build();
  }

  private Behavior<Message> onChanged(Changed changed) {
    gate.request(changed.change().recovered(), createDeadline);
    ObjectNode before = rs;
    rs = changed.change().object();
    if (rs == null || before == null || !Meta.uid(before).equals(Meta.uid(rs))) {
      // deleted, or a new ReplicaSet of the same name in the same entity: nothing carries over
      written.forget();
      expectedCreates.clear();
      expectedDeletes.clear();
    }
    if (rs == null) {
      watch.stop();
      pods.clear();
      return this;
    }
    subscribe();
    return schedule();
  }

  private void subscribe() {
    if (gate.isOpen() && rs != null) {
      watch.follow(rs).ifPresent(current -> {
        pods.clear();
        current.forEach(this::seen);
      });
    }
  }

  private Behavior<Message> onPodEvent(PodEvent message) {
    WatchEvent e = message.event();
    String name = e.key().name();
    if (e.type() == WatchEvent.Type.DELETED) {
      ObjectNode gone = pods.remove(name);
      expectedDeletes.remove(name);
      ObjectNode stillThere = ctx.cache().get(e.key());
      if (gone != null && stillThere != null && rs != null && Owners.isControlledBy(stillThere, rs)) {
        release(e.key(), stillThere);
      }
    } else {
      seen(e.object());
    }
    return schedule();
  }

  private void seen(ObjectNode pod) {
    String name = Meta.name(pod);
    pods.put(name, pod);
    expectedCreates.remove(name);
    if (Owners.isTerminating(pod)) {
      expectedDeletes.remove(name);
    }
  }

  /**
   * Coalesces: events already in the mailbox are applied before the one reconcile runs, and a
   * reconcile (which looks at every pod) runs at most once per {@code MIN_INTERVAL}, so ten
   * thousand pod events make a few hundred reconciles, not ten thousand.
   */
  private Behavior<Message> schedule() {
    if (gate.isOpen() && rs != null) {
      // a reconcile costs in proportion to the pods; so does the pause between two
      pacer.request(MIN_INTERVAL.plusNanos(pods.size() * 5_000L));
    }
    return this;
  }

  private void reconcile() {
    if (rs == null || !gate.isOpen() || !watch.active()) {
      return;
    }
    pacer.ran();
    List<ObjectNode> owned = new ArrayList<>();
    boolean orphans = false;
    for (ObjectNode pod : pods.values()) {
      if (Owners.isControlledBy(pod, rs)) {
        owned.add(pod);
      } else if (Owners.controllerUid(pod).isEmpty() && !Owners.isTerminating(pod)) {
        orphans = true;
      }
    }
    if (orphans && !Owners.isTerminating(rs)) {
      // read the ReplicaSet fresh first: the garbage collector may be orphaning these pods
      // for a deletion this controller has not seen yet; act on nothing until then
      if (!adoptionCheckInFlight) {
        adoptionCheckInFlight = true;
        getContext().pipeToSelf(ctx.store().get(key()), (reply, error) -> new AdoptChecked(reply));
      }
      return;
    }
    List<ObjectNode> active = ActivePods.filterActive(owned);
    writeStatus(owned, active);
    if (Owners.isTerminating(rs) || creating || !expectationsSatisfied()) {
      return;
    }
    int want = rs.path("spec").path("replicas").asInt(1);
    int diff = active.size() - want;
    if (diff < 0) {
      createPods(Math.min(-diff, MAX_BATCH));
    } else if (diff > 0) {
      deletePods(ActivePods.podsToDelete(active, Math.min(diff, MAX_BATCH)));
    }
  }

  private Behavior<Message> onAdoptChecked(AdoptChecked checked) {
    adoptionCheckInFlight = false;
    if (rs != null && checked.fresh() instanceof ObjectCommand.Done done
        && Meta.uid(done.object()).equals(Meta.uid(rs)) && !Owners.isTerminating(done.object())) {
      for (ObjectNode pod : pods.values()) {
        if (Owners.controllerUid(pod).isEmpty() && !Owners.isTerminating(pod)) {
          adopt(pod);
        }
      }
      return schedule();
    }
    return this;
  }

  private boolean expectationsSatisfied() {
    if (expectedCreates.isEmpty() && expectedDeletes.isEmpty()) {
      return true;
    }
    if (Instant.now(ctx.clock()).isAfter(expectationsSince.plus(expectationTimeout))) {
      getContext().getLog().warn("{}: expectations timed out ({} creates, {} deletes unconfirmed)",
          key(), expectedCreates.size(), expectedDeletes.size());
      expectedCreates.clear();
      expectedDeletes.clear();
      return true;
    }
    return false;
  }

  /** Slow start: batches of 1, 2, 4, ... so a failing template costs one pod, not hundreds. */
  private void createPods(int count) {
    creating = true;
    expectationsSince = Instant.now(ctx.clock());
    ObjectNode owner = rs;
    List<ObjectNode> batch = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ObjectNode pod = podFromTemplate(owner);
      batch.add(pod);
      expectedCreates.add(Meta.name(pod));
    }
    getContext().pipeToSelf(createInBatches(owner, batch, 0, nextBatchSize, 0, new ArrayList<>()),
        (done, error) -> done != null ? done : new BatchDone(0, batch.size(), names(batch)));
  }

  private CompletionStage<BatchDone> createInBatches(ObjectNode owner, List<ObjectNode> pods, int from,
      int size, int created, List<String> failed) {
    if (stopped.get()) {
      // this incarnation has stopped (its ReplicaSet moved): the rest is its successor's call
      return CompletableFuture.completedFuture(new BatchDone(created, pods.size() - created, List.of()));
    }
    if (from >= pods.size()) {
      return CompletableFuture.completedFuture(new BatchDone(created, failed.size(), failed));
    }
    List<ObjectNode> batch = pods.subList(from, Math.min(pods.size(), from + size));
    List<CompletableFuture<Boolean>> calls = new ArrayList<>();
    for (ObjectNode pod : batch) {
      long notAfter = ctx.clock().millis() + createDeadline.toMillis();
      calls.add(ctx.store().create(pod, notAfter, () -> !stopped.get()).handle((reply, error) -> {
        boolean ok = error == null && reply instanceof ObjectCommand.Done;
        if (ok) {
          ctx.events().record(owner, "Normal", "SuccessfulCreate", "Created pod: " + Meta.name(pod));
        }
        return ok;
      }).toCompletableFuture());
    }
    return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenCompose(v -> {
      int ok = 0;
      for (int i = 0; i < calls.size(); i++) {
        if (calls.get(i).join()) {
          ok++;
        } else {
          failed.add(Meta.name(batch.get(i)));
        }
      }
      if (ok < batch.size()) {
        // stop after a batch with a failure; the rest is never attempted
        for (ObjectNode rest : pods.subList(from + batch.size(), pods.size())) {
          failed.add(Meta.name(rest));
        }
        return CompletableFuture.completedFuture(new BatchDone(created + ok, failed.size(), failed));
      }
      return createInBatches(owner, pods, from + batch.size(), size * 2, created + ok, failed);
    });
  }

  private Behavior<Message> onBatchDone(BatchDone done) {
    creating = false;
    nextBatchSize = done.failed() > 0 ? 1 : Math.min(MAX_BATCH, Math.max(1, done.created()) * 2);
    done.failedNames().forEach(expectedCreates::remove);
    if (done.failed() > 0 && rs != null) {
      getContext().getLog().info("{}: {} pod creations failed or were not attempted", key(), done.failed());
      ctx.events().record(rs, "Warning", "FailedCreate", done.failed() + " pods could not be created");
    }
    return schedule();
  }

  private void deletePods(List<JsonNode> victims) {
    expectationsSince = Instant.now(ctx.clock());
    for (JsonNode pod : victims) {
      String name = Meta.name(pod);
      expectedDeletes.add(name);
      ObjectKey key = ObjectKey.of(Kind.POD, Meta.namespace(pod), name);
      ObjectNode owner = rs;
      getContext().pipeToSelf(ctx.store().delete(key, Meta.uid(pod), 0, null, null), (reply, error) -> {
        boolean ok = error == null && reply instanceof ObjectCommand.Done;
        if (ok) {
          ctx.events().record(owner, "Normal", "SuccessfulDelete", "Deleted pod: " + name);
        }
        return new DeleteDone(name, ok);
      });
    }
  }

  private void adopt(ObjectNode pod) {
    ObjectNode patch = Json.object();
    ObjectNode meta = patch.putObject("metadata");
    meta.put("resourceVersion", Meta.resourceVersion(pod));
    meta.putArray("ownerReferences").add(Owners.controllerRef(rs));
    ctx.store().patch(ObjectKey.of(Kind.POD, Meta.namespace(pod), Meta.name(pod)), PatchType.MERGE, patch, Part.MAIN);
  }

  private void release(ObjectKey key, ObjectNode pod) {
    ArrayNode kept = Json.object().arrayNode();
    for (JsonNode ref : pod.path("metadata").path("ownerReferences")) {
      if (!ref.path("uid").asText().equals(Meta.uid(rs))) {
        kept.add(ref);
      }
    }
    ObjectNode patch = Json.object();
    ObjectNode meta = patch.putObject("metadata");
    meta.put("resourceVersion", Meta.resourceVersion(pod));
    meta.set("ownerReferences", kept);
    ctx.store().patch(key, PatchType.MERGE, patch, Part.MAIN);
  }

  private ObjectNode podFromTemplate(ObjectNode owner) {
    JsonNode template = owner.path("spec").path("template");
    ObjectNode pod = Json.object();
    pod.put("apiVersion", "v1");
    pod.put("kind", "Pod");
    ObjectNode meta = pod.putObject("metadata");
    String prefix = Meta.name(owner) + "-";
    meta.put("name", prefix + suffix());
    meta.put("generateName", prefix);
    meta.put("namespace", Meta.namespace(owner));
    if (template.path("metadata").has("labels")) {
      meta.set("labels", template.path("metadata").path("labels").deepCopy());
    }
    if (template.path("metadata").has("annotations")) {
      meta.set("annotations", template.path("metadata").path("annotations").deepCopy());
    }
    Owners.setController(meta, owner);
    pod.set("spec", template.path("spec").deepCopy());
    return pod;
  }

  /** Status: counts over the pods this ReplicaSet controls; written only when it changed. */
  private void writeStatus(List<ObjectNode> owned, List<ObjectNode> active) {
    Map<String, String> templateLabels = Meta.stringMap(rs.path("spec").path("template").path("metadata").path("labels"));
    int minReadySeconds = rs.path("spec").path("minReadySeconds").asInt(0);
    Instant now = Instant.now(ctx.clock());
    int fullyLabeled = 0;
    int readyCount = 0;
    int available = 0;
    Instant nextAvailableCheck = null;
    for (ObjectNode pod : active) {
      if (hasLabels(pod, templateLabels)) {
        fullyLabeled++;
      }
      JsonNode status = pod.path("status");
      if ("True".equals(PodConditions.get(status, "Ready"))) {
        readyCount++;
        if (minReadySeconds == 0) {
          available++;
          continue;
        }
        Instant since = readySince(status);
        Instant availableAt = since.plusSeconds(minReadySeconds);
        if (!availableAt.isAfter(now)) {
          available++;
        } else if (nextAvailableCheck == null || availableAt.isBefore(nextAvailableCheck)) {
          nextAvailableCheck = availableAt;
        }
      }
    }
    ObjectNode status = Json.object();
    status.put("replicas", active.size());
    status.put("fullyLabeledReplicas", fullyLabeled);
    status.put("readyReplicas", readyCount);
    status.put("availableReplicas", available);
    status.put("observedGeneration", Meta.generation(rs));
    if (nextAvailableCheck != null) {
      Duration wait = Duration.between(now, nextAvailableCheck).plusMillis(50);
      getContext().scheduleOnce(wait, getContext().getSelf(), new Reconcile());
    }
    JsonNode current = rs.path("status");
    if (written.isWritten(rs, status) || sameCounts(current, status)) {
      return;
    }
    written.wrote(rs, status);
    ObjectNode updated = rs.deepCopy();
    Meta.metadata(updated).remove("resourceVersion");
    updated.set("status", status);
    ctx.store().replace(key(), updated, Part.STATUS);
  }

  private static boolean hasLabels(JsonNode pod, Map<String, String> wanted) {
    JsonNode labels = pod.path("metadata").path("labels");
    for (Map.Entry<String, String> e : wanted.entrySet()) {
      if (!e.getValue().equals(labels.path(e.getKey()).asText(null))) {
        return false;
      }
    }
    return true;
  }

  private static boolean sameCounts(JsonNode current, ObjectNode wanted) {
    for (String field : List.of("replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas",
        "observedGeneration")) {
      if (current.path(field).asLong(-1) != wanted.path(field).asLong(-2)) {
        return false;
      }
    }
    return true;
  }

  private static Instant readySince(JsonNode status) {
    for (JsonNode c : status.path("conditions")) {
      if ("Ready".equals(c.path("type").asText())) {
        try {
          return Instant.parse(c.path("lastTransitionTime").asText());
        } catch (RuntimeException e) {
          return Instant.EPOCH;
        }
      }
    }
    return Instant.EPOCH;
  }

  /** The owner's key: a ReplicaSet's, or a ReplicationController's (the same controller). */
  private ObjectKey key() {
    Kind kind = Kind.byKindName(rs.path("kind").asText()).orElse(Kind.REPLICA_SET);
    return ObjectKey.of(kind, Meta.namespace(rs), Meta.name(rs));
  }

  private static List<String> names(List<ObjectNode> pods) {
    return pods.stream().map(Meta::name).toList();
  }

  private String suffix() {
    StringBuilder s = new StringBuilder(5);
    for (int i = 0; i < 5; i++) {
      s.append(ALPHANUMS.charAt(random.nextInt(ALPHANUMS.length())));
    }
    return s.toString();
  }
}
