package io.steuermann.engine.api;

import io.steuermann.persistence.journal.StoreHealth;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.objects.ObjectCommand.Reply;
import io.steuermann.engine.objects.ObjectEntity;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The Java API to stored objects: sends {@link ObjectCommand}s to the sharded entities, the
 * same ones the HTTP API uses. Every call answers a {@link Reply}: {@link ObjectCommand.Done}
 * with the object and its resourceVersion, or {@link ObjectCommand.Refused} with a
 * Kubernetes-shaped {@link ApiStatus}. Ask timeouts surface as failed stages.
 */
public final class ObjectStore {
  private final ClusterSharding sharding;
  private final Duration askTimeout;
  private final scala.concurrent.ExecutionContextExecutor executor;
  private final boolean dryRun;
  private final StoreHealth health;
  /** A create unanswered this long is sent again (same uid), until the ask timeout; 0: never. */
  private final Duration resendInterval;
  private final Scheduler scheduler;
  /** Writes sent and not yet answered: answered at once when the store starts failing. */
  private final Set<CompletableFuture<Reply>> pending = ConcurrentHashMap.newKeySet();
  /**
   * Mutating admission of creates (kube's DefaultStorageClass and StorageObjectInUseProtection
   * plugins): what needs the cluster's other objects, which an entity cannot see. Shared with
   * the dry-run store.
   */
  private final java.util.concurrent.atomic.AtomicReference<CreateAdmission> admission;

  /**
   * The admission of one create: the object (perhaps changed) goes on, or the create is refused
   * with a Status and nothing is sent to the entity (kube's mutating and validating admission).
   * {@code dryRun} says the create will not be stored: an admission then charges nothing.
   */
  @FunctionalInterface
  public interface CreateAdmission {
    CompletionStage<Verdict> admit(ObjectKey key, ObjectNode object, boolean dryRun);

    /** An admission that only changes the object, answered at once. */
    static CreateAdmission mutating(java.util.function.BiFunction<ObjectKey, ObjectNode, ObjectNode> change) {
      return (key, object, dryRun) -> CompletableFuture.completedFuture(new Admitted(change.apply(key, object)));
    }

    /** This admission, then {@code next} on what it admitted; a refusal stops the chain. */
    default CreateAdmission andThen(CreateAdmission next) {
      return (key, object, dryRun) -> admit(key, object, dryRun).thenCompose(verdict ->
          verdict instanceof Admitted a ? next.admit(key, a.object(), dryRun) : CompletableFuture.completedFuture(verdict));
    }
  }

  /** What an admission decided about a create. */
  public sealed interface Verdict permits Admitted, Denied {}

  /** The create goes on with this object. */
  public record Admitted(ObjectNode object) implements Verdict {}

  /** The create is refused with this status (a 403 from quota, for instance). */
  public record Denied(ApiStatus status) implements Verdict {}

  public ObjectStore(ActorSystem<?> system, Duration askTimeout) {
    this(ClusterSharding.get(system), askTimeout, system.executionContext(), false, StoreHealth.get(system),
        new java.util.concurrent.atomic.AtomicReference<>(CreateAdmission.mutating((key, object) -> object)),
        system.settings().config().getDuration("steuermann.create-resend-interval"), system.scheduler());
  }

  private ObjectStore(ClusterSharding sharding, Duration askTimeout, scala.concurrent.ExecutionContextExecutor executor,
      boolean dryRun,
      StoreHealth health, java.util.concurrent.atomic.AtomicReference<CreateAdmission> admission,
      Duration resendInterval, Scheduler scheduler) {
    this.sharding = sharding;
    this.resendInterval = resendInterval;
    this.scheduler = scheduler;
    this.admission = admission;
    this.health = health;
    if (!dryRun) {
      health.onFailure(f -> pending.forEach(answer ->
          answer.complete(refusal(f, "the write may or may not have been stored"))));
    }
    this.askTimeout = askTimeout;
    this.executor = executor;
    this.dryRun = dryRun;
  }

  /**
   * The same store for dry runs ({@code dryRun=All}): every write it sends is checked and
   * answered as usual but changes nothing ({@link ObjectCommand.DryRun}); reads are reads.
   */
  public ObjectStore dryRun() {
    return dryRun ? this : new ObjectStore(sharding, askTimeout, executor, true, health, admission,
        resendInterval, scheduler);
  }

  /** Sets the admission of creates (once, when the engine starts). */
  public void admitCreates(CreateAdmission wanted) {
    admission.set(wanted);
  }

