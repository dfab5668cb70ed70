package io.steuermann.machines;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Forwards every TCP connection made to {@code listen} to {@code target}, byte for byte, both
 * ways. The rig's machines cannot reach the host's 127.0.0.1 (each namespace has its own
 * loopback), so PostgreSQL, which listens there, is offered to them through a relay on the
 * host's end of the rig's link. Blocking sockets and two threads per connection: the members
 * open a few pooled connections each, and nothing here is on a measured path.
 */
public final class TcpRelay implements AutoCloseable {
  private final ServerSocket server;
  private final InetSocketAddress target;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private TcpRelay(ServerSocket server, InetSocketAddress target) {
    this.server = server;
    this.target = target;
    Thread accept = new Thread(this::acceptLoop, "tcp-relay-" + server.getLocalPort());
    accept.setDaemon(true);
    accept.start();
  }

  /** Listens on {@code address}, on a port of its own choice, and forwards to {@code target}. */
  public static TcpRelay start(String address, InetSocketAddress target) {
    try {
      ServerSocket server = new ServerSocket();
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress(InetAddress.getByName(address), 0), 64);
      return new TcpRelay(server, target);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + address, e);
    }
  }

  public String host() {
    return server.getInetAddress().getHostAddress();
  }

  public int port() {
    return server.getLocalPort();
  }

  public InetSocketAddress target() {
    return target;
  }

  private void acceptLoop() {
    while (!closed) {
      Socket in;
      try {
        in = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      Socket out = new Socket();
      try {
        out.connect(target, 5_000);
      } catch (IOException e) {
        closeQuietly(in);
        closeQuietly(out);
        continue;
      }
      open.add(in);
      open.add(out);
      pump(in, out);
      pump(out, in);
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream src = from.getInputStream(); OutputStream dst = to.getOutputStream()) {
        int n;
        while ((n = src.read(buffer)) >= 0) {
          dst.write(buffer, 0, n);
        }
      } catch (IOException e) {
        // one side went away: the other is closed below, as a proxy would
      } finally {
        closeQuietly(from);
        closeQuietly(to);
        open.remove(from);
        open.remove(to);
      }
    }, "tcp-relay-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  /** Stops accepting and cuts every connection. */
  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    open.forEach(TcpRelay::closeQuietly);
  }
}
