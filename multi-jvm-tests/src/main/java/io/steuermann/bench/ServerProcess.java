package io.steuermann.bench;

import io.steuermann.dist.ServerCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One Steuermann server started as its own JVM from the distribution (the http-api jar and
 * its lib directory), with its output in a log file. Reads the process's CPU time and RSS
 * from /proc, which costs nothing measurable.
 */
final class ServerProcess implements AutoCloseable {
  private static final long CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ

  final int port;
  final Path log;
  private final Process process;

  private ServerProcess(int port, Path log, Process process) {
    this.port = port;
    this.log = log;
    this.process = process;
  }

  static ServerProcess start(Path dist, List<String> javaOpts, List<String> serverArgs, Path workDir)
      throws IOException {
    int port = freePort();
    List<String> args = new ArrayList<>(List.of("--port", Integer.toString(port)));
    args.addAll(serverArgs);
    List<String> cmd = ServerCommand.of(dist, List.of(), javaOpts, args);
    Path log = workDir.resolve("server.log");
    Process p = new ProcessBuilder(cmd).directory(workDir.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new ServerProcess(port, log, p);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** User + system CPU time of the server process so far, in seconds; NaN if unknown. */
  double cpuSeconds() {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
      // fields after the ")" of the command name: state is field 3, utime 14, stime 15
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) CLOCK_TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** Resident set size in MiB; NaN if unknown. */
  double rssMiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // unknown
    }
    return Double.NaN;
  }

  String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** SIGTERM (coordinated shutdown), then SIGKILL if it lingers. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  static List<String> split(String opts) {
    return opts.isBlank() ? List.of() : Arrays.asList(opts.trim().split("\\s+"));
  }
}
