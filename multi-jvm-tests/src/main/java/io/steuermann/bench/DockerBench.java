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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Docker node benchmark (issue 4), all in one run on one machine:
 * <ol>
 *   <li>pod create -> Ready latency (the API's POST until a watch shows the pod Running and
 *       Ready) of a one-container busybox pod, one pod at a time, beside a plain
 *       {@code docker run -d} of the same image and command (until the command returns: the
 *       container runs), p50/p99 and their ratio;</li>
 *   <li>a Deployment of 20 replicas until all are Ready, beside Docker Swarm
 *       ({@code docker swarm init --advertise-addr 127.0.0.1},
 *       {@code docker service create --replicas 20} of the same image, until 20/20 run), taking
 *       turns for {@code --rounds} rounds (3); the medians are compared.</li>
 * </ol>
 * Every pod sample is paired with a {@code docker run}, and the Deployments with the Swarm
 * services, so that both sides see the same load on a shared machine.
 * The server runs as its own process with {@code --runtime docker} on a node name of its own;
 * every container made is removed at the end, and a swarm the benchmark created is left.
 *
 * <pre>bin/bench-docker [--samples 30] [--replicas 20] [--rounds 3] [--image steuermann/busybox:test] [--server-java-opts "..."]</pre>
 */
public final class DockerBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** What the bench pod sends per connection for the port-forward throughput. */
  private static final long FORWARDED_BYTES = 200_000_000;

  private int samples = 30;
  private int warmup = 3;
  private int replicas = 20;
  private int rounds = 3;
  private String image = "steuermann/busybox:test";
  private PortForwardThroughput.Figures forwarded;
  private String serverJavaOpts = "-Xms512m -Xmx1g -XX:+UseParallelGC";
  private Path dist = Path.of("http-api/target");
  private final String node = "bench-" + UUID.randomUUID().toString().substring(0, 8);
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private String base;

  public static void main(String[] args) throws Exception {
    DockerBench bench = new DockerBench();
    for (int i = 0; i < args.length; i++) {
      String v = i + 1 < args.length ? args[i + 1] : "";
      switch (args[i]) {
        case "--samples" -> { bench.samples = Integer.parseInt(v); i++; }
        case "--warmup" -> { bench.warmup = Integer.parseInt(v); i++; }
        case "--replicas" -> { bench.replicas = Integer.parseInt(v); i++; }
        case "--rounds" -> { bench.rounds = Integer.parseInt(v); i++; }
        case "--image" -> { bench.image = v; i++; }
        case "--server-java-opts" -> { bench.serverJavaOpts = v; i++; }
        case "--dist" -> { bench.dist = Path.of(v); i++; }
        case "--help" -> {
          System.out.println("bin/bench-docker [--samples N] [--warmup N] [--replicas N] [--rounds N] [--image I] "
              + "[--server-java-opts \"...\"]");
          return;
        }
        default -> throw new IllegalArgumentException("unknown flag " + args[i]);
      }
    }
    bench.run();
  }

  private void run() throws Exception {
    Cmd version = docker("version", "--format", "{{.Server.Version}} (API {{.Server.APIVersion}})");
    if (version.code != 0) {
      throw new IllegalStateException("no Docker engine: " + version.out);
    }
    System.out.printf(Locale.ROOT, "bench-docker: Docker %s, image %s, %d samples (+%d warm-up), "
        + "Deployment/service of %d replicas; %d cpus%n", version.out.strip(), image, samples, warmup, replicas,
        Runtime.getRuntime().availableProcessors());
    Path work = Files.createTempDirectory("steuermann-bench-docker");
    Latencies steuermann = new Latencies();
    Latencies plain = new Latencies();
    Latencies execs = new Latencies();
    Latencies dockerExecs = new Latencies();
    List<Double> deployments = new ArrayList<>();
    List<Double> services = new ArrayList<>();
    boolean joined = joinSwarm();
    try {
      try (ServerProcess server = ServerProcess.start(dist, ServerProcess.split(serverJavaOpts),
          List.of("--data-dir", work.resolve("data").toString(), "--runtime", "docker", "--node-name", node), work)) {
        base = "http://127.0.0.1:" + server.port;
        awaitTrue(Duration.ofSeconds(120), server, "server ready", () -> status("GET", "/readyz", null) == 200);
        awaitTrue(Duration.ofSeconds(60), server, "node " + node + " Ready", this::nodeReady);
        podLatencies(server, steuermann, plain);
        execLatencies(server, execs, dockerExecs, work);
        // Steuermann and Swarm take turns, so that both see the same load on a shared machine
        for (int round = 1; round <= rounds; round++) {
          deployments.add(deployment(server, round));
          services.add(swarmService());
          System.out.printf(Locale.ROOT, "round %d: Steuermann Deployment %.2f s, Swarm service %.2f s%n", round,
              deployments.get(round - 1), services.get(round - 1));
        }
        warnings(server);
      }
    } finally {
      removeContainers("label=steuermann.io/node=" + node);
      deleteRecursively(work);
      if (joined) {
        docker("swarm", "leave", "--force");
      }
    }
    double deploymentSeconds = median(deployments);
    double swarmSeconds = median(services);

    steuermann = Latencies.merge(List.of(steuermann));
    plain = Latencies.merge(List.of(plain));
    double p50 = steuermann.percentileMillis(50);
    double p99 = steuermann.percentileMillis(99);
    double dp50 = plain.percentileMillis(50);
    double dp99 = plain.percentileMillis(99);
    System.out.println();
    System.out.printf(Locale.ROOT, "%-52s %10s %10s%n", "", "p50", "p99");
    System.out.printf(Locale.ROOT, "%-52s %7.0f ms %7.0f ms%n", "Steuermann pod create -> Running+Ready", p50, p99);
    System.out.printf(Locale.ROOT, "%-52s %7.0f ms %7.0f ms%n", "plain docker run -d (same image and command)", dp50, dp99);
    System.out.printf(Locale.ROOT, "%-52s %9.2fx %9.2fx%n", "ratio", p50 / dp50, p99 / dp99);
    System.out.printf(Locale.ROOT, "%-52s %7.0f ms %7.0f ms%n", "kubectl exec pod -- true (WebSocket, via the API)",
        execs.percentileMillis(50), execs.percentileMillis(99));
    System.out.printf(Locale.ROOT, "%-52s %7.0f ms %7.0f ms%n", "docker exec container true (same container)",
        dockerExecs.percentileMillis(50), dockerExecs.percentileMillis(99));
    System.out.printf(Locale.ROOT, "%-52s %9.2fx %9.2fx%n", "ratio", execs.percentileMillis(50)
        / dockerExecs.percentileMillis(50), execs.percentileMillis(99) / dockerExecs.percentileMillis(99));
    System.out.printf(Locale.ROOT, "%-52s %7.0f MB/s%n", "kubectl port-forward, bulk read out of the pod",
        forwarded.forwardedMBps());
    System.out.printf(Locale.ROOT, "%-52s %7.0f MB/s%n", "the same read straight from the pod's address",
        forwarded.directMBps());
    System.out.printf(Locale.ROOT, "%-52s %9.2fx%n", "ratio (port-forward / direct)",
        forwarded.forwardedMBps() / forwarded.directMBps());
    System.out.printf(Locale.ROOT, "%-52s %8.2f s%n", "Steuermann Deployment of " + replicas + ": all Ready (median)",
        deploymentSeconds);
    System.out.printf(Locale.ROOT, "%-52s %8.2f s%n", "Docker Swarm service of " + replicas + ": " + replicas + "/"
        + replicas + " running (median)", swarmSeconds);
    System.out.printf(Locale.ROOT, "SUMMARY | pod create->Ready p50 %.0f ms vs docker run %.0f ms = %.2fx [%s] "
            + "(target <= 1.5x); p99 %.0f vs %.0f ms = %.2fx%n", p50, dp50, p50 / dp50, p50 / dp50 <= 1.5 ? "ok" : "MISSED",
        p99, dp99, p99 / dp99);
    System.out.printf(Locale.ROOT, "SUMMARY | %d replicas all Ready: Steuermann %.2f s vs Swarm %.2f s [%s] "
        + "(target: faster than Swarm)%n", replicas, deploymentSeconds, swarmSeconds,
        deploymentSeconds < swarmSeconds ? "ok" : "MISSED");
  }

  // ---------------------------------------------------------------- Steuermann

  /**
   * One pod at a time: POST until the watch shows it Running and Ready; then it is deleted and
   * gone. Each sample is paired with a plain {@code docker run -d}, so that both see the same
   * load on a shared machine.
   */
  private void podLatencies(ServerProcess server, Latencies latencies, Latencies plain) throws Exception {
    try (Watch watch = new Watch(base + "/api/v1/namespaces/default/pods?watch=1&labelSelector=app%3Dbench-pod")) {
      for (int i = 0; i < warmup + samples; i++) {
        String name = "bench-pod-" + i;
        long t0 = System.nanoTime();
        int created = status("POST", "/api/v1/namespaces/default/pods", """
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "%s", "labels": {"app": "bench-pod"}},
             "spec": {"terminationGracePeriodSeconds": 0,
                      "containers": [{"name": "main", "image": "%s", "command": ["sleep", "3600"]}]}}"""
            .formatted(name, image));
        if (created != 201) {
          throw new IllegalStateException("creating pod " + name + " answered " + created);
        }
        awaitTrue(Duration.ofSeconds(60), server, "pod " + name + " Ready", () -> watch.ready.containsKey(name));
        if (i >= warmup) {
          latencies.record(watch.ready.get(name) - t0);
        }
        status("DELETE", "/api/v1/namespaces/default/pods/" + name, null);
        awaitTrue(Duration.ofSeconds(60), server, "pod " + name + " removed",
            () -> podContainerCount() == 0);
        long run = dockerRun();
        if (i >= warmup) {
          plain.record(run);
        }
      }
    }
  }

  /**
   * {@code kubectl exec pod -- true} against {@code docker exec <its container> true}, taking
   * turns: both are a Go command line that starts, connects, runs {@code true} in the container
   * and reports its exit; kubectl's goes through the API's WebSocket and the node's runtime.
   */
  private void execLatencies(ServerProcess server, Latencies execs, Latencies dockerExecs, Path work) throws Exception {
    try (Watch watch = new Watch(base + "/api/v1/namespaces/default/pods?watch=1&labelSelector=app%3Dbench-exec")) {
      int created = status("POST", "/api/v1/namespaces/default/pods", """
          {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bench-exec", "labels": {"app": "bench-exec"}},
           "spec": {"terminationGracePeriodSeconds": 0,
                    "containers": [{"name": "main", "image": "%1$s", "command": ["sleep", "3600"]},
                                   {"name": "zeros", "image": "%1$s",
                                    "command": ["nc", "-ll", "-p", "9000", "-e", "head", "-c", "%2$d", "/dev/zero"]}]}}"""
          .formatted(image, FORWARDED_BYTES));
      if (created != 201) {
        throw new IllegalStateException("creating pod bench-exec answered " + created);
      }
      awaitTrue(Duration.ofSeconds(60), server, "pod bench-exec Ready", () -> watch.ready.containsKey("bench-exec"));
    }
    String container = docker("ps", "-q", "--filter", "label=steuermann.io/pod-name=bench-exec",
        "--filter", "label=steuermann.io/container=main").out.strip();
    for (int i = 0; i < warmup + samples; i++) {
      long t0 = System.nanoTime();
      Cmd kubectl = command(List.of("kubectl", "--server", base, "exec", "bench-exec", "--", "true"));
      long t1 = System.nanoTime();
      Cmd plain = docker("exec", container, "true");
      long t2 = System.nanoTime();
      if (kubectl.code != 0 || plain.code != 0) {
        throw new IllegalStateException("exec failed: kubectl " + kubectl.out + " / docker " + plain.out);
      }
      if (i >= warmup) {
        execs.record(t1 - t0);
        dockerExecs.record(t2 - t1);
      }
    }
    String podIp = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/namespaces/default/pods/bench-exec"))
        .GET().build(), HttpResponse.BodyHandlers.ofString()).body()).path("status").path("podIP").asText();
    forwarded = PortForwardThroughput.measure(base, "bench-exec", podIp, 9000, FORWARDED_BYTES, 5, work);
    status("DELETE", "/api/v1/namespaces/default/pods/bench-exec", null);
    awaitTrue(Duration.ofSeconds(60), server, "pod bench-exec removed", () -> podContainerCount() == 0);
  }

  /** A Deployment of {@code replicas}: POST until the watch has seen every one Running and Ready. */
  private double deployment(ServerProcess server, int round) throws Exception {
    String name = "bench-deploy-" + round;
    try (Watch watch = new Watch(base + "/api/v1/namespaces/default/pods?watch=1&labelSelector=app%3D" + name)) {
      long t0 = System.nanoTime();
      int created = status("POST", "/apis/apps/v1/namespaces/default/deployments", """
          {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "%1$s"},
           "spec": {"replicas": %2$d, "selector": {"matchLabels": {"app": "%1$s"}},
                    "template": {"metadata": {"labels": {"app": "%1$s"}},
                                 "spec": {"terminationGracePeriodSeconds": 0,
                                          "containers": [{"name": "main", "image": "%3$s",
                                                          "command": ["sleep", "3600"]}]}}}}"""
          .formatted(name, replicas, image));
      if (created != 201) {
        throw new IllegalStateException("creating the Deployment answered " + created);
      }
      awaitTrue(Duration.ofSeconds(300), server, "Deployment Ready", () -> watch.ready.size() >= replicas);
      long last = watch.ready.values().stream().max(Comparator.naturalOrder()).orElseThrow();
      double seconds = (last - t0) / 1e9;
      System.out.printf(Locale.ROOT, "  Deployment of %d: last pod created %.2f s, last bound %.2f s, first Ready %.2f s, "
              + "last Ready %.2f s after the POST%n", replicas,
          (watch.seen.values().stream().max(Comparator.naturalOrder()).orElseThrow() - t0) / 1e9,
          (watch.bound.values().stream().max(Comparator.naturalOrder()).orElseThrow() - t0) / 1e9,
          (watch.ready.values().stream().min(Comparator.naturalOrder()).orElseThrow() - t0) / 1e9, seconds);
      status("DELETE", "/apis/apps/v1/namespaces/default/deployments/" + name, null);
      awaitTrue(Duration.ofSeconds(120), server, "Deployment's containers removed",
          () -> podContainerCount() == 0);
      return seconds;
    }
  }

  private boolean nodeReady() throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/nodes/" + node)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    return r.statusCode() == 200 && isReady(JSON.readTree(r.body()));
  }

  // ---------------------------------------------------------------- Docker

  /** {@code docker run -d} (it returns when the container runs), then its removal; answers the run's nanoseconds. */
  private long dockerRun() throws IOException {
    String name = "stm-bench-run-" + UUID.randomUUID().toString().substring(0, 8);
    long t0 = System.nanoTime();
    Cmd run = docker("run", "-d", "--name", name, "--label", "steuermann.io/bench=" + node, image, "sleep", "3600");
    long t1 = System.nanoTime();
    if (run.code != 0) {
      throw new IllegalStateException("docker run failed: " + run.out);
    }
    docker("rm", "-f", name);
    return t1 - t0;
  }

  /** {@code docker swarm init} on 127.0.0.1 unless this engine is in a swarm; answers whether it made one. */
  private static boolean joinSwarm() throws IOException {
    String state = docker("info", "--format", "{{.Swarm.LocalNodeState}}").out.strip();
    if (state.equals("active")) {
      return false;
    }
    Cmd init = docker("swarm", "init", "--advertise-addr", "127.0.0.1");
    if (init.code != 0) {
      throw new IllegalStateException("docker swarm init failed: " + init.out);
    }
    return true;
  }

  /** Docker Swarm on this machine: a service of {@code replicas} until all run; then it is removed. */
  private double swarmService() throws Exception {
    String service = "stm-bench-" + UUID.randomUUID().toString().substring(0, 8);
    try {
      long t0 = System.nanoTime();
      // --no-resolve-image: no registry is reachable, and asking one would only add its timeout
      Cmd create = docker("service", "create", "--detach", "--no-resolve-image", "--name", service,
          "--replicas", Integer.toString(replicas), image, "sleep", "3600");
      if (create.code != 0) {
        throw new IllegalStateException("docker service create failed: " + create.out);
      }
      String target = replicas + "/" + replicas;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
      while (!docker("service", "ls", "--filter", "name=" + service, "--format", "{{.Replicas}}").out.strip()
          .startsWith(target)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the Swarm service did not reach " + target);
        }
        Thread.sleep(50);
      }
      return (System.nanoTime() - t0) / 1e9;
    } finally {
      docker("service", "rm", service);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (containerCount("label=com.docker.swarm.service.name=" + service) > 0 && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }

  private record Cmd(int code, String out) {}

  private static Cmd docker(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add("docker");
    command.addAll(List.of(args));
    return command(command);
  }

  private static Cmd command(List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish");
      }
      return new Cmd(p.exitValue(), out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /** The node's containers that belong to pods (spare sandboxes, started ahead of need, do not). */
  private int podContainerCount() throws IOException {
    String out = docker("ps", "-a", "--format", "{{.Names}}", "--filter", "label=steuermann.io/node=" + node).out;
    return (int) out.lines().map(String::strip).filter(n -> !n.isEmpty() && !n.startsWith("stm_spare_")).count();
  }

  private static int containerCount(String filter) throws IOException {
    String out = docker("ps", "-aq", "--filter", filter).out.strip();
    return out.isEmpty() ? 0 : out.split("\n").length;
  }

  private static void removeContainers(String filter) throws IOException {
    String out = docker("ps", "-aq", "--filter", filter).out.strip();
    if (!out.isEmpty()) {
      List<String> rm = new ArrayList<>(List.of("rm", "-f"));
      rm.addAll(List.of(out.split("\n")));
      docker(rm.toArray(String[]::new));
    }
  }

  // ---------------------------------------------------------------- HTTP

  private int status(String method, String path, String body) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    if (body != null) {
      request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    }
  }

  private static boolean isReady(JsonNode object) {
    for (JsonNode c : object.path("status").path("conditions")) {
      if ("Ready".equals(c.path("type").asText())) {
        return "True".equals(c.path("status").asText());
      }
    }
    return false;
  }

  /** A Kubernetes watch of pods: when each pod was first seen Running and Ready. */
  private static final class Watch implements AutoCloseable {
    final Map<String, Long> ready = new ConcurrentHashMap<>();
    final Map<String, Long> seen = new ConcurrentHashMap<>();
    final Map<String, Long> bound = new ConcurrentHashMap<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final java.net.HttpURLConnection connection;

    Watch(String url) throws IOException {
      connection = (java.net.HttpURLConnection) URI.create(url).toURL().openConnection();
      connection.setReadTimeout(0);
      InputStream in = connection.getInputStream();
      Thread thread = new Thread(() -> follow(in), "watch");
      thread.setDaemon(true);
      thread.start();
    }

    private void follow(InputStream in) {
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while (!stop.get() && (line = reader.readLine()) != null) {
          if (line.isBlank()) {
            continue;
          }
          long now = System.nanoTime();
          JsonNode pod = JSON.readTree(line).path("object");
          String podName = pod.path("metadata").path("name").asText();
          seen.putIfAbsent(podName, now);
          if (!pod.path("spec").path("nodeName").asText("").isEmpty()) {
            bound.putIfAbsent(podName, now);
          }
          if ("Running".equals(pod.path("status").path("phase").asText()) && isReady(pod)
              && !pod.path("metadata").has("deletionTimestamp")) {
            ready.putIfAbsent(pod.path("metadata").path("name").asText(), now);
          }
        }
      } catch (IOException e) {
        if (!stop.get()) {
          System.err.println("bench-docker: watch failed: " + e);
        }
      }
    }

    @Override
    public void close() {
      stop.set(true);
      connection.disconnect();
    }
  }

  // ---------------------------------------------------------------- helpers

  @FunctionalInterface
  private interface Check {
    boolean ok() throws Exception;
  }

  private static void awaitTrue(Duration timeout, ServerProcess server, String what, Check check) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!check.ok()) {
      if (!server.alive()) {
        throw new IllegalStateException("the server exited while waiting for " + what + "; log:\n" + server.logTail(40));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what + "; server log:\n" + server.logTail(40));
      }
      Thread.sleep(5);
    }
  }

  /** The server's warnings: a pod start that failed and was retried shows up here. */
  private static void warnings(ServerProcess server) throws IOException {
    List<String> lines = Files.readAllLines(server.log).stream()
        .filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).toList();
    if (!lines.isEmpty()) {
      System.out.println("server warnings (" + lines.size() + "):");
      lines.stream().limit(20).forEach(l -> System.out.println("  " + l));
    }
  }

  private static void deleteRecursively(Path dir) {
    try (var files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }
}
