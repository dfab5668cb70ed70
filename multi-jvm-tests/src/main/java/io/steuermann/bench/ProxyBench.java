package io.steuermann.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The service proxy benchmark (issue 5). Starts a server process with one hollow node (so its
 * service proxy runs), a backend "pod" in this JVM on 127.0.0.1, and a selector-less Service
 * (clusterIP in the service range 10.96.0.0/12) whose Endpoints point at the backend. Then, in one run, the same
 * load through the proxy (clusterIP) and directly to the backend, interleaved round by round so
 * that the shared machine's noise hits both alike:
 * <ol>
 *   <li>bulk: one connection, the backend streams as fast as it can, the client reads for a
 *       fixed time: MiB/s, and the ratio proxy/direct;</li>
 *   <li>small request/response: one connection, 64-byte request, 64-byte echo, one at a time:
 *       p50/p99 latency and what the proxy adds;</li>
 *   <li>100 concurrent connections doing the same request/response for a fixed time: requests/s.</li>
 * </ol>
 * <pre>bin/bench-proxy [--rounds 3] [--seconds 5] [--requests 20000] [--connections 100]
 *                 [--server-java-opts "..."]</pre>
 */
public final class ProxyBench {
  private static final int BULK_CHUNK = 256 * 1024;
  private static final int SMALL = 64;

  private int rounds = 3;
  private int seconds = 5;
  private int requests = 20_000;
  private int connections = 100;
  private String serverJavaOpts = "-Xms1g -XX:+UseZGC";
  private String serverArgs = "";
  private Path dist = Path.of("http-api/target");

  public static void main(String[] args) throws Exception {
    ProxyBench bench = new ProxyBench();
    for (int i = 0; i < args.length; i++) {
      String v = i + 1 < args.length ? args[i + 1] : "";
      switch (args[i]) {
        case "--rounds" -> { bench.rounds = Integer.parseInt(v); i++; }
        case "--seconds" -> { bench.seconds = Integer.parseInt(v); i++; }
        case "--requests" -> { bench.requests = Integer.parseInt(v); i++; }
        case "--connections" -> { bench.connections = Integer.parseInt(v); i++; }
        case "--server-java-opts" -> { bench.serverJavaOpts = v; i++; }
        case "--server-args" -> { bench.serverArgs = v; i++; }
        case "--dist" -> { bench.dist = Path.of(v); i++; }
        case "--help" -> {
          System.out.println("bin/bench-proxy [--rounds N] [--seconds S] [--requests N] [--connections N] "
              + "[--server-java-opts \"...\"] [--server-args \"...\"]");
          return;
        }
        default -> throw new IllegalArgumentException("unknown flag " + args[i]);
      }
    }
    bench.run();
  }

