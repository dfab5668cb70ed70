package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;

import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;
import io.steuermann.node.ingress.IngressProxy;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * The built-in ingress controller against the backend it fronts (issue 18), side by side in
 * one run: a server with one hollow node and the ingress proxy on 127.0.0.1, a small HTTP
 * backend of its own on 127.0.0.1 behind a Service with hand-written Endpoints (as IngressTest),
 * and one load client: {@code --connections} keep-alive HTTP/1.1 connections, each sending GETs
 * one after the other for {@code --seconds}, first straight to the backend, then through the
 * ingress (after a warm-up of both). Prints requests/s, p50 and p99 for each and their ratios.
 *   bin/bench-ingress [--connections 16] [--seconds 10] [--warmup 3]
 */
public final class IngressBenchmark {
  private static final String NS = "bench";
  private static final String HOST = "bench.example.test";
  private static final byte[] BODY = "hello from the backend\n".getBytes(StandardCharsets.US_ASCII);

  private IngressBenchmark() {}

  record Result(long requests, double seconds, long[] latenciesNanos) {
    double perSecond() {
      return requests / seconds;
    }

    double percentileMillis(double p) {
      if (latenciesNanos.length == 0) {
        return Double.NaN;
      }
      int i = (int) Math.min(latenciesNanos.length - 1, Math.ceil(p * latenciesNanos.length) - 1);
      return latenciesNanos[Math.max(0, i)] / 1e6;
    }
  }

