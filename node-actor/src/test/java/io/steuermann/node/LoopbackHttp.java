package io.steuermann.node;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on 127.0.0.1 for probes to check: every path answers the status code
 * the test sets, and requests are counted by outcome.
 */
final class LoopbackHttp implements AutoCloseable {
  final AtomicInteger status = new AtomicInteger(200);
  final AtomicInteger successes = new AtomicInteger();
  final AtomicInteger failures = new AtomicInteger();
  final AtomicInteger requests = new AtomicInteger();
  private final HttpServer server;

  LoopbackHttp() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", exchange -> {
      int code = status.get();
      requests.incrementAndGet();
      (code >= 200 && code < 400 ? successes : failures).incrementAndGet();
      exchange.sendResponseHeaders(code, -1);
      exchange.close();
    });
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
