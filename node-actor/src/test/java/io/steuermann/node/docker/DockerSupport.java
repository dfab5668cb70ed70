package io.steuermann.node.docker;

import static org.junit.jupiter.api.Assertions.fail;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import io.steuermann.node.runtime.docker.BusyboxImage;
import io.steuermann.node.runtime.docker.DockerRuntime;
import io.steuermann.node.runtime.docker.DockerSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What tests with real containers need, in one place:
 *
 * <pre>{@code
 * @BeforeAll static void docker() { DockerSupport.requireDocker(); }   // fails without an engine
 * String node = DockerSupport.uniqueNodeName("mytest");                   // nodes share the engine
 * DockerRuntime runtime = DockerSupport.runtime(node);                    // a node's runtime
 * ... pods with image DockerSupport.IMAGE (busybox: sh, httpd, wget, nc, sleep, ...)
 * DockerSupport.removeContainersOf(node);                                // in @AfterEach
 * }</pre>
 *
 * <p>{@link #requireDocker()} fails the test when no Docker engine is reachable — the engine is
 * required like PostgreSQL, never skipped (.ci/run installs and starts it). It also makes the test image {@link #IMAGE} once
 * ({@code docker import} of the host's static {@code /bin/busybox}; no registry is needed).
 */
public final class DockerSupport {
  /**
   * The workload image of the tests: a static busybox. Rely only on the applets {@code sh},
   * {@code sleep}, {@code cat}, {@code echo}, {@code httpd}, {@code wget} and {@code nc} being
   * linked in /bin (an older build of the image has no more, and no /tmp); call others as
   * {@code busybox mkdir ...}.
   */
  public static final String IMAGE = "steuermann/busybox:test";
  public static final Path BUSYBOX = Path.of("/bin/busybox");

  private DockerSupport() {}

  /** A client of the local engine ({@code DOCKER_HOST} or the default socket). */
  public static DockerClient client() {
    DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
    return DockerClientImpl.getInstance(config, http(config));
  }

  private static DockerHttpClient http(DefaultDockerClientConfig config) {
    return new ZerodepDockerHttpClient.Builder().dockerHost(config.getDockerHost())
        .sslConfig(config.getSSLConfig()).connectionTimeout(Duration.ofSeconds(5)).build();
  }

  /**
   * Returns when a Docker engine answers and the test image exists; otherwise fails the test,
   * saying what is missing.
   */
  public static void requireDocker() {
    String problem = null;
    DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
    DockerHttpClient http = http(config);
    try (DockerClient docker = DockerClientImpl.getInstance(config, http)) {
      docker.pingCmd().exec();
      BusyboxImage.ensure(docker, http, IMAGE, BUSYBOX);
    } catch (IOException | RuntimeException e) {
      problem = e.toString();
    }
    if (problem == null) {
      return;
    }
    // required like PostgreSQL: a test suite that skips its container tests proves nothing about them
    fail("No usable Docker engine (DOCKER_HOST or /var/run/docker.sock): " + problem
        + " -- the Docker tests need one (.ci/run installs and starts dockerd)");
  }

  /** A node name no other test (or test run) uses: the runtime sees only its own node's containers. */
  public static String uniqueNodeName(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** The settings a node of the tests uses (the default sandbox image, 8 threads, 2 spare sandboxes). */
  public static DockerSettings settings() {
    return new DockerSettings("", "steuermann/pause:1", BUSYBOX, 8, Duration.ofSeconds(60), 110, 2, 0,
        java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "steuermann-pods"), Duration.ofSeconds(1));
  }

  /** A connected Docker runtime for node {@code node} on 127.0.0.1. */
  public static DockerRuntime runtime(String node) {
    try {
      return DockerRuntime.connect(settings(), node, "127.0.0.1");
    } catch (DockerRuntime.Unavailable e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A connected Docker runtime whose pod network is set up with {@code podCidr}, for tests that
   * use the runtime without a node agent (which would hand it the node's allocated CIDR).
   */
  public static DockerRuntime runtimeOnPodNetwork(String node, String podCidr) {
    DockerRuntime runtime = runtime(node);
    try {
      runtime.configurePodNetwork(podCidr).toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      runtime.close();
      throw new IllegalStateException("the pod network " + podCidr + " could not be set up", e);
    }
    return runtime;
  }

  /** The containers (any state) of a node. */
  public static List<Container> containersOf(String node) {
    try (DockerClient docker = client()) {
      return docker.listContainersCmd().withShowAll(true)
          .withLabelFilter(Map.of("steuermann.io/node", node)).exec();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The containers of one pod (by uid) on a node: those labelled with it, and its sandbox when
   * it was a spare the pod took (which is known by its name, {@code stmpod_<ns>_<name>_<uid>}).
   */
  public static List<Container> podContainers(String node, String uid) {
    return containersOf(node).stream().filter(c -> uid.equals(c.getLabels().get("steuermann.io/pod-uid"))
        || List.of(c.getNames()).stream().anyMatch(n -> n.endsWith("_" + uid))).toList();
  }

  /** Whether a container is a spare sandbox no pod has taken yet. */
  public static boolean isSpare(Container c) {
    return List.of(c.getNames()).stream().anyMatch(n -> n.startsWith("/stm_spare_"));
  }

  /** The node's pod files and volumes on the host, left when a test removed its containers by hand. */
  private static void removePodDir(String node) {
    Path dir = settings().podDir().resolve(node);
    if (!java.nio.file.Files.exists(dir)) {
      return;
    }
    try (var files = java.nio.file.Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover in the temp dir does no harm to other tests
    }
  }

  /** Removes (kills) every container of a node, its tmpfs volumes, pod files and pod network: a test's clean-up. */
  public static void removeContainersOf(String node) {
    try (DockerClient docker = client()) {
      for (Container c : docker.listContainersCmd().withShowAll(true)
          .withLabelFilter(Map.of("steuermann.io/node", node)).exec()) {
        try {
          docker.removeContainerCmd(c.getId()).withForce(true).exec();
        } catch (RuntimeException e) {
          // gone meanwhile
        }
      }
      var volumes = docker.listVolumesCmd().withFilter("label", List.of("steuermann.io/node=" + node)).exec().getVolumes();
      for (var volume : volumes == null ? List.<com.github.dockerjava.api.command.InspectVolumeResponse>of() : volumes) {
        try {
          docker.removeVolumeCmd(volume.getName()).exec();
        } catch (RuntimeException e) {
          // in use still, or gone meanwhile
        }
      }
      removePodDir(node);
      for (var network : docker.listNetworksCmd().withFilter("label", List.of("steuermann.io/node=" + node)).exec()) {
        try {
          docker.removeNetworkCmd(network.getId()).exec();
        } catch (RuntimeException e) {
          // in use by a container made meanwhile (a spare): the next runtime of a clashing CIDR removes it
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A configuration line giving a test engine a pod network of its own: a /16 under 10.128/9
   * that no Docker network on this engine overlaps. Test engines that run at the same time on
   * one dockerd (two builds, two worktrees) would otherwise all take the default 10.244.0.0/16,
   * and the second node's network could not be made while the first one's has containers.
   */
  public static String ownPodNetworkConfig() {
    java.util.Set<Integer> taken = new java.util.HashSet<>();
    try (DockerClient docker = client()) {
      for (var network : docker.listNetworksCmd().exec()) {
        if (network.getIpam() == null || network.getIpam().getConfig() == null) {
          continue;
        }
        for (var c : network.getIpam().getConfig()) {
          String subnet = c.getSubnet();
          if (subnet != null && subnet.startsWith("10.")) {
            taken.add(Integer.parseInt(subnet.split("\\.")[1]));
          }
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    var random = java.util.concurrent.ThreadLocalRandom.current();
    int block;
    do {
      block = 128 + random.nextInt(116); // below 10.244, the default and the runtime tests' blocks
    } while (taken.contains(block));
    return "steuermann.network.cluster-cidr = \"10." + block + ".0.0/16\"\n";
  }
}
