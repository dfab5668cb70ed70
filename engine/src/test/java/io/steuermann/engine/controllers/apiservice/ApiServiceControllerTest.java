package io.steuermann.engine.controllers.apiservice;

import static io.steuermann.engine.controllers.gc.TestEngine.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.steuermann.engine.controllers.gc.TestEngine;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.objects.ObjectCommand;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.Leave;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** default/kubernetes follows the API servers in the membership. */
class ApiServiceControllerTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static TestEngine t;

  @BeforeAll
  static void start() throws Exception {
    t = new TestEngine("pekko.cluster.roles = [control, worker, \"api@127.0.0.1:6443\"]\n"
        + "pekko.cluster.configuration-compatibility-check.checkers.steuermann-store = \"\"\n");
  }

  @AfterAll
  static void stop() {
    if (t != null) {
      t.close();
    }
  }

  private static String addresses() {
    ObjectNode endpoints = t.cached(ApiServiceController.ENDPOINTS);
    if (endpoints == null) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    for (JsonNode subset : endpoints.path("subsets")) {
      for (JsonNode address : subset.path("addresses")) {
        out.append(out.isEmpty() ? "" : ",").append(address.path("ip").asText()).append(':')
            .append(subset.path("ports").path(0).path("port").asInt());
      }
    }
    return out.toString();
  }

  @Test
  void theServiceAndItsEndpointsFollowTheApiServers() {
    await().atMost(TIMEOUT).until(() -> t.cached(ApiServiceController.SERVICE) != null);
    JsonNode spec = t.cached(ApiServiceController.SERVICE).path("spec");
    assertEquals("10.96.0.1", spec.path("clusterIP").asText());
    assertEquals(443, spec.path("ports").path(0).path("port").asInt());
    assertEquals("https", spec.path("ports").path(0).path("name").asText());
    await().atMost(TIMEOUT).until(() -> addresses().equals("127.0.0.1:6443"));

    // a second API server joins, then leaves
    ActorSystem<Void> other = ActorSystem.create(Behaviors.empty(), t.system.name(), ConfigFactory.parseString(
        "pekko.actor.provider = cluster\npekko.remote.artery.canonical.port = 0\n"
            + "pekko.cluster.roles = [worker, \"api@127.0.0.2:7443\"]\n"
            + "pekko.cluster.configuration-compatibility-check.checkers.steuermann-store = \"\"\n")
        .withFallback(ConfigFactory.load()));
    try {
      Cluster.get(other).manager().tell(Join.create(Cluster.get(t.system).selfMember().address()));
      await().atMost(TIMEOUT).until(() -> Cluster.get(other).selfMember().status() == MemberStatus.up());
      await().atMost(TIMEOUT).until(() -> addresses().equals("127.0.0.1:6443,127.0.0.2:7443"));
      Cluster.get(other).manager().tell(new Leave(Cluster.get(other).selfMember().address()));
      await().atMost(TIMEOUT).until(() -> addresses().equals("127.0.0.1:6443"));
    } finally {
      other.terminate();
    }

    // a hand-made change is undone
    ObjectNode edited = t.cached(ApiServiceController.ENDPOINTS).deepCopy();
    edited.set("subsets", json("{\"subsets\":[{\"addresses\":[{\"ip\":\"127.0.0.9\"}],"
        + "\"ports\":[{\"name\":\"https\",\"port\":1}]}]}").get("subsets"));
    edited.with("metadata").put("resourceVersion", Meta.resourceVersion(edited));
    TestEngine.done(t.engine.store().replace(ApiServiceController.ENDPOINTS, edited, ObjectCommand.Part.MAIN)
        .toCompletableFuture().join());
    await().atMost(TIMEOUT).until(() -> addresses().equals("127.0.0.1:6443"));
  }
}
