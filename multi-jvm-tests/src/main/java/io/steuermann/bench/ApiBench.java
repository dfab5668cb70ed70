package io.steuermann.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * API throughput and latency benchmark (issue 2). For each store it starts a fresh server
 * process (H2 in a new data directory; PostgreSQL in a new database, dropped afterwards),
 * warms it up, and measures over loopback:
 * <ol>
 *   <li>creates: N pods created by C concurrent clients as fast as they go;</li>
 *   <li>gets: C clients GET random existing pods for a fixed time;</li>
 *   <li>fixed rate: an open-loop schedule of R requests/s (half creates, half gets), each
 *       latency counted from its scheduled start so a stall cannot hide queued requests;</li>
 *   <li>watch: one open watch, one writer PATCHing a label at a modest rate; latency is from
 *       sending the PATCH to the watch line carrying that label.</li>
 * </ol>
 * Prints a table per store and a one-line summary. Every phase is bounded in count and time.
 * Usage: {@code bin/bench-api [--store h2|postgres|both] [--clients N] [--objects N] ...}.
 */
public final class ApiBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String POD_PATH = "/api/v1/namespaces/default/pods";
  private static final String JSON_TYPE = "application/json";
  private static final String MERGE_PATCH = "application/merge-patch+json";
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final int MAX_RETRIES = 30;
  private static final double TARGET_CREATES_PER_SECOND = 2000;
  private static final double TARGET_FIXED_P99_MS = 20;
  private static final double TARGET_WATCH_P99_MS = 50;

  /** The options, with their defaults. */
  static final class Options {
    String store = "both";
    int clients = 16;
    int objects = 5000;
    double warmupSeconds = 6;
    double getSeconds = 8;
    double rate = 500;
    double rateSeconds = 10;
    double watchRate = 200;
    double watchSeconds = 5;
    int watchObjects = 20;
    int fixedRateConnections = 32;
    String client = "raw";
    Path dist;
    String serverJavaOpts = "-Xms1g -XX:+UseZGC";
    String postgresUrl = "jdbc:postgresql://127.0.0.1:5432/steuermann";
    String postgresUser = "steuermann";
    String postgresPassword = "steuermann";
    String maxWritesInFlight;
    boolean keepLogs;
    /** Server processes forming one cluster on PostgreSQL; clients spread over them. */
    int members = 1;

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--help") || a.equals("-h")) {
          System.out.println(usage());
          System.exit(0);
        }
        if (a.equals("--keep-logs")) {
          o.keepLogs = true;
          continue;
        }
        String v;
        int eq = a.indexOf('=');
        if (eq > 0) {
          v = a.substring(eq + 1);
          a = a.substring(0, eq);
        } else if (i + 1 < args.length) {
          v = args[++i];
        } else {
          throw new IllegalArgumentException("flag " + a + " needs a value\n" + usage());
        }
        switch (a) {
          case "--store" -> o.store = v;
          case "--members" -> o.members = positive(a, Integer.parseInt(v));
          case "--clients" -> o.clients = positive(a, Integer.parseInt(v));
          case "--objects" -> o.objects = positive(a, Integer.parseInt(v));
          case "--warmup-seconds" -> o.warmupSeconds = Double.parseDouble(v);
          case "--get-seconds" -> o.getSeconds = Double.parseDouble(v);
          case "--rate" -> o.rate = Double.parseDouble(v);
          case "--rate-seconds" -> o.rateSeconds = Double.parseDouble(v);
          case "--watch-rate" -> o.watchRate = Double.parseDouble(v);
          case "--watch-seconds" -> o.watchSeconds = Double.parseDouble(v);
          case "--fixed-rate-connections" -> o.fixedRateConnections = positive(a, Integer.parseInt(v));
          case "--client" -> o.client = v;
          case "--dist" -> o.dist = Path.of(v);
          case "--server-java-opts" -> o.serverJavaOpts = v;
          case "--max-writes-in-flight" -> o.maxWritesInFlight = v;
          case "--postgres-url" -> o.postgresUrl = v;
          case "--postgres-user" -> o.postgresUser = v;
          case "--postgres-password" -> o.postgresPassword = v;
          default -> throw new IllegalArgumentException("unknown flag " + a + "\n" + usage());
        }
      }
      if (!List.of("h2", "postgres", "both").contains(o.store)) {
        throw new IllegalArgumentException("--store must be h2, postgres or both");
      }
      if (!List.of("raw", "jdk").contains(o.client)) {
        throw new IllegalArgumentException("--client must be raw or jdk");
      }
      if (o.dist == null) {
        throw new IllegalArgumentException("--dist DIR (http-api/target) is required");
      }
      return o;
    }

    private static int positive(String flag, int v) {
      if (v <= 0) {
        throw new IllegalArgumentException(flag + " must be positive");
      }
      return v;
    }

    static String usage() {
      return """
          usage: bench-api [flags]
            --store h2|postgres|both     stores to measure (default both)
            --members N                  N servers as one cluster on PostgreSQL (default 1); connections are
                                         spread over them, the watch phase writes to the last, watches the first
            --clients N                  concurrent clients (connections) for creates and gets (16)
            --objects N                  pods created in the create phase (5000)
            --warmup-seconds S           warm-up before measuring (6)
            --get-seconds S              duration of the get phase (8)
            --rate R --rate-seconds S    fixed-rate phase, half creates half gets (500/s for 10 s)
            --fixed-rate-connections N   connections serving the open-loop schedule (32)
            --watch-rate R --watch-seconds S   PATCHes observed by one watch (200/s for 5 s)
            --client raw|jdk             raw HTTP/1.1 sockets (default) or java.net.http.HttpClient
            --server-java-opts "..."     JVM options of the server (-Xms1g -XX:+UseZGC)
            --max-writes-in-flight N     passed to the server
            --postgres-url/-user/-password   the PostgreSQL to create the bench database in
            --keep-logs                  keep the server logs (and H2 data) in the temp directory
            --dist DIR                   the http-api distribution (set by bin/bench-api)""";
    }
  }

  /** One measured phase: one row of the table. */
  record Row(String phase, long requests, double seconds, double rate, Latencies latency,
      long throttled, long errors, double serverCores, double clientCores, double dbCores, double otherCores, String note) {}

  private final Options opt;
  private final String store;
  private final List<ServerProcess> servers;
  private final AtomicInteger nextServer = new AtomicInteger();
  private final List<Row> rows = new ArrayList<>();
  private final AtomicInteger errorsPrinted = new AtomicInteger();
  private final byte[] podBodyPrefix;

  private ApiBench(Options opt, String store, List<ServerProcess> servers) {
    this.opt = opt;
    this.store = store;
    this.servers = servers;
    this.podBodyPrefix = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\""
        .getBytes(StandardCharsets.UTF_8);
  }

  public static void main(String[] args) {
    Options opt;
    try {
      opt = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    List<String> stores = opt.members > 1 ? List.of("postgres")
        : opt.store.equals("both") ? List.of("h2", "postgres") : List.of(opt.store);
    if (opt.members > 1 && opt.store.equals("h2")) {
      System.err.println("--members needs PostgreSQL: a cluster of several members cannot share H2");
      System.exit(2);
    }
    System.out.printf(Locale.ROOT, "bench-api: stores %s, %d clients, %d objects, client %s, %d cores shared by"
        + " server and load generator (loopback)%n", stores, opt.clients, opt.objects, opt.client,
        Runtime.getRuntime().availableProcessors());
    Map<String, List<Row>> results = new LinkedHashMap<>();
    boolean failed = false;
    for (String store : stores) {
      try {
        results.put(opt.members > 1 ? store + " x" + opt.members + " members" : store, runStore(opt, store));
      } catch (Exception e) {
        failed = true;
        System.out.println("bench-api: " + store + " FAILED: " + e);
        e.printStackTrace(System.err);
      }
    }
    System.out.println();
    System.out.println(summary(results));
    System.exit(failed ? 1 : 0);
  }

  private static List<Row> runStore(Options opt, String store) throws Exception {
    Path work = Files.createTempDirectory("steuermann-bench-" + store + "-");
    List<String> serverArgs = new ArrayList<>(List.of("--data-dir", work.resolve("data").toString(),
        "--runtime", "none"));
    if (opt.maxWritesInFlight != null) {
      serverArgs.addAll(List.of("--max-writes-in-flight", opt.maxWritesInFlight));
    }
    String database = null;
    List<ServerProcess> servers = new ArrayList<>();
    AtomicBoolean cleaned = new AtomicBoolean();
    Thread hook = null;
    boolean ok = false;
    try {
      if (store.equals("postgres")) {
        database = "steuermann_bench_" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss"));
        createDatabase(opt, database);
        serverArgs.addAll(List.of("--store", "postgres", "--postgres-url", databaseUrl(opt.postgresUrl, database),
            "--postgres-user", opt.postgresUser, "--postgres-password", opt.postgresPassword));
      }
      // the API and the store alone: without nodes the scheduler would add a PodScheduled=False
      // write to every pod the benchmark creates (bin/bench-scale measures the control plane)
      List<String> javaOpts = new ArrayList<>(ServerProcess.split(opt.serverJavaOpts));
      javaOpts.add("-Dsteuermann.controllers.enabled=false");
      List<Integer> clusterPorts = new ArrayList<>();
      for (int m = 0; m < opt.members; m++) {
        clusterPorts.add(ServerProcess.freePort());
      }
      String seeds = String.join(",", clusterPorts.stream().map(p -> "127.0.0.1:" + p).toList());
      for (int m = 0; m < opt.members; m++) {
        List<String> args = new ArrayList<>(serverArgs);
        Path dir = work;
        if (opt.members > 1) {
          args.addAll(List.of("--cluster-port", Integer.toString(clusterPorts.get(m)), "--seed-nodes", seeds));
          dir = Files.createDirectories(work.resolve("m" + m));
        }
        servers.add(ServerProcess.start(opt.dist, javaOpts, args, dir));
      }
      String db = database;
      hook = new Thread(() -> cleanUp(opt, servers, db, work, true, cleaned));
      Runtime.getRuntime().addShutdownHook(hook);
      long started = System.nanoTime();
      for (ServerProcess server : servers) {
        awaitReady(server, Duration.ofSeconds(120));
        System.out.printf(Locale.ROOT, "%n== %s: server pid %d on port %d ready in %.1f s%s; load average %s%n", store,
            server.pid(), server.port, (System.nanoTime() - started) / 1e9,
            database == null ? "" : ", database " + database, loadAverage());
      }
      ApiBench bench = new ApiBench(opt, store, servers);
      bench.run();
      ok = true;
      return bench.rows;
    } finally {
      if (!ok) {
        for (ServerProcess server : servers) {
          System.out.println("server log tail (" + server.log + "):\n" + server.logTail(30));
        }
      }
      cleanUp(opt, servers, database, work, ok && !opt.keepLogs, cleaned);
      if (hook != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // already shutting down
        }
      }
    }
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  private static void cleanUp(Options opt, List<ServerProcess> servers, String database, Path work,
      boolean deleteWork, AtomicBoolean cleaned) {
    if (!cleaned.compareAndSet(false, true)) {
      return;
    }
    for (ServerProcess server : servers) {
      server.close();
    }
    if (database != null) {
      try {
        dropDatabase(opt, database);
      } catch (SQLException e) {
        System.err.println("bench-api: could not drop database " + database + ": " + e.getMessage());
      }
    }
    if (deleteWork) {
      try (Stream<Path> files = Files.walk(work)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // a temp directory left behind
      }
    } else {
      System.out.println("bench-api: server log and data kept in " + work);
    }
  }

  // ---------------------------------------------------------------- PostgreSQL database

  private static String databaseUrl(String url, String database) {
    int q = url.indexOf('?');
    String base = q < 0 ? url : url.substring(0, q);
    String params = q < 0 ? "" : url.substring(q);
    return base.substring(0, base.lastIndexOf('/') + 1) + database + params;
  }

  private static void createDatabase(Options opt, String database) throws SQLException {
    try (Connection c = DriverManager.getConnection(opt.postgresUrl, opt.postgresUser, opt.postgresPassword);
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + database);
    } catch (SQLException e) {
      throw new SQLException("cannot create database " + database + " as " + opt.postgresUser
          + " (the role needs CREATEDB: su postgres -c \"psql -c 'ALTER ROLE " + opt.postgresUser
          + " CREATEDB'\"): " + e.getMessage(), e);
    }
  }

  private static void dropDatabase(Options opt, String database) throws SQLException {
    try (Connection c = DriverManager.getConnection(opt.postgresUrl, opt.postgresUser, opt.postgresPassword);
        Statement st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }
  }

  private static void awaitReady(ServerProcess server, Duration timeout) throws Exception {
    HttpClient probe = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest readyz = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port + "/readyz"))
        .timeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!server.alive()) {
        throw new IllegalStateException("server exited before it was ready");
      }
      try {
        if (probe.send(readyz, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("server not ready within " + timeout.toSeconds() + " s");
  }

  // ---------------------------------------------------------------- the phases

  private void run() throws Exception {
    warmUp();
    rows.add(creates());
    rows.add(gets());
    rows.add(fixedRate());
    rows.add(watch());
    printTable();
  }

  private byte[] podBody(String name) {
    String rest = name + "\",\"labels\":{\"app\":\"bench\"}},\"spec\":{\"containers\":[{\"name\":\"c\","
        + "\"image\":\"busybox\"}]}}";
    byte[] tail = rest.getBytes(StandardCharsets.UTF_8);
    byte[] body = new byte[podBodyPrefix.length + tail.length];
    System.arraycopy(podBodyPrefix, 0, body, 0, podBodyPrefix.length);
    System.arraycopy(tail, 0, body, podBodyPrefix.length, tail.length);
    return body;
  }

  /** A connection to the next member in turn, so that connections spread over the cluster. */
  private BenchHttp.Connection connect() {
    return BenchHttp.open(opt.client, servers.get(nextServer.getAndIncrement() % servers.size()).port,
        REQUEST_TIMEOUT);
  }

  private double serverCpuSeconds() {
    return servers.stream().mapToDouble(ServerProcess::cpuSeconds).sum();
  }

  /** Per-thread counters of one phase. */
  private static final class Tally {
    final Latencies latency = new Latencies();
    long ok;
    long throttled;
    long errors;
  }

  /**
   * Sends one request, retrying after Retry-After on 429 (bounded). The latency recorded by
   * the caller therefore includes any wait for a retry. Returns the final response or null.
   */
  private BenchHttp.Response send(BenchHttp.Connection c, Tally t, String method, String path, String type,
      byte[] body, boolean keepBody, long deadlineNanos) {
    for (int attempt = 0; attempt <= MAX_RETRIES; attempt++) {
      BenchHttp.Response r;
      try {
        r = c.exchange(method, path, type, body, keepBody);
      } catch (IOException e) {
        t.errors++;
        reportError(method + " " + path + ": " + e);
        c.close();
        return null;
      }
      if (r.status() == 429) {
        t.throttled++;
        long waitMillis = Math.max(10, Math.min(1000, r.retryAfterSeconds() * 1000));
        if (System.nanoTime() + waitMillis * 1_000_000 > deadlineNanos) {
          t.errors++;
          return null;
        }
        LockSupport.parkNanos(waitMillis * 1_000_000);
        continue;
      }
      if (r.status() >= 300) {
        t.errors++;
        reportError(method + " " + path + " -> " + r.status());
        return null;
      }
      t.ok++;
      return r;
    }
    t.errors++;
    return null;
  }

  private void reportError(String what) {
    if (errorsPrinted.incrementAndGet() <= 5) {
      System.err.println("bench-api: " + store + ": " + what);
    }
  }

  /** Runs {@code body} on {@code n} threads and waits for all (bounded by their own deadlines). */
  private static List<Tally> parallel(int n, String name, java.util.function.BiConsumer<Integer, Tally> body)
      throws InterruptedException {
    List<Tally> tallies = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Tally t = new Tally();
      tallies.add(t);
      int index = i;
      Thread th = new Thread(() -> body.accept(index, t), name + "-" + i);
      th.setDaemon(true);
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) {
      th.join();
    }
    return tallies;
  }

  private static double clientCpuSeconds() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime() / 1e9;
    }
    return Double.NaN;
  }

  /** CPU time the whole machine spent busy (all processes), in seconds, from /proc/stat. */
  private static double machineBusySeconds() {
    try {
      String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0); // cpu user nice system idle iowait ...
      String[] f = cpu.trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i < f.length && i <= 8; i++) {
        if (i != 4 && i != 5) { // idle and iowait are not busy
          busy += Long.parseLong(f[i]);
        }
      }
      return busy / 100.0;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** CPU time of all processes named postgres (the local PostgreSQL server), in seconds. */
  private static double postgresCpuSeconds() {
    double total = 0;
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : (Iterable<Path>) procs::iterator) {
        if (!p.getFileName().toString().chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String stat = Files.readString(p.resolve("stat"));
          if (!stat.contains("(postgres)")) {
            continue;
          }
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          total += (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (IOException | RuntimeException e) {
          // the process ended meanwhile
        }
      }
    } catch (IOException e) {
      return Double.NaN;
    }
    return total;
  }

  /** Measures CPU of both processes (and of everything else on the machine) around a phase. */
  private final class Cpu {
    final long start = System.nanoTime();
    final double server0 = serverCpuSeconds();
    final double client0 = clientCpuSeconds();
    final double machine0 = machineBusySeconds();
    final double db0 = postgresCpuSeconds();

    double seconds() {
      return (System.nanoTime() - start) / 1e9;
    }

    Row row(String phase, List<Tally> tallies, String note) {
      double secs = seconds();
      double serverCores = (serverCpuSeconds() - server0) / secs;
      double clientCores = (clientCpuSeconds() - client0) / secs;
      double dbCores = Math.max(0, (postgresCpuSeconds() - db0) / secs);
      double otherCores = Math.max(0, (machineBusySeconds() - machine0) / secs - serverCores - clientCores - dbCores);
      long ok = 0;
      long throttled = 0;
      long errors = 0;
      List<Latencies> lat = new ArrayList<>();
      for (Tally t : tallies) {
        ok += t.ok;
        throttled += t.throttled;
        errors += t.errors;
        lat.add(t.latency);
      }
      return new Row(phase, ok, secs, ok / secs, Latencies.merge(lat), throttled, errors, serverCores,
          clientCores, dbCores, otherCores, note);
    }
  }

  private void warmUp() throws InterruptedException {
    long deadline = System.nanoTime() + (long) (opt.warmupSeconds * 1e9);
    // bounded in count as well as time: about 100 rounds per client and warm-up second
    int perThread = (int) Math.max(50, opt.warmupSeconds * 100);
    long t0 = System.nanoTime();
    List<Tally> tallies = parallel(opt.clients, "warmup", (i, t) -> {
      try (BenchHttp.Connection c = connect()) {
        for (int k = 0; k < perThread && System.nanoTime() < deadline; k++) {
          String name = "warm-" + i + "-" + k;
          send(c, t, "POST", POD_PATH, JSON_TYPE, podBody(name), false, deadline + 5_000_000_000L);
          send(c, t, "GET", POD_PATH + "/" + name, null, null, false, deadline + 5_000_000_000L);
          send(c, t, "PATCH", POD_PATH + "/" + name, MERGE_PATCH,
              "{\"metadata\":{\"labels\":{\"warm\":\"1\"}}}".getBytes(StandardCharsets.UTF_8), false,
              deadline + 5_000_000_000L);
        }
      }
    });
    long n = tallies.stream().mapToLong(t -> t.ok).sum();
    long e = tallies.stream().mapToLong(t -> t.errors).sum();
    System.out.printf(Locale.ROOT, "warm-up: %d requests in %.1f s (%d errors)%n", n, (System.nanoTime() - t0) / 1e9, e);
  }

  private Row creates() throws InterruptedException {
    AtomicInteger next = new AtomicInteger();
    long deadline = System.nanoTime() + 120_000_000_000L;
    Cpu cpu = new Cpu();
    List<Tally> tallies = parallel(opt.clients, "create", (i, t) -> {
      try (BenchHttp.Connection c = connect()) {
        int k;
        while ((k = next.getAndIncrement()) < opt.objects && System.nanoTime() < deadline) {
          byte[] body = podBody("p-" + k);
          long s = System.nanoTime();
          if (send(c, t, "POST", POD_PATH, JSON_TYPE, body, false, deadline) != null) {
            t.latency.record(System.nanoTime() - s);
          }
        }
      }
    });
    return cpu.row("creates", tallies, "");
  }

  private Row gets() throws InterruptedException {
    long deadline = System.nanoTime() + (long) (opt.getSeconds * 1e9);
    Cpu cpu = new Cpu();
    List<Tally> tallies = parallel(opt.clients, "get", (i, t) -> {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      try (BenchHttp.Connection c = connect()) {
        for (long n = 0; n < 10_000_000 && System.nanoTime() < deadline; n++) {
          String path = POD_PATH + "/p-" + random.nextInt(opt.objects);
          long s = System.nanoTime();
          if (send(c, t, "GET", path, null, null, false, deadline + 5_000_000_000L) != null) {
            t.latency.record(System.nanoTime() - s);
          }
        }
      }
    });
    return cpu.row("gets", tallies, "");
  }

  /**
   * Open loop: request i is due at start + i/rate whatever happened before; its latency is
   * measured from that due time, so time spent queued behind a slow request counts.
   */
  private Row fixedRate() throws InterruptedException {
    long total = (long) (opt.rate * opt.rateSeconds);
    long period = (long) (1e9 / opt.rate);
    AtomicLong next = new AtomicLong();
    AtomicLong late = new AtomicLong();
    Latencies[] service = new Latencies[opt.fixedRateConnections];
    long start = System.nanoTime() + 100_000_000L;
    long deadline = start + (long) (opt.rateSeconds * 1e9) + 10_000_000_000L;
    Cpu cpu = new Cpu();
    List<Tally> tallies = parallel(opt.fixedRateConnections, "fixed", (i, t) -> {
      service[i] = new Latencies();
      ThreadLocalRandom random = ThreadLocalRandom.current();
      try (BenchHttp.Connection c = connect()) {
        long k;
        while ((k = next.getAndIncrement()) < total) {
          long due = start + k * period;
          long now;
          while ((now = System.nanoTime()) < due) {
            LockSupport.parkNanos(due - now);
          }
          if (now > deadline) {
            late.incrementAndGet();
            continue;
          }
          BenchHttp.Response r;
          if ((k & 1) == 0) {
            r = send(c, t, "POST", POD_PATH, JSON_TYPE, podBody("fr-" + k), false, deadline);
          } else {
            r = send(c, t, "GET", POD_PATH + "/p-" + random.nextInt(opt.objects), null, null, false, deadline);
          }
          long end = System.nanoTime();
          if (r != null) {
            t.latency.record(end - due);
            service[i].record(end - now);
          }
        }
      }
    });
    Row row = cpu.row("fixed " + fmt(opt.rate, 0) + "/s", tallies, "");
    Latencies svc = Latencies.merge(List.of(service));
    String note = String.format(Locale.ROOT, "service time (from actual send) p50 %s p99 %s ms",
        fmt(svc.percentileMillis(50), 2), fmt(svc.percentileMillis(99), 2));
    if (late.get() > 0) {
      note += "; " + late.get() + " requests not sent before the deadline";
    }
    double achieved = row.requests() / (opt.rateSeconds + 0.1);
    return new Row(row.phase(), row.requests(), row.seconds(), achieved, row.latency(), row.throttled(),
        row.errors() + late.get(), row.serverCores(), row.clientCores(), row.dbCores(), row.otherCores(), note);
  }

  private Row watch() throws Exception {
    int writes = (int) (opt.watchRate * opt.watchSeconds);
    long period = (long) (1e9 / opt.watchRate);
    Tally setup = new Tally();
    long fromVersion = 0;
    try (BenchHttp.Connection c = connect()) {
      for (int w = 0; w < opt.watchObjects; w++) {
        String body = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"watch-" + w
            + "\",\"labels\":{\"role\":\"watch\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}";
        BenchHttp.Response r = send(c, setup, "POST", POD_PATH, JSON_TYPE, body.getBytes(StandardCharsets.UTF_8),
            true, System.nanoTime() + 30_000_000_000L);
        if (r == null) {
          throw new IllegalStateException("cannot create the watched pods");
        }
        fromVersion = Math.max(fromVersion,
            Long.parseLong(JSON.readTree(r.body()).path("metadata").path("resourceVersion").asText("0")));
      }
    }
    long[] sent = new long[writes];
    AtomicLongArray arrived = new AtomicLongArray(writes);
    AtomicInteger seen = new AtomicInteger();
    // in a cluster the watch is on the first member and the writes go to the last: a change
    // reaches the watch through the journal and the other member's change feed
    BenchHttp.RawConnection watchConnection = new BenchHttp.RawConnection(servers.get(0).port, REQUEST_TIMEOUT);
    InputStream stream = watchConnection.stream(POD_PATH + "?watch=1&resourceVersion=" + fromVersion
        + "&labelSelector=role%3Dwatch");
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          long now = System.nanoTime();
          if (line.isBlank()) {
            continue;
          }
          JsonNode seq = JSON.readTree(line).path("object").path("metadata").path("labels").path("seq");
          if (seq.isTextual()) {
            int n = Integer.parseInt(seq.asText());
            if (n >= 0 && n < writes && arrived.compareAndSet(n, 0, now)) {
              seen.incrementAndGet();
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        // the socket is closed at the end of the phase
      }
    }, "watch-reader");
    reader.setDaemon(true);
    reader.start();

    Cpu cpu = new Cpu();
    Tally t = new Tally();
    long start = System.nanoTime() + 50_000_000L;
    long deadline = start + (long) (opt.watchSeconds * 1e9) + 10_000_000_000L;
    try (BenchHttp.Connection c = BenchHttp.open(opt.client, servers.get(servers.size() - 1).port, REQUEST_TIMEOUT)) {
      for (int k = 0; k < writes; k++) {
        long due = start + k * period;
        long now;
        while ((now = System.nanoTime()) < due) {
          LockSupport.parkNanos(due - now);
        }
        if (now > deadline) {
          break;
        }
        byte[] patch = ("{\"metadata\":{\"labels\":{\"seq\":\"" + k + "\"}}}").getBytes(StandardCharsets.UTF_8);
        sent[k] = System.nanoTime();
        send(c, t, "PATCH", POD_PATH + "/watch-" + (k % opt.watchObjects), MERGE_PATCH, patch, false, deadline);
      }
    }
    long waitUntil = System.nanoTime() + 5_000_000_000L;
    while (seen.get() < t.ok && System.nanoTime() < waitUntil) {
      Thread.sleep(10);
    }
    watchConnection.close();
    reader.join(2000);
    for (int k = 0; k < writes; k++) {
      long a = arrived.get(k);
      if (a != 0 && sent[k] != 0) {
        t.latency.record(a - sent[k]);
      }
    }
    Row row = cpu.row("watch", List.of(t), "");
    long missing = t.ok - seen.get();
    String note = String.format(Locale.ROOT, "%d PATCHes at %s/s, %d seen on the watch", t.ok,
        fmt(opt.watchRate, 0), seen.get()) + (missing > 0 ? ", " + missing + " MISSING" : "");
    return new Row(row.phase(), t.ok, row.seconds(), t.ok / row.seconds(), row.latency(), row.throttled(),
        row.errors() + Math.max(0, missing), row.serverCores(), row.clientCores(), row.dbCores(), row.otherCores(), note);
  }

  // ---------------------------------------------------------------- output

  private void printTable() {
    System.out.printf(Locale.ROOT, "%n%s  (server RSS %s MiB after the run; %d cores shared by server, client and"
        + " anything else running; load average %s)%n", store + (servers.size() > 1 ? ", " + servers.size() + " members" : ""),
        fmt(servers.stream().mapToDouble(ServerProcess::rssMiB).sum(), 0),
        Runtime.getRuntime().availableProcessors(), loadAverage());
    String format = "%-12s %8s %7s %9s %8s %8s %8s %6s %6s %7s %7s %7s %7s%n";
    System.out.printf(Locale.ROOT, format, "phase", "requests", "secs", "rate/s", "p50 ms", "p99 ms", "max ms",
        "429s", "errors", "srv cpu", "cli cpu", "pg cpu", "oth cpu");
    for (Row r : rows) {
      System.out.printf(Locale.ROOT, format, r.phase(), r.requests(), fmt(r.seconds(), 1), fmt(r.rate(), 0),
          fmt(r.latency().percentileMillis(50), 2), fmt(r.latency().percentileMillis(99), 2),
          fmt(r.latency().maxMillis(), 1), r.throttled(), r.errors(), fmt(r.serverCores(), 2),
          fmt(r.clientCores(), 2), fmt(r.dbCores(), 2), fmt(r.otherCores(), 2));
    }
    for (Row r : rows) {
      if (!r.note().isEmpty()) {
        System.out.println("  " + r.phase() + ": " + r.note());
      }
    }
    System.out.println("  (fixed-rate latency counts from each request's scheduled start; cpu in cores used,"
        + " 1.00 = one core busy: srv = server, cli = this load generator,"
        + " pg = all PostgreSQL processes, oth = everything else)");
  }

  private static String summary(Map<String, List<Row>> results) {
    StringBuilder s = new StringBuilder("SUMMARY");
    for (Map.Entry<String, List<Row>> e : results.entrySet()) {
      Row creates = e.getValue().get(0);
      Row gets = e.getValue().get(1);
      Row fixed = e.getValue().get(2);
      Row watch = e.getValue().get(3);
      double fixedP99 = fixed.latency().percentileMillis(99);
      double watchP99 = watch.latency().percentileMillis(99);
      s.append(String.format(Locale.ROOT, " | %s: creates %s/s [%s], gets %s/s, %s p99 %s ms [%s], watch p99 %s ms [%s]",
          e.getKey(), fmt(creates.rate(), 0), verdict(creates.rate() >= TARGET_CREATES_PER_SECOND),
          fmt(gets.rate(), 0), fixed.phase(), fmt(fixedP99, 1), verdict(fixedP99 < TARGET_FIXED_P99_MS && fixed.rate() >= 0.95 * rateOf(fixed)),
          fmt(watchP99, 1), verdict(watchP99 < TARGET_WATCH_P99_MS && watch.errors() == 0)));
    }
    s.append(" (targets: >= 2000 creates/s, p99 < 20 ms at 500/s, watch p99 < 50 ms)");
    return s.toString();
  }

  /** The scheduled rate of the fixed-rate row, from its phase name "fixed R/s". */
  private static double rateOf(Row fixed) {
    return Double.parseDouble(fixed.phase().replaceAll("[^0-9.]", ""));
  }

  private static String verdict(boolean met) {
    return met ? "ok" : "MISSED";
  }

  private static String fmt(double v, int decimals) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", v);
  }
}
