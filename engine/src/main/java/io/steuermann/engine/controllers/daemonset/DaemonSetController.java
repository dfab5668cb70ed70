package io.steuermann.engine.controllers.daemonset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.CacheWatch;
import io.steuermann.engine.controllers.ControllerContext;
import io.steuermann.engine.controllers.ReadyGate;
import io.steuermann.engine.controllers.WrittenStatus;
import io.steuermann.engine.controllers.ReconcilePacer;
import io.steuermann.engine.controllers.Owners;
import io.steuermann.engine.controllers.SelectorWatch;
import io.steuermann.engine.controllers.daemonset.DaemonRollout.Plan;
import io.steuermann.engine.controllers.logic.ActivePods;
import io.steuermann.engine.model.Json;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.stream.UniqueKillSwitch;

/**
 * Keeps one pod of a DaemonSet on every node that should run it, as Kubernetes' DaemonSet
 * controller: the node's fit from {@link DaemonNodes}, the pods to create and delete from
 * {@link DaemonRollout} ({@code manage}, then a RollingUpdate step when manage had nothing to
 * do; OnDelete only replaces what is deleted), the history as ControllerRevisions
 * ({@link DaemonRevisions}), and the status {@code kubectl rollout status} reads. A pod is pinned
 * to its node with a {@code metadata.name} node affinity term and bound by the scheduler, as in
 * Kubernetes 1.32. It runs as the child of the DaemonSet's entity.
 *
 * <p>Expectations, as the ReplicaSet controller: after creating or deleting pods or writing a
 * revision it does not act again until the watches show it (or it failed, or 30 s passed).
 */
public final class DaemonSetController extends AbstractBehavior<DaemonSetController.Message> {

  public sealed interface Message {}

  private record Changed(ObjectChanged change) implements Message {}

  private record PodEvent(WatchEvent event) implements Message {}

  private record RevisionEvent(WatchEvent event) implements Message {}

  private record NodeEvent(WatchEvent event) implements Message {}

  private record PodWatchEnded() implements Message {}

  private record RevisionWatchEnded() implements Message {}

  private record NodeWatchEnded() implements Message {}

  private record Reconcile() implements Message {}

  private record Ready() implements Message {}

  private record Written(String name, boolean ok, String error) implements Message {}

  private record BatchDone(List<String> failed) implements Message {}

  /** A fresh read of the DaemonSet, taken before adopting orphans (Kubernetes' RecheckDeletionTimestamp). */
  private record AdoptChecked(ObjectCommand.Reply fresh) implements Message {}

  public static Behavior<ObjectChanged> create(ControllerContext ctx) {
    return Behaviors.transformMessages(ObjectChanged.class,
        Behaviors.<Message>setup(context -> new DaemonSetController(context, ctx)),
        pf -> pf.match(ObjectChanged.class, Changed::new));
  }

  private static final int MAX_BATCH = 500;
  private static final Duration MIN_INTERVAL = Duration.ofMillis(50);

  private final ControllerContext ctx;
  private final ReconcilePacer<Message> pacer;
  private final DaemonPodCreator creator;
  private final Duration expectationTimeout;
  private final Duration createDeadline;
  private final SelectorWatch<Message> podWatch;
  private final SelectorWatch<Message> revisionWatch;
  private UniqueKillSwitch nodeWatch;
  private final Map<String, ObjectNode> pods = new HashMap<>();
  private final Map<String, ObjectNode> revisions = new HashMap<>();
  private final Map<String, ObjectNode> nodes = new HashMap<>();
  /** Names of pods and revisions written and not yet seen as written by the watches. */
  private final Set<String> expectedCreates = new HashSet<>();
  private final Set<String> expectedDeletes = new HashSet<>();
  private final Map<String, Long> expectedRevisions = new HashMap<>();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final FailedPodBackoff failedBackoff = new FailedPodBackoff();
  private Instant expectationsSince = Instant.EPOCH;
  private ObjectNode ds;
  private final ReadyGate<Message> gate;
  private boolean creating;
  private boolean adoptionCheckInFlight;
  private int nextBatchSize = 1;
  private final WrittenStatus written = new WrittenStatus();

