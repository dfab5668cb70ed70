package io.steuermann.node.system;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * A loopback port that accepts and drops connections: what the tcpSocket readiness probes of
 * hollow pods (address 127.0.0.1) connect to, so they pass for real.
 */
final class ProbeTarget implements AutoCloseable {
  private final ServerSocket socket;

  ProbeTarget() throws IOException {
    socket = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(() -> {
      while (!socket.isClosed()) {
        try {
          socket.accept().close(); // drop at once, so the accept queue never fills
        } catch (IOException e) {
          // closed at the end of the tests
        }
      }
    }, "readiness-probe-target");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A readinessProbe member for a container JSON: tcpSocket to this port. */
  String readinessProbe(int initialDelaySeconds) {
    return """
        , "readinessProbe": {"initialDelaySeconds": %d, "periodSeconds": 1, "tcpSocket": {"port": %d}}"""
        .formatted(initialDelaySeconds, socket.getLocalPort());
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
