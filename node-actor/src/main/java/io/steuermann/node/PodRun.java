package io.steuermann.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.PodConditions;
import io.steuermann.node.probe.ContainerProber;
import io.steuermann.node.probe.ContainerProbes;
import io.steuermann.node.runtime.ContainerRuntime.ContainerConfig;
import io.steuermann.node.runtime.ContainerRuntime.ContainerState;
import io.steuermann.node.runtime.ContainerRuntime.ContainerStatus;
import io.steuermann.node.runtime.ContainerRuntime.PodConfig;
import io.steuermann.node.runtime.ContainerRuntime.PodRef;
import io.steuermann.node.runtime.ContainerRuntime.PublishedPort;
import io.steuermann.node.runtime.ContainerRuntime.Running;
import io.steuermann.node.runtime.ContainerRuntime.Terminated;
import io.steuermann.node.runtime.ContainerRuntime.Waiting;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a node agent knows about one pod it runs: the pod as last seen, its containers'
 * instances, restart counts and readiness, and what the agent last wrote. Computes the pod
 * status the agent wants stored; confined to the agent actor.
 */
final class PodRun {
  enum Stage {
    /** the sandbox and containers are being started */
    STARTING,
    /** started; containers run, restart or have ended */
    RUNNING,
    /** every container ended for good (phase Succeeded or Failed); kept (for logs) until deleted */
    FINISHED,
    /** its containers are being stopped */
    STOPPING,
    /** stopped; the pod is being deleted (or gone), nothing more is written */
    GONE
  }

  /** One container of the pod. */
  static final class ContainerRun {
    /** the container as the pod declares it */
    final ContainerConfig declared;
    /** what the runtime is given: {@link #declared} with its ConfigMap and Secret references resolved at the pod's start */
    ContainerConfig config;
    ContainerStatus status;
    Terminated lastTermination;
    String lastContainerId = "";
    int restartCount;
    /** crashes since it last ran long enough, the crash back-off exponent */
    int crashes;
    /** failed starts in a row (image pull, create), the start back-off exponent */
    int startFailures;
    /** the attempt whose start answer is awaited; answers for other attempts are stale */
    int attempt;
    final ContainerProbes probes;
    /** probes the running instance; null without probes or while it does not run */
    ActorRef<ContainerProber.Command> prober;
    /** the startup probe succeeded (or there is none) */
    boolean started;
    boolean ready;
    /** a probe (or its postStart hook) failed: the instance is being stopped, and restarts whatever its exit code (unless Never) */
    boolean killedByProbe;
    boolean restartPending;
    /** whether the pending restart replaces an instance that ran (counts in restartCount) */
    boolean pendingIsRestart;
    /** left out of the pod's start until its ConfigMap and Secret references resolve */
    boolean awaitingConfig;
    /** an init container: runs to completion, in order, before any app container starts */
    final boolean init;

    ContainerRun(ContainerConfig config, boolean init, String waitingReason) {
      this.declared = config;
      this.config = config;
      this.init = init;
      this.probes = ContainerProbes.of(config.spec());
      this.status = new ContainerStatus(config.name(), config.image(), "", "",
          new Waiting(waitingReason, null));
    }

    /** An init container that ended with exit code 0: it is not run again. */
    boolean completed() {
      return status.state() instanceof Terminated t && t.exitCode() == 0 && !restartPending;
    }
  }

  final ObjectKey key;
  final String uid;
  final PodRef ref;
  ObjectNode pod;
  long observedVersion;
  final Map<String, ContainerRun> containers = new LinkedHashMap<>();
  /** the pod's init containers, in spec order (names are unique across both maps) */
  final Map<String, ContainerRun> initContainers = new LinkedHashMap<>();
  /** every init container completed (or there are none): the app containers may run */
  boolean initialized;
  /** the pod's preStop hooks were started (at most once per pod, as kubelet) */
  boolean preStopped;
  /** counts the stops of this pod, so that a stop's late answer for an earlier one is ignored */
  int stopGeneration;
  Stage stage = Stage.STARTING;
  String podIp = "";
  List<PublishedPort> ports = List.of();
  Instant startTime;
  int startFailures;
  boolean showPending;
  boolean deleteAfterStop;
  /** the grace period of the stop under way */
  java.time.Duration stopGrace = java.time.Duration.ZERO;
  boolean writing;
  JsonNode written;
  long writtenVersion = -1;

