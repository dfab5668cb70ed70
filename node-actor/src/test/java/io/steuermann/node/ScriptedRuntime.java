package io.steuermann.node;

import io.steuermann.node.runtime.ContainerRuntime;
import io.steuermann.node.runtime.HollowRuntime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * A test fixture: the hollow runtime, with what a test needs to steer — exec probes answer
 * the exit code the test sets, images the test names are missing (their containers wait
 * with {@code ErrImagePull}), and the grace periods of stops are recorded.
 */
final class ScriptedRuntime implements ContainerRuntime {
  /** A stop the agent asked for: a container's name, or "" for the whole pod. */
  record Stop(String pod, String container, Duration grace) {}

  private final HollowRuntime hollow;
  final AtomicInteger execExitCode = new AtomicInteger();
  final AtomicInteger execCalls = new AtomicInteger();
  final Set<String> missingImages = ConcurrentHashMap.newKeySet();
  final List<Stop> stops = new CopyOnWriteArrayList<>();
  /** Pod stops take their whole grace period, as processes that ignore SIGTERM. */
  final java.util.concurrent.atomic.AtomicBoolean stopsTakeTheirGrace = new java.util.concurrent.atomic.AtomicBoolean();

  ScriptedRuntime(HollowRuntime hollow) {
    this.hollow = hollow;
  }

  @Override
  public RuntimeInfo info() {
    return hollow.info();
  }

  @Override
  public void setListener(Listener listener) {
    hollow.setListener(listener);
  }

  @Override
  public CompletionStage<RunningPod> startPod(PodConfig pod) {
    return hollow.startPod(pod).thenApply(running -> new RunningPod(running.ref(), running.podIp(),
        running.containers().stream().map(this::pulled).toList(), running.ports()));
  }

  @Override
  public CompletionStage<ContainerStatus> startContainer(PodRef pod, ContainerConfig container, int attempt) {
    return hollow.startContainer(pod, container, attempt).thenApply(this::pulled);
  }

  /** A container of a missing image did not start: it waits, and has no instance. */
  private ContainerStatus pulled(ContainerStatus status) {
    if (!missingImages.contains(status.image())) {
      return status;
    }
    return new ContainerStatus(status.name(), status.image(), "", "", new Waiting("ErrImagePull",
        "rpc error: code = Unknown desc = pull access denied for " + status.image()));
  }

  @Override
  public CompletionStage<ContainerStatus> stopContainer(PodRef pod, String container, Duration gracePeriod) {
    stops.add(new Stop(pod.name(), container, gracePeriod));
    return hollow.stopContainer(pod, container, gracePeriod);
  }

  @Override
  public CompletionStage<Void> stopPod(PodRef pod, Duration gracePeriod) {
    stops.add(new Stop(pod.name(), "", gracePeriod));
    if (stopsTakeTheirGrace.get()) {
      return CompletableFuture.runAsync(() -> { },
              CompletableFuture.delayedExecutor(gracePeriod.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS))
          .thenCompose(v -> hollow.stopPod(pod, gracePeriod));
    }
    return hollow.stopPod(pod, gracePeriod);
  }

  @Override
  public CompletionStage<List<RunningPod>> listPods() {
    return hollow.listPods();
  }

  @Override
  public CompletionStage<ExecResult> exec(PodRef pod, String container, List<String> command, Duration timeout) {
    execCalls.incrementAndGet();
    return hollow.exec(pod, container, command, timeout).thenCompose(ok -> {
      int code = execExitCode.get();
      return CompletableFuture.completedFuture(
          new ExecResult(code, code == 0 ? "" : "cat: can't open '/tmp/healthy': No such file or directory", false));
    });
  }

  @Override
  public Source<ByteString, NotUsed> logs(PodRef pod, String container, LogOptions options) {
    return hollow.logs(pod, container, options);
  }

}
