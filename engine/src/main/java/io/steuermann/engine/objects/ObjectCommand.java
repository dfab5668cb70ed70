package io.steuermann.engine.objects;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.persistence.CborSerializable;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The messages an object entity understands. The HTTP API and embedding Java code send the
 * same ones. Each user command names where its {@link Reply} goes; the entity answers every
 * command exactly once.
 */
public sealed interface ObjectCommand extends CborSerializable {

  /** Which part of an object a write may change: the object (spec and metadata) or its status. */
  enum Part { MAIN, STATUS }

  /** How a {@link Patch}'s document is interpreted. */
  enum PatchType { MERGE, JSON, STRATEGIC }

  /**
   * Creates the object; refused with 409 AlreadyExists when it exists. A create that reaches
   * the entity after {@code notAfterMillis} (epoch millis; 0 = no deadline) is refused with 504
   * and changes nothing: its sender can then know, after the deadline, that no create of its
   * can still land (a controller's successor relies on that).
   *
   * <p>In this and the other writes, {@code manager} is the field manager recorded in
   * managedFields as owning what the write set; null for the server's own controllers.
   *
   * <p>{@code uid} is the uid the new object gets (null: a random one). It makes the create
   * idempotent: a create that finds the object it made itself (same uid, sent again because its
   * first answer was lost with a member) is answered as that create, never 409 AlreadyExists.
   */
  record Create(ObjectNode object, long notAfterMillis, String manager, String uid, ActorRef<Reply> replyTo)
      implements ObjectCommand {
    public Create(ObjectNode object, long notAfterMillis, String manager, ActorRef<Reply> replyTo) {
      this(object, notAfterMillis, manager, null, replyTo);
    }

    public Create(ObjectNode object, long notAfterMillis, ActorRef<Reply> replyTo) {
      this(object, notAfterMillis, null, null, replyTo);
    }

    public Create(ObjectNode object, ActorRef<Reply> replyTo) {
      this(object, 0, null, null, replyTo);
    }
  }

  /** Answers the object with its resourceVersion, or 404. */
  record Get(ActorRef<Reply> replyTo) implements ObjectCommand {}

  /**
   * Replaces the object (PUT). When {@code object.metadata.resourceVersion} is set, it is a
   * precondition: a stale value is refused with 409 and changes nothing.
   */
  record Replace(ObjectNode object, Part part, String manager, ActorRef<Reply> replyTo) implements ObjectCommand {
    public Replace(ObjectNode object, Part part, ActorRef<Reply> replyTo) {
      this(object, part, null, replyTo);
    }
  }

  /** Applies a patch to the current object atomically, then writes it as {@link Replace} would. */
  record Patch(PatchType type, JsonNode patch, Part part, String manager, ActorRef<Reply> replyTo)
      implements ObjectCommand {
    public Patch(PatchType type, JsonNode patch, Part part, ActorRef<Reply> replyTo) {
      this(type, patch, part, null, replyTo);
    }
  }

  /**
   * Server-side apply ({@code application/apply-patch+yaml}): {@code manager} then owns exactly
   * the fields of {@code config}. Creates the object when it does not exist. A change to a
   * field another manager owns is refused with 409 unless {@code force}.
   */
  record Apply(ObjectNode config, String manager, boolean force, Part part, ActorRef<Reply> replyTo)
      implements ObjectCommand {}

  /** Sets {@code spec.replicas} (the /scale subresource); {@code resourceVersion} 0 = unconditional. */
  record Scale(int replicas, long resourceVersion, String manager, ActorRef<Reply> replyTo)
      implements ObjectCommand {
    public Scale(int replicas, long resourceVersion, ActorRef<Reply> replyTo) {
      this(replicas, resourceVersion, null, replyTo);
    }
  }

  /**
   * Deletes the object; the preconditions are checked when non-empty / non-zero.
   *
   * <p>As in Kubernetes: a pod bound to a node is deleted gracefully (it gets a
   * {@code deletionTimestamp}; its node stops the containers, then deletes it with grace 0);
   * an object with finalizers stays, marked for deletion, until they are removed;
   * {@code Foreground} and {@code Orphan} propagation add the finalizers the garbage collector
   * acts on.
   *
   * @param gracePeriodSeconds null for the object's default
   * @param propagationPolicy null, {@code Background}, {@code Foreground} or {@code Orphan}
   */
  record Delete(String uidPrecondition, long resourceVersionPrecondition, Long gracePeriodSeconds,
      String propagationPolicy, ActorRef<Reply> replyTo) implements ObjectCommand {
    public Delete(String uidPrecondition, long resourceVersionPrecondition, ActorRef<Reply> replyTo) {
      this(uidPrecondition, resourceVersionPrecondition, null, null, replyTo);
    }
  }

  /** Binds an unbound pod to a node (the {@code binding} subresource); 409 if already bound. */
  record Bind(String nodeName, ActorRef<Reply> replyTo) implements ObjectCommand {}

  /**
   * Runs a write ({@code dryRun=All}) through every check, default and allocation it would
   * meet and answers what it would answer, but journals nothing, so no watch event and no
   * resourceVersion follow, and claims no clusterIP or nodePort. A dry-run create answers
   * the object without a resourceVersion, other writes with the current one, as
   * kube-apiserver does.
   */
  record DryRun(
      // the wrapped command crosses the wire inside this one, so Jackson must know its type
      @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "command")
      @JsonSubTypes({
          @JsonSubTypes.Type(value = Create.class, name = "create"),
          @JsonSubTypes.Type(value = Replace.class, name = "replace"),
          @JsonSubTypes.Type(value = Patch.class, name = "patch"),
          @JsonSubTypes.Type(value = Scale.class, name = "scale"),
          @JsonSubTypes.Type(value = Delete.class, name = "delete"),
          @JsonSubTypes.Type(value = Bind.class, name = "bind"),
          @JsonSubTypes.Type(value = Apply.class, name = "apply")})
      ObjectCommand write) implements ObjectCommand {}

  /** Internal: the journal ordering (= resourceVersion) of the event just written is known. */
  record VersionLearned(long sequenceNr, long resourceVersion) implements ObjectCommand {}

  /**
   * Internal: looking up the ordering failed, after the retries of the {@code VersionSource};
   * the entity answers 500 and stops, and its next start relearns the version.
   */
  record VersionLookupFailed(long sequenceNr, String error) implements ObjectCommand {}

  /**
   * Internal: the {@link Allocations} of a write are prepared: {@code object} is what to write,
   * or {@code refusal} says why not.
   */
  record AllocationsPrepared(long token, ObjectNode object, ApiStatus refusal) implements ObjectCommand {}

  /** The answer to every user command. */
  sealed interface Reply extends CborSerializable {}

  /** The object as it now is, with its resourceVersion. {@code created} for a fresh create. */
  record Done(ObjectNode object, boolean created) implements Reply {}

  /** The command was refused and nothing changed. */
  record Refused(ApiStatus status) implements Reply {}
}