  PodRun(ObjectKey key, ObjectNode pod, Instant now) {
    this.key = key;
    this.uid = Meta.uid(pod);
    this.ref = new PodRef(key.namespace(), key.name(), uid);
    this.pod = pod;
    this.observedVersion = Meta.parseResourceVersion(Meta.resourceVersion(pod));
    this.startTime = now;
    // with init containers, every container waits as PodInitializing first (as kubelet's default waiting state)
    boolean hasInit = pod.path("spec").path("initContainers").size() > 0;
    String waiting = hasInit ? "PodInitializing" : "ContainerCreating";
    read(pod.path("spec").path("initContainers"), pod.path("status").path("initContainerStatuses"), true, waiting,
        initContainers);
    read(pod.path("spec").path("containers"), pod.path("status").path("containerStatuses"), false, waiting,
        containers);
    initialized = initContainers.isEmpty();
    String started = pod.path("status").path("startTime").asText("");
    if (!started.isEmpty()) {
      try {
        startTime = Instant.parse(started);
      } catch (RuntimeException e) {
        // keep now
      }
    }
  }

  private static void read(JsonNode specs, JsonNode previous, boolean init, String waiting,
      Map<String, ContainerRun> into) {
    for (JsonNode c : specs) {
      String name = c.path("name").asText();
      ContainerRun run = new ContainerRun(new ContainerConfig(name, c.path("image").asText(), (ObjectNode) c), init,
          waiting);
      for (JsonNode p : previous) {
        // a pod this node ran before a restart of the process keeps its restart count
        if (name.equals(p.path("name").asText())) {
          run.restartCount = p.path("restartCount").asInt(0);
        }
      }
      into.put(name, run);
    }
  }

  /** kubelet's waiting reason of a container not started yet: PodInitializing for a pod with init containers. */
  String defaultWaiting() {
    return initContainers.isEmpty() ? "ContainerCreating" : "PodInitializing";
  }

  /** The container of that name, init or app; null when the pod has none. */
  ContainerRun container(String name) {
    ContainerRun c = containers.get(name);
    return c != null ? c : initContainers.get(name);
  }

  /** Init containers first, then app containers. */
  List<ContainerRun> all() {
    List<ContainerRun> all = new ArrayList<>(initContainers.values());
    all.addAll(containers.values());
    return all;
  }

  /**
   * What the runtime starts with the sandbox: the app containers, unless the pod is still
   * initializing; then only the sandbox, and the agent starts the init containers one by one.
   */
  PodConfig config(io.steuermann.node.podenv.PodEnvironment environment,
      io.steuermann.node.volumes.ResolvedVolumes volumes) {
    List<ContainerConfig> list = new ArrayList<>();
    containers.values().stream().filter(c -> initialized && !c.awaitingConfig).forEach(c -> list.add(c.config));
    return new PodConfig(ref, (ObjectNode) pod.path("spec"), list, environment, volumes);
  }

  String restartPolicy() {
    return pod.path("spec").path("restartPolicy").asText("Always");
  }

  /**
   * Whether container {@code c}, ended with {@code exitCode}, is started again. An init
   * container that succeeded is done; one that failed is retried unless the policy is Never
   * (kubelet treats Always as OnFailure for init containers).
   */
  boolean restarts(ContainerRun c, int exitCode) {
    if (c.init) {
      return exitCode != 0 && !restartPolicy().equals("Never");
    }
    return restarts(exitCode);
  }

  /** Whether an app container that ended with {@code exitCode} is started again. */
  boolean restarts(int exitCode) {
    return switch (restartPolicy()) {
      case "Never" -> false;
      case "OnFailure" -> exitCode != 0;
      default -> true;
    };
  }

