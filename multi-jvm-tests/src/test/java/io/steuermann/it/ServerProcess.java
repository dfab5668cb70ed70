package io.steuermann.it;

import static org.awaitility.Awaitility.await;

import io.steuermann.dist.ServerCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One real Steuermann server, started from the distribution that {@code http-api} packages
 * ({@code steuermann.dist}: the jar plus {@code lib/*}) as a separate JVM.
 *
 * <pre>{@code
 * try (ServerProcess server = ServerProcess.builder("durability").dataDir(dir).start()) {
 *   ApiClient api = server.api();
 *   api.create("/api/v1/namespaces/default/pods", ApiClient.pod("p-1"));
 *   server.killHard();                       // kill -9
 *   ServerProcess again = server.restart();  // same port, flags and data
 * }
 * }</pre>
 *
 * <p>Every incarnation writes its stdout and stderr to its own file under
 * {@code target/server-logs/}; {@link ServerLogs} prints their tails when a test fails.
 * A process that is still running when the test JVM exits is killed.
 */
public final class ServerProcess implements AutoCloseable {
  /** Where the distribution is; surefire passes it, the default suits a run from the module. */
  public static final Path DIST = Path.of(System.getProperty("steuermann.dist", "../http-api/target"))
      .toAbsolutePath().normalize();
  public static final Path LOG_DIR = Path.of("target", "server-logs").toAbsolutePath();

  /** Every process started in this JVM, in order (for {@link ServerLogs}). */
  static final List<ServerProcess> STARTED = new CopyOnWriteArrayList<>();
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      for (ServerProcess p : STARTED) {
        p.process.destroyForcibly();
      }
    }, "kill-server-processes"));
  }

  private final Builder settings;
  private final int incarnation;
  private final Process process;
  private final Path log;
  private final ApiClient api;
  private final long startedNanos;
  private volatile Duration timeToReady;

  private ServerProcess(Builder settings, int incarnation) {
    this.settings = settings;
    this.incarnation = incarnation;
    try {
      Files.createDirectories(LOG_DIR);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.log = LOG_DIR.resolve(String.format("%s-%03d-run%d.log",
        settings.name, SEQUENCE.incrementAndGet(), incarnation));
    List<String> command = command(settings);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    pb.environment().putAll(settings.environment);
    try {
      Files.writeString(log, "# " + String.join(" ", command) + System.lineSeparator(),
          StandardCharsets.UTF_8);
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      this.startedNanos = System.nanoTime();
      this.process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
    STARTED.add(this);
    this.api = new ApiClient(URI.create("http://" + settings.apiAddress + ":" + settings.port));
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** A TCP port nothing listens on right now. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> command(Builder b) {
    List<String> jvm = new ArrayList<>();
    jvm.add("-Xmx" + b.heap);
    jvm.add("-XX:+UseSerialGC");
    jvm.add("-XX:TieredStopAtLevel=1");
    jvm.addAll(b.jvmArgs);
    b.systemProperties.forEach((k, v) -> jvm.add("-D" + k + "=" + v));
    List<String> cmd = new ArrayList<>();
    cmd.add("--port");
    cmd.add(Integer.toString(b.port));
    if (!b.apiAddress.equals("127.0.0.1")) {
      cmd.add("--bind-address");
      cmd.add(b.apiAddress);
    }
    if (b.dataDir != null) {
      cmd.add("--data-dir");
      cmd.add(b.dataDir.toString());
    }
    b.flags.forEach((k, v) -> {
      cmd.add(k);
      cmd.add(v);
    });
    return ServerCommand.of(DIST, b.commandPrefix, jvm, cmd);
  }

  /** Blocks until {@code /readyz} answers 200; fails early if the process exits. */
  private ServerProcess awaitReady() {
    try {
      await("server " + settings.name + " ready on " + settings.apiAddress + ":" + settings.port)
          .atMost(settings.readyTimeout)
          .pollDelay(Duration.ofMillis(200))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> {
            if (!process.isAlive()) {
              throw new IllegalStateException("server exited with " + process.exitValue()
                  + " before becoming ready; log " + log + ":\n" + tail(40));
            }
            return api.readyz() == 200;
          });
    } catch (ConditionTimeoutException e) {
      String tail = tail(40);
      close();
      throw new AssertionError("server not ready within " + settings.readyTimeout + "; log "
          + log + ":\n" + tail, e);
    }
    timeToReady = Duration.ofNanos(System.nanoTime() - startedNanos);
    System.out.printf("[ServerProcess] %s run %d ready on %s:%d in %d ms (pid %d, log %s)%n",
        settings.name, incarnation, settings.apiAddress, settings.port, timeToReady.toMillis(), process.pid(), log);
    return this;
  }

  /** A new process with the same port, flags, data directory and system properties. */
  public ServerProcess restart() {
    if (process.isAlive()) {
      throw new IllegalStateException("still running: stop() or killHard() it first");
    }
    return new ServerProcess(settings, incarnation + 1).awaitReady();
  }

  /**
   * {@code kill -9}: {@link Process#destroyForcibly()} sends SIGKILL on Linux (the JDK's
   * ProcessHandleImpl.destroy0 with force=true). Returns the exit status, which for a
   * signalled child the JDK reports as 128 + signal, so 137.
   */
  public int killHard() {
    process.destroyForcibly();
    return waitForExit(Duration.ofSeconds(10), "SIGKILL");
  }

  /**
   * SIGTERM ({@link ProcessHandle#destroy()}), then waits for the process to exit; fails if it
   * is still running after {@code bound} (and kills it). Returns the exit status.
   */
  public int stop(Duration bound) {
    process.toHandle().destroy();
    return waitForExit(bound, "SIGTERM");
  }

  /** {@link #stop(Duration)} with 15 seconds. */
  public int stop() {
    return stop(Duration.ofSeconds(15));
  }

  private int waitForExit(Duration bound, String what) {
    try {
      if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError("server " + settings.name + " (pid " + process.pid()
            + ") did not exit within " + bound + " after " + what + "; log " + log + ":\n" + tail(40));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return process.exitValue();
  }

  /** {@code kill -STOP}: the process is frozen (no thread runs) until {@link #resume()}. */
  public void freeze() {
    signal("STOP");
  }

  /** {@code kill -CONT}. */
  public void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Waits for the process to exit on its own; fails after {@code bound}. Returns the exit status. */
  public int awaitExit(Duration bound) {
    return waitForExit(bound, "waiting for it to exit on its own");
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  public int port() {
    return settings.port;
  }

  /** {@code host:port} of this member's cluster port (its {@code --cluster-host}, 127.0.0.1 by default), for {@code --seed-nodes}. */
  public String seedAddress() {
    String port = settings.flags.get("--cluster-port");
    if (port == null || port.equals("0")) {
      throw new IllegalStateException(settings.name + " has no fixed --cluster-port to be a seed at");
    }
    return settings.flags.getOrDefault("--cluster-host", "127.0.0.1") + ":" + port;
  }

  public URI baseUri() {
    return api.base();
  }

  public ApiClient api() {
    return api;
  }

  public Path log() {
    return log;
  }

  public String name() {
    return settings.name + " run " + incarnation;
  }

  /** From process start to the first 200 from /readyz. */
  public Duration timeToReady() {
    return timeToReady;
  }

  /** The last {@code lines} lines of this process's log. */
  public String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  /** Kills the process if it still runs (kill -9: tests that want a clean stop call stop()). */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    api.close();
  }

  /** How to start a server; {@link #start()} may be called once per builder. */
  public static final class Builder {
    private final String name;
    private int port;
    private Path dataDir;
    private String heap = "512m";
    private Duration readyTimeout = Duration.ofSeconds(60);
    private final Map<String, String> flags = new LinkedHashMap<>();
    private final Map<String, String> systemProperties = new LinkedHashMap<>();
    private final List<String> jvmArgs = new ArrayList<>();
    private final List<String> commandPrefix = new ArrayList<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private String apiAddress = "127.0.0.1";

    private Builder(String name) {
      this.name = name.replaceAll("[^A-Za-z0-9_.-]", "_");
      // no node unless a test asks for one (flag("--runtime", "docker") or --hollow-nodes)
      flags.put("--runtime", "none");
      // several servers on one machine: none programs the machine's iptables (they would share chains)
      flags.put("--proxy-mode", "userspace");
    }

    /** The API port; without it a free one is picked. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** {@code --data-dir}: the H2 store's directory. */
    public Builder dataDir(Path dir) {
      this.dataDir = dir.toAbsolutePath();
      return this;
    }

    /** {@code --store postgres} with the given database. */
    public Builder postgres(String jdbcUrl, String user, String password) {
      flags.put("--store", "postgres");
      // members of one database seal Secrets with one key file, as an operator would give them
      String database = jdbcUrl.substring(jdbcUrl.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9_-]", "_");
      flags.put("--encryption-key-file",
          Path.of(System.getProperty("java.io.tmpdir"), "steuermann-encryption-keys-" + database).toString());
      flags.put("--postgres-url", jdbcUrl);
      flags.put("--postgres-user", user);
      flags.put("--postgres-password", password);
      return this;
    }

    public Builder postgres(PostgresDatabase db) {
      return postgres(db.url(), db.user(), db.password());
    }

    /** Any other server flag, e.g. {@code flag("--cluster-port", "25520")}. */
    public Builder flag(String flag, String value) {
      flags.put(flag, value);
      return this;
    }

    /**
     * A {@code -Dkey=value} for the server JVM; the server's ConfigFactory.load() lets these
     * override its configuration, e.g. {@code steuermann.watch-cache.capacity} or
     * {@code pekko.cluster.seed-nodes.0}.
     */
    public Builder systemProperty(String key, String value) {
      systemProperties.put(key, value);
      return this;
    }

    /**
     * Words before {@code java} on the command line, e.g. {@code ip netns exec <ns>} to start
     * the server inside a network namespace (a simulated machine, see
     * {@code io.steuermann.machines.Machines}). The process is then still {@code java} itself:
     * {@code ip netns exec} and {@code nsenter} exec it, so kill and freeze reach the JVM.
     */
    public Builder commandPrefix(List<String> words) {
      commandPrefix.clear();
      commandPrefix.addAll(words);
      return this;
    }

    /** An environment variable of the server process. */
    public Builder env(String name, String value) {
      environment.put(name, value);
      return this;
    }

    /** The Docker engine of this server's node ({@code steuermann.node.docker.host}), e.g. {@code unix:///x/docker.sock}. */
    public Builder dockerHost(String uri) {
      return systemProperty("steuermann.node.docker.host", uri);
    }

    /** {@code --runtime docker --node-name NAME}: this server runs one Docker node. */
    public Builder dockerNode(String nodeName) {
      flags.put("--runtime", "docker");
      flags.put("--node-name", nodeName);
      return this;
    }

    /** {@code --node-address}: the node's InternalIP, which other machines route its pod CIDR to. */
    public Builder nodeAddress(String address) {
      return flag("--node-address", address);
    }

    /**
     * The address the API listens on ({@code --bind-address}) and the test talks to; default
     * 127.0.0.1. A server inside a network namespace needs the namespace's own address here.
     */
    public Builder apiAddress(String address) {
      this.apiAddress = address;
      return this;
    }

    /** {@code --cluster-host}: the address other members reach this one's cluster port at. */
    public Builder clusterHost(String address) {
      return flag("--cluster-host", address);
    }

    public Builder jvmArg(String arg) {
      jvmArgs.add(arg);
      return this;
    }

    /** {@code -Xmx}, default 512m. */
    public Builder heap(String heap) {
      this.heap = heap;
      return this;
    }

    public Builder readyTimeout(Duration timeout) {
      this.readyTimeout = timeout;
      return this;
    }

    /** Starts the process and waits until it is ready. */
    public ServerProcess start() {
      if (port == 0) {
        port = freePort();
      }
      return new ServerProcess(this, 1).awaitReady();
    }

    /** Starts the process without waiting for /readyz (cluster members that wait for peers). */
    public ServerProcess launch() {
      if (port == 0) {
        port = freePort();
      }
      return new ServerProcess(this, 1);
    }
  }

  /** Waits for /readyz of a process from {@link Builder#launch()}. */
  public ServerProcess awaitReadiness() {
    return awaitReady();
  }

  /** For {@link ApiClient#readyz()} users that need the raw client. */
  static HttpClient newHttpClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  static int status(HttpClient client, URI uri) {
    try {
      return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
