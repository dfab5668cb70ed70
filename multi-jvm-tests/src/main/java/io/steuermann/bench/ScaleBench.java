package io.steuermann.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The control-plane scale benchmark (issue 3): one server process running N hollow nodes; a
 * Deployment of M replicas; the time until all M pods are Running and Ready, as seen through
 * a watch; pods/s, the scheduler's decisions/s and scheduling latency, and heap used.
 *
 * <pre>bin/bench-scale [--nodes 1000] [--pods 10000] [--server-java-opts "..."] [--timeout-seconds 300]</pre>
 *
 * <p>With {@code --daemonset} the workload is a DaemonSet instead: one pod per node (issue 12).
 * With {@code --statefulset ordered|parallel} it is a StatefulSet of M replicas (issue 18), its
 * pods made one after another (OrderedReady) or all at once (Parallel).
 */
public final class ScaleBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  private int nodes = 1000;
  private int pods = 10_000;
  private long timeoutSeconds = 300;
  private String serverJavaOpts = "-Xms2g -Xmx6g -XX:+UseZGC";
  private String extraServerArgs = "";
  private Path dist = Path.of("http-api/target");
  private boolean daemonSet;
  /** Empty, or the StatefulSet's pod management: "ordered" or "parallel". */
  private String statefulSet = "";

  public static void main(String[] args) throws Exception {
    ScaleBench bench = new ScaleBench();
    for (int i = 0; i < args.length; i++) {
      String v = i + 1 < args.length ? args[i + 1] : "";
      switch (args[i]) {
        case "--nodes" -> { bench.nodes = Integer.parseInt(v); i++; }
        case "--pods" -> { bench.pods = Integer.parseInt(v); i++; }
        case "--timeout-seconds" -> { bench.timeoutSeconds = Long.parseLong(v); i++; }
        case "--server-java-opts" -> { bench.serverJavaOpts = v; i++; }
        case "--server-args" -> { bench.extraServerArgs = v; i++; }
        case "--dist" -> { bench.dist = Path.of(v); i++; }
        case "--daemonset" -> bench.daemonSet = true;
        case "--statefulset" -> { bench.statefulSet = v; i++; }
        case "--help" -> {
          System.out.println("bin/bench-scale [--nodes N] [--pods M] [--timeout-seconds S] "
              + "[--server-java-opts \"...\"] [--server-args \"...\"] [--daemonset | --statefulset ordered|parallel]");
          return;
        }
        default -> throw new IllegalArgumentException("unknown flag " + args[i]);
      }
    }
    bench.run();
  }

  private void run() throws Exception {
    if (daemonSet) {
      pods = nodes;
    }
    String workload = daemonSet ? "a DaemonSet (one pod per node)"
        : !statefulSet.isEmpty() ? "a StatefulSet (" + statefulSet + ") of " + pods + " replicas"
        : "a Deployment of " + pods + " replicas";
    Path work = Files.createTempDirectory("steuermann-scale");
    List<String> serverArgs = new ArrayList<>(List.of("--data-dir", work.resolve("data").toString(),
        "--runtime", "hollow", "--hollow-nodes", Integer.toString(nodes),
        // a /24 per node, as node IPAM hands them out: room for 4096 nodes instead of the default 256
        "--cluster-cidr", "10.128.0.0/12"));
    serverArgs.addAll(ServerProcess.split(extraServerArgs));
    System.out.printf(Locale.ROOT, "bench-scale: %d hollow nodes, %s; server %s%n", nodes, workload, serverJavaOpts);
    long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
    try (ServerProcess server = ServerProcess.start(dist, ServerProcess.split(serverJavaOpts), serverArgs, work)) {
      Runtime.getRuntime().addShutdownHook(new Thread(server::close));
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      String base = "http://127.0.0.1:" + server.port;
      long start = System.nanoTime();
      while (status(http, base + "/readyz") != 200) {
        check(deadline, server, "server ready");
        sleepMillis(200);
      }
      double readySeconds = seconds(start);
      long nodesStart = System.nanoTime();
      int ready;
      while ((ready = readyNodes(http, base)) < nodes) {
        check(deadline, server, "nodes registered (" + ready + "/" + nodes + ")");
        sleepMillis(250);
      }
      double nodesSeconds = seconds(nodesStart);
      System.out.printf(Locale.ROOT, "server ready in %.1f s; %d nodes registered and Ready %.1f s later%n",
          readySeconds, nodes, nodesSeconds);

      String listRv = JSON.readTree(get(http, base + "/api/v1/namespaces/default/pods?labelSelector=app%3Dscale"))
          .path("metadata").path("resourceVersion").asText();
      PodTracker tracker = new PodTracker(pods);
      AtomicBoolean stop = new AtomicBoolean();
      Thread watcher = new Thread(() -> tracker.follow(base
          + "/api/v1/namespaces/default/pods?watch=1&labelSelector=app%3Dscale&resourceVersion=" + listRv, stop),
          "watch");
      watcher.setDaemon(true);
      watcher.start();

      long t0 = System.nanoTime();
      tracker.start(t0);
      int created = daemonSet
          ? status(http, base + "/apis/apps/v1/namespaces/default/daemonsets", daemonSetJson())
          : !statefulSet.isEmpty()
          ? status(http, base + "/apis/apps/v1/namespaces/default/statefulsets", statefulSetJson())
          : status(http, base + "/apis/apps/v1/namespaces/default/deployments", deployment());
      if (created != 201) {
        throw new IllegalStateException("creating the workload answered " + created);
      }
      while (!tracker.allReady()) {
        check(deadline, server, "pods ready (" + tracker.readyCount() + "/" + pods + ", scheduled "
            + tracker.scheduledCount() + ", seen " + tracker.seenCount() + ")");
        sleepMillis(100);
      }
      double total = (tracker.lastReadyNanos() - t0) / 1e9;
      stop.set(true);
      JsonNode scheduler = JSON.readTree(get(http, base + "/debug/scheduler"));
      JsonNode jvm = JSON.readTree(get(http, base + "/debug/jvm"));

      double firstSeen = (tracker.firstSeenNanos() - t0) / 1e9;
      double lastSeen = (tracker.lastSeenNanos() - t0) / 1e9;
      double lastScheduled = (tracker.lastScheduledNanos() - t0) / 1e9;
      System.out.println();
      System.out.printf(Locale.ROOT, "%-44s %s%n", "hollow nodes", nodes);
      System.out.printf(Locale.ROOT, "%-44s %s%n", daemonSet ? "pods (DaemonSet, one per node)"
          : !statefulSet.isEmpty() ? "pods (StatefulSet replicas, " + statefulSet + ")" : "pods (Deployment replicas)",
          pods);
      System.out.printf(Locale.ROOT, "%-44s %.2f s%n", "time until all pods Running and Ready", total);
      System.out.printf(Locale.ROOT, "%-44s %.0f%n", "pods Running+Ready per second (end to end)", pods / total);
      System.out.printf(Locale.ROOT, "%-44s %.2f .. %.2f s (%.0f pods/s)%n", "pods created (first .. last seen)",
          firstSeen, lastSeen, pods / Math.max(0.001, lastSeen - firstSeen));
      System.out.printf(Locale.ROOT, "%-44s %.2f s%n", "last pod bound", lastScheduled);
      System.out.printf(Locale.ROOT, "%-44s %d decisions, %.0f decisions/s (first created .. last bound)%n",
          "scheduler", scheduler.path("decisions").asLong(),
          scheduler.path("decisions").asLong() / Math.max(0.001, lastScheduled - firstSeen));
      System.out.printf(Locale.ROOT, "%-44s p50 %.1f ms, p99 %.1f ms%n", "scheduling latency (pending -> bound)",
          scheduler.path("p50LatencyMs").asDouble(), scheduler.path("p99LatencyMs").asDouble());
      System.out.printf(Locale.ROOT, "%-44s p50 %.0f ms, p99 %.0f ms%n", "pod latency (created -> Ready)",
          tracker.readyLatencyMillis(0.50), tracker.readyLatencyMillis(0.99));
      System.out.printf(Locale.ROOT, "%-44s %d MiB used of %d MiB committed%n", "server heap",
          jvm.path("heapUsedBytes").asLong() >> 20, jvm.path("heapCommittedBytes").asLong() >> 20);
      System.out.printf(Locale.ROOT, "SUMMARY | %d nodes x %d pods: all Running+Ready in %.2f s [%s] (target < 10 s)%n",
          nodes, pods, total, total < 10 ? "ok" : "MISSED");
    } finally {
      deleteRecursively(work);
    }
  }

  private String daemonSetJson() {
    return """
        {"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"scale"},
         "spec":{"selector":{"matchLabels":{"app":"scale"}},
          "template":{"metadata":{"labels":{"app":"scale"}},
           "spec":{"containers":[{"name":"c","image":"busybox",
             "resources":{"requests":{"cpu":"10m","memory":"16Mi"}}}]}}}}""";
  }

  private String statefulSetJson() {
    String policy = switch (statefulSet) {
      case "ordered" -> "OrderedReady";
      case "parallel" -> "Parallel";
      default -> throw new IllegalArgumentException("--statefulset ordered|parallel, not " + statefulSet);
    };
    return """
        {"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"scale"},
         "spec":{"replicas":%d,"serviceName":"scale","podManagementPolicy":"%s",
          "selector":{"matchLabels":{"app":"scale"}},
          "template":{"metadata":{"labels":{"app":"scale"}},
           "spec":{"containers":[{"name":"c","image":"busybox",
             "resources":{"requests":{"cpu":"10m","memory":"16Mi"}}}]}}}}""".formatted(pods, policy);
  }

  private String deployment() {
    return """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"scale"},
         "spec":{"replicas":%d,"selector":{"matchLabels":{"app":"scale"}},
          "template":{"metadata":{"labels":{"app":"scale"}},
           "spec":{"containers":[{"name":"c","image":"busybox",
             "resources":{"requests":{"cpu":"10m","memory":"16Mi"}}}]}}}}""".formatted(pods);
  }

  /** Follows the pods' watch: when each pod was first seen, bound, and Running+Ready. */
  private static final class PodTracker {
    private final int expected;
    private final Map<String, long[]> times = new HashMap<>(); // seen, scheduled, ready
    private long t0;
    private int scheduled;
    private int ready;
    private long lastReady;
    private long lastScheduled;
    private long firstSeen = Long.MAX_VALUE;
    private long lastSeen;

    PodTracker(int expected) {
      this.expected = expected;
    }

    synchronized void start(long t0) {
      this.t0 = t0;
    }

    void follow(String url, AtomicBoolean stop) {
      try {
        java.net.HttpURLConnection c = (java.net.HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setReadTimeout(0);
        try (InputStream in = c.getInputStream();
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
          String line;
          while (!stop.get() && (line = reader.readLine()) != null) {
            if (!line.isBlank()) {
              apply(JSON.readTree(line), System.nanoTime());
            }
          }
        }
      } catch (IOException e) {
        if (!stop.get()) {
          System.err.println("bench-scale: watch failed: " + e);
        }
      }
    }

    private synchronized void apply(JsonNode event, long now) {
      JsonNode pod = event.path("object");
      String name = pod.path("metadata").path("name").asText();
      long[] t = times.computeIfAbsent(name, n -> new long[3]);
      if (t[0] == 0) {
        t[0] = now;
        firstSeen = Math.min(firstSeen, now);
        lastSeen = Math.max(lastSeen, now);
      }
      if (t[1] == 0 && !pod.path("spec").path("nodeName").asText("").isEmpty()) {
        t[1] = now;
        scheduled++;
        lastScheduled = now;
      }
      if (t[2] == 0 && "Running".equals(pod.path("status").path("phase").asText()) && isReady(pod)) {
        t[2] = now;
        ready++;
        lastReady = now;
      }
    }

    private static boolean isReady(JsonNode pod) {
      for (JsonNode c : pod.path("status").path("conditions")) {
        if ("Ready".equals(c.path("type").asText())) {
          return "True".equals(c.path("status").asText());
        }
      }
      return false;
    }

    synchronized boolean allReady() {
      return ready >= expected;
    }

    synchronized int readyCount() {
      return ready;
    }

    synchronized int scheduledCount() {
      return scheduled;
    }

    synchronized int seenCount() {
      return times.size();
    }

    synchronized long lastReadyNanos() {
      return lastReady;
    }

    synchronized long lastScheduledNanos() {
      return lastScheduled;
    }

    synchronized long firstSeenNanos() {
      return firstSeen;
    }

    synchronized long lastSeenNanos() {
      return lastSeen;
    }

    synchronized double readyLatencyMillis(double quantile) {
      List<Long> latencies = new ArrayList<>();
      for (long[] t : times.values()) {
        if (t[0] != 0 && t[2] != 0) {
          latencies.add(t[2] - t[0]);
        }
      }
      if (latencies.isEmpty()) {
        return Double.NaN;
      }
      latencies.sort(Comparator.naturalOrder());
      int index = (int) Math.min(latencies.size() - 1, Math.round(quantile * (latencies.size() - 1)));
      return latencies.get(index) / 1e6;
    }
  }

  private static int readyNodes(HttpClient http, String base) throws IOException, InterruptedException {
    JsonNode list = JSON.readTree(get(http, base + "/api/v1/nodes"));
    int ready = 0;
    for (JsonNode node : list.path("items")) {
      for (JsonNode c : node.path("status").path("conditions")) {
        if ("Ready".equals(c.path("type").asText()) && "True".equals(c.path("status").asText())) {
          ready++;
        }
      }
    }
    return ready;
  }

  private static String get(HttpClient http, String url) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
    return r.body();
  }

  private static int status(HttpClient http, String url) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException | InterruptedException e) {
      return -1;
    }
  }

  private static int status(HttpClient http, String url, String body) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static void check(long deadline, ServerProcess server, String waitingFor) {
    if (System.nanoTime() > deadline) {
      throw new IllegalStateException("timed out waiting for " + waitingFor + "\n" + server.logTail(30));
    }
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  private static void sleepMillis(long millis) {
    java.util.concurrent.locks.LockSupport.parkNanos(millis * 1_000_000);
  }

  private static void deleteRecursively(Path dir) {
    try (var walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp dir left behind is harmless
    }
  }
}