  /** Takes a newer version of the pod; older ones (a late watch event) are ignored. */
  void observe(ObjectNode object) {
    long version = Meta.parseResourceVersion(Meta.resourceVersion(object));
    if (version >= observedVersion) {
      pod = object;
      observedVersion = version;
    }
  }

  boolean deletionRequested() {
    return pod.path("metadata").has("deletionTimestamp");
  }

  /** Whether all containers ended and none will be restarted. */
  boolean allEndedForGood() {
    if (!initialized) {
      return initFailedForGood();
    }
    for (ContainerRun c : containers.values()) {
      if (!(c.status.state() instanceof Terminated) || c.restartPending) {
        return false;
      }
    }
    return !containers.isEmpty();
  }

  /**
   * The pod's phase, as Kubernetes' kubelet computes it ({@code getPhase}): a container that
   * waits after having run counts as stopped, one that never ran as waiting.
   */
  String phase() {
    if (!initialized) {
      return initFailedForGood() ? "Failed" : "Pending";
    }
    int waiting = 0;
    int running = 0;
    int stopped = 0;
    int succeeded = 0;
    for (ContainerRun c : containers.values()) {
      ContainerState state = c.status.state();
      Terminated ended = state instanceof Terminated t ? t : state instanceof Waiting ? c.lastTermination : null;
      if (state instanceof Running) {
        running++;
      } else if (ended != null) {
        stopped++;
        if (ended.exitCode() == 0) {
          succeeded++;
        }
      } else {
        waiting++;
      }
    }
    if (waiting > 0) {
      return "Pending";
    }
    if (running > 0) {
      return "Running";
    }
    if (stopped > 0) {
      String policy = restartPolicy();
      if (policy.equals("Always")) {
        return "Running"; // all restarting
      }
      if (stopped == succeeded) {
        return "Succeeded";
      }
      return policy.equals("Never") ? "Failed" : "Running";
    }
    return "Pending";
  }

  /** An init container failed and will not be retried (restartPolicy Never): the pod failed. */
  boolean initFailedForGood() {
    for (ContainerRun c : initContainers.values()) {
      if (c.status.state() instanceof Terminated t && t.exitCode() != 0 && !c.restartPending) {
        return true;
      }
    }
    return false;
  }

  /** The status the agent wants stored: the stored one with the fields the node owns replaced. */
  ObjectNode desiredStatus(String hostIp, Instant now) {
    String nowText = time(now);
    JsonNode current = pod.get("status");
    ObjectNode status = current instanceof ObjectNode o ? o.deepCopy() : Json.object();
    String phase = phase();
    status.put("phase", phase);
    status.put("hostIP", hostIp);
    status.putArray("hostIPs").addObject().put("ip", hostIp);
    if (!podIp.isEmpty()) {
      status.put("podIP", podIp);
      status.putArray("podIPs").addObject().put("ip", podIp);
    }
    status.put("startTime", time(startTime));
    if (!ports.isEmpty()) {
      // a Steuermann extension (Kubernetes has no such field): where the declared ports are reachable
      ArrayNode published = status.putArray("publishedPorts");
      for (PublishedPort port : ports) {
        ObjectNode p = published.addObject();
        p.put("containerName", port.container());
        if (!port.name().isEmpty()) {
          p.put("name", port.name());
        }
        p.put("containerPort", port.containerPort()).put("protocol", port.protocol())
            .put("hostIP", port.hostIp()).put("hostPort", port.hostPort());
      }
    }
    List<String> unready = new ArrayList<>();
    ArrayNode statuses = Json.object().arrayNode();
    for (ContainerRun c : containers.values()) {
      statuses.add(containerStatus(c));
      if (!c.ready || !(c.status.state() instanceof Running)) {
        unready.add(c.config.name());
      }
    }
    status.set("containerStatuses", statuses);
    List<String> incomplete = new ArrayList<>();
    if (!initContainers.isEmpty()) {
      ArrayNode initStatuses = status.putArray("initContainerStatuses");
      for (ContainerRun c : initContainers.values()) {
        initStatuses.add(containerStatus(c));
        if (!c.completed()) {
          incomplete.add(c.config.name());
        }
      }
    } else {
      status.remove("initContainerStatuses");
    }
    boolean terminal = phase.equals("Succeeded") || phase.equals("Failed");
    PodConditions.set(status, "PodReadyToStartContainers", stage == Stage.RUNNING ? "True" : "False", null, null,
        nowText);
    PodConditions.set(status, "PodScheduled", "True", null, null, nowText);
    if (initialized || incomplete.isEmpty()) {
      PodConditions.set(status, "Initialized", "True", null, null, nowText);
    } else {
      PodConditions.set(status, "Initialized", "False", "ContainersNotInitialized",
          "containers with incomplete status: [" + String.join(" ", incomplete) + "]", nowText);
    }
    if (terminal) {
      PodConditions.set(status, "ContainersReady", "False", "PodCompleted", null, nowText);
      PodConditions.set(status, "Ready", "False", "PodCompleted", null, nowText);
    } else if (unready.isEmpty()) {
      PodConditions.set(status, "ContainersReady", "True", null, null, nowText);
      PodConditions.set(status, "Ready", "True", null, null, nowText);
    } else {
      String message = "containers with unready status: [" + String.join(" ", unready) + "]";
      PodConditions.set(status, "ContainersReady", "False", "ContainersNotReady", message, nowText);
      PodConditions.set(status, "Ready", "False", "ContainersNotReady", message, nowText);
    }
    return status;
  }

