package io.steuermann.machines;

import io.steuermann.it.PostgresDatabase;
import io.steuermann.it.ServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Several simulated machines on one host, for tests of a cluster across machines (issue 10):
 *
 * <pre>
 *   host (test JVM, control member, PostgreSQL on 127.0.0.1, relay on 198.18.N.254)
 *     | stmxN-h (198.18.N.254/24)
 *   netns stmxN-lan: bridge br0 -- one veth per machine
 *     | eth0 198.18.N.1        | eth0 198.18.N.2   ...
 *   netns stmxN-a: dockerd,   netns stmxN-b: dockerd, ...
 *   worker member             worker member
 * </pre>
 *
 * <p>The LAN bridge sits in a namespace of its own so that frames between machines never pass
 * the host's iptables, whose FORWARD policy Docker sets to DROP. The machines have no default
 * route: a packet for anywhere but the LAN is refused inside them. {@code N}, the rig's number,
 * is the first one whose lock file ({@code /tmp/stmx-rigs/rN.lock}) no live process holds, so
 * rigs of concurrent test runs never share names or addresses; the leftovers of a rig whose
 * owner died (its lock is free) are swept first. {@link #close()} tears everything down and
 * sweeps again; a shutdown hook does the same if the JVM exits with the rig still up.
 *
 * <pre>{@code
 * try (PostgresDatabase db = PostgresDatabase.createFresh(); Machines rig = Machines.start(2)) {
 *   rig.importImage(Images.fetchImage(), Images.fetchRootfs());
 *   Members members = Members.start(rig, db);      // control on the host, a worker per machine, nodes Ready
 *   // or by hand: rig.track(rig.control("ctl", db).start()), rig.track(rig.worker(m, db, control).start())
 *   members.api().create(...);
 *   rig.machine("a").docker("ps");                 // each machine's own engine
 * }
 * }</pre>
 */
public final class Machines implements AutoCloseable {
  /** The system property that sets the workers' {@code --proxy-mode} (default iptables). */
  public static final String PROXY_MODE_PROPERTY = "steuermann.rig.proxy-mode";
  /** The rigs of this JVM (a FileLock is per JVM: a second tryLock here would throw). */
  private static final Set<Integer> HELD = ConcurrentHashMap.newKeySet();
  private static final Pattern RIG_NAME = Pattern.compile("^stmx(\\d+)-");
  /** Inside a machine every port is free: members there use fixed ones. */
  public static final int MEMBER_API_PORT = 8080;
  public static final int MEMBER_CLUSTER_PORT = 2552;

  private final int rig;
  private final FileChannel lockFile;
  private final FileLock lock;
  private final List<Machine> machines = new ArrayList<>();
  private final List<TcpRelay> relays = new ArrayList<>();
  private final List<ServerProcess> members = new ArrayList<>();
  private final Thread hook = new Thread(this::teardown, "machines-teardown");
  private boolean closed;

  private Machines(int rig, FileChannel lockFile, FileLock lock) {
    this.rig = rig;
    this.lockFile = lockFile;
    this.lock = lock;
  }

  /** Makes a rig of {@code count} machines (a, b, c, ...), each with its dockerd running. */
  public static Machines start(int count) {
    if (count < 1 || count > 20) {
      throw new IllegalArgumentException("1 to 20 machines, not " + count);
    }
    requireTools();
    long started = System.nanoTime();
    sweepAbandoned();
    Machines rig = claim();
    Runtime.getRuntime().addShutdownHook(rig.hook);
    try {
      rig.build(count);
      System.out.printf("[Machines] rig %d: %d machines on %s.0/24 up in %d ms (engine logs in %s)%n", rig.rig, count,
          rig.subnet(), (System.nanoTime() - started) / 1_000_000, Dockerd.LOG_DIR);
      return rig;
    } catch (RuntimeException | Error e) {
      rig.close();
      throw e;
    }
  }

  /** Fails (never skips) without what the rig needs, saying what to install, as the other Docker tests do. */
  private static void requireTools() {
    if (!"0".equals(Shell.run("id", "-u").out().strip())) {
      throw new AssertionError("the multi-machine tests need root (network namespaces, veth links, dockerd)");
    }
    for (String tool : List.of("ip", "nsenter", "dockerd", "docker", "iptables", "tar")) {
      if (!Shell.run("sh", "-c", "command -v " + tool).ok()) {
        throw new AssertionError("the multi-machine tests need " + tool
            + " (.ci/run installs iproute2, util-linux, docker.io, iptables)");
      }
    }
  }

  private static Machines claim() {
    try {
      Files.createDirectories(Sweep.ROOT);
      for (int n = 1; n < 250; n++) {
        if (HELD.contains(n)) {
          continue;
        }
        FileChannel channel = FileChannel.open(Sweep.ROOT.resolve("r" + n + ".lock"),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = tryLock(channel);
        if (lock != null) {
          HELD.add(n);
          Sweep.rig(n); // an earlier owner of this number may have died half-way
          return new Machines(n, channel, lock);
        }
        channel.close();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException("no free rig number under " + Sweep.ROOT);
  }

  private static FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException e) {
      return null;
    }
  }

  /**
   * Sweeps every rig whose owner is gone: names with the prefix {@code stmx<N>-} (namespaces,
   * host links) and directories {@code /tmp/stmx-rigs/rN} whose lock no live process holds.
   */
  public static void sweepAbandoned() {
    Set<Integer> seen = new java.util.TreeSet<>();
    List<String> names = new ArrayList<>();
    for (String line : Shell.run("ip", "netns", "list").out().split("\n")) {
      names.add(line.strip().split("\\s+")[0]); // "stmx1-a (id: 0)"
    }
    for (String line : Shell.run("ip", "-o", "link", "show").out().split("\n")) {
      String[] parts = line.split(":\\s+", 3); // "7: stmx1-h@if2: <...>"
      if (parts.length >= 2) {
        names.add(parts[1].split("@")[0]);
      }
    }
    for (String name : names) {
      Matcher m = RIG_NAME.matcher(name);
      if (m.find()) {
        seen.add(Integer.parseInt(m.group(1)));
      }
    }
    try (var dirs = Files.list(Sweep.ROOT)) {
      dirs.map(p -> p.getFileName().toString()).filter(f -> f.matches("r\\d+"))
          .forEach(f -> seen.add(Integer.parseInt(f.substring(1))));
    } catch (IOException e) {
      // no rigs yet
    }
    for (int n : seen) {
      if (HELD.contains(n)) {
        continue;
      }
      try (FileChannel channel = FileChannel.open(Sweep.ROOT.resolve("r" + n + ".lock"),
          StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        FileLock lock = tryLock(channel);
        if (lock != null) {
          List<String> removed = Sweep.rig(n);
          if (!removed.isEmpty()) {
            System.out.println("[Machines] swept rig " + n + " left by an earlier run: " + removed);
          }
          lock.release();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private void build(int count) {
    String p = prefix();
    String lan = p + "lan";
    Shell.check("ip", "netns", "add", lan);
    Shell.check("ip", "-n", lan, "link", "set", "lo", "up");
    Shell.check("ip", "-n", lan, "link", "add", "br0", "type", "bridge");
    Shell.check("ip", "-n", lan, "link", "set", "br0", "up");
    Shell.check("ip", "link", "add", p + "h", "type", "veth", "peer", "name", "host", "netns", lan);
    Shell.check("ip", "-n", lan, "link", "set", "host", "master", "br0", "up");
    Shell.check("ip", "addr", "add", hostAddress() + "/24", "dev", p + "h");
    Shell.check("ip", "link", "set", p + "h", "up");
    for (int i = 0; i < count; i++) {
      String name = String.valueOf((char) ('a' + i));
      String ns = p + name;
      String address = subnet() + "." + (i + 1);
      Shell.check("ip", "netns", "add", ns);
      Shell.check("ip", "-n", ns, "link", "set", "lo", "up");
      Shell.check("ip", "link", "add", ns, "type", "veth", "peer", "name", "eth0", "netns", ns);
      Shell.check("ip", "link", "set", ns, "netns", lan);
      Shell.check("ip", "-n", lan, "link", "set", ns, "master", "br0", "up");
      Shell.check("ip", "-n", ns, "addr", "add", address + "/24", "dev", "eth0");
      Shell.check("ip", "-n", ns, "link", "set", "eth0", "up");
      // the default bridge of each engine: only the smoke test uses it, Steuermann makes its own
      Dockerd dockerd = Dockerd.start(ns, dir().resolve(name), "172.30." + (i + 1) + ".1/24");
      machines.add(new Machine(name, ns, address, dockerd));
    }
  }

  public int rig() {
    return rig;
  }

  /** {@code stmx<N>-}: the start of every name this rig makes. */
  public String prefix() {
    return Sweep.prefix(rig);
  }

  public Path dir() {
    return Sweep.dir(rig);
  }

  /** {@code 198.18.N}: the LAN is {@code 198.18.N.0/24} (RFC 2544's benchmarking block). */
  public String subnet() {
    return "198.18." + rig;
  }

  /** The host's address on the LAN: the control member and the relays listen here. */
  public String hostAddress() {
    return subnet() + ".254";
  }

  public List<Machine> machines() {
    return List.copyOf(machines);
  }

  public Machine machine(int i) {
    return machines.get(i);
  }

  public Machine machine(String name) {
    return machines.stream().filter(m -> m.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no machine " + name));
  }

  /** Imports {@code image} from {@code rootfs} into every machine's engine (see {@link Images}). */
  public void importImage(String image, Path rootfs) {
    for (Machine m : machines) {
      m.dockerd().importImage(image, rootfs);
    }
  }

  /**
   * A relay on {@link #hostAddress()} to {@code db}'s server (which listens on the host's
   * loopback), and {@code db}'s JDBC URL as the machines must use it.
   */
  public synchronized String postgresUrlForMachines(PostgresDatabase db) {
    URI uri = URI.create(db.url().substring("jdbc:".length()));
    InetSocketAddress target = new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort());
    TcpRelay relay = relays.stream().filter(r -> r.target().equals(target)).findFirst().orElseGet(() -> {
      TcpRelay r = TcpRelay.start(hostAddress(), target);
      relays.add(r);
      return r;
    });
    return "jdbc:postgresql://" + relay.host() + ":" + relay.port() + uri.getRawPath()
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
  }

  /**
   * A control member on the host: {@code --roles control}, no node, its cluster port and API on
   * {@link #hostAddress()} so that the machines' members (and pods) reach it. It too reaches
   * PostgreSQL through the relay: members refuse to join one whose {@code --postgres-url}
   * differs from theirs (the check that keeps two stores out of one cluster).
   */
  public ServerProcess.Builder control(String name, PostgresDatabase db) {
    return ServerProcess.builder(prefix() + name)
        .postgres(postgresUrlForMachines(db), db.user(), db.password())
        .heap("384m")
        .flag("--roles", "control")
        .apiAddress(hostAddress())
        .clusterHost(hostAddress())
        .flag("--cluster-port", Integer.toString(ServerProcess.freePort()))
        .readyTimeout(java.time.Duration.ofSeconds(120));
  }

  /**
   * A worker member inside {@code machine} ({@code ip netns exec}), running the machine's Docker
   * node {@code machine-<name>} on the machine's engine, with the machine's address as its API
   * and cluster address and as the node's InternalIP; it joins {@code seeds} and reaches
   * {@code db} through the relay.
   */
  public ServerProcess.Builder worker(Machine machine, PostgresDatabase db, ServerProcess... seeds) {
    List<String> seedList = new ArrayList<>();
    for (ServerProcess s : seeds) {
      seedList.add(s.seedAddress());
    }
    return ServerProcess.builder(prefix() + machine.name())
        .commandPrefix(machine.execPrefix())
        .postgres(postgresUrlForMachines(db), db.user(), db.password())
        .heap("384m")
        .flag("--roles", "worker")
        // a machine of its own: its kernel forwards Service traffic (iptables DNAT in the
        // machine's namespace), as on a real node; the benchmark also measures the user-space proxy
        .flag("--proxy-mode", System.getProperty(PROXY_MODE_PROPERTY, "iptables"))
        .dockerNode(nodeName(machine))
        .dockerHost(machine.dockerd().host())
        .nodeAddress(machine.address())
        .port(MEMBER_API_PORT)
        .apiAddress(machine.address())
        .clusterHost(machine.address())
        .flag("--cluster-port", Integer.toString(MEMBER_CLUSTER_PORT))
        .flag("--seed-nodes", String.join(",", seedList))
        .readyTimeout(java.time.Duration.ofSeconds(120));
  }

  /** The Docker node name of {@code machine}'s worker. */
  public static String nodeName(Machine machine) {
    return "machine-" + machine.name();
  }

  /** Stops {@code member} with the rig, before the engines go (a worker stopped after its engine would log errors). */
  public synchronized ServerProcess track(ServerProcess member) {
    members.add(member);
    return member;
  }

  private synchronized void teardown() {
    if (closed) {
      return;
    }
    closed = true;
    for (ServerProcess m : members) {
      m.close();
    }
    for (Machine m : machines) {
      m.dockerd().close();
    }
    relays.forEach(TcpRelay::close);
    List<String> removed = Sweep.rig(rig);
    System.out.println("[Machines] rig " + rig + " torn down: " + removed);
    try {
      lock.release();
      lockFile.close();
    } catch (IOException e) {
      // the lock goes with the process anyway
    }
    HELD.remove(rig);
  }

  /** Stops the tracked members and the engines, and removes everything the rig made. */
  @Override
  public void close() {
    teardown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook is what is running
    }
  }
}
