package io.steuermann.node.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.HostConfig;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A few sandboxes started ahead of need. Starting a sandbox (its network namespace on the
 * bridge) is the slowest step of a pod start; a pod that publishes no ports and does not use
 * the host network takes a spare instead, which is then renamed after the pod
 * ({@link DockerLabels#claimedSandboxName}) — labels cannot change, the name can, and it is
 * what {@code listPods} reads after a restart. The price: such a pod's hostname is the
 * spare's, not the pod name. Spares survive the process and are taken over by the next one.
 */
final class SandboxPool {
  private static final Logger log = LoggerFactory.getLogger(SandboxPool.class);

  private final DockerClient docker;
  private final String node;
  private final String image;
  private final int target;
  private final Executor executor;
  private final Semaphore starts;
  private final ScheduledExecutorService timer;
  private final Deque<String> spares = new ArrayDeque<>();
  private int creating;
  private int failures;
  private long lastTake;
  private boolean refillScheduled;
  private volatile boolean closed;

  /** The Docker network spares are made on (the pod network). */
  private final java.util.function.Supplier<String> network;

  SandboxPool(DockerClient docker, String node, String image, int target, Executor executor, Semaphore starts,
      ScheduledExecutorService timer, java.util.function.Supplier<String> network) {
    this.network = network;
    this.docker = docker;
    this.timer = timer;
    this.starts = starts;
    this.node = node;
    this.image = image;
    this.target = target;
    this.executor = executor;
  }

  /**
   * Takes over the running spares of this node on the pod network (from an earlier process),
   * removes dead ones and those on another network, fills up. Called once the pod network exists.
   */
  void start(List<Container> nodeContainers) {
    for (Container c : nodeContainers) {
      if (DockerLabels.isSpare(c)) {
        boolean onNetwork = c.getNetworkSettings() != null && c.getNetworkSettings().getNetworks() != null
            && c.getNetworkSettings().getNetworks().containsKey(network.get());
        if ("running".equals(c.getState()) && onNetwork) {
          synchronized (this) {
            spares.add(c.getId());
          }
        } else {
          remove(c.getId());
        }
      }
    }
    refill();
  }

  /**
   * A running spare sandbox, if one is ready; never waits. The pool fills up again once pods
   * have stopped arriving for a moment: spares made during a burst would only compete with the
   * burst's own starts.
   */
  Optional<String> take() {
    String id;
    synchronized (this) {
      id = spares.poll();
      lastTake = System.nanoTime();
      if (refillScheduled || closed) {
        return Optional.ofNullable(id);
      }
      refillScheduled = true;
    }
    timer.schedule(this::refillWhenQuiet, QUIET.toMillis(), TimeUnit.MILLISECONDS);
    return Optional.ofNullable(id);
  }

  private static final Duration QUIET = Duration.ofSeconds(1);

  private void refillWhenQuiet() {
    long quietFor;
    synchronized (this) {
      quietFor = System.nanoTime() - lastTake;
      if (quietFor >= QUIET.toNanos()) {
        refillScheduled = false;
      }
    }
    if (quietFor >= QUIET.toNanos()) {
      refill();
    } else {
      timer.schedule(this::refillWhenQuiet, QUIET.toNanos() - quietFor, TimeUnit.NANOSECONDS);
    }
  }

  private void refill() {
    int missing;
    synchronized (this) {
      if (closed || failures > 3) {
        return; // the engine refuses: pods make their own sandboxes until it works again
      }
      missing = target - spares.size() - creating;
      creating += Math.max(0, missing);
    }
    for (int i = 0; i < missing; i++) {
      executor.execute(this::createOne);
    }
  }

  private void createOne() {
    String id = null;
    try {
      starts.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      synchronized (this) {
        creating--;
      }
      return;
    }
    try {
      id = docker.createContainerCmd(image)
          .withName(DockerLabels.spareName(UUID.randomUUID().toString().substring(0, 8)))
          .withLabels(Map.of(DockerLabels.NODE, node, DockerLabels.ROLE, DockerLabels.SANDBOX))
          .withEntrypoint("/bin/busybox", "sleep", "2147483647")
          .withHostConfig(HostConfig.newHostConfig().withNetworkMode(network.get()))
          .exec().getId();
      if (closed) {
        remove(id); // the runtime closed meanwhile: a spare nobody will take must not stay
        synchronized (this) {
          creating--;
        }
        return;
      }
      docker.startContainerCmd(id).exec();
      synchronized (this) {
        creating--;
        failures = 0;
        spares.add(id);
      }
    } catch (RuntimeException e) {
      if (id != null) {
        remove(id);
      }
      synchronized (this) {
        creating--;
        failures++;
      }
      log.warn("Node {}: could not start a spare pod sandbox: {}", node, e.toString());
    } finally {
      starts.release();
    }
  }

  private void remove(String id) {
    try {
      docker.removeContainerCmd(id).withForce(true).exec();
    } catch (RuntimeException e) {
      // gone
    }
  }

  synchronized int ready() {
    return spares.size();
  }

  void close() {
    synchronized (this) {
      closed = true;
    }
  }
}