  private ObjectNode containerStatus(ContainerRun c) {
    ObjectNode s = Json.object();
    s.put("name", c.config.name());
    s.set("state", state(c.status.state(), c.status.containerId()));
    s.set("lastState", c.lastTermination == null ? Json.object() : state(c.lastTermination, c.lastContainerId));
    // an init container is ready once it completed (kubelet's prober manager says so)
    s.put("ready", c.init ? c.completed() : c.ready && c.status.state() instanceof Running);
    s.put("restartCount", c.restartCount);
    s.put("image", c.config.image());
    s.put("imageID", c.status.imageId());
    if (!c.status.containerId().isEmpty()) {
      s.put("containerID", c.status.containerId());
    }
    s.put("started", c.init ? c.status.state() instanceof Running : c.started && c.status.state() instanceof Running);
    return s;
  }

  private static ObjectNode state(ContainerState state, String containerId) {
    ObjectNode node = Json.object();
    if (state instanceof Running r) {
      node.putObject("running").put("startedAt", time(r.startedAt()));
    } else if (state instanceof Waiting w) {
      ObjectNode waiting = node.putObject("waiting");
      waiting.put("reason", w.reason());
      if (w.message() != null) {
        waiting.put("message", w.message());
      }
    } else if (state instanceof Terminated t) {
      ObjectNode terminated = node.putObject("terminated");
      terminated.put("exitCode", t.exitCode());
      terminated.put("reason", t.reason());
      if (t.message() != null) {
        terminated.put("message", t.message());
      }
      if (t.startedAt() != null) {
        terminated.put("startedAt", time(t.startedAt()));
      }
      if (t.finishedAt() != null) {
        terminated.put("finishedAt", time(t.finishedAt()));
      }
      if (!containerId.isEmpty()) {
        terminated.put("containerID", containerId);
      }
    }
    return node;
  }

  static String time(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /**
   * JSON equality that does not care how a number is held (an int written may come back as
   * a long from the journal), so an unchanged status never looks changed.
   */
  static boolean same(JsonNode a, JsonNode b) {
    if (a == null || b == null) {
      return a == b;
    }
    return a.equals(NUMBERS_BY_VALUE, b);
  }

  private static final Comparator<JsonNode> NUMBERS_BY_VALUE = (x, y) -> {
    if (x.equals(y)) {
      return 0;
    }
    if (x.isNumber() && y.isNumber()) {
      return x.decimalValue().compareTo(y.decimalValue());
    }
    return 1;
  };
}