  private void run() throws Exception {
    Path work = Files.createTempDirectory("steuermann-proxy-bench");
    List<String> args = new ArrayList<>(List.of("--data-dir", work.resolve("data").toString(), "--hollow-nodes", "1",
        "--proxy-mode", "userspace")); // this bench measures the user-space proxy
    args.addAll(ServerProcess.split(serverArgs));
    String clusterIp = "10.104." + (1 + ThreadLocalRandom.current().nextInt(250)) + "."
        + (1 + ThreadLocalRandom.current().nextInt(250));
    int servicePort = 8080;
    try (Backend backend = new Backend();
         ServerProcess server = ServerProcess.start(dist, ServerProcess.split(serverJavaOpts), args, work)) {
      Runtime.getRuntime().addShutdownHook(new Thread(server::close));
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      String api = "http://127.0.0.1:" + server.port;
      awaitReady(http, api, server);
      post(http, api + "/api/v1/namespaces/default/services", """
          {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "bench"},
           "spec": {"clusterIP": "%s", "ports": [
             {"name": "bulk", "port": %d, "protocol": "TCP"},
             {"name": "echo", "port": %d, "protocol": "TCP"}]}}""".formatted(clusterIp, servicePort, servicePort + 1));
      post(http, api + "/api/v1/namespaces/default/endpoints", """
          {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "bench"},
           "subsets": [{"addresses": [{"ip": "127.0.0.1"}],
                        "ports": [{"name": "bulk", "port": %d, "protocol": "TCP"},
                                  {"name": "echo", "port": %d, "protocol": "TCP"}]}]}"""
          .formatted(backend.bulkPort(), backend.echoPort()));
      InetSocketAddress proxyBulk = new InetSocketAddress(clusterIp, servicePort);
      InetSocketAddress proxyEcho = new InetSocketAddress(clusterIp, servicePort + 1);
      InetSocketAddress directBulk = new InetSocketAddress("127.0.0.1", backend.bulkPort());
      InetSocketAddress directEcho = new InetSocketAddress("127.0.0.1", backend.echoPort());
      awaitListening(proxyEcho, server);
      Relay relayBulkServer = new Relay(directBulk);
      Relay relayEchoServer = new Relay(directEcho);
      InetSocketAddress relayBulk = relayBulkServer.address();
      InetSocketAddress relayEcho = relayEchoServer.address();

      System.out.printf(Locale.ROOT, "bench-proxy: server %s, clusterIP %s; %d rounds of %d s bulk, %d requests, "
          + "%d connections x %d s; %d cores%n", serverJavaOpts, clusterIp, rounds, seconds, requests, connections,
          seconds, Runtime.getRuntime().availableProcessors());
      System.out.println("warming up ...");
      bulk(proxyBulk, seconds);
      latencies(proxyEcho, requests);
      concurrent(proxyEcho, connections, seconds);
      bulk(directBulk, 1);
      latencies(directEcho, requests / 4);

      List<double[]> rows = new ArrayList<>();
      for (int r = 1; r <= rounds; r++) {
        double cpu0 = server.cpuSeconds();
        double proxyMiBs = bulk(proxyBulk, seconds);
        double proxyCores = (server.cpuSeconds() - cpu0) / seconds;
        double directMiBs = bulk(directBulk, seconds);
        double relayMiBs = bulk(relayBulk, seconds);
        Latencies proxyLat = latencies(proxyEcho, requests);
        Latencies directLat = latencies(directEcho, requests);
        Latencies relayLat = latencies(relayEcho, requests);
        double proxyRps = concurrent(proxyEcho, connections, seconds);
        double directRps = concurrent(directEcho, connections, seconds);
        double relayRps = concurrent(relayEcho, connections, seconds);
        double[] row = {proxyMiBs, directMiBs, proxyLat.percentileMillis(50), directLat.percentileMillis(50),
            proxyLat.percentileMillis(99), directLat.percentileMillis(99), proxyRps, directRps, proxyCores,
            relayMiBs, relayLat.percentileMillis(50), relayLat.percentileMillis(99), relayRps};
        rows.add(row);
        System.out.printf(Locale.ROOT, "round %d: bulk %.0f / %.0f MiB/s (%.0f%%, proxy server %.2f cores; relay %.0f);"
                + " p50 %.3f / %.3f ms (+%.3f; relay +%.3f); p99 %.3f / %.3f ms (+%.3f); %d conns %.0f / %.0f req/s"
                + " (relay %.0f)%n",
            r, row[0], row[1], 100 * row[0] / row[1], row[8], row[9], row[2], row[3], row[2] - row[3],
            row[10] - row[3], row[4], row[5], row[4] - row[5], connections, row[6], row[7], row[12]);
      }
      relayBulkServer.close();
      relayEchoServer.close();
      double[] m = new double[13];
      for (int i = 0; i < m.length; i++) {
        int col = i;
        m[i] = median(rows.stream().mapToDouble(row -> row[col]).toArray());
      }
      System.out.println();
      System.out.println("| measure (median of " + rounds + " rounds) | through the proxy | direct | proxy vs direct "
          + "| reference relay | relay vs direct |");
      System.out.println("| --- | ---: | ---: | ---: | ---: | ---: |");
      System.out.printf(Locale.ROOT, "| bulk TCP, 1 connection | %.0f MiB/s | %.0f MiB/s | %.0f%% | %.0f MiB/s | %.0f%% |%n",
          m[0], m[1], 100 * m[0] / m[1], m[9], 100 * m[9] / m[1]);
      System.out.printf(Locale.ROOT, "| 64 B request/response p50 | %.3f ms | %.3f ms | +%.3f ms | %.3f ms | +%.3f ms |%n",
          m[2], m[3], m[2] - m[3], m[10], m[10] - m[3]);
      System.out.printf(Locale.ROOT, "| 64 B request/response p99 | %.3f ms | %.3f ms | +%.3f ms | %.3f ms | +%.3f ms |%n",
          m[4], m[5], m[4] - m[5], m[11], m[11] - m[5]);
      System.out.printf(Locale.ROOT, "| %d connections, requests/s | %.0f | %.0f | %.0f%% | %.0f | %.0f%% |%n",
          connections, m[6], m[7], 100 * m[6] / m[7], m[12], 100 * m[12] / m[7]);
      System.out.printf(Locale.ROOT, "targets: bulk >= 80%% of direct: %s; added p50 < 0.3 ms: %s%n",
          m[0] >= 0.8 * m[1] ? "met" : "MISSED", m[2] - m[3] < 0.3 ? "met" : "MISSED");
      System.out.printf(Locale.ROOT, "server RSS at the end: %.0f MiB%n", server.rssMiB());
    } finally {
      deleteTree(work);
    }
  }

