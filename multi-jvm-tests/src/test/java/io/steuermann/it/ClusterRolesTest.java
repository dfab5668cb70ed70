package io.steuermann.it;

import static io.steuermann.it.ClusterObjects.DEPLOYMENTS;
import static io.steuermann.it.ClusterObjects.deployment;
import static io.steuermann.it.ClusterObjects.pods;
import static io.steuermann.it.ClusterObjects.runningPerNode;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two control members and one worker: nodes run only on the worker, objects live only on
 * the control members (so losing the worker loses no shard), and the worker serves the whole
 * API through its sharding proxy.
 */
@ExtendWith(ServerLogs.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClusterRolesTest {
  @Test
  void controlMembersHoldTheObjectsAndWorkersRunTheNodes() {
    try (PostgresDatabase db = PostgresDatabase.createFresh();
        TestCluster cluster = TestCluster.start("roles", 3, db, 2,
            i -> Map.of("--roles", i < 2 ? "control" : "worker"))) {
      Set<String> roles = new TreeSet<>();
      for (JsonNode m : cluster.view(0).path("members")) {
        // without the api@ip:port role every member now carries (default/kubernetes's Endpoints)
        List<String> own = new ArrayList<>();
        m.path("roles").forEach(r -> {
          if (!r.asText().startsWith("api@")) {
            own.add('"' + r.asText() + '"');
          }
        });
        roles.add(own.toString().replace(", ", ","));
      }
      assertEquals(Set.of("[\"control\"]", "[\"worker\"]"), roles);
      await("the worker's nodes registered").atMost(Duration.ofSeconds(60)).until(() ->
          cluster.api(0).list("/api/v1/nodes").items().size() == 2);
      List<String> nodes = new ArrayList<>();
      cluster.api(0).list("/api/v1/nodes").items().forEach(n -> nodes.add(n.path("metadata").path("name").asText()));
      assertEquals(List.of("m2-0001", "m2-0002"), nodes.stream().sorted().toList());

      // the whole API through the worker
      assertEquals(201, cluster.api(2).create(DEPLOYMENTS, deployment("web", 4, "busybox", 1, 0)).status());
      await("web running on the worker's nodes").atMost(Duration.ofSeconds(60)).until(() ->
          runningPerNode(pods(cluster.api(2), "web")).values().stream().mapToInt(Integer::intValue).sum() == 4);
      List<String> written = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        ApiClient.Reply reply = cluster.api(i % 3).create(ApiClient.PODS, ContinuousWriter.writePod("r-" + i));
        assertEquals(201, reply.status(), reply.toString());
        written.add("r-" + i);
      }

      // no object lives on the worker: after kill -9 every one is writable through the control members
      assertEquals(137, cluster.member(2).killHard());
      for (String name : written) {
        ApiClient.Reply reply = cluster.api(name.hashCode() % 2 == 0 ? 0 : 1).patch(ApiClient.PODS + "/" + name,
            ApiClient.JSON.createObjectNode().set("metadata", ApiClient.JSON.createObjectNode().set("labels",
                ApiClient.JSON.createObjectNode().put("after", "worker-loss"))));
        assertEquals(200, reply.status(), reply.toString());
      }
      // and the control members, the majority of the control role, down the worker
      cluster.awaitRemoved(0, 2);
      cluster.awaitRemoved(1, 2);
    }
  }
}
