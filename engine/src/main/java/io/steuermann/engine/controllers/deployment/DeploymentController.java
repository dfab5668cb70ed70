package io.steuermann.engine.controllers.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.SelectorWatch;
import io.steuermann.engine.controllers.ControllerContext;
import io.steuermann.engine.controllers.ReadyGate;
import io.steuermann.engine.controllers.WrittenStatus;
import io.steuermann.engine.controllers.Owners;
import io.steuermann.engine.controllers.logic.DeploymentStatus;
import io.steuermann.engine.controllers.logic.PodTemplateHash;
import io.steuermann.engine.controllers.logic.Recreate;
import io.steuermann.engine.controllers.logic.Revisions;
import io.steuermann.engine.controllers.logic.RollingUpdate;
import io.steuermann.engine.controllers.logic.RsState;
import io.steuermann.engine.controllers.logic.Scale;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.objects.ObjectCommand.Part;
import io.steuermann.engine.objects.ObjectCommand.PatchType;
import io.steuermann.engine.objects.ObjectControllers.ObjectChanged;
import io.steuermann.engine.watch.WatchEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Rolls one Deployment, as Kubernetes' deployment controller: one ReplicaSet per pod
 * template (named and labelled by the template's hash), scaled by the RollingUpdate or
 * Recreate arithmetic of {@code controllers.logic}, revisions in the
 * {@code deployment.kubernetes.io/revision} annotation, old ReplicaSets cleaned up beyond
 * {@code revisionHistoryLimit}, status and conditions that {@code kubectl rollout status}
 * understands. It runs as the child of the Deployment's entity.
 *
 * <p>Expectations: a ReplicaSet it created or scaled is not acted on again until the watch
 * shows the change, so a lagging cache never doubles a step.
 */
public final class DeploymentController extends AbstractBehavior<DeploymentController.Message> {

  public sealed interface Message {}

  private record Changed(ObjectChanged change) implements Message {}

  private record RsEvent(WatchEvent event) implements Message {}

  private record WatchEnded() implements Message {}

  private record Reconcile() implements Message {}

  private record Ready() implements Message {}

  private record WriteDone(String replicaSet, boolean ok, String error) implements Message {}

  /** A fresh read of the Deployment, taken before adopting orphans (Kubernetes' RecheckDeletionTimestamp). */
  private record AdoptChecked(ObjectCommand.Reply fresh) implements Message {}

  public static Behavior<ObjectChanged> create(ControllerContext ctx) {
    return Behaviors.transformMessages(ObjectChanged.class,
        Behaviors.<Message>setup(context -> new DeploymentController(context, ctx)),
        pf -> pf.match(ObjectChanged.class, Changed::new));
  }

  private final ControllerContext ctx;
  private ObjectNode deployment;
  private final ReadyGate<Message> gate;
  private final SelectorWatch<Message> watch;
  private final Map<String, ObjectNode> replicaSets = new HashMap<>();
  /** ReplicaSet name -> the spec.replicas we wrote (or -1: created), until the watch shows it. */
  private final Map<String, Integer> expected = new HashMap<>();
  private Instant expectationsSince = Instant.EPOCH;
  private boolean reconcileScheduled;
  private boolean adoptionCheckInFlight;
  private final WrittenStatus written = new WrittenStatus();

  private DeploymentController(ActorContext<Message> context, ControllerContext ctx) {
    super(context);
    this.ctx = ctx;
    this.watch = new SelectorWatch<>(ctx, Kind.REPLICA_SET, context.getSelf(), RsEvent::new, new WatchEnded());
    this.gate = new ReadyGate<>(context, ctx, new Ready());
    gate.request(Duration.ZERO);
  }

  @Override
  public Receive<Message> createReceive() {
    return newReceiveBuilder()
        .onMessage(Changed.class, m -> {
          deployment = m.change().object();
          if (deployment == null) {
            watch.stop();
            replicaSets.clear();
            return this;
          }
          subscribe();
          return schedule();
        })
        .onMessage(Ready.class, m -> {
          gate.open();
          subscribe();
          return schedule();
        })
        .onMessage(RsEvent.class, this::onRsEvent)
        .onMessage(WatchEnded.class, m -> {
          watch.ended();
          subscribe();
          return this;
        })
        .onMessage(Reconcile.class, m -> {
          reconcileScheduled = false;
          reconcile();
          return this;
        })
        .onMessage(AdoptChecked.class, this::onAdoptChecked)
        .onMessage(WriteDone.class, m -> {
          if (!m.ok()) {
            expected.remove(m.replicaSet());
            getContext().getLog().info("{}: write for {} failed: {}", key(), m.replicaSet(), m.error());
          }
          return schedule();
        })
        .build();
  }

  private void subscribe() {
    if (gate.isOpen() && deployment != null) {
      watch.follow(deployment).ifPresent(current -> {
        replicaSets.clear();
        current.forEach(this::seen);
      });
    }
  }

  private Behavior<Message> onRsEvent(RsEvent message) {
    WatchEvent e = message.event();
    String name = e.key().name();
    if (e.type() == WatchEvent.Type.DELETED) {
      replicaSets.remove(name);
      expected.remove(name);
    } else {
      seen(e.object());
    }
    return schedule();
  }

  private void seen(ObjectNode replicaSet) {
    String name = Meta.name(replicaSet);
    replicaSets.put(name, replicaSet);
    Integer want = expected.get(name);
    if (want != null && (want < 0 || replicaSet.path("spec").path("replicas").asInt() == want)) {
      expected.remove(name);
    }
  }

  private Behavior<Message> schedule() {
    if (!reconcileScheduled && gate.isOpen() && deployment != null) {
      reconcileScheduled = true;
      getContext().getSelf().tell(new Reconcile());
    }
    return this;
  }

  private boolean expectationsSatisfied() {
    if (expected.isEmpty()) {
      return true;
    }
    if (Instant.now(ctx.clock()).isAfter(expectationsSince.plusSeconds(30))) {
      getContext().getLog().warn("{}: expectations timed out: {}", key(), expected);
      expected.clear();
      return true;
    }
    return false;
  }

  private void reconcile() {
    if (deployment == null || !watch.active() || Owners.isTerminating(deployment)) {
      return;
    }
    Instant now = Instant.now(ctx.clock());
    List<ObjectNode> owned = new ArrayList<>();
    boolean orphans = false;
    for (ObjectNode rs : replicaSets.values()) {
      if (Owners.isControlledBy(rs, deployment)) {
        owned.add(rs);
      } else if (Owners.controllerUid(rs).isEmpty() && !Owners.isTerminating(rs)) {
        orphans = true;
      }
    }
    if (orphans) {
      // our view of the Deployment may be older than the cache's view of the ReplicaSets
      // (the garbage collector orphaning them for a deletion we have not seen yet): read it
      // fresh before adopting, and do nothing else until then
      if (!adoptionCheckInFlight) {
        adoptionCheckInFlight = true;
        getContext().pipeToSelf(ctx.store().get(key()), (reply, error) -> new AdoptChecked(reply));
      }
      return;
    }
    Integer collisionCount = deployment.path("status").hasNonNull("collisionCount")
        ? deployment.path("status").get("collisionCount").asInt() : null;
    String hash = PodTemplateHash.compute(deployment.path("spec").path("template"), collisionCount);
    ObjectNode newRsObject = null;
    List<RsState> old = new ArrayList<>();
    for (ObjectNode rs : owned) {
      String rsHash = rs.path("metadata").path("labels").path(PodTemplateHash.LABEL).asText("");
      if (rsHash.equals(hash) && !Owners.isTerminating(rs)) {
        newRsObject = rs;
      } else if (!Owners.isTerminating(rs)) {
        old.add(RsState.of(rs));
      }
    }
    if (newRsObject == null) {
      // Kubernetes' EqualIgnoreHash: a rollback brings back a template an old ReplicaSet has
      JsonNode wanted = comparable(deployment.path("spec").path("template"));
      for (ObjectNode rs : owned) {
        if (!Owners.isTerminating(rs) && comparable(rs.path("spec").path("template")).equals(wanted)) {
          newRsObject = rs;
          String name = Meta.name(rs);
          old.removeIf(o -> o.name().equals(name));
          break;
        }
      }
    }
    RsState newRs = newRsObject == null ? null : RsState.of(newRsObject);
    DeploymentStatus.Status current = DeploymentStatus.Status.of(deployment);
    if (!expectationsSatisfied()) {
      return;
    }
    int replicas = RollingUpdate.replicas(deployment);
    boolean paused = deployment.path("spec").path("paused").asBoolean(false);
    long nextRevision = Revisions.nextRevision(old);

    if (!paused) {
      if (newRs == null) {
        int initial;
        if (RollingUpdate.isRollingUpdate(deployment)) {
          initial = RollingUpdate.initialNewReplicas(replicas, RollingUpdate.of(deployment).maxSurge(), old);
        } else {
          Recreate.Step step = Recreate.step(replicas, null, old, false);
          if (!step.createNewReplicaSet()) {
            apply(step.scales());
            writeStatus(DeploymentStatus.sync(deployment, current, null, old, now), now, newRs, old);
            return;
          }
          initial = step.newReplicaSetReplicas();
        }
        createReplicaSet(hash, initial, nextRevision);
        writeStatus(DeploymentStatus.newReplicaSetCreated(deployment, current,
            Meta.name(deployment) + "-" + hash, now), now, null, old);
        return;
      }
      if (Revisions.needsRevisionUpdate(newRs, nextRevision)) {
        annotateRevision(newRsObject, nextRevision);
      }
      List<Scale> scales = RollingUpdate.isRollingUpdate(deployment)
          ? RollingUpdate.step(replicas, RollingUpdate.of(deployment), newRs, old)
          : Recreate.step(replicas, newRs, old, old.stream().anyMatch(rs -> rs.statusReplicas() > 0)).scales();
      apply(scales);
      if (scales.isEmpty()) {
        for (String name : Revisions.toCleanUp(old, Revisions.historyLimit(deployment))) {
          ObjectNode rs = replicaSets.get(name);
          if (rs != null) {
            expected.put(name, -1);
            expectationsSince = now;
            getContext().pipeToSelf(ctx.store().delete(ObjectKey.of(Kind.REPLICA_SET, Meta.namespace(rs), name),
                Meta.uid(rs), 0, null, null), (r, err) -> new WriteDone(name, err == null && r instanceof ObjectCommand.Done,
                String.valueOf(err != null ? err : r)));
          }
        }
      }
    }
    DeploymentStatus.Status next = paused
        ? DeploymentStatus.pausedConditions(deployment, DeploymentStatus.calculate(deployment, current, newRs, old, now), now)
        : DeploymentStatus.sync(deployment, DeploymentStatus.foundNewReplicaSet(deployment, current,
            newRs.name(), now), newRs, old, now);
    writeStatus(next, now, newRs, old);
    if (newRs != null) {
      syncRevisionAnnotation(newRs.revision());
    }
  }

  private Behavior<Message> onAdoptChecked(AdoptChecked checked) {
    adoptionCheckInFlight = false;
    if (deployment != null && checked.fresh() instanceof ObjectCommand.Done done
        && Meta.uid(done.object()).equals(Meta.uid(deployment)) && !Owners.isTerminating(done.object())) {
      for (ObjectNode rs : replicaSets.values()) {
        if (Owners.controllerUid(rs).isEmpty() && !Owners.isTerminating(rs)) {
          adopt(rs);
        }
      }
      return schedule();
    }
    return this;
  }

  private void apply(List<Scale> scales) {
    for (Scale scale : scales) {
      ObjectNode rs = replicaSets.get(scale.replicaSet());
      if (rs == null) {
        continue;
      }
      expected.put(scale.replicaSet(), scale.to());
      expectationsSince = Instant.now(ctx.clock());
      ObjectNode owner = deployment;
      getContext().pipeToSelf(
          ctx.store().scale(ObjectKey.of(Kind.REPLICA_SET, Meta.namespace(rs), scale.replicaSet()), scale.to(), 0),
          (reply, error) -> {
            boolean ok = error == null && reply instanceof ObjectCommand.Done;
            if (ok) {
              ctx.events().record(owner, "Normal", "ScalingReplicaSet", scale.eventMessage());
            }
            return new WriteDone(scale.replicaSet(), ok, String.valueOf(error != null ? error : reply));
          });
    }
  }

  private void createReplicaSet(String hash, int replicas, long revision) {
    String name = Meta.name(deployment) + "-" + hash;
    JsonNode template = deployment.path("spec").path("template");
    ObjectNode rs = Json.object();
    rs.put("apiVersion", "apps/v1");
    rs.put("kind", "ReplicaSet");
    ObjectNode meta = rs.putObject("metadata");
    meta.put("name", name);
    meta.put("namespace", Meta.namespace(deployment));
    ObjectNode labels = template.path("metadata").path("labels").isObject()
        ? ((ObjectNode) template.path("metadata").path("labels")).deepCopy() : Json.object();
    labels.put(PodTemplateHash.LABEL, hash);
    meta.set("labels", labels.deepCopy());
    ObjectNode annotations = meta.putObject("annotations");
    annotations.put(Revisions.ANNOTATION, Long.toString(revision));
    annotations.put("deployment.kubernetes.io/desired-replicas", Integer.toString(RollingUpdate.replicas(deployment)));
    Owners.setController(meta, deployment);
    ObjectNode spec = rs.putObject("spec");
    spec.put("replicas", replicas);
    spec.put("minReadySeconds", deployment.path("spec").path("minReadySeconds").asInt(0));
    ObjectNode selector = ((ObjectNode) deployment.path("spec").path("selector")).deepCopy();
    ObjectNode matchLabels = selector.has("matchLabels") ? (ObjectNode) selector.get("matchLabels") : selector.putObject("matchLabels");
    matchLabels.put(PodTemplateHash.LABEL, hash);
    spec.set("selector", selector);
    ObjectNode podTemplate = ((ObjectNode) template).deepCopy();
    ((ObjectNode) podTemplate.path("metadata")).set("labels", labels);
    spec.set("template", podTemplate);
    expected.put(name, -1);
    expectationsSince = Instant.now(ctx.clock());
    ObjectNode owner = deployment;
    getContext().pipeToSelf(ctx.store().create(rs), (reply, error) -> {
      boolean ok = error == null && reply instanceof ObjectCommand.Done;
      if (ok) {
        ctx.events().record(owner, "Normal", "ScalingReplicaSet",
            "Scaled up replica set " + name + " from 0 to " + replicas);
      }
      return new WriteDone(name, ok, String.valueOf(error != null ? error : reply));
    });
  }

  private void annotateRevision(ObjectNode rs, long revision) {
    ObjectNode patch = Json.object();
    patch.putObject("metadata").putObject("annotations").put(Revisions.ANNOTATION, Long.toString(revision));
    ctx.store().patch(ObjectKey.of(Kind.REPLICA_SET, Meta.namespace(rs), Meta.name(rs)), PatchType.MERGE, patch, Part.MAIN);
  }

  private void syncRevisionAnnotation(long revision) {
    String current = deployment.path("metadata").path("annotations").path(Revisions.ANNOTATION).asText("");
    if (revision > 0 && !current.equals(Long.toString(revision))) {
      ObjectNode patch = Json.object();
      patch.putObject("metadata").putObject("annotations").put(Revisions.ANNOTATION, Long.toString(revision));
      ctx.store().patch(key(), PatchType.MERGE, patch, Part.MAIN);
    }
  }

  private void adopt(ObjectNode rs) {
    ObjectNode patch = Json.object();
    ObjectNode meta = patch.putObject("metadata");
    meta.put("resourceVersion", Meta.resourceVersion(rs));
    meta.putArray("ownerReferences").add(Owners.controllerRef(deployment));
    ctx.store().patch(ObjectKey.of(Kind.REPLICA_SET, Meta.namespace(rs), Meta.name(rs)), PatchType.MERGE, patch, Part.MAIN);
  }

  private void writeStatus(DeploymentStatus.Status status, Instant now, RsState newRs, List<RsState> old) {
    ObjectNode json = status.toJson();
    Optional<Duration> recheck = DeploymentStatus.recheckAfter(deployment, status, now);
    recheck.ifPresent(d -> getContext().scheduleOnce(d.plusMillis(100), getContext().getSelf(), new Reconcile()));
    if (json.equals(deployment.path("status")) || written.isWritten(deployment, json)) {
      return;
    }
    written.wrote(deployment, json);
    ObjectNode updated = deployment.deepCopy();
    Meta.metadata(updated).remove("resourceVersion");
    updated.set("status", json);
    ctx.store().replace(key(), updated, Part.STATUS);
  }

  /** A pod template without the hash label and the null timestamps clients add. */
  private static JsonNode comparable(JsonNode template) {
    if (!template.isObject()) {
      return template;
    }
    ObjectNode copy = ((ObjectNode) template).deepCopy();
    JsonNode meta = copy.path("metadata");
    if (meta instanceof ObjectNode m) {
      if (m.path("labels") instanceof ObjectNode labels) {
        labels.remove(PodTemplateHash.LABEL);
      }
      if (m.path("creationTimestamp").isNull()) {
        m.remove("creationTimestamp");
      }
    }
    return copy;
  }

  private ObjectKey key() {
    return ObjectKey.of(Kind.DEPLOYMENT, Meta.namespace(deployment), Meta.name(deployment));
  }
}
