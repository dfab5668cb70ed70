package io.steuermann.engine.cluster;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * The members this process has seen downed (by the split-brain resolver or an operator) while
 * it was in the cluster: gone for good, unlike members that left gracefully (a restart) or
 * that this process never saw (after a full restart every member is new). Started with the
 * engine; the node lifecycle controller asks it, wherever its singleton runs.
 */
public final class LostMembers implements Extension {
  private static final ExtensionId<LostMembers> ID = new ExtensionId<>() {
    @Override
    public LostMembers createExtension(ActorSystem<?> system) {
      return new LostMembers(system);
    }
  };

  private final Set<String> downed = ConcurrentHashMap.newKeySet();

  private LostMembers(ActorSystem<?> system) {
    system.systemActorOf(Behaviors.<ClusterEvent.MemberEvent>setup(context -> {
      Cluster.get(system).subscriptions().tell(Subscribe.create(context.getSelf(), ClusterEvent.MemberEvent.class));
      return Behaviors.receiveMessage(event -> {
        if (event instanceof ClusterEvent.MemberDowned
            || (event instanceof ClusterEvent.MemberRemoved removed && removed.previousStatus() == MemberStatus.down())) {
          downed.add(id(event.member()));
        }
        return Behaviors.same();
      });
    }), "lost-members", Props.empty());
  }

  public static LostMembers get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** A member as nodes name it: {@code pekko://system@host:port#uid}. */
  public static String id(Member member) {
    return member.address() + "#" + member.uniqueAddress().longUid();
  }

  /** Whether this process saw the member {@code id} ({@link #id(Member)}) downed. */
  public boolean wasDowned(String id) {
    return downed.contains(id);
  }
}