  /** The entity of one object, for sending any {@link ObjectCommand} directly. */
  public EntityRef<ObjectCommand> entity(ObjectKey key) {
    return sharding.entityRefFor(ObjectEntity.typeKey(key.kind()), key.entityId());
  }

  /**
   * Sends a write built around the reply address and waits for the answer. While this
   * member's journal cannot write (an unreachable database, a full disk: {@link StoreHealth})
   * the write is refused at once, and a write in flight when the store starts failing is
   * answered then, instead of each waiting for the ask timeout.
   */
  public CompletionStage<Reply> ask(ObjectKey key, Function<ActorRef<Reply>, ObjectCommand> command) {
    return ask(key, command, false);
  }

  /**
   * As {@link #ask(ObjectKey, Function)}; an {@code idempotent} command (a create carrying its
   * uid) is sent again every {@code steuermann.create-resend-interval} while unanswered, within
   * the ask timeout, and the first answer wins. A message to an entity on a member that has
   * just died is lost with it (a graceful hand-off loses none: the shard region buffers them);
   * the copy sent after the member was downed reaches the entity's new home.
   */
  private CompletionStage<Reply> ask(ObjectKey key, Function<ActorRef<Reply>, ObjectCommand> command,
      boolean idempotent) {
    Optional<StoreHealth.Failure> failing = health.failure();
    if (failing.isPresent() && !dryRun) {
      return CompletableFuture.completedFuture(refusal(failing.get(), "the write was not stored"));
    }
    Function<ActorRef<Reply>, ObjectCommand> sent = !dryRun ? command : reply -> {
      ObjectCommand write = command.apply(reply);
      return write instanceof ObjectCommand.Get ? write : new ObjectCommand.DryRun(write);
    };
    if (dryRun) {
      return Stages.on(executor, entity(key).ask(sent::apply, askTimeout));
    }
    CompletableFuture<Reply> answer = new CompletableFuture<>();
    pending.add(answer);
    answer.whenComplete((r, e) -> pending.remove(answer));
    CompletionStage<Reply> asked = idempotent ? resending(key, sent)
        // on the dispatcher first: a callback on the ask's own stage would start a thread (see Stages)
        : Stages.on(executor, entity(key).ask(sent::apply, askTimeout));
    asked.whenComplete((r, e) -> {
      if (e != null) {
        answer.completeExceptionally(e);
      } else {
        answer.complete(r);
      }
    });
    return answer;
  }

  /**
   * Asks with an idempotent command (a read, a create carrying its uid), sent again every
   * resend interval while unanswered, within the ask timeout; the first answer wins.
   */
  private CompletionStage<Reply> resending(ObjectKey key, Function<ActorRef<Reply>, ObjectCommand> command) {
    if (resendInterval.isZero()) {
      return Stages.on(executor, entity(key).ask(command::apply, askTimeout));
    }
    CompletableFuture<Reply> answer = new CompletableFuture<>();
    send(entity(key), command, answer, System.nanoTime() + askTimeout.toNanos());
    return answer;
  }

  /** One copy of an idempotent command, and the next one after the resend interval. */
  private void send(EntityRef<ObjectCommand> entity, Function<ActorRef<Reply>, ObjectCommand> command,
      CompletableFuture<Reply> answer, long deadline) {
    long left = deadline - System.nanoTime();
    if (answer.isDone()) {
      return;
    }
    boolean last = left <= resendInterval.toNanos();
    // every copy waits until the common deadline; the last copy's failure fails the answer
    Stages.on(executor, entity.ask(command::apply, Duration.ofNanos(Math.max(left, 1)))).whenComplete((r, e) -> {
      if (e == null) {
        answer.complete(r);
      } else if (last) {
        answer.completeExceptionally(e);
      }
    });
    if (!last) {
      scheduler.scheduleOnce(resendInterval, () -> send(entity, command, answer, deadline), executor);
    }
  }

  private CompletionStage<Reply> read(ObjectKey key, Function<ActorRef<Reply>, ObjectCommand> command) {
    return resending(key, command);
  }

  private static Reply refusal(StoreHealth.Failure f, String outcome) {
    String message = "the store cannot write since " + f.since() + " (" + f.message() + "); " + f.remedy() + ": "
        + outcome;
    return new ObjectCommand.Refused(f.fault() == StoreHealth.Fault.FULL
        ? ApiStatus.insufficientStorage(message) : ApiStatus.unavailable(message));
  }

  /**
   * Creates an object; its kind comes from {@code apiVersion}/{@code kind}, its name and
   * namespace from {@code metadata}. Objects in a namespace that does not exist are refused.
   */
  public CompletionStage<Reply> create(ObjectNode object) {
    return create(object, () -> true);
  }

