package io.steuermann.engine.controllers.statefulset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.ControllerContext;
import io.steuermann.engine.controllers.ReadyGate;
import io.steuermann.engine.controllers.Owners;
import io.steuermann.engine.controllers.ReconcilePacer;
import io.steuermann.engine.controllers.SelectorWatch;
import io.steuermann.engine.controllers.WrittenStatus;
import io.steuermann.engine.controllers.daemonset.DaemonRevisions;
import io.steuermann.engine.controllers.logic.ActivePods;
import io.steuermann.engine.controllers.statefulset.StatefulPlan.Member;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.objects.ObjectCommand.Part;
import io.steuermann.engine.objects.ObjectControllers.ObjectChanged;
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
 * Runs one StatefulSet as Kubernetes' StatefulSet controller: pods with stable names and
 * ordinals ({@link StatefulPods}), made and removed in order or in parallel and rolled from the
 * highest ordinal down to the partition ({@link StatefulPlan}); each pod's claims made from the
 * claim templates before the pod and kept after it, their owner references following
 * {@code persistentVolumeClaimRetentionPolicy} (so the garbage collector deletes them with the
 * set or with a scaled-away pod); the history as ControllerRevisions ({@link DaemonRevisions},
 * the same data format); the status {@code kubectl rollout status} reads. It runs as the child
 * of the StatefulSet's entity.
 *
 * <p>Expectations, as the DaemonSet controller: after writing pods or revisions it does not act
 * again until the watches show the writes (or they failed, or 30 s passed).
 */
public final class StatefulSetController extends AbstractBehavior<StatefulSetController.Message> {

  public sealed interface Message {}

  private record Changed(ObjectChanged change) implements Message {}

  private record PodEvent(WatchEvent event) implements Message {}

  private record RevisionEvent(WatchEvent event) implements Message {}

  private record ClaimEvent(WatchEvent event) implements Message {}

  private record WatchEnded(Kind kind) implements Message {}

  private record Reconcile() implements Message {}

  private record Ready() implements Message {}

  private record Written(String name, boolean ok, String error) implements Message {}

  /** A fresh read of the set, taken before adopting orphans (Kubernetes' RecheckDeletionTimestamp). */
  private record AdoptChecked(ObjectCommand.Reply fresh) implements Message {}

  public static Behavior<ObjectChanged> create(ControllerContext ctx) {
    return Behaviors.transformMessages(ObjectChanged.class,
        Behaviors.<Message>setup(context -> new StatefulSetController(context, ctx)),
        pf -> pf.match(ObjectChanged.class, Changed::new));
  }

  private static final Duration MIN_INTERVAL = Duration.ofMillis(50);

  private final ControllerContext ctx;
  private final ReconcilePacer<Message> pacer;
  private final Duration expectationTimeout;
  private final Duration createDeadline;
  private final SelectorWatch<Message> podWatch;
  private final SelectorWatch<Message> revisionWatch;
  private final SelectorWatch<Message> claimWatch;
  private final Map<String, ObjectNode> pods = new HashMap<>();
  private final Map<String, ObjectNode> revisions = new HashMap<>();
  /** Names of pods, claims and revisions written and not yet seen as written by the watches. */
  private final Set<String> expectedCreates = new HashSet<>();
  private final Set<String> expectedDeletes = new HashSet<>();
  private final Set<String> claimWrites = new HashSet<>();
  private final Map<String, Long> expectedRevisions = new HashMap<>();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final WrittenStatus written = new WrittenStatus();
  private Instant expectationsSince = Instant.EPOCH;
  private ObjectNode set;
  private final ReadyGate<Message> gate;
  private boolean adoptionCheckInFlight;

  private StatefulSetController(ActorContext<Message> context, ControllerContext ctx) {
    super(context);
    this.ctx = ctx;
    this.gate = new ReadyGate<>(context, ctx, new Ready());
    this.pacer = new ReconcilePacer<>(context, new Reconcile());
    this.expectationTimeout = ctx.settings().hasPath("statefulset.expectation-timeout")
        ? ctx.settings().getDuration("statefulset.expectation-timeout") : Duration.ofSeconds(30);
    this.createDeadline = ctx.settings().hasPath("replicaset.create-deadline")
        ? ctx.settings().getDuration("replicaset.create-deadline") : Duration.ofSeconds(3);
    this.podWatch = watch(Kind.POD, PodEvent::new);
    this.revisionWatch = watch(Kind.CONTROLLER_REVISION, RevisionEvent::new);
    this.claimWatch = watch(Kind.PERSISTENT_VOLUME_CLAIM, ClaimEvent::new);
  }

