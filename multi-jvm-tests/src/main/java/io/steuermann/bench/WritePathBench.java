package io.steuermann.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The write path beside etcd, in one run on one machine: an etcd member (fsync on every commit,
 * its default) and a Steuermann server (embedded H2, fsync per group commit, no runtime, no
 * controllers) get the same load from the same HTTP/1.1 client ({@link BenchHttp}, one blocking
 * socket per client thread) with values of the same bytes: the pod JSON Steuermann is sent is
 * the value put into etcd (through etcd's JSON gateway, {@code POST /v3/kv/put}).
 *
 * <p>Phases per target: warm-up, {@code --objects} writes by {@code --clients} connections as
 * fast as they go (closed loop), then writes at a fixed {@code --rate} for {@code --rate-seconds}
 * (open loop: latency counts from the due time).
 */
public final class WritePathBench {

  private static final String POD_PATH = "/api/v1/namespaces/default/pods";
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private record Options(Path dist, int clients, int objects, double rate, double rateSeconds,
      double warmupSeconds, String serverJavaOpts) {}

  /** One request of the load: a write of {@code value} under {@code key}. */
  private interface Target {
    String name();

    int port();

    long pid();

    BenchHttp.Response write(BenchHttp.Connection c, String key, byte[] value) throws IOException;
  }

  private record Result(String target, String phase, long ok, long errors, double seconds, Latencies latency,
      double cores) {}

  public static void main(String[] args) throws Exception {
    Options opt = parse(args);
    Path work = Files.createTempDirectory("steuermann-bench-write-");
    List<Result> results = new ArrayList<>();
    try {
      try (EtcdProcess etcd = EtcdProcess.start(work.resolve("etcd"))) {
        results.addAll(run(opt, etcdTarget(etcd)));
      }
      List<String> javaOpts = new ArrayList<>(ServerProcess.split(opt.serverJavaOpts()));
      javaOpts.add("-Dsteuermann.controllers.enabled=false");
      Path dir = Files.createDirectories(work.resolve("steuermann"));
      try (ServerProcess server = ServerProcess.start(opt.dist(), javaOpts,
          List.of("--data-dir", dir.resolve("data").toString(), "--runtime", "none"), dir)) {
        awaitOk(server.port, "/readyz", server::alive);
        results.addAll(run(opt, steuermannTarget(server)));
      }
      print(opt, results);
    } finally {
      try (Stream<Path> files = Files.walk(work)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static Options parse(String[] args) {
    Path dist = null;
    int clients = 16;
    int objects = 10_000;
    double rate = 500;
    double rateSeconds = 10;
    double warmup = 20;
    String javaOpts = "-Xms1g -XX:+UseZGC";
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help")) {
        System.out.println("""
            bin/bench-write-path [--clients 16] [--objects 10000] [--rate 500] [--rate-seconds 10]
                                 [--warmup-seconds 20] [--server-java-opts "-Xms1g -XX:+UseZGC"]""");
        System.exit(0);
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(a + " needs a value");
      }
      String v = args[++i];
      switch (a) {
        case "--dist" -> dist = Path.of(v);
        case "--clients" -> clients = Integer.parseInt(v);
        case "--objects" -> objects = Integer.parseInt(v);
        case "--rate" -> rate = Double.parseDouble(v);
        case "--rate-seconds" -> rateSeconds = Double.parseDouble(v);
        case "--warmup-seconds" -> warmup = Double.parseDouble(v);
        case "--server-java-opts" -> javaOpts = v;
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    if (dist == null) {
      throw new IllegalArgumentException("--dist is required");
    }
    return new Options(dist, clients, objects, rate, rateSeconds, warmup, javaOpts);
  }

  private static byte[] podBody(String name) {
    return ("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name
        + "\",\"labels\":{\"app\":\"bench\"}},\"spec\":{\"containers\":[{\"name\":\"c\","
        + "\"image\":\"busybox\"}]}}").getBytes(StandardCharsets.UTF_8);
  }

  private static Target steuermannTarget(ServerProcess server) {
    return new Target() {
      public String name() {
        return "Steuermann (H2)";
      }

      public int port() {
        return server.port;
      }

      public long pid() {
        return server.pid();
      }

      public BenchHttp.Response write(BenchHttp.Connection c, String key, byte[] value) throws IOException {
        return c.exchange("POST", POD_PATH, "application/json", value, false);
      }
    };
  }

  private static Target etcdTarget(EtcdProcess etcd) {
    Base64.Encoder b64 = Base64.getEncoder();
    return new Target() {
      public String name() {
        return "etcd " + etcd.version();
      }

      public int port() {
        return etcd.clientPort();
      }

      public long pid() {
        return etcd.pid();
      }

      public BenchHttp.Response write(BenchHttp.Connection c, String key, byte[] value) throws IOException {
        byte[] body = ("{\"key\":\"" + b64.encodeToString(("/registry/pods/default/" + key)
            .getBytes(StandardCharsets.UTF_8)) + "\",\"value\":\"" + b64.encodeToString(value) + "\"}")
            .getBytes(StandardCharsets.UTF_8);
        return c.exchange("POST", "/v3/kv/put", "application/json", body, false);
      }
    };
  }

  private static List<Result> run(Options opt, Target target) throws Exception {
    System.out.println("bench-write-path: " + target.name() + " on 127.0.0.1:" + target.port());
    Result warm = closedLoop(opt, target, "warm-up", "w", Integer.MAX_VALUE, opt.warmupSeconds());
    System.out.printf(Locale.ROOT, "  warm-up: %d writes in %.1f s%n", warm.ok(), warm.seconds());
    List<Result> out = new ArrayList<>();
    out.add(closedLoop(opt, target, "writes", "p", opt.objects(), 120));
    out.add(openLoop(opt, target));
    return out;
  }

  /** {@code count} writes (or until {@code seconds}) by {@code clients} connections, back to back. */
  private static Result closedLoop(Options opt, Target target, String phase, String prefix, int count,
      double seconds) throws Exception {
    AtomicLong next = new AtomicLong();
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    long t0 = System.nanoTime();
    return clients(target, phase, opt.clients(), t0, (c, l, errors) -> {
      long k;
      while ((k = next.getAndIncrement()) < count && System.nanoTime() < deadline) {
        String key = prefix + "-" + k;
        long s = System.nanoTime();
        if (ok(target.write(c, key, podBody(key)))) {
          l.record(System.nanoTime() - s);
        } else {
          errors.incrementAndGet();
        }
      }
    });
  }

  /** Writes due at start + i / rate, whatever happened before; latency from the due time. */
  private static Result openLoop(Options opt, Target target) throws Exception {
    long total = (long) (opt.rate() * opt.rateSeconds());
    long period = (long) (1e9 / opt.rate());
    AtomicLong next = new AtomicLong();
    long start = System.nanoTime() + 100_000_000L;
    long deadline = start + (long) (opt.rateSeconds() * 1e9) + 10_000_000_000L;
    return clients(target, "fixed " + (long) opt.rate() + "/s", 32, start, (c, l, errors) -> {
      long k;
      while ((k = next.getAndIncrement()) < total) {
        long due = start + k * period;
        long now;
        while ((now = System.nanoTime()) < due) {
          LockSupport.parkNanos(due - now);
        }
        if (now > deadline) {
          errors.incrementAndGet();
          continue;
        }
        String key = "r-" + k;
        if (ok(target.write(c, key, podBody(key)))) {
          l.record(System.nanoTime() - due);
        } else {
          errors.incrementAndGet();
        }
      }
    });
  }

  /** What one client thread does on its own connection, recording into its own latencies. */
  @FunctionalInterface
  private interface ClientLoop {
    void run(BenchHttp.Connection connection, Latencies latencies, AtomicLong errors) throws IOException;
  }

  /** {@code n} client threads, one connection each, timed from {@code t0}; the phase's result. */
  private static Result clients(Target target, String phase, int n, long t0, ClientLoop loop) throws Exception {
    AtomicLong errors = new AtomicLong();
    List<Latencies> lat = new ArrayList<>();
    double cpu0 = cpuSeconds(target.pid());
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Latencies l = new Latencies();
      lat.add(l);
      threads.add(started(phase + "-" + i, () -> {
        try (BenchHttp.Connection c = BenchHttp.open("raw", target.port(), TIMEOUT)) {
          loop.run(c, l, errors);
        } catch (IOException e) {
          errors.incrementAndGet();
        }
      }));
    }
    for (Thread t : threads) {
      t.join();
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    Latencies all = Latencies.merge(lat);
    return new Result(target.name(), phase, all.count(), errors.get(), secs, all,
        (cpuSeconds(target.pid()) - cpu0) / secs);
  }

  private static Thread started(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.start();
    return t;
  }

  private static boolean ok(BenchHttp.Response r) {
    return r != null && r.status() >= 200 && r.status() < 300;
  }

  private static void print(Options opt, List<Result> results) {
    System.out.printf(Locale.ROOT, "%nbench-write-path: %d clients, %d writes of %d-byte values, then %s/s for %s s%n",
        opt.clients(), opt.objects(), podBody("p-" + (opt.objects() - 1)).length, fmt(opt.rate(), 0),
        fmt(opt.rateSeconds(), 0));
    System.out.printf(Locale.ROOT, "%-22s %-12s %9s %9s %8s %8s %8s %7s %6s%n",
        "target", "phase", "writes", "writes/s", "p50 ms", "p99 ms", "max ms", "errors", "cores");
    for (Result r : results) {
      System.out.printf(Locale.ROOT, "%-22s %-12s %9d %9s %8s %8s %8s %7d %6s%n",
          r.target(), r.phase(), r.ok(), fmt(r.ok() / r.seconds(), 0), fmt(r.latency().percentileMillis(50), 2),
          fmt(r.latency().percentileMillis(99), 2), fmt(r.latency().maxMillis(), 1), r.errors(), fmt(r.cores(), 2));
    }
    Result etcd = results.get(0);
    Result ours = results.get(2);
    System.out.printf(Locale.ROOT, "Steuermann / etcd writes/s: %sx; p99 at %s/s: Steuermann %s ms, etcd %s ms%n",
        fmt((ours.ok() / ours.seconds()) / (etcd.ok() / etcd.seconds()), 2), fmt(opt.rate(), 0),
        fmt(results.get(3).latency().percentileMillis(99), 2), fmt(results.get(1).latency().percentileMillis(99), 2));
  }

  private static String fmt(double v, int decimals) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%,." + decimals + "f", v);
  }

  static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  static void awaitOk(int port, String path, java.util.function.BooleanSupplier alive) throws Exception {
    HttpClient probe = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      if (!alive.getAsBoolean()) {
        throw new IllegalStateException("the process on port " + port + " exited before it was ready");
      }
      try {
        if (probe.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
    }
    throw new IllegalStateException("nothing ready on port " + port + path + " within 120 s");
  }
}
