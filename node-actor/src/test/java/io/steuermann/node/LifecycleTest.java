package io.steuermann.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Image pull back-off and graceful deletion, on a scripted hollow runtime. */
class LifecycleTest extends AgentTestBase {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void aMissingImageWaitsWithErrImagePullThenImagePullBackOff() throws Exception {
    ScriptedRuntime runtime = node("pull-0001", "restart-backoff = 2s, restart-backoff-max = 4s");
    runtime.missingImages.add("nothere:1");
    ObjectNode pod = pod("pull", "pull-0001", "Always", "", "");
    ((ObjectNode) pod.path("spec").path("containers").get(0)).put("image", "nothere:1");
    create(pod);

    List<String> reasons = new ArrayList<>();
    await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
      String reason = container("pull").path("state").path("waiting").path("reason").asText("");
      if (!reason.isEmpty() && (reasons.isEmpty() || !reasons.get(reasons.size() - 1).equals(reason))) {
        reasons.add(reason);
      }
      return reasons.contains("ImagePullBackOff");
    });
    assertEquals(List.of("ErrImagePull", "ImagePullBackOff"), reasons.subList(reasons.indexOf("ErrImagePull"),
        reasons.indexOf("ErrImagePull") + 2), reasons.toString());
    JsonNode c = container("pull");
    // the reason of the failed pull stays in the message, as kubelet shows it
    assertEquals("Back-off pulling image \"nothere:1\": ErrImagePull: rpc error: code = Unknown desc = "
        + "pull access denied for nothere:1", c.path("state").path("waiting").path("message").asText());
    assertEquals(0, c.path("restartCount").asInt());
    assertEquals("Pending", pod("pull").path("status").path("phase").asText());
    await().atMost(WAIT).until(() -> events("pull", "Failed").stream()
        .anyMatch(m -> m.startsWith("Failed to pull image \"nothere:1\": ")));

    runtime.missingImages.clear(); // the image appears: the next retry starts it
    await().atMost(WAIT).until(() -> container("pull").path("state").has("running"));
    assertEquals("Running", pod("pull").path("status").path("phase").asText());
    assertEquals(0, container("pull").path("restartCount").asInt());
  }

  @Test
  void aCrashingContainerRestartsAtOnceThenWithADoublingBackOff() throws Exception {
    node("loop-0001", "restart-backoff = 300ms, restart-backoff-max = 1200ms, "
        + "hollow { failure-rate = 1.0, failure-after = 50ms }");
    create(pod("looper", "loop-0001", "Always", "", ""));
    List<String> backOffs = new ArrayList<>();
    await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
      String message = container("looper").path("state").path("waiting").path("message").asText("");
      if (message.startsWith("back-off ")) {
        String delay = message.substring("back-off ".length(), message.indexOf(' ', "back-off ".length()));
        if (backOffs.isEmpty() || !backOffs.get(backOffs.size() - 1).equals(delay)) {
          backOffs.add(delay);
        }
      }
      return backOffs.contains("1.2s") || backOffs.size() >= 3;
    });
    // the first restart is immediate (no back-off shown), then 300 ms doubling up to the cap
    assertEquals(List.of("300ms", "600ms", "1.2s"), backOffs.subList(0, 3), backOffs.toString());
    JsonNode c = container("looper");
    assertTrue(c.path("restartCount").asInt() >= 3, c.toString());
    assertEquals("CrashLoopBackOff", c.path("state").path("waiting").path("reason").asText(), c.toString());
    assertEquals(1, c.path("lastState").path("terminated").path("exitCode").asInt(), c.toString());
    assertEquals("Running", pod("looper").path("status").path("phase").asText());
    await().atMost(WAIT).until(() -> events("looper", "BackOff").stream()
        .anyMatch(m -> m.startsWith("Back-off restarting failed container web in pod looper_default(")));
  }

  @Test
  void deletionStopsWithTheGracePeriodAsked() throws Exception {
    ScriptedRuntime runtime = node("grace-0001", "");
    create(pod("graceful", "grace-0001", "Always", "", ", \"terminationGracePeriodSeconds\": 12"));
    create(pod("hurried", "grace-0001", "Always", "", ", \"terminationGracePeriodSeconds\": 12"));
    await().atMost(WAIT).until(() -> container("graceful").path("state").has("running")
        && container("hurried").path("state").has("running"));

    delete("graceful", null);
    delete("hurried", 3L);
    await().atMost(WAIT).until(() -> pod("graceful") == null && pod("hurried") == null);
    assertTrue(runtime.stops.contains(new ScriptedRuntime.Stop("graceful", "", Duration.ofSeconds(12))),
        "the pod's terminationGracePeriodSeconds: " + runtime.stops);
    assertTrue(runtime.stops.contains(new ScriptedRuntime.Stop("hurried", "", Duration.ofSeconds(3))),
        "the deletion's gracePeriodSeconds: " + runtime.stops);
  }

  @Test
  void aSecondDeletionWithAShorterGracePeriodEndsTheStopSooner() throws Exception {
    ScriptedRuntime runtime = node("regrace-0001", "");
    runtime.stopsTakeTheirGrace.set(true);
    create(pod("stubborn", "regrace-0001", "Always", "", ", \"terminationGracePeriodSeconds\": 300"));
    await().atMost(WAIT).until(() -> container("stubborn").path("state").has("running"));

    delete("stubborn", null);
    await().atMost(WAIT).until(() -> runtime.stops.contains(
        new ScriptedRuntime.Stop("stubborn", "", Duration.ofSeconds(300))));
    delete("stubborn", 1L); // as kubectl delete --grace-period=1 while it terminates
    await().atMost(WAIT).until(() -> pod("stubborn") == null);
    assertTrue(runtime.stops.contains(new ScriptedRuntime.Stop("stubborn", "", Duration.ofSeconds(1))), runtime.stops.toString());
  }

  private static void delete(String name, Long grace) throws Exception {
    ObjectCommand.Reply reply = engine.store().delete(ObjectKey.of(Kind.POD, "default", name), Meta.uid(pod(name)),
        0, grace, null).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertInstanceOf(ObjectCommand.Done.class, reply, String.valueOf(reply));
  }
}