  private static void deleteTree(Path root) {
    try (var files = Files.walk(root)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temporary directory
    }
  }

  // ---------------------------------------------------------------- load

  /** One connection reading what the backend streams, for {@code seconds}: MiB/s. */
  private static double bulk(InetSocketAddress to, int seconds) throws IOException {
    try (Socket s = connect(to)) {
      InputStream in = s.getInputStream();
      byte[] buffer = new byte[BULK_CHUNK];
      long read = 0;
      long start = System.nanoTime();
      long end = start + seconds * 1_000_000_000L;
      long now;
      do {
        int n = in.read(buffer);
        if (n < 0) {
          throw new IOException("bulk stream ended after " + read + " bytes");
        }
        read += n;
        now = System.nanoTime();
      } while (now < end);
      return read / 1048576.0 / ((now - start) / 1e9);
    }
  }

  /** {@code count} request/response exchanges one after the other on one connection. */
  private static Latencies latencies(InetSocketAddress to, int count) throws IOException {
    Latencies latencies = new Latencies();
    try (Socket s = connect(to)) {
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      byte[] request = new byte[SMALL];
      byte[] reply = new byte[SMALL];
      for (int i = 0; i < count; i++) {
        long start = System.nanoTime();
        exchange(out, in, request, reply);
        latencies.record(System.nanoTime() - start);
      }
    }
    return Latencies.merge(List.of(latencies));
  }

