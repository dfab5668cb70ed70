package io.steuermann.node.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.MemoryStatsConfig;
import com.github.dockerjava.api.model.Statistics;
import io.steuermann.node.runtime.ContainerRuntime.PodRef;
import io.steuermann.node.runtime.PodUsage;
import io.steuermann.node.runtime.PodUsage.ContainerUsage;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Samples the CPU and memory of a node's app containers from the engine's stats, as kubelet's
 * cAdvisor does for metrics-server: the cumulative CPU time of each container at each sample,
 * so that usage is the rate between the last two, and the memory working set (usage minus the
 * inactive file cache, which the kernel reclaims first).
 */
final class UsageSampler {
  private record Sample(long cpuNanos, long memoryBytes, long monotonicNanos, Instant at) {}

  private final DockerClient docker;
  private final String node;
  private final Clock clock;
  private final Map<String, Sample> lastByContainer = new ConcurrentHashMap<>();
  private volatile List<PodUsage> current = List.of();

  UsageSampler(DockerClient docker, String node, Clock clock) {
    this.docker = docker;
    this.node = node;
    this.clock = clock;
  }

  List<PodUsage> current() {
    return current;
  }

  /** One round: a sample of every running app container of the node (blocking, a few ms each). */
  void sampleNow() {
    List<Container> running = docker.listContainersCmd()
        .withLabelFilter(Map.of(DockerLabels.NODE, node)).exec();
    Map<String, CompletableFuture<Optional<Statistics>>> stats = new LinkedHashMap<>();
    for (Container c : running) {
      if (c.getLabels() != null && c.getLabels().containsKey(DockerLabels.CONTAINER)) {
        stats.put(c.getId(), firstFrame(c.getId()));
      }
    }
    Map<PodRef, List<ContainerUsage>> byPod = new LinkedHashMap<>();
    Map<PodRef, Duration> windows = new HashMap<>();
    Instant now = clock.instant();
    for (Container c : running) {
      CompletableFuture<Optional<Statistics>> pending = stats.get(c.getId());
      if (pending == null) {
        continue;
      }
      Optional<Statistics> s;
      try {
        s = pending.get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        s = Optional.empty();
      }
      Optional<PodRef> pod = DockerLabels.podOf(c);
      if (s.isEmpty() || pod.isEmpty()) {
        continue;
      }
      Sample sample = new Sample(cpuNanos(s.get()), workingSet(s.get().getMemoryStats()), System.nanoTime(), now);
      Sample before = lastByContainer.put(c.getId(), sample);
      if (before == null || sample.monotonicNanos() <= before.monotonicNanos()) {
        continue;
      }
      long elapsed = sample.monotonicNanos() - before.monotonicNanos();
      long rate = Math.max(0, (long) ((sample.cpuNanos() - before.cpuNanos()) * (1e9 / elapsed)));
      byPod.computeIfAbsent(pod.get(), p -> new ArrayList<>())
          .add(new ContainerUsage(c.getLabels().get(DockerLabels.CONTAINER), rate, sample.memoryBytes()));
      windows.merge(pod.get(), Duration.ofNanos(elapsed), (a, b) -> a.compareTo(b) >= 0 ? a : b);
    }
    lastByContainer.keySet().retainAll(stats.keySet());
    List<PodUsage> pods = new ArrayList<>();
    byPod.forEach((pod, containers) -> pods.add(new PodUsage(pod, now, windows.get(pod), containers)));
    current = List.copyOf(pods);
  }

  /** The first stats frame of a streamed stats request: the engine sends it at once. */
  private CompletableFuture<Optional<Statistics>> firstFrame(String id) {
    CompletableFuture<Optional<Statistics>> first = new CompletableFuture<>();
    docker.statsCmd(id).withNoStream(false).exec(new ResultCallback.Adapter<>() {
      @Override
      public void onNext(Statistics statistics) {
        first.complete(Optional.of(statistics));
        try {
          close();
        } catch (IOException e) {
          // the stream ends either way
        }
      }

      @Override
      public void onError(Throwable error) {
        first.complete(Optional.empty());
      }

      @Override
      public void onComplete() {
        first.complete(Optional.empty());
      }
    });
    return first;
  }

  private static long cpuNanos(Statistics s) {
    Long total = s.getCpuStats() == null || s.getCpuStats().getCpuUsage() == null ? null
        : s.getCpuStats().getCpuUsage().getTotalUsage();
    return total == null ? 0 : total;
  }

  /** usage - inactive_file (cgroup v2) or - total_inactive_file (v1), never below 0. */
  private static long workingSet(MemoryStatsConfig memory) {
    if (memory == null || memory.getUsage() == null) {
      return 0;
    }
    long inactive = 0;
    if (memory.getStats() != null) {
      Long v1 = memory.getStats().getTotalInactiveFile();
      Long v2 = memory.getStats().getInactiveFile();
      inactive = v1 != null ? v1 : v2 != null ? v2 : 0;
    }
    return Math.max(0, memory.getUsage() - inactive);
  }
}
