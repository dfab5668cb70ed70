package io.steuermann.engine.autoscaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.autoscaling.ReplicaCalculator.Failed;
import io.steuermann.engine.autoscaling.ReplicaCalculator.Replicas;
import io.steuermann.engine.autoscaling.ReplicaCalculator.Result;
import io.steuermann.engine.autoscaling.ReplicaCalculator.Utilization;
import io.steuermann.engine.model.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** kube's replica calculator cases: ratio and tolerance, missing metrics, unready pods, requests. */
class ReplicaCalculatorTest {
  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
  /** started and ready long ago: CPU samples count */
  private static final Instant LONG_AGO = NOW.minusSeconds(3600);

  private final List<ObjectNode> pods = new ArrayList<>();
  private final Map<String, PodMetrics.PodUsage> usage = new HashMap<>();

  private void pod(String name, String phase, boolean ready, Instant start, String cpuRequest, Long cpuUsed) {
    ObjectNode pod = Json.object();
    pod.putObject("metadata").put("name", name).put("uid", name + "-uid");
    ObjectNode c = pod.putObject("spec").putArray("containers").addObject().put("name", "main");
    if (cpuRequest != null) {
      c.putObject("resources").putObject("requests").put("cpu", cpuRequest).put("memory", "100Mi");
    }
    ObjectNode status = pod.putObject("status").put("phase", phase).put("startTime", start.toString());
    status.putArray("conditions").addObject().put("type", "Ready").put("status", ready ? "True" : "False")
        .put("lastTransitionTime", start.plusSeconds(5).toString());
    pods.add(pod);
    if (cpuUsed != null) {
      usage.put(name, new PodMetrics.PodUsage("ns", name, name + "-uid", NOW.minusSeconds(10).toEpochMilli(), 15_000,
          List.of(new PodMetrics.ContainerUsage("main", cpuUsed, 50L << 20))));
    }
  }

  private Result compute(int current, int targetPercent) {
    return ReplicaCalculator.compute(current, "cpu", null, new Utilization(targetPercent), pods, usage, NOW);
  }

  @Test
  void scalesByTheRatioOfUsageToTargetRoundedUp() {
    for (int i = 0; i < 3; i++) {
      pod("p" + i, "Running", true, LONG_AGO, "100m", 90L);
    }
    // 90% against 50%: ceil(1.8 * 3) = 6
    Replicas r = (Replicas) compute(3, 50);
    assertEquals(6, r.replicas());
    assertEquals(90, r.utilization());
    assertEquals(90, r.averageValue());
  }

  @Test
  void withinTenPercentOfTheTargetNothingChanges() {
    for (int i = 0; i < 4; i++) {
      pod("p" + i, "Running", true, LONG_AGO, "100m", 54L);
    }
    assertEquals(4, ((Replicas) compute(4, 50)).replicas());
    pods.clear();
    usage.clear();
    for (int i = 0; i < 4; i++) {
      pod("p" + i, "Running", true, LONG_AGO, "100m", 56L);
    }
    // 56/50 = 1.12 is outside the tolerance: ceil(1.12 * 4) = 5
    assertEquals(5, ((Replicas) compute(4, 50)).replicas());
  }

  @Test
  void scalesDownWhenIdle() {
    for (int i = 0; i < 4; i++) {
      pod("p" + i, "Running", true, LONG_AGO, "200m", 20L);
    }
    // 10% against 50%: ceil(0.2 * 4) = 1
    assertEquals(1, ((Replicas) compute(4, 50)).replicas());
  }