  /**
   * Creates an object unless {@code stillWanted} says no just before the create is sent (after
   * the namespace check): a controller that has stopped — its object moved to another member
   * — must not have its queued creates arrive after its successor looked (they would be
   * duplicates). A create not sent fails with a {@link CancellationException}.
   */
  public CompletionStage<Reply> create(ObjectNode object, BooleanSupplier stillWanted) {
    return create(object, 0, stillWanted);
  }

  /**
   * As {@link #create(ObjectNode, BooleanSupplier)}, and refused (504) by the entity if it
   * arrives after {@code notAfterMillis} (epoch millis), for instance when it waited in a
   * moving shard's buffer.
   */
  public CompletionStage<Reply> create(ObjectNode object, long notAfterMillis, BooleanSupplier stillWanted) {
    Kind kind = Kind.byKindName(object.path("kind").asText()).orElse(null);
    if (kind == null || !kind.apiVersion().equals(object.path("apiVersion").asText())) {
      return refused(ApiStatus.badRequest("unknown apiVersion/kind: "
          + object.path("apiVersion").asText() + "/" + object.path("kind").asText()));
    }
    String namespace = kind.namespaced() ? Meta.namespace(object) : "";
    if (kind.namespaced() && namespace.isEmpty()) {
      namespace = "default";
      Meta.metadata(object).put("namespace", namespace);
    }
    return create(ObjectKey.of(kind, namespace, Meta.name(object)), object, notAfterMillis, stillWanted);
  }

  /** Creates an object under an explicit key (name and namespace as in the request path). */
  public CompletionStage<Reply> create(ObjectKey key, ObjectNode object) {
    return create(key, object, 0, () -> true);
  }

  /** A create whose {@code manager} is recorded in managedFields as owning what it set. */
  public CompletionStage<Reply> create(ObjectKey key, ObjectNode object, String manager) {
    String uid = UUID.randomUUID().toString();
    return admitted(key, object, admitted ->
        inNamespace(key, () -> true, reply -> new ObjectCommand.Create(admitted, 0, manager, uid, reply), true));
  }

  private CompletionStage<Reply> create(ObjectKey key, ObjectNode object, long notAfterMillis,
      BooleanSupplier stillWanted) {
    // the uid is chosen here, once per create, so that every copy sent names the same object
    String uid = UUID.randomUUID().toString();
    return admitted(key, object, admitted -> inNamespace(key, stillWanted,
        reply -> new ObjectCommand.Create(admitted, notAfterMillis, null, uid, reply), true));
  }

  /**
   * Runs the admission chain, then {@code send} with what it admitted; a refusal is the reply and
   * nothing is sent, so a refused create leaves no object, no event and no journal row. An
   * admission that fails (a quota write timing out) refuses too, as kube's admission errors do.
   */
  private CompletionStage<Reply> admitted(ObjectKey key, ObjectNode object,
      Function<ObjectNode, CompletionStage<Reply>> send) {
    CompletionStage<Verdict> verdict;
    try {
      verdict = admission.get().admit(key, object, dryRun);
    } catch (RuntimeException e) {
      verdict = CompletableFuture.failedFuture(e);
    }
    return verdict.handle((v, e) -> e != null
        ? CompletableFuture.<Reply>completedFuture(new ObjectCommand.Refused(
            ApiStatus.internal("admission of the create failed: " + e.getMessage())))
        : v instanceof Admitted a ? send.apply(a.object())
        : CompletableFuture.<Reply>completedFuture(new ObjectCommand.Refused(((Denied) v).status())))
        .thenCompose(Function.identity());
  }

  /** Sends a command that may create the object, once its namespace is known to exist and be active. */
  private CompletionStage<Reply> inNamespace(ObjectKey key, BooleanSupplier stillWanted,
      Function<ActorRef<Reply>, ObjectCommand> command) {
    return inNamespace(key, stillWanted, command, false);
  }

  private CompletionStage<Reply> inNamespace(ObjectKey key, BooleanSupplier stillWanted,
      Function<ActorRef<Reply>, ObjectCommand> command, boolean idempotent) {
    if (!stillWanted.getAsBoolean()) {
      return CompletableFuture.failedFuture(new CancellationException("not wanted anymore: " + key));
    }
    if (!key.kind().namespaced()) {
      return ask(key, command, idempotent);
    }
    return namespace(key.namespace()).thenCompose(ns -> {
      if (!stillWanted.getAsBoolean()) {
        return CompletableFuture.<Reply>failedFuture(new CancellationException("not wanted anymore: " + key));
      }
      if (ns == null) {
        return refused(ApiStatus.namespaceNotFound(key.namespace()));
      }
      if (ns.path("metadata").has("deletionTimestamp")) {
        return refused(ApiStatus.forbidden(key.kind().plural() + " \"" + key.name() + "\" is forbidden: "
            + "unable to create new content in namespace " + key.namespace() + " because it is being terminated"));
      }
      return ask(key, command, idempotent);
    });
  }

