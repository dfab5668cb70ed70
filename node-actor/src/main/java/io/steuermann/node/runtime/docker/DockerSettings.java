package io.steuermann.node.runtime.docker;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The Docker runtime's settings ({@code steuermann.node.docker}, documented in reference.conf).
 *
 * @param host the engine's address; empty = {@code DOCKER_HOST}, else the default socket
 * @param sandboxImage the image of the pod sandboxes; made from {@code busybox} when missing
 * @param busybox a static busybox on this machine, the only file of the sandbox image
 * @param threads the runtime's threads for blocking Docker calls
 * @param pullTimeout how long an image pull may take before it counts as failed
 * @param pods the node's pod capacity
 * @param warmSandboxes sandboxes kept started ahead of need, for pods without ports
 * @param parallelStarts container creates and starts in flight at once; 0: twice the engine's cores, at least 4
 * @param podDir where the pods' resolv.conf, hosts and variables are written
 * @param metricsInterval how often the containers' CPU and memory are sampled (kubectl top)
 */
public record DockerSettings(String host, String sandboxImage, Path busybox, int threads, Duration pullTimeout,
    int pods, int warmSandboxes, int parallelStarts, Path podDir, Duration metricsInterval) {

  public DockerSettings {
    if (threads < 1) {
      throw new IllegalArgumentException("steuermann.node.docker.threads must be at least 1: " + threads);
    }
  }

  public static DockerSettings fromConfig(Config docker) {
    return new DockerSettings(docker.getString("host"), docker.getString("sandbox-image"),
        Path.of(docker.getString("busybox")), docker.getInt("threads"), docker.getDuration("pull-timeout"),
        docker.getInt("pods"), docker.getInt("warm-sandboxes"), docker.getInt("parallel-starts"),
        docker.getString("pod-dir").isEmpty() ? Path.of(System.getProperty("java.io.tmpdir"), "steuermann-pods")
            : Path.of(docker.getString("pod-dir")),
        docker.getDuration("metrics-interval"));
  }
}
