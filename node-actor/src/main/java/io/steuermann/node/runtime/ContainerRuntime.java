package io.steuermann.node.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * What a node agent needs from the machine that runs its containers: the plug point for the
 * simulated {@link HollowRuntime} and for a Docker runtime. One instance serves one node.
 *
 * <p>The contract, which an implementation must keep:
 * <ul>
 *   <li><b>Asynchronous and non-blocking.</b> Every method returns at once; work that blocks
 *       (a Docker API call, a pull) runs on the implementation's own threads or executor,
 *       never on the caller's. Stages may complete on any thread.</li>
 *   <li><b>A pod is a sandbox plus containers.</b> {@link #startPod} creates what the pod's
 *       containers share (for Docker: the network namespace) and starts every container of
 *       {@link PodConfig#containers()}. Its answer holds one {@link ContainerStatus} per
 *       container, in spec order: {@link Running} when it started, {@link Waiting} with a
 *       reason ({@code ErrImagePull}, {@code CreateContainerError}, ...) when it could not be
 *       started, {@link Terminated} when it already exited. A container that could not start
 *       is not an error of the stage; the stage fails only when the pod as a whole could not
 *       be set up (the agent then retries the pod with back-off).</li>
 *   <li><b>Restarts are the agent's decision.</b> The runtime never restarts a container by
 *       itself (no Docker restart policy). The agent calls {@link #startContainer} with a
 *       new {@code attempt} number; the runtime removes the previous instance of that
 *       container, if any, and starts a fresh one in the same sandbox.</li>
 *   <li><b>Later changes are reported</b> to the {@link Listener} set with
 *       {@link #setListener}: at least every exit of a container that was reported running,
 *       as {@link Terminated} with its exit code. Changes the agent caused itself by
 *       {@link #stopContainer} or {@link #stopPod} need not be reported. Reports of one
 *       container arrive in order; each carries the {@code containerId}, so the agent can
 *       ignore reports about an instance it has already replaced.</li>
 *   <li><b>Stops are graceful.</b> {@link #stopPod} and {@link #stopContainer} ask the
 *       processes to end (SIGTERM), wait at most the grace period, then kill them (SIGKILL);
 *       {@link #stopPod} then removes the containers and the sandbox. Both are idempotent:
 *       stopping what does not exist (anymore) succeeds. A {@link #stopPod} during a
 *       {@link #startPod} of the same pod wins: nothing of the pod is left running.</li>
 *   <li><b>What runs can be listed</b>, for adoption after the agent or the whole process
 *       restarted: {@link #listPods} reports every pod sandbox this runtime holds for this
 *       node, identified by the {@link PodRef} it was started with (Docker: from container
 *       labels), with its containers' current state. The agent adopts those that belong to
 *       live pods and stops the others; it never starts a second copy of an adopted pod.</li>
 * </ul>
 */
public interface ContainerRuntime {

  /** The runtime and the machine it runs on, for the Node object's status. */
  RuntimeInfo info();

  /**
   * Removes the local-path volumes' directories (under {@link RuntimeInfo#localVolumeDir}) of
   * every PersistentVolume but {@code volumes}: the data of a volume whose reclaim policy deleted
   * it. A runtime that keeps no data has nothing to do.
   */
  default void removeLocalVolumesBut(java.util.Set<String> volumes) {}

  /** Where later container changes are reported. Set by the agent before its first start. */
  void setListener(Listener listener);

  /** Creates the pod's sandbox and starts all its containers. */
  CompletionStage<RunningPod> startPod(PodConfig pod);

  /**
   * (Re)starts one container of a running pod: removes its previous instance, if any, and
   * starts attempt number {@code attempt} (the container's restart count).
   */
  CompletionStage<ContainerStatus> startContainer(PodRef pod, ContainerConfig container, int attempt);

  /** Stops one container gracefully (e.g. after a failed liveness probe); answers its final state. */
  CompletionStage<ContainerStatus> stopContainer(PodRef pod, String container, Duration gracePeriod);

  /** Stops all containers of the pod gracefully and removes them and the sandbox. */
  CompletionStage<Void> stopPod(PodRef pod, Duration gracePeriod);

  /**
   * Gives the node's pods their network: the block of pod IPs the control plane allocated to
   * this node ({@code Node.spec.podCIDR}). Called again with the same block after a restart;
   * a runtime without real networking ignores it. Pods started before it is configured may be
   * refused (the stage fails; the agent retries).
   */
  default CompletionStage<Void> configurePodNetwork(String podCidr) {
    return java.util.concurrent.CompletableFuture.completedFuture(null);
  }

  /** Why this node cannot run pods for want of a network now (empty: it can), for the Ready condition. */
  default Optional<String> networkNotReady() {
    return Optional.empty();
  }

  /**
   * The resync of a running pod's configMap, secret, downwardAPI and projected volumes: their
   * files are made to hold {@code volumes} (atomically, volume by volume). A runtime without
   * files ignores it; a pod that is not (any more) here is left alone.
   */
  default CompletionStage<Void> updateVolumes(PodRef pod, io.steuermann.node.volumes.ResolvedVolumes volumes) {
    return java.util.concurrent.CompletableFuture.completedFuture(null);
  }

  /** Every pod sandbox this runtime holds for its node, for adoption after a restart. */
  CompletionStage<List<RunningPod>> listPods();

  /**
   * Runs {@code command} inside the running container (exec probes): answers its exit code and
   * combined output (at most a few KiB kept). A command still running after {@code timeout}
   * answers {@link ExecResult#timedOut()}. Fails when the container does not run.
   */
  CompletionStage<ExecResult> exec(PodRef pod, String container, List<String> command, Duration timeout);

  /**
   * The container's log (stdout and stderr interleaved, as Docker keeps it) as a stream of raw
   * bytes, line by line. With {@link LogOptions#follow()} the stream stays open and carries new
   * output until the container ends or the consumer cancels; {@link LogOptions#previous()} reads
   * the instance before the current one (the one that last terminated). Fails (the stream, not
   * the call) when no such container instance exists.
   */
  Source<ByteString, NotUsed> logs(PodRef pod, String container, LogOptions options);

  /**
   * What the running pods of this node used, as last sampled (every {@code metrics-interval});
   * empty where the runtime does not measure (a container appears after its second sample).
   */
  default List<PodUsage> usage() {
    return List.of();
  }

  /**
   * The pod as stored, each time the node sees it change. Real runtimes need nothing beyond
   * the spec they were started with; the hollow runtime reads its simulated usage here.
   */
  default void observe(com.fasterxml.jackson.databind.JsonNode pod) {}

  /**
   * Connects to a process in a running container: {@code kubectl exec}, {@code attach} and
   * {@code cp}. Fails (IllegalStateException, its message for the user) when the container is
   * not running or the runtime runs no processes.
   */
  default CompletionStage<ProcessStream> openStream(PodRef pod, String container, StreamRequest request) {
    return java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException(
        "the " + info().name() + " runtime of this node runs no processes to " + (request.attach() ? "attach to" : "exec in")));
  }

  /**
   * Where {@code port} of a running pod is reached from this machine, for {@code kubectl
   * port-forward}: the pod's address inside its own network namespace (its address on the pod
   * network), or the host's for a pod on the host's network. Fails (IllegalStateException, its
   * message for the user) when the pod does not run here or the runtime gives pods no network.
   */
  default CompletionStage<java.net.InetSocketAddress> portForwardAddress(PodRef pod, int port) {
    return java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException(
        "the " + info().name() + " runtime of this node gives pods no network to forward a port into"));
  }

  /** What {@link #exec} answers. */
  record ExecResult(int exitCode, String output, boolean timedOut) {}

  /**
   * Options of {@code GET .../pods/{name}/log}: {@code tailLines} empty = all lines,
   * {@code sinceTime} empty = from the start; {@code timestamps} prefixes every line with its
   * RFC 3339 time as Kubernetes does.
   */
  record LogOptions(boolean follow, OptionalInt tailLines, boolean timestamps, boolean previous,
      Optional<Instant> sinceTime) {
    public static LogOptions all() {
      return new LogOptions(false, OptionalInt.empty(), false, false, Optional.empty());
    }
  }

  /** Receives container changes the agent did not cause; must not block. */
  @FunctionalInterface
  interface Listener {
    void containerChanged(PodRef pod, ContainerStatus status);
  }

  /** Names a pod instance: {@code uid} tells a pod from a later one of the same name. */
  record PodRef(String namespace, String name, String uid) {}

  /**
   * What to run: the pod, its spec as stored (the Kubernetes {@code PodSpec} JSON, for
   * whatever a runtime honours beyond the basics: hostNetwork, ports, resources, ...), and
   * its containers. Implementations must not modify the JSON.
   */
  record PodConfig(PodRef ref, ObjectNode spec, List<ContainerConfig> containers,
      io.steuermann.node.podenv.PodEnvironment environment, io.steuermann.node.volumes.ResolvedVolumes volumes) {
    /** A pod with the runtime's own DNS, hosts and no Service variables. */
    public PodConfig(PodRef ref, ObjectNode spec, List<ContainerConfig> containers) {
      this(ref, spec, containers, io.steuermann.node.podenv.PodEnvironment.none());
    }

    /** A pod whose volumes hold nothing read from the cluster (emptyDir and hostPath only). */
    public PodConfig(PodRef ref, ObjectNode spec, List<ContainerConfig> containers,
        io.steuermann.node.podenv.PodEnvironment environment) {
      this(ref, spec, containers, environment, io.steuermann.node.volumes.ResolvedVolumes.none());
    }
  }

  /** One container: its name, image, and its Kubernetes {@code Container} JSON (command, args, env, ...). */
  record ContainerConfig(String name, String image, ObjectNode spec) {}

  /**
   * A pod sandbox with its containers, as started or as found. {@code podIp} is its address;
   * {@code ports} are the declared container ports published on the node's address.
   */
  record RunningPod(PodRef ref, String podIp, List<ContainerStatus> containers, List<PublishedPort> ports) {
    public RunningPod {
      ports = List.copyOf(ports);
    }
  }

  /**
   * A declared {@code containerPort} reachable on the node at {@code hostIp:hostPort} (the
   * spec's {@code hostPort} when given, else one the runtime chose). {@code name} may be empty.
   */
  record PublishedPort(String container, String name, int containerPort, String protocol, String hostIp,
      int hostPort) {}

  /**
   * One container instance. {@code containerId} is {@code <runtime>://<id>} (e.g.
   * {@code docker://3f4e...}), empty when no instance exists (a start that failed).
   */
  record ContainerStatus(String name, String image, String imageId, String containerId, ContainerState state) {}

  /** The state of a container instance, as Kubernetes reports it. */
  sealed interface ContainerState permits Waiting, Running, Terminated {}

  /** Not running, and why: {@code ContainerCreating}, {@code ErrImagePull}, {@code CreateContainerError}. */
  record Waiting(String reason, String message) implements ContainerState {}

  record Running(Instant startedAt) implements ContainerState {}

  /** Exited: exit code, reason ({@code Completed}, {@code Error}, {@code OOMKilled}) and times. */
  record Terminated(int exitCode, String reason, String message, Instant startedAt, Instant finishedAt)
      implements ContainerState {}

  /**
   * The runtime and its machine: {@code name} for logs ("hollow", "docker"),
   * {@code version} for {@code nodeInfo.containerRuntimeVersion} ({@code hollow://1},
   * {@code docker://20.10.24}), capacity in Kubernetes quantities (keys {@code cpu},
   * {@code memory}, {@code pods}), the node's address, whether the containers are
   * simulated, and the directory that holds the node's local-path PersistentVolumes (empty when
   * the runtime keeps no data).
   */
  record RuntimeInfo(String name, String version, Map<String, String> capacity, String hostIp,
      String osImage, String kernelVersion, String architecture, boolean simulated, String localVolumeDir) {
    public RuntimeInfo(String name, String version, Map<String, String> capacity, String hostIp,
        String osImage, String kernelVersion, String architecture, boolean simulated) {
      this(name, version, capacity, hostIp, osImage, kernelVersion, architecture, simulated, "");
    }
  }
}