  public CompletionStage<Reply> get(ObjectKey key) {
    return read(key, ObjectCommand.Get::new);
  }

  public CompletionStage<Reply> replace(ObjectKey key, ObjectNode object, ObjectCommand.Part part) {
    return ask(key, reply -> new ObjectCommand.Replace(object, part, reply));
  }

  public CompletionStage<Reply> patch(ObjectKey key, ObjectCommand.PatchType type,
      com.fasterxml.jackson.databind.JsonNode patch, ObjectCommand.Part part) {
    return ask(key, reply -> new ObjectCommand.Patch(type, patch, part, reply));
  }

  public CompletionStage<Reply> scale(ObjectKey key, int replicas, long resourceVersion) {
    return ask(key, reply -> new ObjectCommand.Scale(replicas, resourceVersion, reply));
  }

  /** The writes of a named field manager, recorded in managedFields as owning what they change. */
  public CompletionStage<Reply> replace(ObjectKey key, ObjectNode object, ObjectCommand.Part part, String manager) {
    return ask(key, reply -> new ObjectCommand.Replace(object, part, manager, reply));
  }

  public CompletionStage<Reply> patch(ObjectKey key, ObjectCommand.PatchType type,
      com.fasterxml.jackson.databind.JsonNode patch, ObjectCommand.Part part, String manager) {
    return ask(key, reply -> new ObjectCommand.Patch(type, patch, part, manager, reply));
  }

  public CompletionStage<Reply> scale(ObjectKey key, int replicas, long resourceVersion, String manager) {
    return ask(key, reply -> new ObjectCommand.Scale(replicas, resourceVersion, manager, reply));
  }

  /**
   * Server-side apply of {@code config} by {@code manager}; creates the object if missing (in
   * an existing, active namespace), else refuses changes to other managers' fields unless
   * {@code force}.
   */
  public CompletionStage<Reply> apply(ObjectKey key, ObjectNode config, String manager, boolean force,
      ObjectCommand.Part part) {
    Function<ActorRef<Reply>, ObjectCommand> apply = reply -> new ObjectCommand.Apply(config, manager, force, part, reply);
    // only an apply that creates needs the namespace check: an object in a terminating
    // namespace may still be changed (its finalizers removed, say)
    // an apply that creates passes the admission's refusals (a quota), not its changes: those
    // would become fields the applier owns
    return get(key).thenCompose(current -> current instanceof ObjectCommand.Done
        ? ask(key, apply)
        : admitted(key, config, admitted -> inNamespace(key, () -> true, apply)));
  }

  public CompletionStage<Reply> delete(ObjectKey key, String uid, long resourceVersion) {
    return ask(key, reply -> new ObjectCommand.Delete(uid, resourceVersion, reply));
  }

  /** A deletion with Kubernetes' DeleteOptions: grace period (null = default) and propagation. */
  public CompletionStage<Reply> delete(ObjectKey key, String uid, long resourceVersion,
      Long gracePeriodSeconds, String propagationPolicy) {
    return ask(key, reply -> new ObjectCommand.Delete(uid, resourceVersion, gracePeriodSeconds,
        propagationPolicy, reply));
  }

  /** Binds a pod to a node: what a scheduler does. */
  public CompletionStage<Reply> bind(ObjectKey pod, String nodeName) {
    return ask(pod, reply -> new ObjectCommand.Bind(nodeName, reply));
  }

  /**
   * The namespace object, or null when it does not exist. Asked of its entity, not the watch
   * cache: the cache may still show a namespace as active a few milliseconds after its
   * deletion was acknowledged, and a create must not slip into a terminating namespace.
   */
  private CompletionStage<ObjectNode> namespace(String namespace) {
    return get(ObjectKey.of(Kind.NAMESPACE, "", namespace))
        .thenApply(reply -> reply instanceof ObjectCommand.Done done ? done.object() : null);
  }

  private static CompletionStage<Reply> refused(ApiStatus status) {
    return CompletableFuture.completedFuture(new ObjectCommand.Refused(status));
  }
}