  private DaemonSetController(ActorContext<Message> context, ControllerContext ctx) {
    super(context);
    this.pacer = new ReconcilePacer<>(context, new Reconcile());
    this.ctx = ctx;
    this.gate = new ReadyGate<>(context, ctx, new Ready());
    this.expectationTimeout = ctx.settings().hasPath("daemonset.expectation-timeout")
        ? ctx.settings().getDuration("daemonset.expectation-timeout") : Duration.ofSeconds(30);
    this.createDeadline = ctx.settings().hasPath("replicaset.create-deadline")
        ? ctx.settings().getDuration("replicaset.create-deadline") : Duration.ofSeconds(3);
    this.creator = new DaemonPodCreator(ctx, createDeadline, () -> !stopped.get());
    this.podWatch = new SelectorWatch<>(ctx, Kind.POD, context.getSelf(), PodEvent::new, new PodWatchEnded());
    this.revisionWatch = new SelectorWatch<>(ctx, Kind.CONTROLLER_REVISION, context.getSelf(), RevisionEvent::new,
        new RevisionWatchEnded());
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
        .onMessage(PodEvent.class, m -> onPodEvent(m.event()))
        .onMessage(RevisionEvent.class, m -> onRevisionEvent(m.event()))
        .onMessage(NodeEvent.class, m -> onNodeEvent(m.event()))
        .onMessage(PodWatchEnded.class, m -> {
          podWatch.ended();
          subscribe();
          return this;
        })
        .onMessage(RevisionWatchEnded.class, m -> {
          revisionWatch.ended();
          subscribe();
          return this;
        })
        .onMessage(NodeWatchEnded.class, m -> {
          nodeWatch = null;
          subscribe();
          return this;
        })
        .onMessage(Reconcile.class, m -> {
          pacer.arrived();
          reconcile();
          return this;
        })
        .onMessage(Written.class, m -> {
          if (!m.ok()) {
            expectedDeletes.remove(m.name());
            expectedRevisions.remove(m.name());
            getContext().getLog().info("{}: write of {} failed: {}", key(), m.name(), m.error());
          }
          return schedule();
        })
        .onMessage(BatchDone.class, m -> {
          creating = false;
          m.failed().forEach(expectedCreates::remove);
          nextBatchSize = m.failed().isEmpty() ? Math.min(MAX_BATCH, nextBatchSize * 2) : 1;
          if (!m.failed().isEmpty() && ds != null) {
            ctx.events().record(ds, "Warning", "FailedCreate", m.failed().size() + " pods could not be created");
          }
          return schedule();
        })
        .onMessage(AdoptChecked.class, this::onAdoptChecked)
        .onSignal(PostStop.class, s -> {
          stopped.set(true);
          stopNodeWatch();
          return this;
        })
        .build();
  }

  private Behavior<Message> onChanged(Changed changed) {
    gate.request(changed.change().recovered(), createDeadline);
    ObjectNode before = ds;
    ds = changed.change().object();
    if (ds == null || before == null || !Meta.uid(before).equals(Meta.uid(ds))) {
      // deleted, or a new DaemonSet of the same name in the same entity: nothing carries over
      written.forget();
      expectedCreates.clear();
      expectedDeletes.clear();
      expectedRevisions.clear();
      nextBatchSize = 1;
    }
    if (ds == null) {
      podWatch.stop();
      revisionWatch.stop();
      stopNodeWatch();
      pods.clear();
      revisions.clear();
      return this;
    }
    subscribe();
    return schedule();
  }

