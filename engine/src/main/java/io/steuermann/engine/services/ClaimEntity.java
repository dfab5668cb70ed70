package io.steuermann.engine.services;

import io.steuermann.persistence.CborSerializable;
import io.steuermann.persistence.JournalPluginConfig;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The claim on one allocatable value (one clusterIP, one nodePort): free, or held by one
 * Service (by uid). A cluster-sharded, event-sourced entity, so exactly one actor in the cluster
 * decides about each value, whichever member a Service is created on, and its holder survives
 * restarts. Its events go to a journal table of their own ({@link JournalPluginConfig#CLAIM_JOURNAL_PLUGIN}),
 * so claims never take the journal orderings that are the objects' resourceVersions.
 *
 * <p>{@link Claim} succeeds when the value is free, already held by the same uid, or held by
 * the uid the claimant names as an orphan to replace; {@link Release} frees it only for its
 * holder. Both are idempotent, so retries and duplicate messages are harmless.
 */
public final class ClaimEntity
    extends EventSourcedBehaviorWithEnforcedReplies<ClaimEntity.Command, ClaimEntity.Event, ClaimEntity.State> {

  public static final EntityTypeKey<Command> TYPE = EntityTypeKey.create(Command.class, "ServiceClaim");

  /** Who holds a value: the Service's uid and key, and when it claimed (epoch milliseconds). */
  public record Holder(String uid, String namespace, String name, long claimedAtMillis) implements CborSerializable {}

  public sealed interface Command extends CborSerializable {}

  /** Claims the value for {@code holder}; {@code replacing} (nullable) is an orphan's uid that may be displaced. */
  public record Claim(Holder holder, String replacing, ActorRef<Result> replyTo) implements Command {}

  /** Frees the value if {@code uid} holds it. */
  public record Release(String uid, ActorRef<Result> replyTo) implements Command {}

  /** Answers the current holder without changing anything. */
  public record Inspect(ActorRef<Result> replyTo) implements Command {}

  /** The answer: whether the command got what it asked for, and the holder now (null: free). */
  public record Result(boolean granted, Holder holder) implements CborSerializable {}

  public sealed interface Event extends CborSerializable {}

  public record Claimed(Holder holder) implements Event {}

  public record Released(String uid) implements Event {}

  public record State(Holder holder) implements CborSerializable {
    static final State FREE = new State(null);
  }

  /** Registers the entity type with cluster sharding. */
  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system).init(Entity.of(TYPE,
        ctx -> create(ctx.getEntityId(), JournalPluginConfig.CLAIM_JOURNAL_PLUGIN)));
  }

  /** The claim of one value, journaled by {@code journalPluginId} ("" for the default journal). */
  public static Behavior<Command> create(String entityId, String journalPluginId) {
    return new ClaimEntity(entityId, journalPluginId);
  }

  private final String journalPluginId;

  private ClaimEntity(String entityId, String journalPluginId) {
    super(PersistenceId.of(TYPE.name(), entityId));
    this.journalPluginId = journalPluginId;
  }

  @Override
  public String journalPluginId() {
    return journalPluginId;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // a nodePort may be claimed and released many times over the years: recovery stays short
    return RetentionCriteria.snapshotEvery(100, 2);
  }

  @Override
  public State emptyState() {
    return State.FREE;
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(Claimed.class, (state, e) -> new State(e.holder()))
        .onEvent(Released.class, (state, e) -> State.FREE)
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Claim.class, this::onClaim)
        .onCommand(Release.class, this::onRelease)
        .onCommand(Inspect.class, (state, c) -> Effect().reply(c.replyTo(), new Result(true, state.holder())))
        .build();
  }

  private ReplyEffect<Event, State> onClaim(State state, Claim claim) {
    Holder current = state.holder();
    if (current != null && current.uid().equals(claim.holder().uid())) {
      return Effect().reply(claim.replyTo(), new Result(true, current));
    }
    if (current == null || current.uid().equals(claim.replacing())) {
      return Effect().persist(new Claimed(claim.holder()))
          .thenReply(claim.replyTo(), s -> new Result(true, s.holder()));
    }
    return Effect().reply(claim.replyTo(), new Result(false, current));
  }

  private ReplyEffect<Event, State> onRelease(State state, Release release) {
    Holder current = state.holder();
    if (current == null || !current.uid().equals(release.uid())) {
      return Effect().reply(release.replyTo(), new Result(false, current));
    }
    return Effect().persist(new Released(release.uid()))
        .thenReply(release.replyTo(), s -> new Result(true, null));
  }
}
