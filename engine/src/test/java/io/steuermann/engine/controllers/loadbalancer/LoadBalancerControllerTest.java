package io.steuermann.engine.controllers.loadbalancer;

import static io.steuermann.engine.controllers.gc.TestEngine.done;
import static io.steuermann.engine.controllers.gc.TestEngine.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.gc.TestEngine;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The built-in load balancer's status in a real engine, following Nodes and type changes. */
class LoadBalancerControllerTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static TestEngine t;

  @BeforeAll
  static void start() throws Exception {
    t = new TestEngine("");
  }

  @AfterAll
  static void stop() {
    if (t != null) {
      t.close();
    }
  }

  private static void node(String name, String address, boolean ready) {
    ObjectKey key = ObjectKey.of(Kind.NODE, "", name);
    if (t.cached(key) == null) {
      t.create("{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{}}");
    }
    done(t.engine.store().patch(key, ObjectCommand.PatchType.MERGE, json("""
        {"status":{"addresses":[{"type":"InternalIP","address":"%s"},{"type":"Hostname","address":"%s"}],
          "conditions":[{"type":"Ready","status":"%s"}]}}""".formatted(address, name, ready ? "True" : "False")),
        ObjectCommand.Part.STATUS).toCompletableFuture().join());
  }

  private static ObjectKey service(String name, String spec) {
    t.create("{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"" + name
        + "\",\"namespace\":\"default\"},\"spec\":" + spec + "}");
    return ObjectKey.of(Kind.SERVICE, "default", name);
  }

  private static List<String> ingress(ObjectKey service) {
    List<String> out = new ArrayList<>();
    ObjectNode cached = t.cached(service);
    if (cached != null) {
      for (JsonNode i : cached.path("status").path("loadBalancer").path("ingress")) {
        out.add(i.path("ip").asText() + "/" + i.path("ipMode").asText());
      }
    }
    return out;
  }

  @Test
  void theIngressIsEveryReadyNodesAddressAndFollowsTheNodesAndTheType() {
    node("lb-a", "127.0.0.21", true);
    node("lb-b", "127.0.0.12", true);
    node("lb-c", "127.0.0.30", false);
    node("lb-d", "127.0.0.12", true); // a second node on the same address: the address once
    ObjectKey other = service("lb-other", "{\"type\":\"LoadBalancer\",\"loadBalancerClass\":\"example.com/other\","
        + "\"ports\":[{\"port\":80}]}");
    ObjectKey web = service("lb-web", "{\"type\":\"LoadBalancer\",\"ports\":[{\"port\":80}]}");
    await().atMost(TIMEOUT).until(() -> ingress(web).equals(List.of("127.0.0.12/VIP", "127.0.0.21/VIP")));
    // the class-owned Service was seen before lb-web (created first) and left alone
    assertEquals(List.of(), ingress(other));

    node("lb-c", "127.0.0.30", true);
    await().atMost(TIMEOUT).until(() -> ingress(web).equals(List.of("127.0.0.12/VIP", "127.0.0.21/VIP", "127.0.0.30/VIP")));
    done(t.delete(ObjectKey.of(Kind.NODE, "", "lb-a"), null));
    node("lb-b", "127.0.0.12", false);
    await().atMost(TIMEOUT).until(() -> ingress(web).equals(List.of("127.0.0.12/VIP", "127.0.0.30/VIP")));

    // back to ClusterIP: the status goes with the type
    ObjectNode clusterIp = done(t.engine.store().patch(web, ObjectCommand.PatchType.MERGE,
        json("{\"spec\":{\"type\":\"ClusterIP\"}}"), ObjectCommand.Part.MAIN).toCompletableFuture().join());
    assertEquals("{}", clusterIp.path("status").path("loadBalancer").toString());
    assertEquals(List.of(), ingress(other));
    // and a new LoadBalancer gets it again
    done(t.engine.store().patch(web, ObjectCommand.PatchType.MERGE,
        json("{\"spec\":{\"type\":\"LoadBalancer\"}}"), ObjectCommand.Part.MAIN).toCompletableFuture().join());
    await().atMost(TIMEOUT).until(() -> ingress(web).equals(List.of("127.0.0.12/VIP", "127.0.0.30/VIP")));
  }
}
