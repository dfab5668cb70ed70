package io.steuermann.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Overload (issue 17): what the server answers when more clients write than its store can take.
 * One server process (hollow nodes, controllers on); in one run:
 * <ol>
 *   <li>the peer: N creates over 16 connections, as fast as they go;</li>
 *   <li>the burst: N creates over 300 connections at once;</li>
 *   <li>600 merge patches of one object over 300 connections;</li>
 * </ol>
 * each time counting every answer by status (and resets, timeouts) without retrying, and
 * measuring GETs of one object by a separate client while the load runs.
 * Usage: {@code bin/bench-overload [--creates N] [--burst-connections N] [--patches N]}.
 */
public final class OverloadBench {
  private static final String PODS = "/api/v1/namespaces/default/pods";

  private OverloadBench() {}

  public static void main(String[] args) throws Exception {
    Path dist = null;
    int creates = 3000;
    int burst = 300;
    int patches = 600;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--dist" -> dist = Path.of(args[++i]);
        case "--creates" -> creates = Integer.parseInt(args[++i]);
        case "--burst-connections" -> burst = Integer.parseInt(args[++i]);
        case "--patches" -> patches = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path work = Files.createTempDirectory("bench-overload");
    try (ServerProcess server = ServerProcess.start(dist, ServerProcess.split("-Xms1g -XX:+UseZGC"),
        List.of("--data-dir", work.resolve("data").toString(), "--runtime", "hollow", "--hollow-nodes", "20"), work)) {
      awaitReady(server);
      exchange(server.port, "POST", PODS, pod("probe-target"));
      System.out.printf("%-34s %9s %9s %8s  %s%n", "phase", "ok/s", "p99 ms", "GET p99", "answers");
      report("creates, 16 connections", run(server.port, 16, creates, i -> new Request("POST", PODS, pod("a-" + i))));
      report("creates, " + burst + " connections", run(server.port, burst, creates,
          i -> new Request("POST", PODS, pod("b-" + i))));
      report(patches + " patches of one object, " + burst + " conn", run(server.port, burst, patches,
          i -> new Request("PATCH", PODS + "/probe-target",
              ("{\"metadata\":{\"labels\":{\"n\":\"" + i + "\"}}}").getBytes(StandardCharsets.UTF_8))));
    }
  }

  private record Request(String method, String path, byte[] body) {}

  private record Outcome(int requests, double seconds, Map<String, Integer> answers, Latencies ok, Latencies gets) {}

  private static Outcome run(int port, int connections, int total, java.util.function.IntFunction<Request> request)
      throws InterruptedException {
    AtomicInteger next = new AtomicInteger();
    Map<String, Integer> answers = new ConcurrentHashMap<>();
    List<Latencies> oks = new ArrayList<>();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      Latencies ok = new Latencies();
      oks.add(ok);
      threads.add(started(() -> {
        BenchHttp.Connection connection = BenchHttp.open("raw", port, Duration.ofSeconds(30));
        try {
          start.await();
          for (int i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
            Request r = request.apply(i);
            long t0 = System.nanoTime();
            String answer;
            try {
              BenchHttp.Response response = connection.exchange(r.method(), r.path(), "application/"
                  + (r.method().equals("PATCH") ? "merge-patch+json" : "json"), r.body(), false);
              answer = Integer.toString(response.status());
              if (response.status() == 429) {
                answer += response.retryAfterSeconds() > 0 ? " (Retry-After)" : " (no Retry-After)";
              }
              if (response.status() / 100 == 2) {
                ok.record(System.nanoTime() - t0);
              }
            } catch (java.net.SocketTimeoutException e) {
              answer = "timeout";
              connection.close();
            } catch (IOException e) {
              answer = "reset";
              connection.close();
            }
            answers.merge(answer, 1, Integer::sum);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          connection.close();
        }
      }));
    }
    AtomicBoolean running = new AtomicBoolean(true);
    Latencies gets = new Latencies();
    Thread getter = started(() -> {
      BenchHttp.Connection connection = BenchHttp.open("raw", port, Duration.ofSeconds(30));
      while (running.get()) {
        long t0 = System.nanoTime();
        try {
          connection.exchange("GET", PODS + "/probe-target", null, null, false);
          gets.record(System.nanoTime() - t0);
        } catch (IOException e) {
          connection.close();
        }
      }
      connection.close();
    });
    long t0 = System.nanoTime();
    start.countDown();
    for (Thread t : threads) {
      t.join();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    running.set(false);
    getter.join();
    return new Outcome(total, seconds, new TreeMap<>(answers), Latencies.merge(oks), Latencies.merge(List.of(gets)));
  }

  private static Thread started(Runnable body) {
    Thread t = new Thread(body);
    t.start();
    return t;
  }

  private static void report(String phase, Outcome o) {
    int ok = o.answers().entrySet().stream().filter(e -> e.getKey().startsWith("2")).mapToInt(Map.Entry::getValue).sum();
    System.out.printf("%-34s %9.0f %9.1f %8.1f  %s%n", phase, ok / o.seconds(), o.ok().percentileMillis(99),
        o.gets().percentileMillis(99), o.answers());
  }

  private static byte[] pod(String name) {
    return ("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\"},"
        + "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}").getBytes(StandardCharsets.UTF_8);
  }

  private static void exchange(int port, String method, String path, byte[] body) throws IOException {
    BenchHttp.Connection c = BenchHttp.open("raw", port, Duration.ofSeconds(30));
    try {
      BenchHttp.Response r = c.exchange(method, path, "application/json", body, true);
      if (r.status() / 100 != 2) {
        throw new IOException(method + " " + path + " answered " + r.status() + ": " + r.bodyText());
      }
    } finally {
      c.close();
    }
  }

  private static void awaitReady(ServerProcess server) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      if (!server.alive()) {
        throw new IllegalStateException("the server exited:\n" + server.logTail(30));
      }
      BenchHttp.Connection c = BenchHttp.open("raw", server.port, Duration.ofSeconds(2));
      try {
        if (c.exchange("GET", "/readyz", null, null, false).status() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } finally {
        c.close();
      }
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
    }
    throw new IllegalStateException("the server did not get ready:\n" + server.logTail(30));
  }
}
