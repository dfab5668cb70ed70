package io.steuermann.machines;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A Docker engine of one simulated machine, as Docker's "run multiple daemons" describes:
 * its own {@code --data-root}, {@code --exec-root} (which also holds the containerd it starts),
 * {@code --pidfile} and unix socket, all under the machine's directory, with its own default
 * bridge ({@code --bip}) and its own iptables rules, inside the machine's network namespace.
 *
 * <p>It enters only the network namespace ({@code nsenter --net}), not a new mount namespace as
 * {@code ip netns exec} would make: that one remounts /sys without the cgroup hierarchies and
 * dockerd refuses to start ("Devices cgroup isn't mounted"). Its mounts (image layers, the
 * containers' netns files) are therefore the host's and lie under the machine's directory,
 * where {@link Sweep} finds them.
 */
public final class Dockerd implements AutoCloseable {
  /** Engines' logs: outside the rig's directory, so that they outlive its sweep and a failed test can be read. */
  public static final Path LOG_DIR = Path.of("target", "machine-logs").toAbsolutePath();
  private static final java.util.concurrent.atomic.AtomicInteger SEQUENCE = new java.util.concurrent.atomic.AtomicInteger();

  private final String netns;
  private final Path dir;
  private final Path log;
  private final Process process;

  private Dockerd(String netns, Path dir, Path log, Process process) {
    this.netns = netns;
    this.dir = dir;
    this.log = log;
    this.process = process;
  }

  /**
   * Starts a dockerd in network namespace {@code netns} with state under {@code dir} and its
   * default bridge at {@code bip} (e.g. {@code 172.30.1.1/24}; null: {@code --bridge=none}),
   * and waits until it answers.
   */
  public static Dockerd start(String netns, Path dir, String bip) {
    Path log = LOG_DIR.resolve(String.format("%s-%03d-dockerd.log", netns, SEQUENCE.incrementAndGet()));
    try {
      Files.createDirectories(dir);
      Files.createDirectories(LOG_DIR);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=/run/netns/" + netns, "dockerd",
        "--data-root", dir.resolve("data").toString(),
        "--exec-root", dir.resolve("exec").toString(),
        "--pidfile", dir.resolve("dockerd.pid").toString(),
        "-H", "unix://" + dir.resolve("docker.sock"),
        // the host's containerd must not be shared: each engine starts its own under exec-root
        "--containerd-namespace", netns, "--containerd-plugins-namespace", netns + "-plugins"));
    cmd.add(bip == null ? "--bridge=none" : "--bip=" + bip);
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + cmd, e);
    }
    Dockerd dockerd = new Dockerd(netns, dir, log, p);
    try {
      await("dockerd of " + netns + " answers").atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> {
            if (!p.isAlive()) {
              throw new IllegalStateException("dockerd of " + netns + " exited with " + p.exitValue()
                  + ":\n" + dockerd.logTail(20));
            }
            return dockerd.docker("version", "--format", "{{.Server.Version}}").ok();
          });
    } catch (ConditionTimeoutException e) {
      String tail = dockerd.logTail(20);
      dockerd.close();
      throw new AssertionError("dockerd of " + netns + " did not answer:\n" + tail, e);
    }
    return dockerd;
  }

  /** The engine's address for clients: {@code unix:///.../docker.sock}. */
  public String host() {
    return "unix://" + dir.resolve("docker.sock");
  }

  public Path dir() {
    return dir;
  }

  public Path log() {
    return log;
  }

  public long pid() {
    return process.pid();
  }

  /** The {@code docker} command line client against this engine, whatever its exit code. */
  public Shell.Result docker(String... args) {
    return Shell.run(Shell.concat(List.of("docker", "-H", host()), args), null, Shell.DEFAULT_TIMEOUT);
  }

  /**
   * Makes {@code image} with {@code docker import} from {@code rootfs} (a directory, see
   * {@link Images}) unless the engine has it.
   */
  public void importImage(String image, Path rootfs) {
    if (docker("image", "inspect", image).ok()) {
      return;
    }
    Shell.run(List.of("sh", "-c", "tar -C \"$1\" -c . | docker -H \"$2\" import - \"$3\"", "import",
        rootfs.toString(), host(), image), null, Shell.DEFAULT_TIMEOUT).check();
  }

  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /**
   * Removes every container (so that dockerd's shutdown does not wait out each one's grace
   * period), then stops dockerd with SIGTERM, SIGKILL after 20 s. What it leaves behind is
   * {@link Sweep}'s.
   */
  @Override
  public void close() {
    if (process.isAlive()) {
      String ids = docker("ps", "-aq").out().strip();
      if (!ids.isEmpty()) {
        List<String> rm = new ArrayList<>(List.of("rm", "-f"));
        rm.addAll(List.of(ids.split("\\s+")));
        docker(rm.toArray(String[]::new));
      }
      process.destroy();
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return "dockerd of " + netns + " (" + host() + ")";
  }
}
