package io.steuermann.engine.cluster;

import io.steuermann.persistence.CborSerializable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Wakes the change feeds of the other members when this member writes, so that their watch
 * caches see the change at once instead of at their next poll (up to
 * {@code steuermann.feed.poll-interval} later). After a local write a {@link JournalAdvanced}
 * goes to the distributed pub/sub topic {@code journal-advanced}; writes while one is being
 * sent coalesce into it. A member that receives one polls the journal. The poll remains the
 * fallback: a lost message only delays a change until then. A cluster of one sends nothing.
 */
public final class FeedWakeUps {
  /** "The journal has new rows": from a member, to the others. */
  public record JournalAdvanced(String from) implements CborSerializable {}

  private enum Flush { INSTANCE }

  private FeedWakeUps() {}

  /**
   * Starts the publisher and subscriber of this member and returns what to run after each
   * local write: {@code localWakeUp} (this member's feed), then the coalesced publication.
   */
  public static Runnable start(ActorSystem<?> system, Runnable localWakeUp) {
    AtomicBoolean pending = new AtomicBoolean();
    Cluster cluster = Cluster.get(system);
    String self = cluster.selfMember().uniqueAddress().toString();
    ActorRef<Object> actor = system.systemActorOf(behavior(self, pending, localWakeUp), "feed-wake-ups",
        Props.empty());
    return () -> {
      localWakeUp.run();
      if (cluster.state().members().size() > 1 && pending.compareAndSet(false, true)) {
        actor.tell(Flush.INSTANCE);
      }
    };
  }

  private static Behavior<Object> behavior(String self, AtomicBoolean pending, Runnable wakeUp) {
    return Behaviors.setup(context -> {
      ActorRef<Topic.Command<JournalAdvanced>> topic =
          context.spawn(Topic.create(JournalAdvanced.class, "journal-advanced"), "topic");
      topic.tell(Topic.subscribe(context.getSelf().narrow()));
      JournalAdvanced advanced = new JournalAdvanced(self);
      return Behaviors.receive(Object.class)
          .onMessageEquals(Flush.INSTANCE, () -> {
            pending.set(false);
            topic.tell(Topic.publish(advanced));
            return Behaviors.same();
          })
          .onMessage(JournalAdvanced.class, m -> {
            if (!m.from().equals(self)) {
              wakeUp.run();
            }
            return Behaviors.same();
          })
          .build();
    });
  }
}
