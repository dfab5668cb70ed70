package io.steuermann.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * The Job throughput benchmark (issue 12): one server process with N hollow nodes; M Jobs of
 * one pod each whose container is {@code true} (a hollow container that exits with 0); the
 * time from the first create until every Job has its Complete condition, and Jobs completed
 * per second. Creates go out with a bounded number in flight, as a client would send them.
 *
 * <pre>bin/bench-jobs [--nodes 100] [--jobs 1000] [--in-flight 32] [--suspend] [--timeout-seconds 300]</pre>
 */
public final class JobBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  private int nodes = 100;
  private int jobs = 1000;
  private int inFlight = 32;
  /** Suspended Jobs: no pods, only the Jobs and their controllers (what creating a Job costs). */
  private boolean suspend;
  private long timeoutSeconds = 300;
  private String serverJavaOpts = "-Xms1g -Xmx4g -XX:+UseZGC";
  private Path dist = Path.of("http-api/target");

  public static void main(String[] args) throws Exception {
    JobBench bench = new JobBench();
    for (int i = 0; i < args.length; i++) {
      String v = i + 1 < args.length ? args[i + 1] : "";
      switch (args[i]) {
        case "--nodes" -> { bench.nodes = Integer.parseInt(v); i++; }
        case "--jobs" -> { bench.jobs = Integer.parseInt(v); i++; }
        case "--in-flight" -> { bench.inFlight = Integer.parseInt(v); i++; }
        case "--suspend" -> bench.suspend = true;
        case "--timeout-seconds" -> { bench.timeoutSeconds = Long.parseLong(v); i++; }
        case "--server-java-opts" -> { bench.serverJavaOpts = v; i++; }
        case "--dist" -> { bench.dist = Path.of(v); i++; }
        case "--help" -> {
          System.out.println("bin/bench-jobs [--nodes N] [--jobs M] [--in-flight K] [--timeout-seconds S] "
              + "[--server-java-opts \"...\"]");
          return;
        }
        default -> throw new IllegalArgumentException("unknown flag " + args[i]);
      }
    }
    bench.run();
  }

  private void run() throws Exception {
    Path work = Files.createTempDirectory("steuermann-jobs");
    List<String> serverArgs = List.of("--data-dir", work.resolve("data").toString(), "--runtime", "hollow",
        "--hollow-nodes", Integer.toString(nodes), "--cluster-cidr", "10.128.0.0/12");
    System.out.printf(Locale.ROOT, "bench-jobs: %d hollow nodes, %d Jobs of one pod each; server %s%n",
        nodes, jobs, serverJavaOpts);
    long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
    try (ServerProcess server = ServerProcess.start(dist, ServerProcess.split(serverJavaOpts), serverArgs, work)) {
      Runtime.getRuntime().addShutdownHook(new Thread(server::close));
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5)).build();
      String base = "http://127.0.0.1:" + server.port;
      while (status(http, base + "/readyz") != 200 || readyNodes(http, base) < nodes) {
        check(deadline, server, "server and nodes ready");
        sleepMillis(250);
      }
      String collection = base + "/apis/batch/v1/namespaces/default/jobs";
      long t0 = System.nanoTime();
      Semaphore slots = new Semaphore(inFlight);
      List<CompletableFuture<HttpResponse<Void>>> creates = new ArrayList<>();
      for (int i = 0; i < jobs; i++) {
        slots.acquire();
        HttpRequest post = HttpRequest.newBuilder(URI.create(collection)).timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(job(i, suspend))).build();
        creates.add(http.sendAsync(post, HttpResponse.BodyHandlers.discarding())
            .whenComplete((r, e) -> slots.release()));
      }
      int refused = 0;
      for (CompletableFuture<HttpResponse<Void>> c : creates) {
        if (c.join().statusCode() != 201) {
          refused++;
        }
      }
      double created = seconds(t0);
      if (refused > 0) {
        throw new IllegalStateException(refused + " creates were not answered 201");
      }
      int complete;
      while (!suspend && (complete = complete(http, collection)) < jobs) {
        check(deadline, server, "Jobs complete (" + complete + "/" + jobs + ")");
        sleepMillis(250);
      }
      double total = seconds(t0);
      JsonNode jvm = JSON.readTree(get(http, base + "/debug/jvm"));
      System.out.println();
      System.out.printf(Locale.ROOT, "%-44s %s%n", "hollow nodes", nodes);
      System.out.printf(Locale.ROOT, "%-44s %s%n", "Jobs (one pod each, command true)", jobs);
      System.out.printf(Locale.ROOT, "%-44s %.2f s (%.0f creates/s, %d in flight)%n", "all Jobs created", created,
          jobs / created, inFlight);
      System.out.printf(Locale.ROOT, "%-44s %.2f s%n", "all Complete (first create .. last seen)", total);
      System.out.printf(Locale.ROOT, "%-44s %.0f%n", "Jobs completed per second (end to end)", jobs / total);
      System.out.printf(Locale.ROOT, "%-44s %d MiB used of %d MiB committed%n", "server heap",
          jvm.path("heapUsedBytes").asLong() >> 20, jvm.path("heapCommittedBytes").asLong() >> 20);
      System.out.printf(Locale.ROOT, "SUMMARY | %d %sJobs on %d hollow nodes: all %s in %.2f s, %.0f Jobs/s%n",
          jobs, suspend ? "suspended " : "", nodes, suspend ? "created" : "Complete", total, jobs / total);
    } finally {
      deleteRecursively(work);
    }
  }

  private static String job(int i, boolean suspend) {
    return """
        {"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"bench-%d"},
         "spec":{"suspend":%b,"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox",
           "command":["true"],"resources":{"requests":{"cpu":"10m","memory":"16Mi"}}}]}}}}""".formatted(i, suspend);
  }

  /** How many Jobs have a Complete condition that is True (a list; a watch would be cheaper for the client only). */
  private static int complete(HttpClient http, String collection) throws IOException, InterruptedException {
    int n = 0;
    for (JsonNode job : JSON.readTree(get(http, collection)).path("items")) {
      for (JsonNode c : job.path("status").path("conditions")) {
        if ("Complete".equals(c.path("type").asText()) && "True".equals(c.path("status").asText())) {
          n++;
        }
      }
    }
    return n;
  }

  private static int readyNodes(HttpClient http, String base) throws IOException, InterruptedException {
    int ready = 0;
    for (JsonNode node : JSON.readTree(get(http, base + "/api/v1/nodes")).path("items")) {
      for (JsonNode c : node.path("status").path("conditions")) {
        if ("Ready".equals(c.path("type").asText()) && "True".equals(c.path("status").asText())) {
          ready++;
        }
      }
    }
    return ready;
  }

  private static String get(HttpClient http, String url) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  private static int status(HttpClient http, String url) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException | InterruptedException e) {
      return -1;
    }
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