  private void subscribe() {
    if (!gate.isOpen() || ds == null) {
      return;
    }
    podWatch.follow(ds).ifPresent(current -> {
      pods.clear();
      current.forEach(p -> seenPod(p));
    });
    revisionWatch.follow(ds).ifPresent(current -> {
      revisions.clear();
      current.forEach(r -> seenRevision(r));
    });
    if (nodeWatch == null) {
      int buffer = ctx.settings().hasPath("watch-buffer") ? ctx.settings().getInt("watch-buffer") : 100_000;
      CacheWatch.Listed listed = CacheWatch.subscribeListed(ctx.cache(), ctx.materializer(),
          WatchFilter.of(Kind.NODE, ""), getContext().getSelf(), NodeEvent::new, new NodeWatchEnded(), buffer);
      nodeWatch = listed.watch();
      nodes.clear();
      listed.current().forEach(n -> nodes.put(Meta.name(n), n));
    }
  }

  private void stopNodeWatch() {
    if (nodeWatch != null) {
      UniqueKillSwitch w = nodeWatch;
      nodeWatch = null;
      w.shutdown();
    }
  }

  private Behavior<Message> onPodEvent(WatchEvent e) {
    if (e.type() == WatchEvent.Type.DELETED) {
      ObjectNode gone = pods.remove(e.key().name());
      expectedDeletes.remove(e.key().name());
      // gone from the selector's watch but still there: its labels changed; let it go, as Kubernetes releases it
      ObjectNode stillThere = ctx.cache().get(e.key());
      if (gone != null && stillThere != null && ds != null && Owners.isControlledBy(stillThere, ds)) {
        release(stillThere);
      }
    } else {
      seenPod(e.object());
    }
    return schedule();
  }

  private void release(ObjectNode pod) {
    com.fasterxml.jackson.databind.node.ArrayNode kept = Json.object().arrayNode();
    for (JsonNode ref : pod.path("metadata").path("ownerReferences")) {
      if (!ref.path("uid").asText().equals(Meta.uid(ds))) {
        kept.add(ref);
      }
    }
    ObjectNode patch = Json.object();
    ObjectNode meta = patch.putObject("metadata");
    meta.put("resourceVersion", Meta.resourceVersion(pod));
    meta.set("ownerReferences", kept);
    ctx.store().patch(ObjectKey.of(Kind.POD, Meta.namespace(pod), Meta.name(pod)), ObjectCommand.PatchType.MERGE,
        patch, Part.MAIN);
  }

  private void seenPod(ObjectNode pod) {
    String name = Meta.name(pod);
    pods.put(name, pod);
    expectedCreates.remove(name);
    if (Owners.isTerminating(pod)) {
      expectedDeletes.remove(name);
    }
  }

  private Behavior<Message> onRevisionEvent(WatchEvent e) {
    String name = e.key().name();
    if (e.type() == WatchEvent.Type.DELETED) {
      revisions.remove(name);
      Long want = expectedRevisions.get(name);
      if (want != null && want < 0) {
        expectedRevisions.remove(name);
      }
    } else {
      seenRevision(e.object());
    }
    return schedule();
  }

  private void seenRevision(ObjectNode revision) {
    String name = Meta.name(revision);
    revisions.put(name, revision);
    Long want = expectedRevisions.get(name);
    if (want != null && want >= 0 && DaemonRevisions.revision(revision) == want) {
      expectedRevisions.remove(name);
    }
  }

  /** Heartbeats change nodes all the time; only a change of what decides a fit wakes the controller. */
  private Behavior<Message> onNodeEvent(WatchEvent e) {
    String name = e.key().name();
    ObjectNode before = e.type() == WatchEvent.Type.DELETED ? nodes.remove(name) : nodes.put(name, e.object());
    if (before == null || e.type() == WatchEvent.Type.DELETED || !DaemonView.fitInputs(before).equals(DaemonView.fitInputs(e.object()))) {
      return schedule();
    }
    return this;
  }

  private Behavior<Message> schedule() {
    if (gate.isOpen() && ds != null) {
      pacer.request(MIN_INTERVAL.plusNanos((pods.size() + nodes.size()) * 5_000L));
    }
    return this;
  }