  /** {@code n} connections, each doing exchanges one after the other for {@code seconds}: requests/s. */
  private static double concurrent(InetSocketAddress to, int n, int seconds) throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(n);
    try {
      List<Socket> sockets = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        sockets.add(connect(to));
      }
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      long start = System.nanoTime();
      List<Future<Long>> counts = new ArrayList<>();
      for (Socket s : sockets) {
        counts.add(threads.submit(() -> {
          try (s) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            byte[] request = new byte[SMALL];
            byte[] reply = new byte[SMALL];
            long done = 0;
            while (System.nanoTime() < end) {
              exchange(out, in, request, reply);
              done++;
            }
            return done;
          }
        }));
      }
      long total = 0;
      for (Future<Long> f : counts) {
        total += f.get();
      }
      return total / ((System.nanoTime() - start) / 1e9);
    } finally {
      threads.shutdownNow();
    }
  }

  private static void exchange(OutputStream out, InputStream in, byte[] request, byte[] reply) throws IOException {
    out.write(request);
    int got = 0;
    while (got < reply.length) {
      int n = in.read(reply, got, reply.length - got);
      if (n < 0) {
        throw new IOException("connection closed mid-reply");
      }
      got += n;
    }
  }

  private static Socket connect(InetSocketAddress to) throws IOException {
    Socket s = new Socket();
    s.setTcpNoDelay(true);
    s.connect(to, 5000);
    s.setSoTimeout(30_000);
    return s;
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length == 0 ? Double.NaN : v[v.length / 2];
  }

  // ---------------------------------------------------------------- setup

  private static void awaitReady(HttpClient http, String api, ServerProcess server) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (true) {
      try {
        if (http.send(HttpRequest.newBuilder(URI.create(api + "/readyz")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      check(deadline, server, "the server to be ready");
      Thread.sleep(200);
    }
  }

  private static void awaitListening(InetSocketAddress address, ServerProcess server) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      try (Socket s = connect(address)) {
        byte[] probe = new byte[SMALL];
        exchange(s.getOutputStream(), s.getInputStream(), probe, new byte[SMALL]);
        return;
      } catch (IOException e) {
        check(deadline, server, "the proxy to serve " + address);
        Thread.sleep(100);
      }
    }
  }

  private static void check(long deadline, ServerProcess server, String what) {
    if (!server.alive()) {
      throw new IllegalStateException("the server died:\n" + server.logTail(40));
    }
    if (System.nanoTime() > deadline) {
      throw new IllegalStateException("timed out waiting for " + what + ":\n" + server.logTail(40));
    }
  }

  private static void post(HttpClient http, String url, String json) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201 && r.statusCode() != 200) {
      throw new IllegalStateException("POST " + url + " -> " + r.statusCode() + " " + r.body());
    }
  }

  /**
   * The reference: the simplest user-space TCP relay there is (blocking sockets, a thread per
   * direction, 256 KiB copies), in this JVM. It shows what any proxy that copies bytes through
   * user space can reach on this machine, against which the Pekko proxy is judged.
   */
  private static final class Relay implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "bench-relay");
      t.setDaemon(true);
      return t;
    });

    Relay(InetSocketAddress target) throws IOException {
      threads.execute(() -> {
        while (!server.isClosed()) {
          try {
            Socket client = server.accept();
            client.setTcpNoDelay(true);
            Socket upstream = connect(target);
            threads.execute(() -> copy(client, upstream));
            threads.execute(() -> copy(upstream, client));
          } catch (IOException e) {
            if (server.isClosed()) {
              return;
            }
          }
        }
      });
    }

    private static void copy(Socket from, Socket to) {
      byte[] buffer = new byte[BULK_CHUNK];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        int n;
        while ((n = in.read(buffer)) >= 0) {
          out.write(buffer, 0, n);
        }
        to.shutdownOutput();
      } catch (IOException e) {
        try {
          from.close();
          to.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
    }

    InetSocketAddress address() {
      return new InetSocketAddress("127.0.0.1", server.getLocalPort());
    }

    @Override
    public void close() throws IOException {
      server.close();
      threads.shutdownNow();
    }
  }

  /** The "pod": a bulk streamer and a 64-byte echo on 127.0.0.1, a thread per connection. */
  private static final class Backend implements AutoCloseable {
    private final ServerSocket bulk = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
    private final ServerSocket echo = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "bench-backend");
      t.setDaemon(true);
      return t;
    });

    Backend() throws IOException {
      byte[] chunk = new byte[BULK_CHUNK];
      Arrays.fill(chunk, (byte) 'x');
      serve(bulk, s -> {
        OutputStream out = s.getOutputStream();
        while (true) {
          out.write(chunk);
        }
      });
      serve(echo, s -> {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        byte[] buffer = new byte[SMALL];
        while (true) {
          int got = 0;
          while (got < SMALL) {
            int n = in.read(buffer, got, SMALL - got);
            if (n < 0) {
              return;
            }
            got += n;
          }
          out.write(buffer);
        }
      });
    }

    interface Handler {
      void serve(Socket s) throws IOException;
    }

    private void serve(ServerSocket server, Handler handler) {
      threads.execute(() -> {
        while (!server.isClosed()) {
          try {
            Socket s = server.accept();
            s.setTcpNoDelay(true);
            threads.execute(() -> {
              try (s) {
                handler.serve(s);
              } catch (IOException e) {
                // the client closed
              }
            });
          } catch (IOException e) {
            return;
          }
        }
      });
    }

    int bulkPort() {
      return bulk.getLocalPort();
    }

    int echoPort() {
      return echo.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      bulk.close();
      echo.close();
      threads.shutdownNow();
    }
  }
}
