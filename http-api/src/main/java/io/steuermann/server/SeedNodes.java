package io.steuermann.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --seed-nodes host:port,...} ({@code steuermann.cluster.seed-nodes}) as Pekko seed
 * nodes of the server's actor system; empty means a cluster of one that joins itself. A member
 * on the embedded H2 store is refused at once when the seed nodes name another member: H2
 * belongs to one process, so several members need the shared PostgreSQL store.
 */
final class SeedNodes {
  /** The actor system's name, part of every member's address. */
  static final String SYSTEM = "steuermann";

  /** A configuration that cannot run; the message says what to change. */
  static final class Refused extends Exception {
    Refused(String message) {
      super(message);
    }
  }

  private SeedNodes() {}

  static Config configure(Config config) throws Refused {
    String value = config.hasPath("steuermann.cluster.seed-nodes")
        ? config.getString("steuermann.cluster.seed-nodes").trim() : "";
    List<String> seeds = new ArrayList<>();
    if (!value.isEmpty()) {
      for (String s : value.split(",")) {
        seeds.add(address(s.trim()));
      }
      config = config.withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seeds));
    } else {
      seeds.addAll(config.getStringList("pekko.cluster.seed-nodes"));
    }
    String self = "pekko://" + SYSTEM + "@" + config.getString("pekko.remote.artery.canonical.hostname") + ":"
        + config.getInt("pekko.remote.artery.canonical.port");
    boolean others = seeds.stream().anyMatch(s -> !s.equals(self));
    if (others && !"postgres".equals(config.getString("steuermann.store.kind"))) {
      throw new Refused("Refusing to start: the seed nodes " + seeds + " name other members, but this member keeps "
          + "its objects in the embedded H2 store (steuermann.store.kind = " + config.getString("steuermann.store.kind")
          + "), which belongs to one process. A cluster of several members needs a shared database: start every "
          + "member with --store postgres and the same --postgres-url.");
    }
    return config;
  }

  private static String address(String hostPort) throws Refused {
    if (hostPort.startsWith("pekko://")) {
      return hostPort;
    }
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new Refused("--seed-nodes: '" + hostPort + "' is not host:port (the cluster port, --cluster-port, "
          + "of a member)");
    }
    try {
      int port = Integer.parseInt(hostPort.substring(colon + 1));
      if (port <= 0 || port > 65535) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      throw new Refused("--seed-nodes: '" + hostPort + "' has no valid port");
    }
    return "pekko://" + SYSTEM + "@" + hostPort;
  }
}
