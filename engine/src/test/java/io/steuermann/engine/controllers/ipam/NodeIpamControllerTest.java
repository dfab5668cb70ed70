package io.steuermann.engine.controllers.ipam;

import static io.steuermann.engine.controllers.gc.TestEngine.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.gc.TestEngine;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.watch.WatchFilter;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Node IPAM in a real engine: four /24 blocks of a /22 cluster CIDR, handed out and back. */
class NodeIpamControllerTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static TestEngine t;

  @BeforeAll
  static void start() throws Exception {
    t = new TestEngine("steuermann.network.cluster-cidr = \"10.250.0.0/22\"\n");
  }

  @AfterAll
  static void stop() {
    if (t != null) {
      t.close();
    }
  }

  private static ObjectKey node(String name, String spec) {
    t.create("{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":" + spec
        + "}");
    return ObjectKey.of(Kind.NODE, "", name);
  }

  private static String podCidr(ObjectKey node) {
    ObjectNode cached = t.cached(node);
    return cached == null ? "" : cached.path("spec").path("podCIDR").asText("");
  }

  private static String awaitCidr(ObjectKey node) {
    await().atMost(TIMEOUT).until(() -> !podCidr(node).isEmpty());
    JsonNode spec = t.cached(node).path("spec");
    assertEquals(List.of(spec.path("podCIDR").asText()), List.of(spec.path("podCIDRs").path(0).asText()),
        "podCIDRs holds the same block: " + spec);
    return spec.path("podCIDR").asText();
  }

  private static String condition(ObjectKey node, String field) {
    for (JsonNode c : t.cached(node).path("status").path("conditions")) {
      if (NodeIpamController.CONDITION.equals(c.path("type").asText())) {
        return c.path(field).asText();
      }
    }
    return "";
  }

  private static ObjectCommand.Refused refusedPatch(ObjectKey node, String patch) {
    ObjectCommand.Reply reply = t.engine.store().patch(node, ObjectCommand.PatchType.MERGE, json(patch),
        ObjectCommand.Part.MAIN).toCompletableFuture().join();
    return assertInstanceOf(ObjectCommand.Refused.class, reply, () -> String.valueOf(reply));
  }

  @Test
  void blocksAreUniqueExhaustionIsReportedAndFreedBlocksAreReused() {
    // a node that comes with a block of its own keeps it, and nobody else gets it
    ObjectKey own = node("ipam-own", "{\"podCIDR\":\"10.250.1.0/24\",\"podCIDRs\":[\"10.250.1.0/24\"]}");
    ObjectKey a = node("ipam-a", "{}");
    ObjectKey b = node("ipam-b", "{}");
    ObjectKey c = node("ipam-c", "{}");
    Set<String> blocks = new HashSet<>(List.of(awaitCidr(a), awaitCidr(b), awaitCidr(c)));
    assertEquals(Set.of("10.250.0.0/24", "10.250.2.0/24", "10.250.3.0/24"), blocks);
    assertEquals("10.250.1.0/24", podCidr(own));

    // the fifth node finds the range exhausted: said in its conditions and events, no podCIDR
    ObjectKey late = node("ipam-late", "{}");
    await().atMost(TIMEOUT).until(() -> "True".equals(condition(late, "status")));
    assertEquals(NodeIpamController.REASON_EXHAUSTED, condition(late, "reason"));
    assertTrue(condition(late, "message").contains("10.250.0.0/22"), condition(late, "message"));
    await().atMost(TIMEOUT).until(() -> t.engine.cache().list(WatchFilter.of(Kind.EVENT, "default")).items().stream()
        .anyMatch(e -> NodeIpamController.EVENT_EXHAUSTED.equals(e.path("reason").asText())
            && "ipam-late".equals(e.path("involvedObject").path("name").asText())
            && "Warning".equals(e.path("type").asText())));
    assertEquals("", podCidr(late));

    // a node that goes frees its block for the one that waits
    String freed = podCidr(b);
    assertInstanceOf(ObjectCommand.Done.class, t.delete(b, null));
    assertEquals(freed, awaitCidr(late));
    await().atMost(TIMEOUT).until(() -> "False".equals(condition(late, "status")));
  }

  @Test
  void podCidrIsValidatedAndImmutable() {
    ObjectCommand.Reply bad = t.engine.store().create(json("{\"apiVersion\":\"v1\",\"kind\":\"Node\","
        + "\"metadata\":{\"name\":\"ipam-bad\"},\"spec\":{\"podCIDR\":\"10.250.0.7/33\"}}")).toCompletableFuture().join();
    ObjectCommand.Refused refused = assertInstanceOf(ObjectCommand.Refused.class, bad, () -> String.valueOf(bad));
    assertEquals(422, refused.status().code());
    assertTrue(refused.status().message().contains("spec.podCIDR"), refused.status().message());
    assertEquals(null, t.cached(ObjectKey.of(Kind.NODE, "", "ipam-bad")), "nothing stored");

    ObjectKey fixed = node("ipam-fixed", "{\"podCIDR\":\"10.77.0.0/24\",\"podCIDRs\":[\"10.77.0.0/24\"]}");
    ObjectCommand.Refused changed = refusedPatch(fixed,
        "{\"spec\":{\"podCIDR\":\"10.77.1.0/24\",\"podCIDRs\":[\"10.77.1.0/24\"]}}");
    assertEquals(422, changed.status().code());
    assertTrue(changed.status().message().contains("spec.podCIDRs: Forbidden: node updates may not change podCIDR"),
        changed.status().message());
    await().atMost(TIMEOUT).until(() -> !podCidr(fixed).isEmpty()); // the cache follows the store
    assertEquals("10.77.0.0/24", podCidr(fixed));
  }
}
