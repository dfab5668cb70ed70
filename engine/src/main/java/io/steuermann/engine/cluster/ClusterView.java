package io.steuermann.engine.cluster;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import java.util.HashSet;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;

/**
 * This member's view of the cluster, for {@code GET /debug/cluster}: itself, every member with
 * its status, roles and reachability, the leader, and whether this member hears a majority.
 */
public final class ClusterView {
  private ClusterView() {}

  public static ObjectNode describe(ActorSystem<?> system) {
    Cluster cluster = Cluster.get(Adapter.toClassic(system));
    ClusterEvent.CurrentClusterState state = cluster.state();
    ObjectNode view = Json.object();
    view.put("self", id(cluster.selfMember()));
    view.put("selfStatus", cluster.selfMember().status().toString());
    view.put("inMajority", Quorum.of(system).getAsBoolean());
    view.put("leader", state.getLeader() == null ? "" : state.getLeader().toString());
    Set<String> unreachable = new HashSet<>();
    for (Member m : state.getUnreachable()) {
      unreachable.add(id(m));
    }
    ArrayNode members = view.putArray("members");
    for (Member m : state.getMembers()) {
      ObjectNode member = members.addObject();
      member.put("address", id(m));
      member.put("status", m.status().toString());
      member.put("reachable", !unreachable.contains(id(m)));
      ArrayNode roles = member.putArray("roles");
      m.getRoles().stream().filter(r -> !r.startsWith("dc-")).sorted().forEach(roles::add);
    }
    return view;
  }

  private static String id(Member m) {
    return m.address() + "#" + m.uniqueAddress().longUid();
  }
}
