package io.steuermann.engine.cluster;

import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;

/**
 * Whether this member hears a majority of the control members right now, asked by every
 * object entity before it writes. The split-brain resolver downs a minority only after
 * failure detection plus {@code stable-after}; until then the minority still hosts its shards.
 * A member that was frozen (SIGSTOP) or cut off must not write meanwhile, nor in the moment
 * it resumes, before it has learnt that it was downed. The cluster's phi-accrual failure
 * detector evaluates the time since the last heartbeat of each peer on the monotonic clock
 * at the moment of asking, so after a freeze every peer is unavailable at once, and stays so
 * (the majority quarantined the downed member and sends nothing more).
 *
 * <p>The window this leaves: a write that passed the check just before the freeze and
 * commits after it. The majority takes the shards over only after detection
 * ({@code acceptable-heartbeat-pause}) plus {@code stable-after}, so that write is never a
 * second writer racing the new owner of its entity in practice; a database fencing token
 * would close it entirely.
 */
public final class Quorum implements BooleanSupplier {
  private final Cluster cluster;

  private Quorum(Cluster cluster) {
    this.cluster = cluster;
  }

  public static Quorum of(ActorSystem<?> system) {
    return new Quorum(Cluster.get(Adapter.toClassic(system)));
  }

  @Override
  public boolean getAsBoolean() {
    Member self = cluster.selfMember();
    if (!live(self.status())) {
      return false;
    }
    int control = 0;
    int heard = 0;
    for (Member m : cluster.state().getMembers()) {
      if (!m.hasRole(ClusterRoles.CONTROL) || !live(m.status())) {
        continue;
      }
      control++;
      Address address = m.address();
      if (m.uniqueAddress().equals(self.uniqueAddress()) || cluster.failureDetector().isAvailable(address)) {
        heard++;
      }
    }
    // a worker-only member hosts no entities; a cluster being formed has no control member yet
    return control == 0 || heard * 2 > control;
  }

  private static boolean live(MemberStatus status) {
    return status == MemberStatus.up() || status == MemberStatus.weaklyUp() || status == MemberStatus.joining()
        || status == MemberStatus.leaving();
  }
}
