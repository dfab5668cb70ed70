package io.steuermann.node.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import io.steuermann.node.runtime.ContainerRuntime;
import io.steuermann.node.volumes.PodVolumes;
import io.steuermann.node.runtime.docker.ContainerSpecs.PodFields;
import io.steuermann.node.runtime.docker.PodSandboxes.Sandbox;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real containers on the local Docker engine, through docker-java. A pod is a sandbox
 * container that owns the network namespace and the published ports ({@link PodSandboxes})
 * plus one container per spec container that joins it. Every container carries labels
 * naming its node, pod and container ({@link DockerLabels}), which is all {@link #listPods}
 * needs after a crash.
 *
 * <p>Every blocking Docker call runs on the runtime's own bounded pool; changes to one pod
 * run in order ({@link PodLanes}). Exits come from the engine's event stream
 * ({@link DockerEvents}) and are reported only after the start that made the container was
 * answered, so the agent always hears of a container before it hears of its exit.
 */
public final class DockerRuntime implements ContainerRuntime, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DockerRuntime.class);
  private static final int EXEC_OUTPUT_LIMIT = 8 * 1024;

  /** The engine cannot be reached or cannot run pods; the message says what to do. */
  public static final class Unavailable extends Exception {
    public Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** One app container instance this runtime made or adopted. */
  private static final class Instance {
    final PodRef pod;
    final String container;
    final String image;
    boolean answered;
    boolean exitReported;
    boolean stopping;
    ContainerStatus pendingExit;

    Instance(PodRef pod, String container, String image, boolean answered) {
      this.pod = pod;
      this.container = container;
      this.image = image;
      this.answered = answered;
    }
  }

  private final DockerClient docker;
  private final DockerHttpClient http;
  private final String node;
  private final String address;
  private final DockerSettings settings;
  private final RuntimeInfo info;
  private final ExecutorService executor;
  private final ScheduledExecutorService timer;
  private final PodLanes lanes;
  private final DockerPodNetwork podNetwork;
  private final PodSandboxes sandboxes;
  private final SandboxPool spares;
  private final UsageSampler usage;
  /** Where the engine listens: exec and attach open hijacked connections of their own there. */
  private final URI engineAddress;
  private final PodFiles podFiles;
  private final java.nio.file.Path localVolumes;
  private final DockerVolumes volumes;
  private final java.util.concurrent.atomic.AtomicBoolean sparesStarted = new java.util.concurrent.atomic.AtomicBoolean();
  private final ImagePuller puller;
  private final DockerEvents events;
  private final Map<String, Instance> instances = new ConcurrentHashMap<>();
  private final Set<String> stopRequested = ConcurrentHashMap.newKeySet();
  /**
   * Once this runtime has listed the node (the agent does at its start), every pod uid with
   * containers is here: those listed and those started since. A pod not here has no leftovers
   * to clean up before its start, which saves the engine two queries per pod.
   */
  private final Set<String> knownPods = ConcurrentHashMap.newKeySet();
  private volatile boolean listed;
  /**
   * Container creates and starts in flight. The engine's work per start (namespaces, cgroups,
   * runc) is CPU-bound; more at once than the machine has cores only slows every start and
   * starves everything else on the machine (measured: docs/benchmarks.md).
   */
  private final Semaphore starts;
  private volatile Listener listener = (pod, status) -> { };

  private DockerRuntime(DockerClient docker, DockerHttpClient http, URI engineAddress, String node, String address,
      DockerSettings settings, Info engine) {
    this.docker = docker;
    this.engineAddress = engineAddress;
    this.http = http;
    this.node = node;
    this.address = address;
    this.settings = settings;
    // beside the pods' directories, which are named by uid; kept when pods go, as k3s' local-path
    this.localVolumes = settings.podDir().toAbsolutePath().resolve(node).resolve(PodVolumes.PERSISTENT_VOLUMES);
    this.info = runtimeInfo(engine, address, settings.pods(), localVolumes.toString());
    int cores = engine.getNCPU() == null ? 1 : engine.getNCPU();
    this.starts = new Semaphore(settings.parallelStarts() > 0 ? settings.parallelStarts() : Math.max(4, 2 * cores), true);
    AtomicInteger threads = new AtomicInteger();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(settings.threads(), settings.threads(), 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> daemon(r, "docker-" + node + "-" + threads.incrementAndGet()));
    pool.allowCoreThreadTimeOut(true);
    this.executor = pool;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "docker-" + node + "-timer"));
    this.lanes = new PodLanes(executor);
    this.podNetwork = new DockerPodNetwork(docker, node);
    this.podFiles = new PodFiles(settings.podDir(), node);
    this.volumes = new DockerVolumes(docker, node, settings.podDir());
    this.sandboxes = new PodSandboxes(docker, node, address, settings.sandboxImage(), podNetwork::mode);
    this.spares = new SandboxPool(docker, node, settings.sandboxImage(), settings.warmSandboxes(), executor, starts, timer,
        podNetwork::name);
    this.puller = new ImagePuller(docker, settings.pullTimeout());
    this.events = new DockerEvents(docker, node, id -> executor.execute(() -> onDie(id)), timer);
    this.usage = new UsageSampler(docker, node, java.time.Clock.systemUTC());
    long every = settings.metricsInterval().toMillis();
    timer.scheduleWithFixedDelay(() -> executor.execute(this::sampleUsage), every, every, TimeUnit.MILLISECONDS);
  }

  private void sampleUsage() {
    try {
      usage.sampleNow();
    } catch (RuntimeException e) {
      log.debug("sampling the containers' usage failed: {}", e.toString());
    }
  }

  @Override
  public List<io.steuermann.node.runtime.PodUsage> usage() {
    return usage.current();
  }

  /**
   * Connects to the engine (blocking: the server calls it once, at start), makes the sandbox
   * image when it is missing, and follows the node's container events.
   */
  public static DockerRuntime connect(DockerSettings settings, String node, String address) throws Unavailable {
    DefaultDockerClientConfig.Builder builder = DefaultDockerClientConfig.createDefaultConfigBuilder();
    if (!settings.host().isEmpty()) {
      builder.withDockerHost(settings.host());
    }
    DefaultDockerClientConfig config;
    try {
      config = builder.build();
    } catch (RuntimeException e) {
      throw new Unavailable("the Docker engine address is not valid: " + e.getMessage(), e);
    }
    URI host = config.getDockerHost();
    DockerHttpClient http = new ZerodepDockerHttpClient.Builder()
        .dockerHost(host)
        .sslConfig(config.getSSLConfig())
        .maxConnections(Math.max(32, settings.threads() * 2 + 8))
        .connectionTimeout(Duration.ofSeconds(5))
        .build();
    DockerClient docker = DockerClientImpl.getInstance(config, http);
    Info engine;
    try {
      engine = CompletableFuture.supplyAsync(() -> {
        docker.pingCmd().exec();
        return docker.infoCmd().exec();
      }).get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      closeQuietly(docker);
      Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
      throw new Unavailable("no Docker engine is reachable at " + host + " (" + describe(cause) + "). "
          + "Start Docker, or point DOCKER_HOST (or steuermann.node.docker.host) at a running engine; "
          + "to run without Docker use --hollow-nodes N (N simulated nodes) or --runtime none (no node in "
          + "this process)", cause);
    }
    try {
      if (BusyboxImage.ensure(docker, http, settings.sandboxImage(), settings.busybox())) {
        log.info("Made the pod sandbox image {} from {} (docker import)", settings.sandboxImage(), settings.busybox());
      }
    } catch (IOException | RuntimeException e) {
      closeQuietly(docker);
      throw new Unavailable("the Docker engine at " + host + " is reachable, but the pod sandbox image "
          + settings.sandboxImage() + " is missing and could not be made: " + describe(e), e);
    }
    DockerRuntime runtime = new DockerRuntime(docker, http, host, node, address, settings, engine);
    runtime.events.start();
    log.info("Node {}: Docker runtime on {} (engine {}), node address {}, {} cpus, {} memory", node, host,
        engine.getServerVersion(), address, runtime.info.capacity().get("cpu"),
        runtime.info.capacity().get("memory"));
    return runtime;
  }

  private static RuntimeInfo runtimeInfo(Info engine, String address, int pods, String localVolumeDir) {
    Map<String, String> capacity = new LinkedHashMap<>();
    capacity.put("cpu", Integer.toString(engine.getNCPU() == null ? 1 : engine.getNCPU()));
    long memory = engine.getMemTotal() == null ? 0 : engine.getMemTotal();
    capacity.put("memory", (memory / 1024) + "Ki");
    capacity.put("pods", Integer.toString(pods));
    return new RuntimeInfo("docker", "docker://" + engine.getServerVersion(), capacity, address,
        String.valueOf(engine.getOperatingSystem()), String.valueOf(engine.getKernelVersion()),
        architecture(engine.getArchitecture()), false, localVolumeDir);
  }

  @Override
  public void removeLocalVolumesBut(Set<String> keep) {
    if (!java.nio.file.Files.isDirectory(localVolumes)) {
      return;
    }
    try (java.nio.file.DirectoryStream<java.nio.file.Path> dirs = java.nio.file.Files.newDirectoryStream(localVolumes)) {
      for (java.nio.file.Path dir : dirs) {
        if (!keep.contains(dir.getFileName().toString())) {
          log.info("Removing the data of deleted PersistentVolume {}", dir.getFileName());
          PodVolumes.deleteTree(dir);
        }
      }
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      log.warn("The local volumes in {} could not be cleaned up: {}", localVolumes, e.toString());
    }
  }

  /** Docker says {@code x86_64}; Kubernetes says {@code amd64}. */
  static String architecture(String docker) {
    if (docker == null) {
      return "amd64";
    }
    return switch (docker) {
      case "x86_64" -> "amd64";
      case "aarch64" -> "arm64";
      case "armv7l" -> "arm";
      default -> docker;
    };
  }

  /**
   * Puts the node's pods on a Docker network with the node's pod CIDR; spare sandboxes are
   * made (and earlier ones taken over) only from then on, on that network.
   */
  @Override
  public CompletionStage<Void> configurePodNetwork(String podCidr) {
    return CompletableFuture.runAsync(() -> {
      podNetwork.ensure(podCidr);
      if (sparesStarted.compareAndSet(false, true)) {
        spares.start(nodeContainers());
      }
    }, executor);
  }

  @Override
  public Optional<String> networkNotReady() {
    return podNetwork.notReady();
  }

  @Override
  public RuntimeInfo info() {
    return info;
  }

  @Override
  public void setListener(Listener listener) {
    this.listener = listener;
  }

  /** The node this runtime serves (its containers carry it as a label). */
  public String nodeName() {
    return node;
  }

  // ---------------------------------------------------------------- pods

  @Override
  public CompletionStage<RunningPod> startPod(PodConfig pod) {
    String uid = pod.ref().uid();
    stopRequested.remove(uid);
    return answered(uid, lanes.submit(uid, () -> doStartPod(pod)));
  }

  private RunningPod doStartPod(PodConfig pod) {
    PodRef ref = pod.ref();
    checkNotStopped(ref);
    // leftovers of an earlier start that failed half-way: a pod never runs twice
    if (!listed || !knownPods.add(ref.uid())) {
      knownPods.add(ref.uid());
      removeAll(podContainers(ref.uid()));
    }
    try {
      volumes.setUp(pod); // before the sandbox, which holds the pod's tmpfs volumes
      Sandbox sandbox = createSandbox(pod);
      podFiles.write(ref.uid(), pod.environment(), sandbox.podIp());
      List<ContainerStatus> statuses = new ArrayList<>();
      for (ContainerConfig c : pod.containers()) {
        checkNotStopped(ref);
        statuses.add(startApp(ref, sandbox, c, 0));
      }
      checkNotStopped(ref);
      return new RunningPod(ref, sandbox.podIp(), statuses, sandbox.ports());
    } catch (RuntimeException e) {
      removeAll(podContainers(ref.uid()));
      forgetPod(ref.uid());
      throw e;
    }
  }

  /**
   * The pod's sandbox: a spare one when the pod needs nothing a spare lacks (published ports,
   * the host network), else a new one; its image is made again if someone removed it.
   */
  private Sandbox createSandbox(PodConfig pod) {
    // a spare's hostname is fixed: a pod that names its host needs its own sandbox
    boolean namesItsHost = !pod.spec().path("hostname").asText("").isEmpty()
        || !pod.spec().path("subdomain").asText("").isEmpty();
    if (!pod.spec().path("hostNetwork").asBoolean(false) && sandboxes.declared(pod.spec()).isEmpty() && !namesItsHost
        && !DockerVolumes.hasMemoryVolumes(pod.spec())) {
      Optional<String> spare = spares.take();
      if (spare.isPresent()) {
        try {
          docker.renameContainerCmd(spare.get()).withName(DockerLabels.claimedSandboxName(pod.ref())).exec();
          return sandboxes.describe(docker.inspectContainerCmd(spare.get()).exec());
        } catch (RuntimeException e) {
          log.warn("Node {}: a spare sandbox could not be taken ({}); making one", node, e.toString());
          sandboxes.removeQuietly(spare.get());
        }
      }
    }
    try {
      return throttled(() -> sandboxes.create(pod.ref(), pod.spec()));
    } catch (NotFoundException e) {
      try {
        BusyboxImage.ensure(docker, http, settings.sandboxImage(), settings.busybox());
      } catch (IOException io) {
        throw new IllegalStateException("the pod sandbox image is missing and could not be made: " + io.getMessage(), io);
      }
      return throttled(() -> sandboxes.create(pod.ref(), pod.spec()));
    }
  }

  /** Runs an engine create/start step within the bound on starts in flight. */
  private <T> T throttled(java.util.function.Supplier<T> step) {
    try {
      starts.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while waiting to start a container");
    }
    try {
      return step.get();
    } finally {
      starts.release();
    }
  }

  private void checkNotStopped(PodRef ref) {
    if (stopRequested.contains(ref.uid())) {
      throw new CancellationException("pod " + ref.namespace() + "/" + ref.name() + " was stopped while it started");
    }
  }

  @Override
  public CompletionStage<ContainerStatus> startContainer(PodRef pod, ContainerConfig container, int attempt) {
    return answered(pod.uid(), lanes.submit(pod.uid(), () -> {
      List<Container> all = podContainers(pod.uid());
      Container sandboxContainer = all.stream().filter(c -> DockerLabels.SANDBOX.equals(label(c, DockerLabels.ROLE)))
          .findFirst().orElseThrow(() -> new IllegalStateException("no pod sandbox for " + pod));
      if (!"running".equals(sandboxContainer.getState())) {
        // the engine restarted (or someone stopped it): the pod's containers need their namespace back
        log.info("Node {}: starting the stopped sandbox of pod {}/{} again", node, pod.namespace(), pod.name());
        docker.startContainerCmd(sandboxContainer.getId()).exec();
      }
      Sandbox sandbox = sandboxes.describe(docker.inspectContainerCmd(sandboxContainer.getId()).exec());
      keepOnlyPrevious(pod, container.name(), DockerLabels.appName(pod, container.name(), attempt),
          instancesOf(all, container.name()));
      return startApp(pod, sandbox, container, attempt);
    }));
  }

  /**
   * Before a restart: the newest instance stays as the "previous" one (its log is
   * {@code --previous}), renamed if the new instance wants its name; older ones go.
   */
  private void keepOnlyPrevious(PodRef pod, String container, String newName, List<Container> instancesNewestFirst) {
    for (int i = 0; i < instancesNewestFirst.size(); i++) {
      Container c = instancesNewestFirst.get(i);
      if (i > 0) {
        remove(c.getId());
        continue;
      }
      if ("running".equals(c.getState())) {
        stopGracefully(List.of(c.getId()), Duration.ZERO);
      }
      for (String name : c.getNames()) {
        if (name.equals("/" + newName)) {
          docker.renameContainerCmd(c.getId()).withName(newName + "_" + c.getId().substring(0, 8)).exec();
        }
      }
    }
  }

  /** Creates and starts one app container in the sandbox; answers its state, never throws for the container's fault. */
  private ContainerStatus startApp(PodRef pod, Sandbox sandbox, ContainerConfig c, int attempt) {
    String policy = c.spec().path("imagePullPolicy").asText("");
    Optional<Waiting> missing = puller.ensure(c.image(), policy);
    if (missing.isPresent()) {
      return new ContainerStatus(c.name(), c.image(), "", "", missing.get());
    }
    String id;
    try {
      var create = docker.createContainerCmd(c.image())
          .withName(DockerLabels.appName(pod, c.name(), attempt))
          .withLabels(DockerLabels.app(node, pod, c.name(), attempt));
      DockerVolumes.Mounts mounts = volumes.binds(pod, c);
      if (mounts.failure().isPresent()) {
        return new ContainerStatus(c.name(), c.image(), "", "", new Waiting("CreateContainerError", mounts.failure().get()));
      }
      List<com.github.dockerjava.api.model.Bind> binds = new ArrayList<>(mounts.binds());
      binds.addAll(sandbox.hostNetwork() ? List.of() : podFiles.binds(pod.uid()));
      ContainerSpecs.apply(create, c, new PodFields(pod, node, sandbox.podIp(), address), sandbox.networkMode(),
          podFiles.serviceVariables(pod.uid()), binds);
      id = throttled(() -> create.exec().getId());
    } catch (RuntimeException e) {
      if (e instanceof NotFoundException) {
        puller.forget(c.image());
      }
      return new ContainerStatus(c.name(), c.image(), "", "", new Waiting("CreateContainerError", describe(e)));
    }
    Instance instance = new Instance(pod, c.name(), c.image(), false);
    instances.put(id, instance);
    try {
      throttled(() -> docker.startContainerCmd(id).exec());
    } catch (RuntimeException e) {
      synchronized (instance) {
        instance.exitReported = true;
      }
      InspectContainerResponse inspect = docker.inspectContainerCmd(id).exec();
      Terminated t = DockerStates.terminated(inspect.getState());
      // as the kubelet reports a container whose process could not be started
      return new ContainerStatus(c.name(), c.image(), DockerStates.imageId(inspect), "docker://" + id,
          new Terminated(t.exitCode() == 0 ? 128 : t.exitCode(), "StartError", describe(e), null, t.finishedAt()));
    }
    // running now; an exit, however soon, comes as an event and is reported after this answer
    String imageId = puller.imageId(c.image());
    return new ContainerStatus(c.name(), c.image(), imageId.isEmpty() ? "" : "docker://" + imageId,
        "docker://" + id, new Running(java.time.Instant.now()));
  }

  @Override
  public CompletionStage<ContainerStatus> stopContainer(PodRef pod, String container, Duration gracePeriod) {
    return lanes.submit(pod.uid(), () -> {
      List<Container> all = instancesOf(podContainers(pod.uid()), container);
      if (all.isEmpty()) {
        throw new IllegalStateException("no container " + container + " in pod " + pod);
      }
      Container current = all.get(0);
      stopGracefully(List.of(current.getId()), gracePeriod);
      Instance instance = instances.get(current.getId());
      return DockerStates.status(docker.inspectContainerCmd(current.getId()).exec(), container,
          instance != null ? instance.image : current.getImage());
    });
  }

  @Override
  public CompletionStage<Void> stopPod(PodRef pod, Duration gracePeriod) {
    String uid = pod.uid();
    stopRequested.add(uid);
    return lanes.submit(uid, () -> {
      List<Container> all = podContainers(uid);
      List<String> running = all.stream()
          .filter(c -> DockerLabels.APP.equals(label(c, DockerLabels.ROLE)) && "running".equals(c.getState()))
          .map(Container::getId).toList();
      stopGracefully(running, gracePeriod);
      removeAll(all);
      forgetPod(uid);
      stopRequested.remove(uid);
      return null;
    });
  }

  /**
   * SIGTERM to all at once, then up to {@code grace} for them to exit, then SIGKILL to those
   * still running. Exits caused here are not reported to the listener.
   */
  private void stopGracefully(List<String> ids, Duration grace) {
    for (String id : ids) {
      Instance instance = instances.get(id);
      if (instance != null) {
        synchronized (instance) {
          instance.stopping = true;
        }
      }
    }
    List<String> signalled = new ArrayList<>();
    if (!grace.isZero() && !grace.isNegative()) {
      for (String id : ids) {
        try {
          docker.killContainerCmd(id).withSignal("SIGTERM").exec();
          signalled.add(id);
        } catch (RuntimeException e) {
          // not running (anymore): 404 or 409
        }
      }
    }
    long deadline = System.nanoTime() + grace.toNanos();
    for (String id : signalled) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      try (WaitContainerResultCallback wait = docker.waitContainerCmd(id).exec(new WaitContainerResultCallback())) {
        wait.awaitCompletion(left, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (IOException | RuntimeException e) {
        // gone meanwhile
      }
    }
    for (String id : ids) {
      try {
        docker.killContainerCmd(id).withSignal("SIGKILL").exec();
      } catch (RuntimeException e) {
        // exited within the grace period: 404 or 409
      }
    }
    for (String id : ids) {
      awaitExit(id);
    }
  }

  /** After SIGKILL the exit is a matter of milliseconds; wait for it so the state we answer is final. */
  private void awaitExit(String id) {
    try (WaitContainerResultCallback wait = docker.waitContainerCmd(id).exec(new WaitContainerResultCallback())) {
      wait.awaitCompletion(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      // gone
    }
  }

  // ---------------------------------------------------------------- listing and adoption

  @Override
  public CompletionStage<Void> updateVolumes(PodRef pod, io.steuermann.node.volumes.ResolvedVolumes resolved) {
    // through the pod's lane: never after its stop removed the files
    return lanes.submit(pod.uid(), () -> {
      if (!stopRequested.contains(pod.uid())) {
        volumes.refresh(pod, resolved);
      }
      return null;
    });
  }

  @Override
  public CompletionStage<List<RunningPod>> listPods() {
    return CompletableFuture.supplyAsync(this::nodeContainers, executor).thenCompose(all -> {
      Map<String, List<Container>> byPod = new LinkedHashMap<>();
      for (Container c : all) {
        DockerLabels.podOf(c).ifPresent(pod -> byPod.computeIfAbsent(pod.uid(), k -> new ArrayList<>()).add(c));
      }
      knownPods.addAll(byPod.keySet());
      // of pods whose containers went while this process did not run; not of one being started now
      volumes.removeAllBut(Set.copyOf(knownPods));
      listed = true;
      List<CompletableFuture<Optional<RunningPod>>> pods = new ArrayList<>();
      // through each pod's lane: a pod being started or stopped right now is seen after that
      byPod.keySet().forEach(uid -> pods.add(lanes.submit(uid, () -> describePod(uid))));
      return CompletableFuture.allOf(pods.toArray(CompletableFuture[]::new))
          .thenApply(done -> pods.stream().map(CompletableFuture::join).flatMap(Optional::stream).toList());
    });
  }

  /** The pod as it runs now; a pod whose sandbox is gone or dead is removed and not reported. */
  private Optional<RunningPod> describePod(String uid) {
    List<Container> all = podContainers(uid);
    Optional<Container> sandboxContainer = all.stream()
        .filter(c -> DockerLabels.SANDBOX.equals(label(c, DockerLabels.ROLE))).findFirst();
    if (sandboxContainer.isEmpty() || !"running".equals(sandboxContainer.get().getState())) {
      if (!all.isEmpty()) {
        log.info("Node {}: removing the containers of pod {}, whose sandbox is gone", node,
            DockerLabels.podOf(all.get(0)).orElseThrow());
        removeAll(all);
      }
      forgetPod(uid);
      return Optional.empty();
    }
    PodRef ref = DockerLabels.podOf(sandboxContainer.get()).orElseThrow();
    Sandbox sandbox = sandboxes.describe(docker.inspectContainerCmd(sandboxContainer.get().getId()).exec());
    Map<String, Container> newest = new LinkedHashMap<>();
    for (Container c : all) {
      if (DockerLabels.APP.equals(label(c, DockerLabels.ROLE))) {
        newest.merge(label(c, DockerLabels.CONTAINER), c, (a, b) -> newer(a, b) ? a : b);
      }
    }
    List<ContainerStatus> statuses = new ArrayList<>();
    newest.forEach((name, c) -> {
      InspectContainerResponse inspect = docker.inspectContainerCmd(c.getId()).exec();
      String image = inspect.getConfig() != null && inspect.getConfig().getImage() != null
          ? inspect.getConfig().getImage() : c.getImage();
      ContainerStatus status = DockerStates.status(inspect, name, image);
      Instance instance = instances.computeIfAbsent(c.getId(), id -> new Instance(ref, name, image, true));
      synchronized (instance) {
        instance.answered = true;
        if (status.state() instanceof Terminated) {
          instance.exitReported = true;
        }
      }
      statuses.add(status);
    });
    return Optional.of(new RunningPod(ref, sandbox.podIp(), statuses, sandbox.ports()));
  }

  // ---------------------------------------------------------------- exits

  /** A container of this node died: report it once, and only after its start was answered. */
  private void onDie(String id) {
    Instance instance = instances.get(id);
    if (instance == null) {
      return; // a sandbox, or a container of a pod already removed
    }
    synchronized (instance) {
      if (instance.stopping || instance.exitReported) {
        return;
      }
    }
    InspectContainerResponse inspect;
    try {
      inspect = docker.inspectContainerCmd(id).exec();
    } catch (NotFoundException e) {
      return;
    }
    ContainerStatus status = DockerStates.status(inspect, instance.container, instance.image);
    if (!(status.state() instanceof Terminated)) {
      return;
    }
    synchronized (instance) {
      if (instance.stopping || instance.exitReported) {
        return;
      }
      instance.exitReported = true;
      if (!instance.answered) {
        instance.pendingExit = status;
        return;
      }
    }
    listener.containerChanged(instance.pod, status);
  }

  /**
   * The start of a pod's containers is answered: exits that came meanwhile are reported
   * now, after the answer.
   */
  private <T> CompletionStage<T> answered(String uid, CompletableFuture<T> work) {
    CompletableFuture<T> answer = new CompletableFuture<>();
    work.whenComplete((value, error) -> {
      if (error != null) {
        answer.completeExceptionally(error instanceof java.util.concurrent.CompletionException && error.getCause() != null
            ? error.getCause() : error);
      } else {
        answer.complete(value);
      }
      List<Map.Entry<PodRef, ContainerStatus>> pending = new ArrayList<>();
      instances.forEach((id, instance) -> {
        if (instance.pod.uid().equals(uid)) {
          synchronized (instance) {
            instance.answered = true;
            if (instance.pendingExit != null) {
              pending.add(Map.entry(instance.pod, instance.pendingExit));
              instance.pendingExit = null;
            }
          }
        }
      });
      pending.forEach(p -> listener.containerChanged(p.getKey(), p.getValue()));
    });
    return answer;
  }

  // ---------------------------------------------------------------- exec and logs

  @Override
  public CompletionStage<ExecResult> exec(PodRef pod, String container, List<String> command, Duration timeout) {
    return CompletableFuture.supplyAsync(() -> {
      List<Container> all = instancesOf(podContainers(pod.uid()), container);
      if (all.isEmpty() || !"running".equals(all.get(0).getState())) {
        throw new IllegalStateException("container " + container + " of pod " + pod.namespace() + "/" + pod.name()
            + " is not running");
      }
      String execId = docker.execCreateCmd(all.get(0).getId()).withCmd(command.toArray(String[]::new))
          .withAttachStdout(true).withAttachStderr(true).exec().getId();
      ByteArrayOutputStream output = new ByteArrayOutputStream();
      ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
        @Override
        public void onNext(Frame frame) {
          byte[] payload = frame.getPayload();
          synchronized (output) {
            if (payload != null && output.size() < EXEC_OUTPUT_LIMIT) {
              output.write(payload, 0, Math.min(payload.length, EXEC_OUTPUT_LIMIT - output.size()));
            }
          }
        }
      };
      boolean finished;
      try (callback) {
        docker.execStartCmd(execId).exec(callback);
        finished = callback.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        finished = false;
      } catch (IOException e) {
        finished = true;
      }
      String text;
      synchronized (output) {
        text = output.toString(java.nio.charset.StandardCharsets.UTF_8);
      }
      if (!finished) {
        return new ExecResult(-1, text, true);
      }
      Long code = docker.inspectExecCmd(execId).exec().getExitCodeLong();
      return new ExecResult(code == null ? -1 : code.intValue(), text, false);
    }, executor);
  }

  @Override
  public CompletionStage<java.net.InetSocketAddress> portForwardAddress(PodRef pod, int port) {
    return CompletableFuture.supplyAsync(() -> {
      Container sandbox = podContainers(pod.uid()).stream()
          .filter(c -> DockerLabels.SANDBOX.equals(label(c, DockerLabels.ROLE)) && "running".equals(c.getState()))
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("pod " + pod.name() + " does not run on this node"));
      String ip = sandboxes.describe(docker.inspectContainerCmd(sandbox.getId()).exec()).podIp();
      if (ip == null || ip.isEmpty()) {
        throw new IllegalStateException("pod " + pod.name() + " has no address yet");
      }
      return new java.net.InetSocketAddress(ip, port);
    }, executor);
  }

  @Override
  public CompletionStage<io.steuermann.node.runtime.ProcessStream> openStream(PodRef pod, String container,
      io.steuermann.node.runtime.StreamRequest request) {
    return CompletableFuture.supplyAsync(() -> {
      List<Container> all = instancesOf(podContainers(pod.uid()), container);
      if (all.isEmpty() || !"running".equals(all.get(0).getState())) {
        throw new IllegalStateException("container " + container + " is not running");
      }
      String id = all.get(0).getId();
      try {
        if (request.attach()) {
          Boolean tty = docker.inspectContainerCmd(id).exec().getConfig().getTty();
          return DockerProcessStream.attach(docker, engineAddress, id, request, Boolean.TRUE.equals(tty));
        }
        return DockerProcessStream.exec(docker, engineAddress, id, request);
      } catch (IOException e) {
        throw new IllegalStateException("the Docker engine's stream failed: " + e.getMessage(), e);
      }
    }, executor);
  }

  @Override
  public Source<ByteString, NotUsed> logs(PodRef pod, String container, LogOptions options) {
    CompletableFuture<Source<ByteString, NotUsed>> found = CompletableFuture.supplyAsync(() -> {
      List<Container> all = instancesOf(podContainers(pod.uid()), container);
      int index = options.previous() ? 1 : 0;
      if (all.size() <= index) {
        throw new IllegalStateException((options.previous() ? "previous terminated container \"" : "container \"")
            + container + "\" in pod \"" + pod.name() + "\" not found");
      }
      return DockerLogs.source(docker, all.get(index).getId(), options);
    }, executor);
    return Source.completionStageSource(found).mapMaterializedValue(m -> NotUsed.getInstance());
  }

  // ---------------------------------------------------------------- docker helpers

  /** Every container of this node (running or not). */
  private List<Container> nodeContainers() {
    return docker.listContainersCmd().withShowAll(true)
        .withLabelFilter(Map.of(DockerLabels.NODE, node)).exec();
  }

  /**
   * Every container of one pod on this node: those labelled with its uid, and its sandbox when
   * it was a spare (known by its name). Two filtered queries are cheaper for the engine than
   * listing the whole node.
   */
  private List<Container> podContainers(String uid) {
    List<Container> all = new ArrayList<>(docker.listContainersCmd().withShowAll(true)
        .withLabelFilter(Map.of(DockerLabels.NODE, node, DockerLabels.POD_UID, uid)).exec());
    for (Container c : docker.listContainersCmd().withShowAll(true)
        .withLabelFilter(Map.of(DockerLabels.NODE, node)).withNameFilter(List.of("_" + uid)).exec()) {
      if (DockerLabels.podOf(c).map(p -> p.uid().equals(uid)).orElse(false)
          && all.stream().noneMatch(known -> known.getId().equals(c.getId()))) {
        all.add(c);
      }
    }
    return all;
  }

  /** The instances of one container of a pod, newest first. */
  private static List<Container> instancesOf(List<Container> podContainers, String container) {
    return podContainers.stream()
        .filter(c -> DockerLabels.APP.equals(label(c, DockerLabels.ROLE))
            && container.equals(label(c, DockerLabels.CONTAINER)))
        .sorted(Comparator.comparingInt((Container c) -> DockerLabels.attempt(c.getLabels()))
            .thenComparing(c -> c.getCreated() == null ? 0L : c.getCreated()).reversed())
        .toList();
  }

  private static boolean newer(Container a, Container b) {
    int byAttempt = Integer.compare(DockerLabels.attempt(a.getLabels()), DockerLabels.attempt(b.getLabels()));
    if (byAttempt != 0) {
      return byAttempt > 0;
    }
    return (a.getCreated() == null ? 0L : a.getCreated()) >= (b.getCreated() == null ? 0L : b.getCreated());
  }

  private static String label(Container c, String key) {
    return c.getLabels() == null ? "" : c.getLabels().getOrDefault(key, "");
  }

  private void removeAll(List<Container> containers) {
    // the app containers first: they live in the sandbox's network namespace
    containers.stream().filter(c -> !DockerLabels.SANDBOX.equals(label(c, DockerLabels.ROLE)))
        .forEach(c -> remove(c.getId()));
    containers.stream().filter(c -> DockerLabels.SANDBOX.equals(label(c, DockerLabels.ROLE)))
        .forEach(c -> remove(c.getId()));
  }

  private void remove(String id) {
    Instance instance = instances.get(id);
    if (instance != null) {
      synchronized (instance) {
        instance.stopping = true;
      }
    }
    try {
      docker.removeContainerCmd(id).withForce(true).exec();
    } catch (NotFoundException e) {
      // gone already
    } catch (ConflictException e) {
      // removal already in progress
    }
    instances.remove(id);
  }

  /** The pod's containers are removed: nothing of it is left to know. */
  private void forgetPod(String uid) {
    knownPods.remove(uid);
    volumes.tearDown(uid);
    podFiles.remove(uid);
    instances.values().removeIf(i -> i.pod.uid().equals(uid));
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.strip();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private static void closeQuietly(DockerClient docker) {
    try {
      docker.close();
    } catch (IOException e) {
      // closing
    }
  }

  /** Stops following events and frees the client; containers keep running (a later runtime adopts them). */
  @Override
  public void close() {
    spares.close();
    events.close();
    timer.shutdownNow();
    executor.shutdown();
    try {
      // calls in flight (a spare being made, say) finish with a working client
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeQuietly(docker);
  }

  /** Spare sandboxes started and ready to be taken (for tests and diagnostics). */
  public int readySpareSandboxes() {
    return spares.ready();
  }

  /** For tests: the Docker client this runtime uses. */
  public DockerClient client() {
    return docker;
  }
}
