package io.steuermann.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Services benchmark (issue 5, control plane), against one server process with hollow nodes:
 * <ul>
 *   <li>creates: {@code --services} Services POSTed by {@code --clients} connections, once
 *       headless (no allocation: the baseline), once ClusterIP (a clusterIP claimed), once
 *       NodePort (a clusterIP and a nodePort claimed); creates/s and latency, and a check that
 *       every clusterIP and nodePort is distinct;
 *   <li>endpoints: a Deployment of {@code --replicas} behind a Service; {@code --deletions}
 *       times a listed pod is deleted, and the time from sending the DELETE to the Endpoints
 *       watch event that no longer lists it is measured (what decides how soon a proxy stops
 *       sending it new connections), then the replacement pod is awaited in the Endpoints.
 * </ul>
 *
 * <pre>bin/bench-services [--services 1000] [--clients 16] [--replicas 30] [--deletions 30]</pre>
 */
public final class ServiceBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private int services = 1000;
  private int warmup = 1000;
  private int clients = 16;
  private int nodes = 3;
  private int replicas = 30;
  private int deletions = 30;
  private String serverJavaOpts = "-Xms1g -XX:+UseZGC";
  private Path dist = Path.of("http-api/target");

  public static void main(String[] args) throws Exception {
    ServiceBench bench = new ServiceBench();
    for (int i = 0; i < args.length; i++) {
      String v = i + 1 < args.length ? args[i + 1] : "";
      switch (args[i]) {
        case "--services" -> { bench.services = Integer.parseInt(v); i++; }
        case "--warmup" -> { bench.warmup = Integer.parseInt(v); i++; }
        case "--clients" -> { bench.clients = Integer.parseInt(v); i++; }
        case "--nodes" -> { bench.nodes = Integer.parseInt(v); i++; }
        case "--replicas" -> { bench.replicas = Integer.parseInt(v); i++; }
        case "--deletions" -> { bench.deletions = Integer.parseInt(v); i++; }
        case "--server-java-opts" -> { bench.serverJavaOpts = v; i++; }
        case "--dist" -> { bench.dist = Path.of(v); i++; }
        case "--help" -> {
          System.out.println("bin/bench-services [--services N] [--warmup W] [--clients C] [--nodes H] [--replicas R] "
              + "[--deletions D] [--server-java-opts \"...\"]");
          return;
        }
        default -> throw new IllegalArgumentException("unknown flag " + args[i]);
      }
    }
    if (bench.services > 2768 || bench.warmup > 2768) {
      throw new IllegalArgumentException("--services and --warmup must fit the nodePort range: at most 2768");
    }
    bench.run();
  }

  private void run() throws Exception {
    Path work = Files.createTempDirectory("steuermann-services-bench");
    System.out.printf(Locale.ROOT, "bench-services: %d Services x 3 kinds by %d clients; a Deployment of %d on %d "
        + "hollow nodes, %d pod deletions; server %s%n", services, clients, replicas, nodes, deletions, serverJavaOpts);
    try (ServerProcess server = ServerProcess.start(dist, ServerProcess.split(serverJavaOpts),
        List.of("--data-dir", work.resolve("data").toString(), "--hollow-nodes", Integer.toString(nodes)), work)) {
      Runtime.getRuntime().addShutdownHook(new Thread(server::close));
      try (BenchHttp.Connection c = BenchHttp.open("raw", server.port, Duration.ofSeconds(30))) {
        awaitTrue(server, "server ready", () -> {
          // a fresh connection per try: a failed connect leaves a connection unusable
          try (BenchHttp.Connection probe = BenchHttp.open("raw", server.port, Duration.ofSeconds(5))) {
            return probe.exchange("GET", "/readyz", null, null, false).status() == 200;
          } catch (IOException e) {
            return false; // not listening yet
          }
        });
        awaitTrue(server, "nodes Ready", () -> readyNodes(c) >= nodes);
      }
      if (warmup > 0) {
        // JIT, entity start-up, claim entities: created and deleted again, not measured
        for (String kind : List.of("headless", "ClusterIP", "NodePort")) {
          createAll(server, "warm-" + kind.toLowerCase(Locale.ROOT), kind, warmup);
          deleteAll(server, "warm-" + kind.toLowerCase(Locale.ROOT), warmup);
        }
      }
      System.out.println();
      System.out.printf(Locale.ROOT, "%-10s %10s %10s %10s %10s %10s%n", "creates", "per s", "p50 ms", "p99 ms",
          "max ms", "cpu cores");
      for (String kind : List.of("headless", "ClusterIP", "NodePort")) {
        creates(server, kind);
      }
      distinct(server);
      System.out.println();
      endpoints(server);
    } finally {
      deleteRecursively(work);
    }
  }

  // ---------------------------------------------------------------- creates

  private void creates(ServerProcess server, String kind) throws Exception {
    double cpuBefore = server.cpuSeconds();
    long start = System.nanoTime();
    Result result = createAll(server, kind.toLowerCase(Locale.ROOT), kind, services);
    double seconds = (System.nanoTime() - start) / 1e9;
    double cores = (server.cpuSeconds() - cpuBefore) / seconds;
    Latencies all = result.latencies();
    System.out.printf(Locale.ROOT, "%-10s %10.0f %10.1f %10.1f %10.1f %10.2f%s%n", kind, services / seconds,
        all.percentileMillis(50), all.percentileMillis(99), all.maxMillis(), cores,
        result.failures() == 0 ? "" : "   FAILED: " + result.failures());
  }

  private record Result(Latencies latencies, int failures) {}

  /** Creates {@code count} Services {@code prefix-i} from all clients. */
  private Result createAll(ServerProcess server, String prefix, String kind, int count) throws Exception {
    AtomicInteger next = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    List<Latencies> parts = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < clients; t++) {
      Latencies latencies = new Latencies();
      parts.add(latencies);
      Thread thread = new Thread(() -> {
        try (BenchHttp.Connection c = BenchHttp.open("raw", server.port, Duration.ofSeconds(30))) {
          int i;
          while ((i = next.getAndIncrement()) < count) {
            byte[] body = service(prefix + "-" + i, kind).getBytes(StandardCharsets.UTF_8);
            long sent = System.nanoTime();
            BenchHttp.Response r = c.exchange("POST", "/api/v1/namespaces/default/services", "application/json",
                body, true);
            while (r.status() == 429) {
              Thread.sleep(Math.max(1, r.retryAfterSeconds()) * 1000);
              r = c.exchange("POST", "/api/v1/namespaces/default/services", "application/json", body, true);
            }
            latencies.record(System.nanoTime() - sent);
            if (r.status() != 201) {
              if (failures.incrementAndGet() <= 3) {
                System.err.println("create answered " + r.status() + ": " + r.bodyText());
              }
            }
          }
        } catch (Exception e) {
          failures.incrementAndGet();
          System.err.println("client failed: " + e);
        }
      }, "client-" + t);
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    return new Result(Latencies.merge(parts), failures.get());
  }

  private void deleteAll(ServerProcess server, String prefix, int count) throws Exception {
    try (BenchHttp.Connection c = BenchHttp.open("raw", server.port, Duration.ofSeconds(30))) {
      for (int i = 0; i < count; i++) {
        c.exchange("DELETE", "/api/v1/namespaces/default/services/" + prefix + "-" + i, null, null, false);
      }
    }
  }

  private static String service(String name, String kind) {
    String type = switch (kind) {
      case "headless" -> "\"clusterIP\":\"None\",";
      case "NodePort" -> "\"type\":\"NodePort\",";
      default -> "";
    };
    return """
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"%s"},
         "spec":{%s"selector":{"app":"%s"},"ports":[{"port":80,"targetPort":8080}]}}""".formatted(name, type, name);
  }

  /** Every clusterIP and every nodePort of the Services created is distinct. */
  private void distinct(ServerProcess server) throws Exception {
    try (BenchHttp.Connection c = BenchHttp.open("raw", server.port, Duration.ofSeconds(30))) {
      JsonNode list = JSON.readTree(c.exchange("GET", "/api/v1/namespaces/default/services", null, null, true).body());
      Set<String> ips = new HashSet<>();
      Set<Integer> ports = new HashSet<>();
      int withIp = 0;
      int withPort = 0;
      for (JsonNode svc : list.path("items")) {
        String ip = svc.path("spec").path("clusterIP").asText("");
        if (!ip.isEmpty() && !ip.equals("None")) {
          withIp++;
          ips.add(ip);
        }
        for (JsonNode p : svc.path("spec").path("ports")) {
          if (p.path("nodePort").asInt(0) != 0) {
            withPort++;
            ports.add(p.path("nodePort").asInt());
          }
        }
      }
      System.out.printf(Locale.ROOT, "distinct: %d clusterIPs of %d, %d nodePorts of %d [%s]%n", ips.size(), withIp,
          ports.size(), withPort, ips.size() == withIp && ports.size() == withPort ? "ok" : "DUPLICATES");
    }
  }

  // ---------------------------------------------------------------- endpoints

  private void endpoints(ServerProcess server) throws Exception {
    try (BenchHttp.Connection c = BenchHttp.open("raw", server.port, Duration.ofSeconds(30));
         BenchHttp.RawConnection watch = new BenchHttp.RawConnection(server.port, Duration.ofSeconds(30))) {
      post(c, "/apis/apps/v1/namespaces/default/deployments", """
          {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"ep"},
           "spec":{"replicas":%d,"selector":{"matchLabels":{"app":"ep"}},
            "template":{"metadata":{"labels":{"app":"ep"}},
             "spec":{"containers":[{"name":"c","image":"busybox","ports":[{"name":"http","containerPort":8080}]}]}}}}"""
          .formatted(replicas));
      post(c, "/api/v1/namespaces/default/services", """
          {"apiVersion":"v1","kind":"Service","metadata":{"name":"ep"},
           "spec":{"selector":{"app":"ep"},"ports":[{"port":80,"targetPort":"http"}]}}""");
      awaitTrue(server, "Endpoints with " + replicas + " addresses", () -> {
        BenchHttp.Response r = c.exchange("GET", "/api/v1/namespaces/default/endpoints/ep", null, null, true);
        return r.status() == 200 && listed(JSON.readTree(r.body())).size() == replicas;
      });
      JsonNode list = JSON.readTree(c.exchange("GET", "/api/v1/namespaces/default/endpoints?fieldSelector="
          + "metadata.name%3Dep", null, null, true).body());
      String rv = list.path("metadata").path("resourceVersion").asText();
      EndpointsFollower follower = new EndpointsFollower(listed(list.path("items").path(0)));
      BufferedReader lines = new BufferedReader(new InputStreamReader(watch.stream(
          "/api/v1/namespaces/default/endpoints?watch=1&fieldSelector=metadata.name%3Dep&resourceVersion=" + rv),
          StandardCharsets.UTF_8));
      Thread reader = new Thread(() -> follower.follow(lines), "endpoints-watch");
      reader.setDaemon(true);
      reader.start();

      Latencies dropped = new Latencies();
      Latencies replaced = new Latencies();
      double cpuBefore = server.cpuSeconds();
      long start = System.nanoTime();
      for (int i = 0; i < deletions; i++) {
        Set<String> before = follower.current();
        if (before.size() < replicas) {
          try {
            awaitTrue(server, "Endpoints full again", () -> follower.current().size() == replicas);
          } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + "; the watch shows " + follower.current(), e);
          }
          before = follower.current();
        }
        String victim = before.iterator().next();
        long sent = System.nanoTime();
        BenchHttp.Response r = c.exchange("DELETE", "/api/v1/namespaces/default/pods/" + victim, null, null, true);
        if (r.status() != 200) {
          throw new IllegalStateException("deleting " + victim + " answered " + r.status() + ": " + r.bodyText());
        }
        long droppedAt = follower.awaitWithout(victim, sent + TIMEOUT.toNanos());
        dropped.record(droppedAt - sent);
        long fullAt = follower.awaitSize(replicas, sent + TIMEOUT.toNanos());
        replaced.record(fullAt - sent);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double cores = (server.cpuSeconds() - cpuBefore) / seconds;
      dropped = Latencies.merge(List.of(dropped));
      replaced = Latencies.merge(List.of(replaced));
      System.out.printf(Locale.ROOT, "endpoints of a Service over %d pods, %d deletions (server %.2f cores):%n",
          replicas, deletions, cores);
      System.out.printf(Locale.ROOT, "  %-52s p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
          "DELETE sent -> Endpoints watch event without the pod", dropped.percentileMillis(50),
          dropped.percentileMillis(99), dropped.maxMillis());
      System.out.printf(Locale.ROOT, "  %-52s p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
          "DELETE sent -> replacement Ready in the Endpoints", replaced.percentileMillis(50),
          replaced.percentileMillis(99), replaced.maxMillis());
      System.out.printf(Locale.ROOT, "  %-52s %d%n", "Endpoints watch events", follower.events());
      System.out.printf(Locale.ROOT, "SUMMARY | terminating pod out of the Endpoints: p99 %.1f ms [%s] (target < 1000 ms)%n",
          dropped.percentileMillis(99), dropped.percentileMillis(99) < 1000 ? "ok" : "MISSED");
    }
  }

  /** The names of the pods in the addresses of an Endpoints object. */
  static Set<String> listed(JsonNode endpoints) {
    Set<String> names = new TreeSet<>();
    for (JsonNode subset : endpoints.path("subsets")) {
      for (JsonNode a : subset.path("addresses")) {
        names.add(a.path("targetRef").path("name").asText());
      }
    }
    return names;
  }

  /** Follows the Endpoints watch; answers when (nanoTime) a condition on the listed pods first held. */
  private static final class EndpointsFollower {
    private Set<String> current;
    private long at;
    private int events;

    EndpointsFollower(Set<String> listed) {
      this.current = listed;
    }

    void follow(BufferedReader lines) {
      try {
        String line;
        while ((line = lines.readLine()) != null) {
          if (!line.isBlank()) {
            JsonNode event = JSON.readTree(line);
            Set<String> names = listed(event.path("object"));
            long now = System.nanoTime();
            synchronized (this) {
              current = names;
              at = now;
              events++;
              notifyAll();
            }
          }
        }
      } catch (IOException e) {
        // the watch ends with the benchmark
      }
    }

    synchronized Set<String> current() {
      return new TreeSet<>(current);
    }

    synchronized int events() {
      return events;
    }

    synchronized long awaitWithout(String pod, long deadline) throws InterruptedException {
      while (current.contains(pod)) {
        waitUntil(deadline, "the Endpoints to drop " + pod);
      }
      return at;
    }

    synchronized long awaitSize(int size, long deadline) throws InterruptedException {
      while (current.size() < size) {
        waitUntil(deadline, "the Endpoints to list " + size + " pods");
      }
      return at;
    }

    private void waitUntil(long deadline, String what) throws InterruptedException {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }

  // ---------------------------------------------------------------- helpers

  private interface Check {
    boolean holds() throws Exception;
  }

  private static void awaitTrue(ServerProcess server, String what, Check check) throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!check.holds()) {
      if (!server.alive()) {
        throw new IllegalStateException("the server died while waiting for " + what + ":\n" + server.logTail(40));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  private static int readyNodes(BenchHttp.Connection c) throws IOException {
    BenchHttp.Response r = c.exchange("GET", "/api/v1/nodes", null, null, true);
    if (r.status() != 200) {
      return 0;
    }
    int ready = 0;
    for (JsonNode node : JSON.readTree(r.body()).path("items")) {
      for (JsonNode cond : node.path("status").path("conditions")) {
        if ("Ready".equals(cond.path("type").asText()) && "True".equals(cond.path("status").asText())) {
          ready++;
        }
      }
    }
    return ready;
  }

  private static void post(BenchHttp.Connection c, String path, String body) throws IOException {
    BenchHttp.Response r = c.exchange("POST", path, "application/json", body.getBytes(StandardCharsets.UTF_8), true);
    if (r.status() != 201) {
      throw new IllegalStateException("POST " + path + " answered " + r.status() + ": " + r.bodyText());
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }
}
