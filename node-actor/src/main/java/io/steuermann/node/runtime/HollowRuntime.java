package io.steuermann.node.runtime;

import com.typesafe.config.Config;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.Scheduler;
import scala.concurrent.ExecutionContext;

/**
 * Simulated containers, as Kubernetes' kubemark: a "hollow" node runs the real agent, only
 * the containers are bookkeeping. A container starts after a configurable latency and then
 * runs until it is stopped; with probability {@code failure-rate} it instead exits with code
 * 1 after {@code failure-after} (which the agent sees as a crash and restarts). A container whose
 * command is {@code true}, {@code false}, {@code sh -c "exit N"} or {@code sleep N} exits as it
 * would in busybox ({@link HollowExit}), so Jobs run to completion on hollow nodes. No thread
 * belongs to a container: delays are tasks on the actor system's scheduler, and a container
 * is a few hundred bytes, so 10,000 pods on 1,000 nodes fit in one JVM.
 */
public final class HollowRuntime implements ContainerRuntime {
  /** The hollow runtime's settings ({@code steuermann.node.hollow}). */
  public record Settings(Duration startLatency, double failureRate, Duration failureAfter,
      Map<String, String> capacity) {
    public Settings {
      if (failureRate < 0 || failureRate > 1) {
        throw new IllegalArgumentException("failure-rate must be between 0 and 1: " + failureRate);
      }
      capacity = Map.copyOf(capacity);
    }

    public static Settings fromConfig(Config hollow) {
      Config c = hollow.getConfig("capacity");
      return new Settings(hollow.getDuration("start-latency"), hollow.getDouble("failure-rate"),
          hollow.getDuration("failure-after"),
          Map.of("cpu", c.getString("cpu"), "memory", c.getString("memory"), "pods", c.getString("pods")));
    }
  }

  public static final String VERSION = "hollow://1";
  private static final AtomicLong IDS = new AtomicLong();
  private static final AtomicLong TOTAL_RUNNING = new AtomicLong();

  private final Settings settings;
  private final Scheduler scheduler;
  private final ExecutionContext executor;
  private final RuntimeInfo info;
  private final Map<String, HollowPod> pods = new ConcurrentHashMap<>();
  /** Pod uid to the usage its annotations ask each container to report: millicores and bytes. */
  private final Map<String, long[]> simulatedUsage = new ConcurrentHashMap<>();
  private final AtomicInteger running = new AtomicInteger();
  private volatile Listener listener = (pod, status) -> { };

  private static final class HollowPod {
    final PodRef ref;
    final Map<String, HollowContainer> containers = new LinkedHashMap<>();
    /** Each container's instance before the current one, for {@code previous} logs. */
    final Map<String, HollowContainer> previous = new LinkedHashMap<>();
    /** the pod's init containers: simulated ones complete as soon as they start */
    final java.util.Set<String> initContainers = new java.util.HashSet<>();
    boolean stopped;
    Cancellable starting;

    HollowPod(PodRef ref, com.fasterxml.jackson.databind.JsonNode spec) {
      this.ref = ref;
      spec.path("initContainers").forEach(c -> initContainers.add(c.path("name").asText()));
    }
  }

  private static final class HollowContainer {
    ContainerStatus status;
    Cancellable exit;
    final HollowLog log = new HollowLog();
  }

  public HollowRuntime(Settings settings, Scheduler scheduler, ExecutionContext executor) {
    this.settings = settings;
    this.scheduler = scheduler;
    this.executor = executor;
    this.info = new RuntimeInfo("hollow", VERSION, settings.capacity(), "127.0.0.1",
        "Steuermann hollow node", "hollow", "amd64", true);
  }

  /** Containers running on all hollow nodes of this JVM; for tests and benchmarks. */
  public static long totalRunningContainers() {
    return TOTAL_RUNNING.get();
  }

  /** Containers running on this node. */
  public int runningContainers() {
    return running.get();
  }

  @Override
  public RuntimeInfo info() {
    return info;
  }

  @Override
  public void setListener(Listener listener) {
    this.listener = listener;
  }

  @Override
  public CompletionStage<RunningPod> startPod(PodConfig config) {
    HollowPod pod = new HollowPod(config.ref(), config.spec());
    HollowPod previous = pods.put(config.ref().uid(), pod);
    if (previous != null) {
      stop(previous);
    }
    CompletableFuture<RunningPod> result = new CompletableFuture<>();
    Runnable start = () -> {
      List<ContainerStatus> statuses = new ArrayList<>();
      synchronized (pod) {
        if (!pod.stopped) {
          for (ContainerConfig c : config.containers()) {
            statuses.add(launch(pod, c, 0));
          }
        }
      }
      if (statuses.size() == config.containers().size()) {
        result.complete(new RunningPod(config.ref(), "127.0.0.1", statuses, List.of()));
      } else {
        result.completeExceptionally(new CancellationException("pod stopped while it started"));
      }
    };
    synchronized (pod) {
      pod.starting = later(settings.startLatency(), start);
    }
    return result;
  }

