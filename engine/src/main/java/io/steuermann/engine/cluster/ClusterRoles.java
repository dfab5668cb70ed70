package io.steuermann.engine.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueFactory;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The roles a member plays. {@code control} members host the object entities (cluster
 * sharding) and the cluster singletons (scheduler, node lifecycle, garbage collector, waker)
 * and count for the split-brain resolver's majority; {@code worker} members run node agents.
 * A member without {@code control} reaches the entities through a sharding proxy. The default
 * single-machine server is both.
 */
public final class ClusterRoles {
  public static final String CONTROL = "control";
  public static final String WORKER = "worker";

  private ClusterRoles() {}

  /**
   * {@code pekko.cluster.roles} from {@code steuermann.cluster.roles} (a list, or one string
   * {@code "control,worker"} as the {@code --roles} flag gives it) unless Pekko's own key is
   * already set.
   */
  public static Config configure(Config config) {
    if (!config.getStringList("pekko.cluster.roles").isEmpty() || !config.hasPath("steuermann.cluster.roles")) {
      return config;
    }
    return config.withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(roles(config)));
  }

  static List<String> roles(Config config) {
    List<String> roles = new ArrayList<>();
    List<String> raw;
    try {
      raw = config.getStringList("steuermann.cluster.roles");
    } catch (ConfigException.WrongType e) {
      raw = List.of(config.getString("steuermann.cluster.roles").split(","));
    }
    for (String r : raw) {
      String role = r.trim();
      if (!role.isEmpty() && !roles.contains(role)) {
        if (!role.equals(CONTROL) && !role.equals(WORKER)) {
          throw new IllegalArgumentException("unknown role '" + role + "' in steuermann.cluster.roles (--roles): "
              + "the roles are " + CONTROL + " and " + WORKER);
        }
        roles.add(role);
      }
    }
    if (roles.isEmpty()) {
      throw new IllegalArgumentException("steuermann.cluster.roles (--roles) names no role: give "
          + CONTROL + ", " + WORKER + " or both");
    }
    return roles;
  }

  public static boolean isControl(ActorSystem<?> system) {
    return Cluster.get(system).selfMember().hasRole(CONTROL);
  }

  public static boolean isWorker(ActorSystem<?> system) {
    return Cluster.get(system).selfMember().hasRole(WORKER);
  }
}
