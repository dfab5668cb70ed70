package io.steuermann.engine.objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.apply.Conflict;
import io.steuermann.engine.apply.FieldManager;
import io.steuermann.engine.apply.Ownership;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand.AllocationsPrepared;
import io.steuermann.engine.objects.ObjectCommand.Apply;
import io.steuermann.engine.objects.ObjectCommand.Bind;
import io.steuermann.engine.objects.ObjectCommand.Create;
import io.steuermann.engine.objects.ObjectCommand.Delete;
import io.steuermann.engine.objects.ObjectCommand.Done;
import io.steuermann.engine.objects.ObjectCommand.DryRun;
import io.steuermann.engine.objects.ObjectCommand.Get;
import io.steuermann.engine.objects.ObjectCommand.Part;
import io.steuermann.engine.objects.ObjectCommand.Patch;
import io.steuermann.engine.objects.ObjectCommand.Refused;
import io.steuermann.engine.objects.ObjectCommand.Replace;
import io.steuermann.engine.objects.ObjectCommand.Reply;
import io.steuermann.engine.objects.ObjectCommand.Scale;
import io.steuermann.engine.objects.ObjectCommand.VersionLearned;
import io.steuermann.engine.objects.ObjectCommand.VersionLookupFailed;
import io.steuermann.engine.patch.JsonMergePatch;
import io.steuermann.engine.patch.JsonPatch;
import io.steuermann.engine.patch.PatchException;
import io.steuermann.engine.patch.StrategicMergePatch;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One stored object of any kind: a cluster-sharded, event-sourced actor. It validates each
 * command against the current object, records accepted changes as events carrying the whole
 * object, and answers with the object and its resourceVersion.
 *
 * <p>The resourceVersion is the journal's global ordering of the object's latest event, so
 * it is one commit-ordered number across all objects, the same number the change feed and
 * the watch cache use. The entity cannot know it before the write; after each write (and
 * after recovery) it learns it from {@link EntityServices#versions()} (the journal hands it over;
 * a query only when it has not) and stashes every other command meanwhile, so conflict checks
 * always compare against the true current version.
 */