  private SelectorWatch<Message> watch(Kind kind, java.util.function.Function<WatchEvent, Message> wrap) {
    return new SelectorWatch<>(ctx, kind, getContext().getSelf(), wrap, new WatchEnded(kind));
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
        .onMessage(ClaimEvent.class, m -> {
          claimWrites.remove(m.event().key().name());
          return schedule();
        })
        .onMessage(WatchEnded.class, m -> {
          switch (m.kind()) {
            case POD -> podWatch.ended();
            case CONTROLLER_REVISION -> revisionWatch.ended();
            default -> claimWatch.ended();
          }
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
            expectedCreates.remove(m.name());
            expectedDeletes.remove(m.name());
            expectedRevisions.remove(m.name());
            claimWrites.remove(m.name());
            getContext().getLog().info("{}: write of {} failed: {}", key(), m.name(), m.error());
          }
          return schedule();
        })
        .onMessage(AdoptChecked.class, this::onAdoptChecked)
        .onSignal(PostStop.class, s -> {
          stopped.set(true);
          return this;
        })
        .build();
  }

  private Behavior<Message> onChanged(Changed changed) {
    gate.request(changed.change().recovered(), createDeadline);
    ObjectNode before = set;
    set = changed.change().object();
    if (set == null || before == null || !Meta.uid(before).equals(Meta.uid(set))) {
      // deleted, or a new StatefulSet of the same name in the same entity: nothing carries over
      written.forget();
      expectedCreates.clear();
      expectedDeletes.clear();
      expectedRevisions.clear();
      claimWrites.clear();
    }
    if (set == null) {
      podWatch.stop();
      revisionWatch.stop();
      claimWatch.stop();
      pods.clear();
      revisions.clear();
      return this;
    }
    subscribe();
    return schedule();
  }

  private void subscribe() {
    if (!gate.isOpen() || set == null) {
      return;
    }
    podWatch.follow(set).ifPresent(current -> {
      pods.clear();
      current.forEach(this::seenPod);
    });
    revisionWatch.follow(set).ifPresent(current -> {
      revisions.clear();
      current.forEach(this::seenRevision);
    });
    claimWatch.follow(set);
  }

  private Behavior<Message> onPodEvent(WatchEvent e) {
    if (e.type() == WatchEvent.Type.DELETED) {
      ObjectNode gone = pods.remove(e.key().name());
      expectedDeletes.remove(e.key().name());
      // gone from the selector's watch but still there: its labels changed; let it go, as Kubernetes releases it
      ObjectNode stillThere = ctx.cache().get(e.key());
      if (gone != null && stillThere != null && set != null && Owners.isControlledBy(stillThere, set)) {
        release(stillThere);
      }
    } else {
      seenPod(e.object());
    }
    return schedule();
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
    expectedCreates.remove(name);
    Long want = expectedRevisions.get(name);
    if (want != null && want >= 0 && DaemonRevisions.revision(revision) == want) {
      expectedRevisions.remove(name);
    }
  }

  private Behavior<Message> schedule() {
    if (gate.isOpen() && set != null) {
      pacer.request(MIN_INTERVAL.plusNanos(pods.size() * 5_000L));
    }
    return this;
  }

  private boolean expectationsSatisfied() {
    if (expectedCreates.isEmpty() && expectedDeletes.isEmpty() && expectedRevisions.isEmpty() && claimWrites.isEmpty()) {
      return true;
    }
    if (Instant.now(ctx.clock()).isAfter(expectationsSince.plus(expectationTimeout))) {
      getContext().getLog().warn("{}: expectations timed out ({} creates, {} deletes, {} revisions, {} claims)", key(),
          expectedCreates.size(), expectedDeletes.size(), expectedRevisions.size(), claimWrites.size());
      expectedCreates.clear();
      expectedDeletes.clear();
      expectedRevisions.clear();
      claimWrites.clear();
      return true;
    }
    return false;
  }

  private void reconcile() {
    if (set == null || !gate.isOpen() || !podWatch.active() || !revisionWatch.active()) {
      return;
    }
    pacer.ran();
    Instant now = Instant.now(ctx.clock());
    List<ObjectNode> owned = pods.values().stream()
        .filter(p -> Owners.isControlledBy(p, set) && StatefulPlan.ordinal(Meta.name(set), Meta.name(p)) >= 0)
        .toList();
    List<ObjectNode> ownedRevisions = revisions.values().stream().filter(r -> Owners.isControlledBy(r, set)).toList();
    if (Owners.isTerminating(set) || !expectationsSatisfied()) {
      return;
    }
    if (!orphans().isEmpty()) {
      // pods or revisions of this set that nobody controls (left by an orphaning delete): read the
      // set fresh first, the garbage collector may be orphaning them for a deletion not seen yet
      if (!adoptionCheckInFlight) {
        adoptionCheckInFlight = true;
        getContext().pipeToSelf(ctx.store().get(key()), (reply, error) -> new AdoptChecked(reply));
      }
      return;
    }
    String hash = history(ownedRevisions);
    if (hash == null) {
      return;
    }
    String updateRevision = DaemonRevisions.name(Meta.name(set), hash);
    String statusCurrent = set.path("status").path("currentRevision").asText("");
    JsonNode currentRev = revisions.get(statusCurrent);
    String currentRevision = currentRev != null && Owners.isControlledBy(currentRev, set) ? statusCurrent
        : updateRevision;
    JsonNode currentTemplate = currentRev != null && currentRevision.equals(statusCurrent)
        ? templateOf(currentRev) : set.path("spec").path("template");
    int minReady = set.path("spec").path("minReadySeconds").asInt(0);
    List<Member> members = new ArrayList<>();
    for (ObjectNode p : owned) {
      members.add(new Member(StatefulPlan.ordinal(Meta.name(set), Meta.name(p)), Meta.name(p), revisionOf(p),
          Owners.isTerminating(p), healthy(p, minReady, now), finished(p)));
    }
    StatefulPlan.Spec spec = spec(updateRevision);
    if (syncClaimOwners(owned, spec)) {
      writeStatus(owned, currentRevision, updateRevision, now);
      return;
    }
    StatefulPlan.Step step = StatefulPlan.step(spec, members);
    deletePods(step.delete());
    for (int ordinal : step.create()) {
      boolean atCurrent = spec.partition() >= 0 && ordinal < spec.start() + spec.partition()
          && !currentRevision.equals(updateRevision);
      createPod(ordinal, atCurrent ? currentTemplate : set.path("spec").path("template"),
          atCurrent ? currentRevision : updateRevision);
    }
    if (step.create().isEmpty() && step.delete().isEmpty()) {
      cleanUpHistory(ownedRevisions, hash, owned, currentRevision);
    }
    writeStatus(owned, currentRevision, updateRevision, now);
    if (minReady > 0 && owned.stream().anyMatch(p -> ActivePods.isReady(p) && !healthy(p, minReady, now))) {
      getContext().scheduleOnce(Duration.ofSeconds(1), getContext().getSelf(), new Reconcile());
    }
  }

  /** Selected pods named as members of this set (Kubernetes' {@code isMemberOf}) and revisions, with no controller. */
  private List<ObjectNode> orphans() {
    List<ObjectNode> out = new ArrayList<>();
    for (ObjectNode p : pods.values()) {
      if (Owners.controllerUid(p).isEmpty() && !Owners.isTerminating(p)
          && StatefulPlan.ordinal(Meta.name(set), Meta.name(p)) >= 0) {
        out.add(p);
      }
    }
    for (ObjectNode r : revisions.values()) {
      if (Owners.controllerUid(r).isEmpty() && !Owners.isTerminating(r)) {
        out.add(r);
      }
    }
    return out;
  }

  private Behavior<Message> onAdoptChecked(AdoptChecked checked) {
    adoptionCheckInFlight = false;
    if (set != null && checked.fresh() instanceof ObjectCommand.Done done
        && Meta.uid(done.object()).equals(Meta.uid(set)) && !Owners.isTerminating(done.object())) {
      for (ObjectNode orphan : orphans()) {
        ObjectNode patch = Json.object();
        ObjectNode meta = patch.putObject("metadata");
        meta.put("resourceVersion", Meta.resourceVersion(orphan));
        ArrayNode refs = meta.putArray("ownerReferences");
        orphan.path("metadata").path("ownerReferences").forEach(refs::add);
        refs.add(Owners.controllerRef(set));
        Kind kind = "Pod".equals(orphan.path("kind").asText()) ? Kind.POD : Kind.CONTROLLER_REVISION;
        String name = Meta.name(orphan);
        expectedCreates.add(name);
        expectationsSince = Instant.now(ctx.clock());
        getContext().pipeToSelf(ctx.store().patch(ObjectKey.of(kind, Meta.namespace(orphan), name),
            ObjectCommand.PatchType.MERGE, patch, Part.MAIN), (r, e) -> written(name, r, e));
      }
    }
    return schedule();
  }

  private void release(ObjectNode pod) {
    ArrayNode kept = Json.object().arrayNode();
    for (JsonNode ref : pod.path("metadata").path("ownerReferences")) {
      if (!ref.path("uid").asText().equals(Meta.uid(set))) {
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

  private StatefulPlan.Spec spec(String updateRevision) {
    JsonNode s = set.path("spec");
    boolean rolling = "RollingUpdate".equals(s.path("updateStrategy").path("type").asText("RollingUpdate"));
    int partition = rolling ? Math.max(0, s.path("updateStrategy").path("rollingUpdate").path("partition").asInt(0)) : -1;
    return new StatefulPlan.Spec(s.path("replicas").asInt(1), s.path("ordinals").path("start").asInt(0),
        !"Parallel".equals(s.path("podManagementPolicy").asText("")), partition, updateRevision);
  }

  private static String revisionOf(JsonNode pod) {
    return pod.path("metadata").path("labels").path(DaemonRevisions.HASH_LABEL).asText("");
  }

  /** Kubernetes' {@code isRunningAndReady}, with {@code isRunningAndAvailable} when minReadySeconds is set. */
  private static boolean healthy(JsonNode pod, int minReadySeconds, Instant now) {
    return "Running".equals(pod.path("status").path("phase").asText()) && !Owners.isTerminating(pod)
        && ActivePods.isAvailable(pod, minReadySeconds, now);
  }

  private static boolean finished(JsonNode pod) {
    String phase = pod.path("status").path("phase").asText();
    return "Failed".equals(phase) || "Succeeded".equals(phase);
  }

  /** The template a revision holds (its data is the patch that puts it back). */
  private static JsonNode templateOf(JsonNode revision) {
    ObjectNode template = revision.path("data").path("spec").path("template").deepCopy();
    template.remove("$patch");
    return template;
  }

  /**
   * Claim owner references as the retention policy wants them for each pod's claims; answers
   * whether a write went out (the step waits for it, so a scaled-away pod's claims are its own
   * before it goes).
   */
  private boolean syncClaimOwners(List<ObjectNode> owned, StatefulPlan.Spec spec) {
    boolean wrote = false;
    for (ObjectNode pod : owned) {
      int ordinal = StatefulPlan.ordinal(Meta.name(set), Meta.name(pod));
      boolean condemned = ordinal < spec.start() || ordinal >= spec.start() + spec.replicas();
      List<ObjectNode> wanted = StatefulPods.claimOwners(set, pod, condemned);
      for (String template : StatefulPods.claimTemplateNames(set)) {
        String name = StatefulPods.claimName(template, set, ordinal);
        ObjectNode claim = ctx.cache().get(ObjectKey.of(Kind.PERSISTENT_VOLUME_CLAIM, Meta.namespace(set), name));
        if (claim == null && "Pending".equals(pod.path("status").path("phase").asText())
            && !Owners.isTerminating(pod) && !condemned) {
          // a pending pod whose claim was deleted gets it again (kube's createMissingPersistentVolumeClaims)
          for (ObjectNode missing : StatefulPods.claims(set, ordinal)) {
            if (Meta.name(missing).equals(name)) {
              claimWrites.add(name);
              expectationsSince = Instant.now(ctx.clock());
              getContext().pipeToSelf(ctx.store().create(missing), (r, e) -> written(name, r, e));
              wrote = true;
            }
          }
          continue;
        }
        if (claim == null || Owners.isTerminating(claim)) {
          continue;
        }
        java.util.Optional<ObjectNode> patch = StatefulPods.ownerPatch(claim, set, pod, wanted);
        if (patch.isEmpty()) {
          continue;
        }
        claimWrites.add(name);
        expectationsSince = Instant.now(ctx.clock());
        getContext().pipeToSelf(ctx.store().patch(ObjectKey.of(Kind.PERSISTENT_VOLUME_CLAIM, Meta.namespace(set), name),
            ObjectCommand.PatchType.MERGE, patch.get(), Part.MAIN), (r, e) -> written(name, r, e));
        wrote = true;
      }
    }
    return wrote;
  }

  /**
   * Kubernetes' {@code createPersistentVolumeClaims} then the pod: a missing claim is made, one
   * being deleted holds the pod back (it would otherwise mount a claim about to go).
   */
  private void createPod(int ordinal, JsonNode template, String revisionName) {
    ObjectNode pod = StatefulPods.pod(set, template, ordinal, revisionName);
    String name = Meta.name(pod);
    List<CompletionStage<Boolean>> claims = new ArrayList<>();
    for (ObjectNode claim : StatefulPods.claims(set, ordinal)) {
      ObjectNode existing = ctx.cache().get(ObjectKey.of(Kind.PERSISTENT_VOLUME_CLAIM, Meta.namespace(set),
          Meta.name(claim)));
      if (existing != null && Owners.isTerminating(existing)) {
        ctx.events().record(set, "Warning", "FailedCreate", "create Pod " + name + " in StatefulSet " + Meta.name(set)
            + " failed error: pvc " + Meta.name(claim) + " is being deleted");
        return;
      }
      if (existing == null) {
        ObjectNode owner = set;
        claims.add(ctx.store().create(claim).handle((reply, error) -> {
          if (error == null && reply instanceof ObjectCommand.Done) {
            ctx.events().record(owner, "Normal", "SuccessfulCreate", "create Claim " + Meta.name(claim) + " Pod "
                + name + " in StatefulSet " + Meta.name(owner) + " success");
            return true;
          }
          // made meanwhile by someone else: it is there, which is all the pod needs
          return reply instanceof ObjectCommand.Refused r && r.status().code() == 409;
        }));
      }
    }
    expectedCreates.add(name);
    expectationsSince = Instant.now(ctx.clock());
    ObjectNode owner = set;
    CompletableFuture<Boolean> claimsMade = CompletableFuture.allOf(claims.stream()
            .map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new))
        .thenApply(v -> claims.stream().allMatch(c -> c.toCompletableFuture().join()));
    CompletionStage<ObjectCommand.Reply> created = claimsMade.thenCompose(ok -> {
      if (!ok) {
        return CompletableFuture.<ObjectCommand.Reply>completedFuture(null);
      }
      long notAfter = ctx.clock().millis() + createDeadline.toMillis();
      return ctx.store().create(pod, notAfter, () -> !stopped.get());
    });
    getContext().pipeToSelf(created, (reply, error) -> {
      boolean ok = error == null && reply instanceof ObjectCommand.Done;
      if (ok) {
        ctx.events().record(owner, "Normal", "SuccessfulCreate", "create Pod " + name + " in StatefulSet "
            + Meta.name(owner) + " successful");
      } else {
        ctx.events().record(owner, "Warning", "FailedCreate", "create Pod " + name + " in StatefulSet "
            + Meta.name(owner) + " failed error: " + (error != null ? error.getMessage()
            : reply == null ? "a claim could not be created" : reply));
      }
      return new Written(name, ok, String.valueOf(error != null ? error : reply));
    });
  }

  private void deletePods(List<String> names) {
    if (names.isEmpty()) {
      return;
    }
    expectationsSince = Instant.now(ctx.clock());
    ObjectNode owner = set;
    for (String name : names) {
      ObjectNode pod = pods.get(name);
      if (pod == null || !expectedDeletes.add(name)) {
        continue;
      }
      getContext().pipeToSelf(ctx.store().delete(ObjectKey.of(Kind.POD, Meta.namespace(pod), name), Meta.uid(pod), 0,
          null, null), (reply, error) -> {
            boolean ok = error == null && reply instanceof ObjectCommand.Done;
            if (ok) {
              ctx.events().record(owner, "Normal", "SuccessfulDelete", "delete Pod " + name + " in StatefulSet "
                  + Meta.name(owner) + " successful");
            }
            return new Written(name, ok, String.valueOf(error != null ? error : reply));
          });
    }
  }

  /**
   * Kubernetes' {@code getStatefulSetRevisions}: the revision holding the current template (a
   * new one numbered after the highest, or an old one renumbered so, as a rollback does);
   * answers its hash, or null while a revision write is on its way.
   */
  private String history(List<ObjectNode> owned) {
    List<JsonNode> current = DaemonRevisions.current(set, owned);
    long max = DaemonRevisions.maxRevision(owned);
    if (current.isEmpty()) {
      String hash = DaemonRevisions.hash(set);
      String name = DaemonRevisions.name(Meta.name(set), hash);
      if (revisions.containsKey(name)) {
        // the name is taken by another template (a hash collision): count it, a new hash follows
        int count = set.path("status").path("collisionCount").asInt(0) + 1;
        ObjectNode updated = set.deepCopy();
        Meta.metadata(updated).remove("resourceVersion");
        ((ObjectNode) updated.path("status")).put("collisionCount", count);
        ctx.store().replace(key(), updated, Part.STATUS);
        return null;
      }
      ObjectNode revision = DaemonRevisions.snapshot(set, hash, max + 1);
      expect(name, max + 1);
      getContext().pipeToSelf(ctx.store().create(revision), (r, e) -> written(name, r, e));
      return null;
    }
    JsonNode cur = current.get(current.size() - 1);
    if (DaemonRevisions.revision(cur) < max) {
      String name = Meta.name(cur);
      ObjectNode updated = ((ObjectNode) cur).deepCopy();
      Meta.metadata(updated).remove("resourceVersion");
      updated.put("revision", max + 1);
      expect(name, max + 1);
      getContext().pipeToSelf(ctx.store().replace(ObjectKey.of(Kind.CONTROLLER_REVISION, Meta.namespace(set), name),
          updated, Part.MAIN), (r, e) -> written(name, r, e));
      return null;
    }
    return DaemonRevisions.hashOf(cur);
  }

  /** Kubernetes' {@code truncateHistory}: the current and update revisions and those pods run are kept. */
  private void cleanUpHistory(List<ObjectNode> owned, String hash, List<ObjectNode> ownedPods, String currentRevision) {
    Set<String> liveNames = new HashSet<>();
    ownedPods.forEach(p -> liveNames.add(revisionOf(p)));
    liveNames.add(currentRevision);
    Set<String> liveHashes = new HashSet<>();
    List<ObjectNode> old = new ArrayList<>();
    for (ObjectNode r : owned) {
      if (liveNames.contains(Meta.name(r))) {
        liveHashes.add(DaemonRevisions.hashOf(r));
      }
      if (!DaemonRevisions.hashOf(r).equals(hash)) {
        old.add(r);
      }
    }
    int limit = set.path("spec").path("revisionHistoryLimit").asInt(10);
    for (String name : DaemonRevisions.toCleanUp(old, liveHashes, limit)) {
      ObjectNode revision = revisions.get(name);
      expect(name, -1L);
      getContext().pipeToSelf(ctx.store().delete(ObjectKey.of(Kind.CONTROLLER_REVISION, Meta.namespace(set), name),
          Meta.uid(revision), 0), (r, e) -> written(name, r, e));
    }
  }

  private void expect(String revision, long number) {
    expectedRevisions.put(revision, number);
    expectationsSince = Instant.now(ctx.clock());
  }

  private static Written written(String name, ObjectCommand.Reply reply, Throwable error) {
    return new Written(name, error == null && reply instanceof ObjectCommand.Done,
        String.valueOf(error != null ? error : reply));
  }

  private void writeStatus(List<ObjectNode> owned, String currentRevision, String updateRevision, Instant now) {
    ObjectNode status = StatefulStatus.of(set, owned, currentRevision, updateRevision, now);
    if (status.equals(set.path("status")) || written.isWritten(set, status)) {
      return;
    }
    written.wrote(set, status);
    ObjectNode updatedSet = set.deepCopy();
    Meta.metadata(updatedSet).remove("resourceVersion");
    updatedSet.set("status", status);
    ctx.store().replace(key(), updatedSet, Part.STATUS);
  }

  private ObjectKey key() {
    return ObjectKey.of(Kind.STATEFUL_SET, Meta.namespace(set), Meta.name(set));
  }
}