  private boolean expectationsSatisfied() {
    if (expectedCreates.isEmpty() && expectedDeletes.isEmpty() && expectedRevisions.isEmpty()) {
      return true;
    }
    if (Instant.now(ctx.clock()).isAfter(expectationsSince.plus(expectationTimeout))) {
      getContext().getLog().warn("{}: expectations timed out ({} creates, {} deletes, {} revisions unconfirmed)",
          key(), expectedCreates.size(), expectedDeletes.size(), expectedRevisions.size());
      expectedCreates.clear();
      expectedDeletes.clear();
      expectedRevisions.clear();
      return true;
    }
    return false;
  }

  private void reconcile() {
    if (ds == null || !gate.isOpen() || !podWatch.active() || !revisionWatch.active() || nodeWatch == null) {
      return;
    }
    pacer.ran();
    Instant now = Instant.now(ctx.clock());
    List<ObjectNode> owned = pods.values().stream().filter(p -> Owners.isControlledBy(p, ds)).toList();
    List<ObjectNode> ownedRevisions = revisions.values().stream().filter(r -> Owners.isControlledBy(r, ds)).toList();
    if (!Owners.isTerminating(ds) && !orphans().isEmpty()) {
      // pods or revisions it selects that nobody controls (left by an orphaning delete): read the
      // DaemonSet fresh first, the garbage collector may be orphaning them for a deletion not seen yet
      if (!adoptionCheckInFlight) {
        adoptionCheckInFlight = true;
        getContext().pipeToSelf(ctx.store().get(key()), (reply, error) -> new AdoptChecked(reply));
      }
      return;
    }
    if (Owners.isTerminating(ds) || creating || !expectationsSatisfied()) {
      writeStatus(DaemonView.nodeStates(ds, owned, nodes.values(), currentHash(ownedRevisions), now), now);
      return;
    }
    String hash = history(ownedRevisions);
    if (hash == null) {
      return;
    }
    List<DaemonRollout.Node> states = DaemonView.nodeStates(ds, owned, nodes.values(), hash, now);
    List<String> delete = new ArrayList<>(DaemonView.podsForMissingNodes(owned, nodes.keySet()));
    Plan plan = DaemonRollout.manage(states, DaemonRollout.allowsSurge(ds));
    List<String> planned = new ArrayList<>(plan.delete());
    for (String failed : plan.failedPods()) {
      ObjectNode pod = pods.get(failed);
      String node = pod == null ? "" : DaemonNodes.targetNode(pod);
      java.util.Optional<Duration> wait = failedBackoff.waitFor(node, now);
      if (wait.isPresent()) {
        planned.remove(failed);
        getContext().scheduleOnce(wait.get().plusMillis(10), getContext().getSelf(), new Reconcile());
        continue;
      }
      failedBackoff.deleted(node, now);
      ctx.events().record(ds, "Warning", "FailedDaemonPod", "Found failed daemon pod " + Meta.namespace(ds) + "/"
          + failed + " on node " + node + ", will try to kill it");
    }
    delete.addAll(planned);
    List<String> createOn = new ArrayList<>(plan.createOn());
    if (createOn.isEmpty() && delete.isEmpty() && isRollingUpdate()) {
      Plan step = DaemonRollout.rollingUpdate(states, DaemonRollout.fenceposts(ds, states));
      createOn.addAll(step.createOn());
      delete.addAll(step.delete());
    }
    deletePods(delete);
    createPods(createOn, hash);
    if (createOn.isEmpty() && delete.isEmpty()) {
      cleanUpHistory(ownedRevisions, hash, owned);
    }
    writeStatus(states, now);
    if (owned.stream().anyMatch(p -> ActivePods.isReady(p) && !ActivePods.isAvailable(p, minReadySeconds(), now))) {
      getContext().scheduleOnce(Duration.ofSeconds(1), getContext().getSelf(), new Reconcile());
    }
  }

  private List<ObjectNode> orphans() {
    List<ObjectNode> out = new ArrayList<>();
    for (Map<String, ObjectNode> objects : List.of(pods, revisions)) {
      for (ObjectNode o : objects.values()) {
        if (Owners.controllerUid(o).isEmpty() && !Owners.isTerminating(o)) {
          out.add(o);
        }
      }
    }
    return out;
  }

