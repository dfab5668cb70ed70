package io.steuermann.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A cluster of real server processes on 127.0.0.1, all on one fresh PostgreSQL database:
 * member i has its own API port, cluster port and hollow nodes {@code m<i>-0001, ...}; every
 * member lists all cluster ports as seed nodes, so any of them can be restarted and find the
 * others. Members may be killed, frozen, stopped and restarted; {@link #close()} kills what
 * is left.
 */
final class TestCluster implements AutoCloseable {
  private final List<ServerProcess.Builder> builders = new ArrayList<>();
  private final List<ServerProcess> members = new ArrayList<>();
  private final List<Integer> clusterPorts = new ArrayList<>();

  private TestCluster() {}

  /** Starts {@code size} members with {@code hollowNodes} nodes each and waits until all are Up and ready. */
  static TestCluster start(String name, int size, PostgresDatabase db, int hollowNodes) {
    return start(name, size, db, hollowNodes, i -> Map.of());
  }

  /** As {@link #start(String, int, PostgresDatabase, int)}, with more flags for member i. */
  static TestCluster start(String name, int size, PostgresDatabase db, int hollowNodes,
      java.util.function.IntFunction<Map<String, String>> flags) {
    return start(name, size, db, hollowNodes, flags, Map.of());
  }

  /** As {@link #start(String, int, PostgresDatabase, int, java.util.function.IntFunction)}, with system properties for every member. */
  static TestCluster start(String name, int size, PostgresDatabase db, int hollowNodes,
      java.util.function.IntFunction<Map<String, String>> flags, Map<String, String> systemProperties) {
    TestCluster cluster = new TestCluster();
    // all ports at once and distinct: a port freed by one probe may be handed out again
    java.util.Set<Integer> ports = new java.util.LinkedHashSet<>();
    while (ports.size() < 2 * size) {
      ports.add(ServerProcess.freePort());
    }
    List<Integer> all = new ArrayList<>(ports);
    List<Integer> apiPorts = all.subList(size, 2 * size);
    cluster.clusterPorts.addAll(all.subList(0, size));
    String seeds = cluster.clusterPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    for (int i = 0; i < size; i++) {
      ServerProcess.Builder b = ServerProcess.builder(name + "-m" + i)
          .port(apiPorts.get(i))
          .postgres(db)
          .heap("384m")
          .readyTimeout(Duration.ofSeconds(120))
          .flag("--cluster-port", Integer.toString(cluster.clusterPorts.get(i)))
          .flag("--seed-nodes", seeds)
          .flag("--hollow-nodes", Integer.toString(hollowNodes))
          .systemProperty("steuermann.node.name-prefix", "m" + i + "-");
      flags.apply(i).forEach(b::flag);
      systemProperties.forEach(b::systemProperty);
      cluster.builders.add(b);
      cluster.members.add(b.launch());
    }
    for (ServerProcess m : cluster.members) {
      m.awaitReadiness();
    }
    cluster.awaitUpMembers(size);
    return cluster;
  }

  int size() {
    return members.size();
  }

  ServerProcess member(int i) {
    return members.get(i);
  }

  ApiClient api(int i) {
    return members.get(i).api();
  }

  int clusterPort(int i) {
    return clusterPorts.get(i);
  }

  /** The indexes of the members whose process runs. */
  List<Integer> alive() {
    List<Integer> alive = new ArrayList<>();
    for (int i = 0; i < members.size(); i++) {
      if (members.get(i).isAlive()) {
        alive.add(i);
      }
    }
    return alive;
  }

  /** A new incarnation of member i (same ports and flags) once the old one has exited; waits until ready. */
  ServerProcess restart(int i) {
    ServerProcess again = members.get(i).restart();
    members.set(i, again);
    return again;
  }

  /** Starts a new incarnation of member i without waiting (for restarting several at once). */
  void relaunch(int i) {
    members.set(i, builders.get(i).launch());
  }

  /** GET /debug/cluster of member i. */
  JsonNode view(int i) {
    return api(i).get("/debug/cluster").body();
  }

  /** The cluster ports of the members member i sees Up and reachable. */
  List<Integer> upSeenBy(int i) {
    List<Integer> up = new ArrayList<>();
    for (JsonNode m : view(i).path("members")) {
      if ("Up".equals(m.path("status").asText()) && m.path("reachable").asBoolean()) {
        String address = m.path("address").asText();
        int hash = address.lastIndexOf('#');
        up.add(Integer.parseInt(address.substring(address.lastIndexOf(':') + 1, hash)));
      }
    }
    return up;
  }

  /** Waits until every running member sees exactly {@code n} members Up and reachable. */
  void awaitUpMembers(int n) {
    await("every running member sees " + n + " members Up").atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(250))
        .ignoreExceptions()
        .until(() -> alive().stream().allMatch(i -> upSeenBy(i).size() == n));
  }

  /** Waits until member {@code viewer} no longer has member {@code gone} in its view (downed and removed). */
  void awaitRemoved(int viewer, int gone) {
    int port = clusterPorts.get(gone);
    await("member " + viewer + " removed member " + gone).atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(() -> {
          for (JsonNode m : view(viewer).path("members")) {
            if (m.path("address").asText().contains(":" + port + "#")) {
              return false;
            }
          }
          return true;
        });
  }

  @Override
  public void close() {
    for (ServerProcess m : members) {
      m.close();
    }
  }
}
