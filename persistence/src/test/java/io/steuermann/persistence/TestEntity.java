package io.steuermann.persistence;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/** The smallest event-sourced entity: every command appends one event and answers its seqNr. */
final class TestEntity
    extends EventSourcedBehavior<TestEntity.Command, TestEntity.Appended, TestEntity.State> {

  sealed interface Command {}

  record Append(String value, ActorRef<Long> replyTo) implements Command {}

  public record Appended(String value) implements CborSerializable {}

  record State(long count) {}

  static Behavior<Command> create(String persistenceId) {
    return new TestEntity(persistenceId);
  }

  private TestEntity(String persistenceId) {
    super(PersistenceId.ofUniqueId(persistenceId));
  }

  @Override
  public State emptyState() {
    return new State(0);
  }

  @Override
  public CommandHandler<Command, Appended, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Append.class, (state, cmd) -> Effect()
            .persist(new Appended(cmd.value()))
            .thenReply(cmd.replyTo(), s -> s.count()))
        .build();
  }

  @Override
  public EventHandler<State, Appended> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Appended.class, (state, event) -> new State(state.count() + 1))
        .build();
  }
}