  private Behavior<Message> onAdoptChecked(AdoptChecked checked) {
    adoptionCheckInFlight = false;
    if (ds != null && checked.fresh() instanceof ObjectCommand.Done done
        && Meta.uid(done.object()).equals(Meta.uid(ds)) && !Owners.isTerminating(done.object())) {
      for (ObjectNode orphan : orphans()) {
        ObjectNode patch = Json.object();
        ObjectNode meta = patch.putObject("metadata");
        meta.put("resourceVersion", Meta.resourceVersion(orphan));
        meta.putArray("ownerReferences").add(Owners.controllerRef(ds));
        Kind kind = "Pod".equals(orphan.path("kind").asText()) ? Kind.POD : Kind.CONTROLLER_REVISION;
        String name = Meta.name(orphan);
        getContext().pipeToSelf(ctx.store().patch(ObjectKey.of(kind, Meta.namespace(orphan), name),
            ObjectCommand.PatchType.MERGE, patch, Part.MAIN), (r, e) -> written(name, r, e));
      }
      return schedule();
    }
    return this;
  }

  /**
   * Kubernetes' {@code constructHistory}: the revision holding the current template (a new one
   * numbered after the highest, or an old one renumbered so); answers the hash its pods carry,
   * or null while a revision write is on its way.
   */
  private String history(List<ObjectNode> owned) {
    List<JsonNode> current = DaemonRevisions.current(ds, owned);
    long max = DaemonRevisions.maxRevision(owned);
    if (current.isEmpty()) {
      String hash = DaemonRevisions.hash(ds);
      String name = DaemonRevisions.name(Meta.name(ds), hash);
      ObjectNode clash = revisions.get(name);
      if (clash != null) {
        // the name is taken by another template (a hash collision): count it, a new hash follows
        int count = ds.path("status").path("collisionCount").asInt(0) + 1;
        ObjectNode updated = ds.deepCopy();
        Meta.metadata(updated).remove("resourceVersion");
        ((ObjectNode) updated.path("status")).put("collisionCount", count);
        ctx.store().replace(key(), updated, Part.STATUS);
        return null;
      }
      ObjectNode revision = DaemonRevisions.snapshot(ds, hash, max + 1);
      expect(name, max + 1);
      getContext().pipeToSelf(ctx.store().create(revision), (r, e) -> written(name, r, e));
      return null;
    }
    JsonNode cur = current.get(current.size() - 1);
    for (JsonNode duplicate : current.subList(0, current.size() - 1)) {
      deleteRevision(duplicate);
    }
    if (DaemonRevisions.revision(cur) < max) {
      // a rollback: the old template is the newest revision again
      String name = Meta.name(cur);
      ObjectNode updated = ((ObjectNode) cur).deepCopy();
      Meta.metadata(updated).remove("resourceVersion");
      updated.put("revision", max + 1);
      expect(name, max + 1);
      getContext().pipeToSelf(ctx.store().replace(ObjectKey.of(Kind.CONTROLLER_REVISION, Meta.namespace(ds), name),
          updated, Part.MAIN), (r, e) -> written(name, r, e));
      return null;
    }
    return DaemonRevisions.hashOf(cur);
  }

  private String currentHash(List<ObjectNode> owned) {
    List<JsonNode> current = DaemonRevisions.current(ds, owned);
    return current.isEmpty() ? DaemonRevisions.hash(ds) : DaemonRevisions.hashOf(current.get(current.size() - 1));
  }

  private void cleanUpHistory(List<ObjectNode> owned, String hash, List<ObjectNode> ownedPods) {
    List<ObjectNode> old = owned.stream().filter(r -> !DaemonRevisions.hashOf(r).equals(hash)).toList();
    Set<String> live = new HashSet<>();
    ownedPods.forEach(p -> live.add(p.path("metadata").path("labels").path(DaemonRevisions.HASH_LABEL).asText("")));
    int limit = ds.path("spec").path("revisionHistoryLimit").asInt(10);
    for (String name : DaemonRevisions.toCleanUp(old, live, limit)) {
      deleteRevision(revisions.get(name));
    }
  }