  @Test
  void aMissingPodCountsAsAtTheTargetWhenScalingDownAndAsIdleWhenScalingUp() {
    pod("a", "Running", true, LONG_AGO, "100m", 10L);
    pod("b", "Running", true, LONG_AGO, "100m", 10L);
    pod("c", "Running", true, LONG_AGO, "100m", null);
    // without c: 10% of 50 = 0.2; with c at 100%: (10+10+100)/300 = 40% -> 0.8 -> ceil(2.4) = 3
    assertEquals(3, ((Replicas) compute(3, 50)).replicas());

    pods.clear();
    usage.clear();
    pod("a", "Running", true, LONG_AGO, "100m", 100L);
    pod("b", "Running", true, LONG_AGO, "100m", 100L);
    pod("c", "Running", true, LONG_AGO, "100m", null);
    // ready ratio 2.0; with c idle: 200/300 = 66% -> 1.32 -> ceil(1.32 * 3) = 4
    assertEquals(4, ((Replicas) compute(3, 50)).replicas());
  }

  @Test
  void unreadyPodsCountAsIdleOnlyWhenScalingUp() {
    pod("a", "Running", true, LONG_AGO, "100m", 100L);
    pod("b", "Pending", false, NOW, "100m", null);
    // ready ratio 2.0; b idle: 100/200 = 50% -> 1.0, within tolerance: no change
    assertEquals(2, ((Replicas) compute(2, 50)).replicas());
    pods.clear();
    usage.clear();
    pod("a", "Running", true, LONG_AGO, "100m", 10L);
    pod("b", "Pending", false, NOW, "100m", null);
    // scaling down ignores the unready pod: ceil(0.2 * 1) = 1
    assertEquals(1, ((Replicas) compute(2, 50)).replicas());
  }

  @Test
  void aPodStartedRecentlyWhoseSampleBeganBeforeItWasReadyIsUnready() {
    pod("a", "Running", true, LONG_AGO, "100m", 100L);
    // started 20 s ago, ready 15 s ago; its 15 s sample began 25 s ago
    pod("b", "Running", true, NOW.minusSeconds(20), "100m", 500L);
    Replicas r = (Replicas) compute(2, 50);
    // b's 500m is not trusted: ready a alone (2.0), b then idle: 100/200 = 1.0 -> no change
    assertEquals(2, r.replicas());
    assertEquals(100, r.utilization());
  }

  @Test
  void deletedAndFailedPodsAreIgnored() {
    pod("a", "Running", true, LONG_AGO, "100m", 100L);
    pod("b", "Failed", false, LONG_AGO, "100m", 900L);
    pods.get(1).with("metadata").put("deletionTimestamp", NOW.toString());
    assertEquals(2, ((Replicas) compute(1, 50)).replicas());
  }

  @Test
  void failuresAreWordedAsKubeWordsThem() {
    assertEquals(new Failed("no pods returned by selector while calculating replica count"), compute(1, 50));
    pod("a", "Running", true, LONG_AGO, null, 100L);
    assertEquals(new Failed("missing request for cpu in container main of Pod a"), compute(1, 50));
    pods.clear();
    usage.clear();
    pod("a", "Pending", false, NOW, "100m", null);
    assertEquals(new Failed("did not receive metrics for targeted pods (pods might be unready)"), compute(1, 50));
  }

  @Test
  void anAverageValueTargetComparesTheRawAverage() {
    for (int i = 0; i < 2; i++) {
      pod("p" + i, "Running", true, LONG_AGO, null, 300L);
    }
    Replicas r = (Replicas) ReplicaCalculator.compute(2, "cpu", null, new ReplicaCalculator.AverageValue(100), pods,
        usage, NOW);
    assertEquals(6, r.replicas());
    assertNull(r.utilization());
    assertEquals(300, r.averageValue());
  }

  @Test
  void memoryUtilizationUsesTheMemoryRequests() {
    pod("a", "Running", true, LONG_AGO, "100m", 1L);
    // 50Mi of 100Mi = 50% against 25%: 2.0 -> 2
    Replicas r = (Replicas) ReplicaCalculator.compute(1, "memory", null, new Utilization(25), pods, usage, NOW);
    assertEquals(2, r.replicas());
    assertEquals(50, r.utilization());
  }
}