  @Override
  public CompletionStage<ContainerStatus> startContainer(PodRef ref, ContainerConfig container, int attempt) {
    HollowPod pod = pods.get(ref.uid());
    if (pod == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("no pod sandbox for " + ref));
    }
    CompletableFuture<ContainerStatus> result = new CompletableFuture<>();
    later(settings.startLatency(), () -> {
      ContainerStatus status = null;
      synchronized (pod) {
        if (!pod.stopped) {
          status = launch(pod, container, attempt);
        }
      }
      if (status != null) {
        result.complete(status);
      } else {
        result.completeExceptionally(new CancellationException("pod stopped while the container started"));
      }
    });
    return result;
  }

  @Override
  public CompletionStage<ContainerStatus> stopContainer(PodRef ref, String name, Duration gracePeriod) {
    HollowPod pod = pods.get(ref.uid());
    if (pod == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("no pod sandbox for " + ref));
    }
    synchronized (pod) {
      HollowContainer c = pod.containers.get(name);
      if (c == null) {
        return CompletableFuture.failedFuture(new IllegalStateException("no container " + name + " in " + ref));
      }
      terminate(c, 0, "Completed");
      return CompletableFuture.completedFuture(c.status);
    }
  }

  @Override
  public CompletionStage<Void> stopPod(PodRef ref, Duration gracePeriod) {
    HollowPod pod = pods.remove(ref.uid());
    simulatedUsage.remove(ref.uid());
    if (pod != null) {
      stop(pod);
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<List<RunningPod>> listPods() {
    List<RunningPod> list = new ArrayList<>();
    for (HollowPod pod : pods.values()) {
      synchronized (pod) {
        List<ContainerStatus> statuses = pod.containers.values().stream().map(c -> c.status).toList();
        list.add(new RunningPod(pod.ref, "127.0.0.1", statuses, List.of()));
      }
    }
    return CompletableFuture.completedFuture(list);
  }

  /** Simulated containers run no processes: every command succeeds at once. */
  @Override
  public CompletionStage<ExecResult> exec(PodRef ref, String container, List<String> command, Duration timeout) {
    HollowPod pod = pods.get(ref.uid());
    if (pod == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("no such pod: " + ref));
    }
    synchronized (pod) {
      HollowContainer c = pod.containers.get(container);
      if (c == null || !(c.status.state() instanceof Running)) {
        return CompletableFuture.failedFuture(new IllegalStateException("container " + container + " is not running"));
      }
    }
    return CompletableFuture.completedFuture(new ExecResult(0, "", false));
  }

  /** Hollow nodes only: the annotation whose quantity each running container reports as its CPU use. */
  public static final String CPU_USAGE_ANNOTATION = "hollow.steuermann.io/cpu-usage";
  /** Hollow nodes only: the annotation whose quantity each running container reports as its memory use. */
  public static final String MEMORY_USAGE_ANNOTATION = "hollow.steuermann.io/memory-usage";

  /**
   * A simulated container uses nothing: each running one is reported with zero CPU and memory,
   * so that {@code kubectl top pods} lists hollow pods as metrics-server lists real ones; unless
   * its pod carries the hollow-only annotations {@link #CPU_USAGE_ANNOTATION} and
   * {@link #MEMORY_USAGE_ANNOTATION}, a fake for tests of what reads usage (the autoscaler):
   * changing them on the stored pod changes what its containers report.
   */
  private static final long[] NO_USAGE = {0, 0};

  @Override
  public void observe(com.fasterxml.jackson.databind.JsonNode pod) {
    com.fasterxml.jackson.databind.JsonNode meta = pod.path("metadata");
    String cpu = meta.path("annotations").path(CPU_USAGE_ANNOTATION).asText("");
    String memory = meta.path("annotations").path(MEMORY_USAGE_ANNOTATION).asText("");
    String uid = meta.path("uid").asText();
    if (cpu.isEmpty() && memory.isEmpty()) {
      simulatedUsage.remove(uid);
      return;
    }
    try {
      simulatedUsage.put(uid, new long[] {
          cpu.isEmpty() ? 0 : io.steuermann.engine.scheduling.Quantity.milliCpu(cpu),
          memory.isEmpty() ? 0 : io.steuermann.engine.scheduling.Quantity.bytes(memory)});
    } catch (IllegalArgumentException e) {
      simulatedUsage.remove(uid);
    }
  }

  @Override
  public List<PodUsage> usage() {
    Instant now = Instant.now();
    List<PodUsage> usage = new ArrayList<>();
    for (HollowPod pod : pods.values()) {
      List<PodUsage.ContainerUsage> containers = new ArrayList<>();
      synchronized (pod) {
        pod.containers.forEach((name, c) -> {
          if (c.status.state() instanceof Running) {
            long[] simulated = simulatedUsage.getOrDefault(pod.ref.uid(), NO_USAGE);
            containers.add(new PodUsage.ContainerUsage(name, simulated[0] * 1_000_000, simulated[1]));
          }
        });
      }
      if (!containers.isEmpty()) {
        usage.add(new PodUsage(pod.ref, now, Duration.ZERO, containers));
      }
    }
    return usage;
  }

  /** A simulated container writes a line when it starts and one when it ends; see {@link HollowLog}. */
  @Override
  public Source<ByteString, NotUsed> logs(PodRef ref, String container, LogOptions options) {
    HollowPod pod = pods.get(ref.uid());
    if (pod == null) {
      return Source.failed(new IllegalStateException("no such pod: " + ref));
    }
    HollowContainer c;
    synchronized (pod) {
      c = (options.previous() ? pod.previous : pod.containers).get(container);
    }
    if (c == null) {
      return Source.failed(new IllegalStateException("no such container instance: " + container));
    }
    return c.log.read(options);
  }

  private void stop(HollowPod pod) {
    synchronized (pod) {
      pod.stopped = true;
      if (pod.starting != null) {
        pod.starting.cancel();
      }
      for (HollowContainer c : pod.containers.values()) {
        terminate(c, 0, "Completed");
      }
    }
  }

  /** Starts a container instance; called holding the pod's lock. */
  private ContainerStatus launch(HollowPod pod, ContainerConfig config, int attempt) {
    HollowContainer previous = pod.containers.get(config.name());
    if (previous != null) {
      terminate(previous, 0, "Completed");
      pod.previous.put(config.name(), previous);
    }
    String id = "hollow://" + Long.toHexString(IDS.incrementAndGet()) + "-" + attempt;
    HollowContainer c = new HollowContainer();
    c.status = new ContainerStatus(config.name(), config.image(), "hollow-image://" + config.image(), id,
        new Running(Instant.now()));
    pod.containers.put(config.name(), c);
    c.log.write(Instant.now(), "hollow container " + config.name() + " (" + id + ") started");
    running.incrementAndGet();
    TOTAL_RUNNING.incrementAndGet();
    if (pod.initContainers.contains(config.name())) {
      terminate(c, 0, "Completed");
      return c.status;
    }
    java.util.Optional<HollowExit> exit = HollowExit.of(config.spec());
    double rate = settings.failureRate();
    if (exit.isPresent()) {
      int code = exit.get().exitCode();
      c.exit = scheduler.scheduleOnce(exit.get().after(), () -> exit(pod, config.name(), id, code), executor);
    } else if (rate > 0 && ThreadLocalRandom.current().nextDouble() < rate) {
      c.exit = scheduler.scheduleOnce(settings.failureAfter(), () -> exit(pod, config.name(), id, 1), executor);
    }
    return c.status;
  }

  private void exit(HollowPod pod, String name, String id, int exitCode) {
    ContainerStatus exited;
    synchronized (pod) {
      HollowContainer c = pod.containers.get(name);
      if (pod.stopped || c == null || !c.status.containerId().equals(id) || !(c.status.state() instanceof Running)) {
        return;
      }
      terminate(c, exitCode, exitCode == 0 ? "Completed" : "Error");
      exited = c.status;
    }
    listener.containerChanged(pod.ref, exited);
  }

  /** Ends a running instance; called holding the pod's lock. */
  private void terminate(HollowContainer c, int exitCode, String reason) {
    if (c.exit != null) {
      c.exit.cancel();
      c.exit = null;
    }
    if (c.status.state() instanceof Running r) {
      running.decrementAndGet();
      TOTAL_RUNNING.decrementAndGet();
      Instant now = Instant.now();
      c.status = new ContainerStatus(c.status.name(), c.status.image(), c.status.imageId(), c.status.containerId(),
          new Terminated(exitCode, reason, null, r.startedAt(), now));
      c.log.end(now, "hollow container " + c.status.name() + " (" + c.status.containerId() + ") exited with code "
          + exitCode + " (" + reason + ")");
    }
  }

  private Cancellable later(Duration delay, Runnable task) {
    if (delay.isZero() || delay.isNegative()) {
      executor.execute(task);
      return null;
    }
    return scheduler.scheduleOnce(delay, task, executor);
  }
}