  private void deleteRevision(JsonNode revision) {
    String name = Meta.name(revision);
    expect(name, -1L);
    getContext().pipeToSelf(ctx.store().delete(ObjectKey.of(Kind.CONTROLLER_REVISION, Meta.namespace(ds), name),
        Meta.uid(revision), 0), (r, e) -> written(name, r, e));
  }

  private void expect(String revision, long number) {
    expectedRevisions.put(revision, number);
    expectationsSince = Instant.now(ctx.clock());
  }

  private static Written written(String name, ObjectCommand.Reply reply, Throwable error) {
    return new Written(name, error == null && reply instanceof ObjectCommand.Done,
        String.valueOf(error != null ? error : reply));
  }

  private void deletePods(List<String> names) {
    if (names.isEmpty()) {
      return;
    }
    expectationsSince = Instant.now(ctx.clock());
    ObjectNode owner = ds;
    for (String name : new java.util.LinkedHashSet<>(names)) {
      ObjectNode pod = pods.get(name);
      if (pod == null || !expectedDeletes.add(name)) {
        continue;
      }
      getContext().pipeToSelf(ctx.store().delete(ObjectKey.of(Kind.POD, Meta.namespace(pod), name), Meta.uid(pod), 0,
          null, null), (reply, error) -> {
            boolean ok = error == null && reply instanceof ObjectCommand.Done;
            if (ok) {
              ctx.events().record(owner, "Normal", "SuccessfulDelete", "Deleted pod: " + name);
            }
            return new Written(name, ok, String.valueOf(error != null ? error : reply));
          });
    }
  }

  /** Slow start, as the ReplicaSet controller: batches of 1, 2, 4, ... that stop after a failure. */
  private void createPods(List<String> onNodes, String hash) {
    if (onNodes.isEmpty()) {
      return;
    }
    creating = true;
    expectationsSince = Instant.now(ctx.clock());
    List<ObjectNode> batch = new ArrayList<>();
    for (String node : onNodes.subList(0, Math.min(onNodes.size(), MAX_BATCH))) {
      ObjectNode pod = creator.podFor(ds, node, hash);
      expectedCreates.add(Meta.name(pod));
      batch.add(pod);
    }
    ObjectNode owner = ds;
    getContext().pipeToSelf(creator.create(owner, batch, nextBatchSize),
        (failed, error) -> new BatchDone(failed != null ? failed : batch.stream().map(Meta::name).toList()));
  }

  private void writeStatus(List<DaemonRollout.Node> states, Instant now) {
    DaemonRollout.Counts c = DaemonRollout.status(states);
    ObjectNode status = ds.path("status").isObject() ? ((ObjectNode) ds.get("status")).deepCopy() : Json.object();
    status.put("currentNumberScheduled", c.current());
    status.put("numberMisscheduled", c.misscheduled());
    status.put("desiredNumberScheduled", c.desired());
    status.put("numberReady", c.ready());
    status.put("observedGeneration", Meta.generation(ds));
    status.put("updatedNumberScheduled", c.updated());
    status.put("numberAvailable", c.available());
    status.put("numberUnavailable", c.unavailable());
    if (status.equals(ds.path("status")) || written.isWritten(ds, status)) {
      return;
    }
    written.wrote(ds, status);
    ObjectNode updated = ds.deepCopy();
    Meta.metadata(updated).remove("resourceVersion");
    updated.set("status", status);
    ctx.store().replace(key(), updated, Part.STATUS);
  }

  private boolean isRollingUpdate() {
    return "RollingUpdate".equals(ds.path("spec").path("updateStrategy").path("type").asText(""));
  }

  private int minReadySeconds() {
    return ds.path("spec").path("minReadySeconds").asInt(0);
  }

  private ObjectKey key() {
    return ObjectKey.of(Kind.DAEMON_SET, Meta.namespace(ds), Meta.name(ds));
  }


}
