package io.steuermann.node.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.steuermann.engine.model.Json;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Instant;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Single probe attempts against real sockets on 127.0.0.1. */
class ProbeRunnerTest {
  private HttpServer server;
  /** Lets the "/slow" handler answer: counted down when the test ends. */
  private final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
  private final AtomicReference<String> header = new AtomicReference<>();
  private final ProbeRunner runner = new ProbeRunner(null, new ProbeClients(), ForkJoinPool.commonPool());

  @BeforeEach
  void startServer() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/", exchange -> {
      header.set(exchange.getRequestHeaders().getFirst("X-Probe") + " " + exchange.getRequestHeaders().getFirst("User-Agent")
          + " " + exchange.getRequestHeaders().getFirst("Host") + " " + exchange.getRequestHeaders().getFirst("Connection"));
      String path = exchange.getRequestURI().getPath();
      int code = switch (path) {
        case "/ok" -> 200;
        case "/moved" -> 302;
        case "/slow" -> {
          try {
            // the server answers only when the test ends; the probe's timeout is what is tested
            release.await(30, java.util.concurrent.TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          yield 200;
        }
        default -> 500;
      };
      exchange.sendResponseHeaders(code, -1);
      exchange.close();
    });
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
  }

  @AfterEach
  void stopServer() {
    release.countDown();
    server.stop(0);
  }

  private ProbeTarget target(String containerJson) throws Exception {
    JsonNode spec = Json.parse(containerJson);
    return new ProbeTarget(null, "web", "id", "127.0.0.1", spec, Instant.now());
  }

  private ProbeResult run(String probeJson) throws Exception {
    int port = server.getAddress().getPort();
    String container = "{\"ports\": [{\"name\": \"http\", \"containerPort\": " + port + "}], \"livenessProbe\": "
        + probeJson.replace("PORT", Integer.toString(port)) + "}";
    ProbeSpec spec = ProbeSpec.of(Json.parse(container), "livenessProbe").orElseThrow();
    return runner.run(spec, target(container)).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void httpGetSucceedsFrom200To399AndSendsHeaders() throws Exception {
    assertTrue(run("{\"httpGet\": {\"path\": \"/ok\", \"port\": \"http\", "
        + "\"httpHeaders\": [{\"name\": \"X-Probe\", \"value\": \"yes\"}]}}").success());
    int port = server.getAddress().getPort();
    assertEquals("yes kube-probe/1.32 127.0.0.1:" + port + " close", header.get(), "a fresh connection per attempt");
    assertTrue(run("{\"httpGet\": {\"path\": \"/ok\", \"port\": PORT, "
        + "\"httpHeaders\": [{\"name\": \"Host\", \"value\": \"web.example\"}]}}").success());
    assertEquals("null kube-probe/1.32 web.example close", header.get());
    assertTrue(run("{\"httpGet\": {\"path\": \"/moved\", \"port\": PORT}}").success());
    ProbeResult failed = run("{\"httpGet\": {\"path\": \"/broken\", \"port\": PORT}}");
    assertFalse(failed.success());
    assertEquals("HTTP probe failed with statuscode: 500", failed.message());
  }

  @Test
  void httpGetTimesOut() throws Exception {
    ProbeResult slow = run("{\"httpGet\": {\"path\": \"/slow\", \"port\": PORT}, \"timeoutSeconds\": 1}");
    assertFalse(slow.success());
    assertTrue(slow.message().contains("/slow\": context deadline exceeded"), slow.message());
  }

  @Test
  void closedPortsFailWithConnectionRefused() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    ProbeResult http = run("{\"httpGet\": {\"path\": \"/ok\", \"port\": " + closed + "}}");
    assertFalse(http.success());
    assertEquals("Get \"http://127.0.0.1:" + closed + "/ok\": dial tcp 127.0.0.1:" + closed
        + ": connect: connection refused", http.message());
    ProbeResult tcp = run("{\"tcpSocket\": {\"port\": " + closed + "}}");
    assertFalse(tcp.success());
    assertEquals("dial tcp 127.0.0.1:" + closed + ": connect: connection refused", tcp.message());
  }

  @Test
  void tcpSocketSucceedsOnAnOpenPort() throws Exception {
    assertTrue(run("{\"tcpSocket\": {\"port\": \"http\"}}").success());
    assertFalse(run("{\"tcpSocket\": {\"port\": \"nope\"}}").success());
  }

  @Test
  void unsupportedHandlersFail() throws Exception {
    ProbeResult grpc = run("{\"grpc\": {\"port\": PORT}}");
    assertFalse(grpc.success());
    assertTrue(grpc.message().contains("gRPC"), grpc.message());
  }
}