public final class ObjectEntity
    extends EventSourcedBehaviorWithEnforcedReplies<ObjectCommand, ObjectEvent, ObjectState> {

  /** The sharding type key of a kind's entities; the type name is the kind name. */
  public static EntityTypeKey<ObjectCommand> typeKey(Kind kind) {
    return EntityTypeKey.create(ObjectCommand.class, kind.kindName());
  }

  /**
   * Registers one entity type per kind with cluster sharding. Entities of kinds whose objects
   * have a controller are never passivated, so their controllers keep working; after a
   * restart or a rebalance the {@code ControllerWaker} starts them again.
   */
  public static void init(ActorSystem<?> system, EntityServices services) {
    ClusterSharding sharding = ClusterSharding.get(system);
    for (Kind kind : Kind.values()) {
      Entity<ObjectCommand, ShardingEnvelope<ObjectCommand>> entity = Entity.of(typeKey(kind),
          ctx -> create(ObjectKey.fromEntityId(kind, ctx.getEntityId()), services));
      if (hasController(kind)) {
        entity = entity.withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy());
      }
      // only control members host entities; the others get a proxy that routes to them
      entity = entity.withRole(io.steuermann.engine.cluster.ClusterRoles.CONTROL);
      sharding.init(entity);
    }
  }

  /** The kinds whose objects act: their entities stay alive. */
  public static boolean hasController(Kind kind) {
    return kind == Kind.REPLICA_SET || kind == Kind.REPLICATION_CONTROLLER || kind == Kind.DEPLOYMENT
        || kind == Kind.DAEMON_SET || kind == Kind.STATEFUL_SET || kind == Kind.JOB
        || kind == Kind.CRON_JOB || kind == Kind.RESOURCE_QUOTA || kind == Kind.POD_DISRUPTION_BUDGET
        || kind == Kind.HORIZONTAL_POD_AUTOSCALER;
  }

  public static Behavior<ObjectCommand> create(ObjectKey key, EntityServices services) {
    return Behaviors.setup(ctx -> new ObjectEntity(key, services, ctx));
  }

  /** A write whose resourceVersion is being looked up; its reply waits for it. */
  private record Pending(long sequenceNr, ActorRef<Reply> replyTo, ObjectNode object, boolean created) {}

  /** A write waiting for its {@link Allocations} to be prepared; its reply waits for them. */
  private record Preparing(long token, ActorRef<Reply> replyTo, boolean created, boolean dryRun) {}

  private final ObjectKey key;
  private final EntityServices services;
  private final ActorContext<ObjectCommand> ctx;
  // Not state: a cache of the journal's ordering of the last event, relearned on recovery.
  private long resourceVersion;
  private Pending pending;
  private Preparing preparing;
  private long preparations;
  private final ActorRef<ObjectControllers.ObjectChanged> controller;
  // the object existed before this incarnation: another one, elsewhere, may have acted for it
  private boolean recovered;
  // set only while a DryRun's command is handled (and carried in Preparing past it): the one
  // switch between journaling a write and answering what it would have been
  private boolean dryRun;
  // the uid of the object last deleted here, folded from the events (so relearned on recovery):
  // a create of that uid sent again after the deletion must not bring the object back
  private String deletedUid;

  private ObjectEntity(ObjectKey key, EntityServices services, ActorContext<ObjectCommand> ctx) {
    super(PersistenceId.ofUniqueId(key.persistenceId()));
    this.key = key;
    this.services = services;
    this.ctx = ctx;
    this.controller = services.controllers().controllerFor(key)
        .map(behavior -> ctx.spawn(behavior, "controller"))
        .orElse(null);
  }

  @Override
  public ObjectState emptyState() {
    return ObjectState.ABSENT;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }

  @Override
  public SignalHandler<ObjectState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          if (state.exists()) {
            recovered = true;
            learnVersion(new Pending(lastSequenceNumber(ctx), null, state.object(), false));
          }
        })
        // the entity stops without answering: tell the store's health, so the API answers
        // this write and the next ones at once instead of after the ask timeout
        .onSignal(org.apache.pekko.persistence.typed.RecoveryFailed.class, (state, failed) ->
            io.steuermann.persistence.journal.StoreHealth.get(ctx.getSystem()).failed(failed.getFailure()))
        .build();
  }

  @Override
  public EventHandler<ObjectState, ObjectEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent((state, event) -> {
      if (event instanceof ObjectEvent.Deleted deleted) {
        deletedUid = Meta.uid(deleted.object());
      }
      return state.apply(event);
    });
  }

  @Override
  public CommandHandlerWithReply<ObjectCommand, ObjectEvent, ObjectState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(VersionLearned.class, this::onVersionLearned)
        .onCommand(VersionLookupFailed.class, this::onVersionLookupFailed)
        .onCommand(AllocationsPrepared.class, this::onAllocationsPrepared)
        .onAnyCommand(this::onUserCommand);
  }

  private ReplyEffect<ObjectEvent, ObjectState> onUserCommand(ObjectState state, ObjectCommand command) {
    if (pending != null || preparing != null) {
      return Effect().stash();
    }
    if (!services.inMajority().getAsBoolean()) {
      // cut off from the majority (partitioned, or just resumed from a freeze): the majority may
      // already have downed this member and moved this entity; neither write nor serve stale state
      return refuse(replyTo(command), ApiStatus.unavailable(
          "this cluster member is cut off from the majority of the control members; try another member"));
    }
    if (command instanceof DryRun dry) {
      dryRun = true;
      try {
        return onUserCommand(state, dry.write());
      } finally {
        dryRun = false;
      }
    } else if (command instanceof Get get) {
      return state.exists()
          ? Effect().reply(get.replyTo(), new Done(current(state), false))
          : refuse(get.replyTo(), ApiStatus.notFound(key.kind(), key.name()));
    } else if (command instanceof Create create) {
      return onCreate(state, create, Ownership.update(create.manager(), ""));
    } else if (command instanceof Replace replace) {
      return onReplace(state, replace.object(), replace.part(),
          Ownership.update(replace.manager(), subresource(replace.part())), replace.replyTo());
    } else if (command instanceof Patch patch) {
      return onPatch(state, patch);
    } else if (command instanceof Apply apply) {
      return onApply(state, apply);
    } else if (command instanceof Scale scale) {
      return onScale(state, scale);
    } else if (command instanceof Delete delete) {
      return onDelete(state, delete);
    } else if (command instanceof Bind bind) {
      return onBind(state, bind);
    }
    throw new IllegalStateException("unhandled command " + command.getClass());
  }

  private static ActorRef<Reply> replyTo(ObjectCommand command) {
    if (command instanceof DryRun c) {
      return replyTo(c.write());
    } else if (command instanceof Get c) {
      return c.replyTo();
    } else if (command instanceof Create c) {
      return c.replyTo();
    } else if (command instanceof Replace c) {
      return c.replyTo();
    } else if (command instanceof Patch c) {
      return c.replyTo();
    } else if (command instanceof Apply c) {
      return c.replyTo();
    } else if (command instanceof Scale c) {
      return c.replyTo();
    } else if (command instanceof Delete c) {
      return c.replyTo();
    } else if (command instanceof Bind c) {
      return c.replyTo();
    }
    throw new IllegalStateException("unhandled command " + command.getClass());
  }

  private ReplyEffect<ObjectEvent, ObjectState> onCreate(ObjectState state, Create create, Ownership ownership) {
    if (state.exists() && create.uid() != null && create.uid().equals(Meta.uid(state.object()))) {
      // this very create sent again (its first answer was lost, or is still on its way): it
      // happened, so it is answered as it was, before the deadline check (it did land in time)
      return Effect().reply(create.replyTo(), new Done(current(state), true));
    }
    if (!state.exists() && create.uid() != null && create.uid().equals(deletedUid)) {
      return refuse(create.replyTo(), ApiStatus.conflict(key.kind(), key.name(),
          "the object this create made (uid " + create.uid() + ") has been deleted since"));
    }
    if (create.notAfterMillis() > 0 && services.clock().millis() > create.notAfterMillis()) {
      return refuse(create.replyTo(), ApiStatus.timeout("the create of " + key.kind().kindName() + " "
          + key.name() + " arrived after its deadline"));
    }
    if (state.exists()) {
      return refuse(create.replyTo(), ApiStatus.alreadyExists(key.kind(), key.name()));
    }
    ObjectNode object = create.object().deepCopy();
    ApiStatus wrongName = checkIdentity(object);
    if (wrongName != null) {
      return refuse(create.replyTo(), wrongName);
    }
    normalizeKind(object);
    ObjectNode meta = Meta.metadata(object);
    meta.remove(List.of("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds",
        "selfLink", "managedFields"));
    meta.put("uid", create.uid() != null ? create.uid() : UUID.randomUUID().toString());
    meta.put("creationTimestamp", now());
    if (tracksGeneration()) {
      meta.put("generation", 1);
    }
    if (key.kind() == Kind.DAEMON_SET) {
      DaemonSetTemplateGeneration.onCreate(meta);
    }
    if (key.kind() != Kind.NODE && key.kind().hasStatus()) {
      // as in Kubernetes, a client cannot create an object with a status of its choosing
      object.remove("status");
    }
    Defaults.apply(key.kind(), object);
    FieldManager.record(ownership, null, object, key.kind().apiVersion(), nowInstant());
    List<ApiStatus.Cause> causes = ObjectValidator.validate(key.kind(), object);
    if (!causes.isEmpty()) {
      return refuse(create.replyTo(), ApiStatus.invalid(key.kind(), key.name(), causes));
    }
    return writeAllocated(state, object, create.replyTo(), true);
  }

  private ReplyEffect<ObjectEvent, ObjectState> onReplace(
      ObjectState state, ObjectNode incoming, Part part, Ownership ownership, ActorRef<Reply> replyTo) {
    if (!state.exists()) {
      return refuse(replyTo, ApiStatus.notFound(key.kind(), key.name()));
    }
    ApiStatus wrongName = checkIdentity(incoming.deepCopy());
    if (wrongName != null) {
      return refuse(replyTo, wrongName);
    }
    ApiStatus precondition = checkPreconditions(incoming);
    if (precondition != null) {
      return refuse(replyTo, precondition);
    }
    ObjectNode updated = merge(state.object(), incoming, part);
    FieldManager.record(ownership, state.object(), updated, key.kind().apiVersion(), nowInstant());
    List<ApiStatus.Cause> causes = ObjectValidator.validateUpdate(key.kind(), state.object(), updated);
    if (!causes.isEmpty()) {
      return refuse(replyTo, ApiStatus.invalid(key.kind(), key.name(), causes));
    }
    if (updated.equals(state.object())) {
      // a write that changes nothing keeps the resourceVersion, as in Kubernetes
      return Effect().reply(replyTo, new Done(current(state), false));
    }
    if (isDeletionComplete(updated)) {
      // the last finalizer of an object marked for deletion is gone: now it goes
      return write(state, new ObjectEvent.Deleted(updated), replyTo, false);
    }
    return writeAllocated(state, updated, replyTo, false);
  }

  /**
   * Writes a created or updated object, first claiming the unique values it needs (a
   * Service's clusterIP and nodePorts) when its kind has any. Other commands wait meanwhile.
   */
  private ReplyEffect<ObjectEvent, ObjectState> writeAllocated(
      ObjectState state, ObjectNode object, ActorRef<Reply> replyTo, boolean created) {
    if (!services.allocations().applies(key)) {
      return write(state, created ? new ObjectEvent.Created(object) : new ObjectEvent.Updated(object), replyTo, created);
    }
    long token = ++preparations;
    preparing = new Preparing(token, replyTo, created, dryRun);
    CompletionStage<Allocations.Prepared> allocated = dryRun
        ? services.allocations().preview(key, state.object(), object)
        : services.allocations().prepare(key, state.object(), object);
    ctx.pipeToSelf(allocated,
        (prepared, error) -> error == null
            ? new AllocationsPrepared(token, prepared.object(), prepared.refusal())
            : new AllocationsPrepared(token, null, ApiStatus.internal("allocation failed: " + error)));
    return Effect().none().thenNoReply();
  }

  private ReplyEffect<ObjectEvent, ObjectState> onAllocationsPrepared(ObjectState state, AllocationsPrepared prepared) {
    if (preparing == null || preparing.token() != prepared.token()) {
      return Effect().none().thenNoReply();
    }
    Preparing write = preparing;
    preparing = null;
    if (prepared.refusal() != null) {
      return Effect().reply(write.replyTo(), new Refused(prepared.refusal())).thenUnstashAll();
    }
    ObjectEvent event = write.created()
        ? new ObjectEvent.Created(prepared.object()) : new ObjectEvent.Updated(prepared.object());
    if (write.dryRun()) {
      return Effect().reply(write.replyTo(), wouldBe(event, write.created())).thenUnstashAll();
    }
    return write(state, event, write.replyTo(), write.created());
  }

  private ReplyEffect<ObjectEvent, ObjectState> onPatch(ObjectState state, Patch patch) {
    if (!state.exists()) {
      return refuse(patch.replyTo(), ApiStatus.notFound(key.kind(), key.name()));
    }
    JsonNode patched;
    try {
      ObjectNode base = current(state);
      patched = switch (patch.type()) {
        case MERGE -> JsonMergePatch.apply(base, patch.patch());
        case JSON -> JsonPatch.apply(base, patch.patch());
        case STRATEGIC -> StrategicMergePatch.apply(base, patch.patch());
      };
    } catch (PatchException e) {
      return refuse(patch.replyTo(), new ApiStatus(422, "Invalid",
          "the server rejected our request due to an error in our request: " + e.getMessage(), null));
    }
    if (!(patched instanceof ObjectNode object)) {
      return refuse(patch.replyTo(), new ApiStatus(422, "Invalid",
          "the patch must leave an object, not " + patched.getNodeType(), null));
    }
    ApiStatus wrongName = checkIdentity(object);
    if (wrongName != null) {
      return refuse(patch.replyTo(), wrongName);
    }
    return onReplace(state, object, patch.part(),
        Ownership.update(patch.manager(), subresource(patch.part())), patch.replyTo());
  }

  private ReplyEffect<ObjectEvent, ObjectState> onApply(ObjectState state, Apply apply) {
    if (!state.exists() && apply.part() == Part.STATUS) {
      return refuse(apply.replyTo(), ApiStatus.notFound(key.kind(), key.name()));
    }
    ObjectNode config = apply.config().deepCopy();
    ApiStatus wrongName = checkIdentity(config);
    if (wrongName != null) {
      return refuse(apply.replyTo(), wrongName);
    }
    FieldManager.Applied applied = FieldManager.apply(state.exists() ? state.object() : null, config,
        apply.manager(), subresource(apply.part()), apply.force(), key.kind().apiVersion(), nowInstant());
    if (!applied.conflicts().isEmpty()) {
      return refuse(apply.replyTo(), Conflict.status(applied.conflicts()));
    }
    Ownership ownership = new Ownership.Applied(applied.object().path("metadata").path("managedFields"));
    if (!state.exists()) {
      return onCreate(state, new Create(applied.object(), apply.replyTo()), ownership);
    }
    return onReplace(state, applied.object(), apply.part(), ownership, apply.replyTo());
  }

  private static String subresource(Part part) {
    return part == Part.STATUS ? "status" : "";
  }

  private ReplyEffect<ObjectEvent, ObjectState> onScale(ObjectState state, Scale scale) {
    if (!state.exists() || !key.kind().hasScale()) {
      return refuse(scale.replyTo(), ApiStatus.notFound(key.kind(), key.name()));
    }
    if (scale.replicas() < 0) {
      return refuse(scale.replyTo(), ApiStatus.invalid(key.kind(), key.name(), List.of(
          new ApiStatus.Cause("FieldValueInvalid",
              "Invalid value: " + scale.replicas() + ": must be greater than or equal to 0",
              "spec.replicas"))));
    }
    if (scale.resourceVersion() != 0 && scale.resourceVersion() != resourceVersion) {
      return refuse(scale.replyTo(), ApiStatus.staleResourceVersion(key.kind(), key.name()));
    }
    ObjectNode updated = state.object().deepCopy();
    Defaults.obj(updated, "spec").put("replicas", scale.replicas());
    return onReplace(state, updated, Part.MAIN, Ownership.update(scale.manager(), "scale"), scale.replyTo());
  }

  private ReplyEffect<ObjectEvent, ObjectState> onDelete(ObjectState state, Delete delete) {
    if (!state.exists()) {
      return refuse(delete.replyTo(), ApiStatus.notFound(key.kind(), key.name()));
    }
    if (key.kind() == Kind.NAMESPACE && List.of("default", "kube-system", "kube-public").contains(key.name())) {
      return refuse(delete.replyTo(), ApiStatus.forbidden(
          "namespaces \"" + key.name() + "\" is forbidden: this namespace may not be deleted"));
    }
    String uid = Meta.uid(state.object());
    if (!delete.uidPrecondition().isEmpty() && !delete.uidPrecondition().equals(uid)) {
      return refuse(delete.replyTo(), ApiStatus.conflict(key.kind(), key.name(),
          "Precondition failed: UID in precondition: " + delete.uidPrecondition()
              + ", UID in object meta: " + uid));
    }
    if (delete.resourceVersionPrecondition() != 0 && delete.resourceVersionPrecondition() != resourceVersion) {
      return refuse(delete.replyTo(), ApiStatus.conflict(key.kind(), key.name(),
          "Precondition failed: ResourceVersion in precondition: " + delete.resourceVersionPrecondition()
              + ", ResourceVersion in object meta: " + resourceVersion));
    }
    ObjectNode current = state.object();
    ObjectNode marked = current.deepCopy();
    ObjectNode meta = Meta.metadata(marked);
    String policy = delete.propagationPolicy() == null ? "" : delete.propagationPolicy();
    switch (policy) {
      case "", "Background" -> { }
      case "Foreground" -> addFinalizer(meta, Finalizers.FOREGROUND);
      case "Orphan" -> addFinalizer(meta, Finalizers.ORPHAN);
      default -> {
        return refuse(delete.replyTo(), ApiStatus.badRequest(
            "propagationPolicy: Unsupported value: \"" + policy + "\": supported values: "
                + "\"Background\", \"Foreground\", \"Orphan\""));
      }
    }
    long grace = gracePeriod(current, delete.gracePeriodSeconds());
    if (grace < 0) {
      return refuse(delete.replyTo(), ApiStatus.badRequest("gracePeriodSeconds must not be negative"));
    }
    // a namespace is also held by its spec.finalizers ("kubernetes"): it is Terminating until
    // the garbage collector has emptied it and removed that finalizer
    boolean hasFinalizers = meta.path("finalizers").size() > 0 || namespaceFinalizers(marked);
    if (key.kind() == Kind.NAMESPACE && hasFinalizers) {
      Defaults.obj(marked, "status").put("phase", "Terminating");
    }
    if (!hasFinalizers && grace == 0) {
      return write(state, new ObjectEvent.Deleted(current), delete.replyTo(), false);
    }
    // marked for deletion: a node stops the pod's containers, or controllers remove finalizers
    Instant deadline = Instant.now(services.clock()).plusSeconds(grace).truncatedTo(ChronoUnit.SECONDS);
    JsonNode existing = meta.get("deletionTimestamp");
    long existingGrace = meta.path("deletionGracePeriodSeconds").asLong(Long.MAX_VALUE);
    if (existing == null || grace < existingGrace) {
      meta.put("deletionTimestamp", existing == null || grace < existingGrace ? deadline.toString() : existing.asText());
      meta.put("deletionGracePeriodSeconds", grace);
    }
    if (marked.equals(current)) {
      return Effect().reply(delete.replyTo(), new Done(current(state), false));
    }
    return write(state, new ObjectEvent.Updated(marked), delete.replyTo(), false);
  }

  /**
   * The grace period of a deletion: only pods on a node get one (their containers must be
   * stopped); everything else goes at once unless finalizers hold it.
   */
  private long gracePeriod(ObjectNode current, Long requested) {
    if (key.kind() != Kind.POD || current.path("spec").path("nodeName").asText("").isEmpty()) {
      return 0;
    }
    if (requested != null) {
      return requested;
    }
    return current.path("spec").path("terminationGracePeriodSeconds").asLong(30);
  }

  private static void addFinalizer(ObjectNode meta, String finalizer) {
    JsonNode finalizers = meta.get("finalizers");
    com.fasterxml.jackson.databind.node.ArrayNode list = finalizers instanceof com.fasterxml.jackson.databind.node.ArrayNode a
        ? a : meta.putArray("finalizers");
    for (JsonNode f : list) {
      if (f.asText().equals(finalizer)) {
        return;
      }
    }
    list.add(finalizer);
  }

  private ReplyEffect<ObjectEvent, ObjectState> onBind(ObjectState state, Bind bind) {
    if (!state.exists() || key.kind() != Kind.POD) {
      return refuse(bind.replyTo(), ApiStatus.notFound(key.kind(), key.name()));
    }
    ObjectNode current = state.object();
    String bound = current.path("spec").path("nodeName").asText("");
    if (!bound.isEmpty()) {
      return refuse(bind.replyTo(), ApiStatus.conflict(key.kind(), key.name(),
          "pod " + key.name() + " is already assigned to node \"" + bound + "\""));
    }
    if (current.path("metadata").has("deletionTimestamp")) {
      return refuse(bind.replyTo(), ApiStatus.conflict(key.kind(), key.name(), "pod is being deleted"));
    }
    if (bind.nodeName() == null || bind.nodeName().isEmpty()) {
      return refuse(bind.replyTo(), ApiStatus.invalid(key.kind(), key.name(), List.of(
          new ApiStatus.Cause("FieldValueRequired", "Required value", "target.name"))));
    }
    ObjectNode updated = current.deepCopy();
    Defaults.obj(updated, "spec").put("nodeName", bind.nodeName());
    PodConditions.set(Defaults.obj(updated, "status"), "PodScheduled", "True", null, null, now());
    return write(state, new ObjectEvent.Updated(updated), bind.replyTo(), false);
  }

  private ReplyEffect<ObjectEvent, ObjectState> write(
      ObjectState before, ObjectEvent event, ActorRef<Reply> replyTo, boolean created) {
    if (dryRun) {
      return Effect().reply(replyTo, wouldBe(event, created));
    }
    ObjectNode previous = before.object();
    long started = System.nanoTime();
    return Effect().persist(event)
        .thenRun(newState -> {
          services.meters().journalWrite(key.kind(), System.nanoTime() - started);
          services.written().run();
          // values the object no longer holds are released before the client hears of the
          // write, so a client that deleted a Service may at once reuse its nodePort
          CompletionStage<Void> released = services.allocations().applies(key)
              ? services.allocations().committed(key, previous, newState.object())
              : CompletableFuture.completedFuture(null);
          learnVersion(new Pending(lastSequenceNumber(ctx), replyTo, event.object(), created), released);
        })
        .thenNoReply();
  }

  /**
   * The answer to a dry-run write: a created object has no resourceVersion yet, any other
   * keeps the current one (a real write would have given it the next).
   */
  private Done wouldBe(ObjectEvent event, boolean created) {
    ObjectNode object = created ? event.object().deepCopy() : Meta.withResourceVersion(event.object(), resourceVersion);
    if (created) {
      Meta.metadata(object).remove("resourceVersion");
    }
    return new Done(object, created);
  }

  private void learnVersion(Pending write) {
    learnVersion(write, CompletableFuture.completedFuture(null));
  }

  private void learnVersion(Pending write, CompletionStage<Void> alsoAwait) {
    pending = write;
    ctx.pipeToSelf(
        services.versions().versionOf(key.persistenceId(), write.sequenceNr())
            .thenCombine(alsoAwait.exceptionally(e -> null), (version, ignored) -> version),
        (version, error) -> error == null
            ? new VersionLearned(write.sequenceNr(), version)
            : new VersionLookupFailed(write.sequenceNr(), String.valueOf(error)));
  }

  private ReplyEffect<ObjectEvent, ObjectState> onVersionLearned(ObjectState state, VersionLearned learned) {
    if (pending == null || pending.sequenceNr() != learned.sequenceNr()) {
      return Effect().none().thenNoReply();
    }
    resourceVersion = learned.resourceVersion();
    services.acknowledged().accept(resourceVersion);
    if (controller != null) {
      controller.tell(new ObjectControllers.ObjectChanged(state.exists() ? current(state) : null, recovered));
    }
    if (pending.replyTo() != null) {
      pending.replyTo().tell(new Done(Meta.withResourceVersion(pending.object(), resourceVersion), pending.created()));
    }
    pending = null;
    return Effect().none().thenNoReply().thenUnstashAll();
  }

  private ReplyEffect<ObjectEvent, ObjectState> onVersionLookupFailed(ObjectState state, VersionLookupFailed failed) {
    if (pending == null || pending.sequenceNr() != failed.sequenceNr()) {
      return Effect().none().thenNoReply();
    }
    ctx.getLog().error("{}: cannot learn the journal ordering of event {}: {}; restarting",
        key, failed.sequenceNr(), failed.error());
    if (pending.replyTo() != null) {
      pending.replyTo().tell(new Refused(ApiStatus.internal(
          "the change was stored, but its resourceVersion could not be read back: " + failed.error())));
    }
    // stopping drops the stash; the next command recovers the entity and relearns its version
    return Effect().stop().thenNoReply();
  }

  private ReplyEffect<ObjectEvent, ObjectState> refuse(ActorRef<Reply> replyTo, ApiStatus status) {
    return Effect().reply(replyTo, new Refused(status));
  }

  private ObjectNode current(ObjectState state) {
    return Meta.withResourceVersion(state.object(), resourceVersion);
  }

  /** Applies an incoming object to the current one for the given part, keeping system fields. */
  private ObjectNode merge(ObjectNode current, ObjectNode incoming, Part part) {
    ObjectNode updated;
    if (part == Part.STATUS) {
      updated = current.deepCopy();
      JsonNode status = incoming.get("status");
      if (status == null) {
        updated.remove("status");
      } else {
        updated.set("status", status.deepCopy());
      }
    } else {
      updated = incoming.deepCopy();
      normalizeKind(updated);
      if (key.kind().hasStatus()) {
        JsonNode status = current.get("status");
        if (status == null) {
          updated.remove("status");
        } else {
          updated.set("status", status.deepCopy());
        }
      }
      ObjectNode meta = Meta.metadata(updated);
      ObjectNode old = Meta.metadata(current);
      for (String field : List.of("name", "namespace", "uid", "creationTimestamp", "generation",
          "deletionTimestamp", "deletionGracePeriodSeconds")) {
        JsonNode v = old.get(field);
        if (v == null) {
          meta.remove(field);
        } else {
          meta.set(field, v.deepCopy());
        }
      }
      meta.remove("resourceVersion");
      meta.remove("selfLink");
      if (key.kind() == Kind.SERVICE) {
        io.steuermann.engine.services.ServiceSpecs.keepAllocatedValues(
            current.path("spec"), Defaults.obj(updated, "spec"));
        // as Kubernetes: a Service that is no longer a LoadBalancer has no load balancer status
        if (!"LoadBalancer".equals(io.steuermann.engine.services.ServiceSpecs.type(updated.path("spec")))
            && updated.path("status").path("loadBalancer").size() > 0) {
          Defaults.obj(updated, "status").putObject("loadBalancer");
        }
      }
      Defaults.apply(key.kind(), updated);
      if (tracksGeneration() && !updated.path("spec").equals(current.path("spec"))) {
        meta.put("generation", Meta.generation(current) + 1);
      }
      if (key.kind() == Kind.DAEMON_SET) {
        DaemonSetTemplateGeneration.onUpdate(current, updated);
      }
    }
    return updated;
  }

  /** Marked for deletion, no finalizers left, and (for a pod) no grace period still running. */
  private boolean isDeletionComplete(ObjectNode object) {
    JsonNode meta = object.path("metadata");
    return meta.has("deletionTimestamp")
        && meta.path("finalizers").size() == 0
        && !namespaceFinalizers(object)
        && meta.path("deletionGracePeriodSeconds").asLong(0) == 0;
  }

  private boolean namespaceFinalizers(JsonNode object) {
    return key.kind() == Kind.NAMESPACE && object.path("spec").path("finalizers").size() > 0;
  }

  private ApiStatus checkPreconditions(ObjectNode incoming) {
    String rv = Meta.resourceVersion(incoming);
    if (!rv.isEmpty() && Meta.parseResourceVersion(rv) != resourceVersion) {
      return ApiStatus.staleResourceVersion(key.kind(), key.name());
    }
    return null;
  }

  private ApiStatus checkIdentity(ObjectNode object) {
    String name = Meta.name(object);
    if (!name.isEmpty() && !name.equals(key.name())) {
      return ApiStatus.badRequest("the name of the object (" + name
          + ") does not match the name on the URL (" + key.name() + ")");
    }
    String namespace = Meta.namespace(object);
    if (!namespace.isEmpty() && !namespace.equals(key.namespace())) {
      return ApiStatus.badRequest("the namespace of the object (" + namespace
          + ") does not match the namespace on the request (" + key.namespace() + ")");
    }
    ObjectNode meta = Meta.metadata(object);
    meta.put("name", key.name());
    if (key.kind().namespaced()) {
      meta.put("namespace", key.namespace());
    } else {
      meta.remove("namespace");
    }
    return null;
  }

  private void normalizeKind(ObjectNode object) {
    // field order as Kubernetes writes it: apiVersion, kind, metadata, spec, status
    ObjectNode ordered = object.objectNode();
    ordered.put("apiVersion", key.kind().apiVersion());
    ordered.put("kind", key.kind().kindName());
    object.remove("apiVersion");
    object.remove("kind");
    ordered.setAll(object);
    object.removeAll();
    object.setAll(ordered);
  }

  private boolean tracksGeneration() {
    return switch (key.kind()) {
      case POD, REPLICA_SET, REPLICATION_CONTROLLER, DEPLOYMENT, SERVICE, DAEMON_SET, STATEFUL_SET, JOB, CRON_JOB,
          POD_DISRUPTION_BUDGET, INGRESS, INGRESS_CLASS, ENDPOINT_SLICE -> true;
      default -> false;
    };
  }

  private String now() {
    return nowInstant().toString();
  }

  private Instant nowInstant() {
    return Instant.now(services.clock()).truncatedTo(ChronoUnit.SECONDS);
  }
}