  public static void main(String[] args) throws Exception {
    int connections = 16;
    int seconds = 10;
    int warmup = 3;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--connections" -> connections = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        default -> {
          System.err.println("usage: bench-ingress [--connections N] [--seconds T] [--warmup W]");
          System.exit(2);
        }
      }
    }
    Path dataDir = Files.createTempDirectory("bench-ingress");
    // without TCP_NODELAY the JDK server's separate header and body writes meet the client's
    // delayed ACK: 40 ms a request, which would measure the kernel's timers, not the proxy
    System.setProperty("sun.net.httpserver.nodelay", "true");
    HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
    java.util.concurrent.ExecutorService backendThreads = Executors.newFixedThreadPool(Math.max(4, connections));
    backend.setExecutor(backendThreads);
    backend.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      exchange.sendResponseHeaders(200, BODY.length);
      exchange.getResponseBody().write(BODY);
      exchange.close();
    });
    backend.start();
    int backendPort = backend.getAddress().getPort();
    TestServer server = TestServer.startWithNodes("IngressBenchmark", TestServer.h2(dataDir).withFallback(
        ConfigFactory.parseString("""
            steuermann.controllers.enabled = true
            steuermann.node.hollow-nodes = 1
            steuermann.node.name-prefix = "bench-"
            steuermann.ingress.address = "127.0.0.1"
            steuermann.ingress.http-port = 0
            steuermann.ingress.https-port = 0
            """)));
    ActorRef<IngressProxy.Command> proxy = null;
    try {
      proxy = IngressProxy.start(server.system, server.engine).toCompletableFuture().get(60, TimeUnit.SECONDS)
          .orElseThrow();
      IngressProxy.Bindings bound = AskPattern.<IngressProxy.Command, IngressProxy.Bindings>ask(proxy,
          IngressProxy.GetBindings::new, Duration.ofSeconds(30), server.system.scheduler())
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      int ingressPort = bound.http().orElseThrow().getPort();
      server.namespace(NS);
      expect(201, server.post("/api/v1/namespaces/" + NS + "/services", """
          {"apiVersion":"v1","kind":"Service","metadata":{"name":"backend"},
           "spec":{"ports":[{"name":"http","port":80,"targetPort":8080}]}}"""));
      expect(201, server.post("/api/v1/namespaces/" + NS + "/endpoints", """
          {"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"backend"},
           "subsets":[{"addresses":[{"ip":"127.0.0.1"}],"ports":[{"name":"http","port":%d}]}]}"""
          .formatted(backendPort)));
      expect(201, server.post("/apis/networking.k8s.io/v1/namespaces/" + NS + "/ingresses", """
          {"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"bench"},
           "spec":{"rules":[{"host":"%s","http":{"paths":[{"path":"/","pathType":"Prefix",
             "backend":{"service":{"name":"backend","port":{"number":80}}}}]}}]}}""".formatted(HOST)));
      awaitRoute(ingressPort);

      System.out.printf("bench-ingress: %d keep-alive HTTP/1.1 connections, %d s each (after %d s warm-up), "
          + "%d-byte body, %d cores%n", connections, seconds, warmup, BODY.length,
          Runtime.getRuntime().availableProcessors());
      run(backendPort, connections, warmup);
      run(ingressPort, connections, warmup);
      Result direct = run(backendPort, connections, seconds);
      Result ingress = run(ingressPort, connections, seconds);
      System.out.printf("%-10s %12s %10s %10s%n", "path", "requests/s", "p50 ms", "p99 ms");
      print("direct", direct);
      print("ingress", ingress);
      System.out.printf("ingress/direct: throughput x%.2f, p50 x%.2f, p99 x%.2f%n",
          ingress.perSecond() / direct.perSecond(), ingress.percentileMillis(0.5) / direct.percentileMillis(0.5),
          ingress.percentileMillis(0.99) / direct.percentileMillis(0.99));
    } finally {
      if (proxy != null) {
        proxy.tell(IngressProxy.Stop.INSTANCE);
      }
      server.close();
      backend.stop(0);
      backendThreads.shutdownNow();
    }
    // the actor system's and the HTTP client's leftover non-daemon threads must not keep the command running
    System.exit(0);
  }

  private static void print(String name, Result r) {
    System.out.printf("%-10s %12.0f %10.3f %10.3f%n", name, r.perSecond(), r.percentileMillis(0.5),
        r.percentileMillis(0.99));
  }

  /** Until the ingress routes the host (its view of the Ingress and Endpoints is eventual). */
  private static void awaitRoute(int port) {
    org.awaitility.Awaitility.await("the ingress routes " + HOST).atMost(java.time.Duration.ofSeconds(60))
        .pollInterval(java.time.Duration.ofMillis(200)).ignoreExceptions().until(() -> {
          try (Connection c = new Connection(port)) {
            return c.get() == 200;
          }
        });
  }

  private static Result run(int port, int connections, int seconds) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<Thread> threads = new ArrayList<>();
    long[][] latencies = new long[connections][];
    long start = System.nanoTime();
    for (int t = 0; t < connections; t++) {
      int index = t;
      Thread thread = new Thread(() -> {
        long[] lat = new long[1 << 16];
        int n = 0;
        try (Connection c = new Connection(port)) {
          while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            int status = c.get();
            long t1 = System.nanoTime();
            if (status != 200) {
              throw new IllegalStateException("status " + status);
            }
            if (n == lat.length) {
              lat = Arrays.copyOf(lat, lat.length * 2);
            }
            lat[n++] = t1 - t0;
          }
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        latencies[index] = Arrays.copyOf(lat, n);
      }, "bench-client-" + t);
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    long[] all = Arrays.stream(latencies).flatMapToLong(l -> l == null ? java.util.stream.LongStream.empty()
        : Arrays.stream(l)).toArray();
    Arrays.sort(all);
    return new Result(all.length, elapsed, all);
  }

  /** One keep-alive HTTP/1.1 connection: GET / with the Ingress's host, response read by Content-Length. */
  private static final class Connection implements AutoCloseable {
    private static final byte[] REQUEST = ("GET / HTTP/1.1\r\nHost: " + HOST + "\r\nUser-Agent: bench-ingress\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    Connection(int port) throws IOException {
      socket = new Socket("127.0.0.1", port);
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(10_000);
      out = socket.getOutputStream();
      in = new BufferedInputStream(socket.getInputStream(), 8192);
    }

    int get() throws IOException {
      out.write(REQUEST);
      out.flush();
      String statusLine = line();
      int status = Integer.parseInt(statusLine.split(" ")[1]);
      long length = -1;
      boolean chunked = false;
      for (String header = line(); !header.isEmpty(); header = line()) {
        String lower = header.toLowerCase(java.util.Locale.ROOT);
        if (lower.startsWith("content-length:")) {
          length = Long.parseLong(lower.substring(15).trim());
        } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
          chunked = true;
        }
      }
      if (chunked) {
        for (long size = Long.parseLong(line().trim(), 16); size > 0; size = Long.parseLong(line().trim(), 16)) {
          in.readNBytes((int) size);
          line();
        }
        line();
      } else if (length > 0) {
        in.readNBytes((int) length);
      }
      return status;
    }

    private String line() throws IOException {
      StringBuilder b = new StringBuilder();
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) {
          throw new IOException("connection closed");
        }
        if (c != '\r') {
          b.append((char) c);
        }
      }
      return b.toString();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
