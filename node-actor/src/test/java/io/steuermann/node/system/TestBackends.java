package io.steuermann.node.system;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Real backends on loopback standing in for pods (hollow pods report podIP 127.0.0.1), and
 * the plain-socket clients the proxy tests use. The HTTP ones speak enough HTTP/1.0 that the
 * same client works against a busybox httpd in a container.
 */
final class TestBackends {
  private TestBackends() {}

  interface Handler {
    void serve(Socket socket) throws IOException;
  }

  /** A TCP server on 127.0.0.1 with a thread per connection. */
  static final class Tcp implements AutoCloseable {
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "test-backend");
      t.setDaemon(true);
      return t;
    });
    final AtomicLong accepted = new AtomicLong();

    Tcp(Handler handler) throws IOException {
      server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
      threads.execute(() -> {
        while (!server.isClosed()) {
          try {
            Socket socket = server.accept();
            accepted.incrementAndGet();
            threads.execute(() -> {
              try (socket) {
                handler.serve(socket);
              } catch (IOException e) {
                // the client went away
              }
            });
          } catch (IOException e) {
            return;
          }
        }
      });
    }

    int port() {
      return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      server.close();
      threads.shutdownNow();
    }
  }

  /** Answers every GET with {@code body} (HTTP/1.0, then closes), like an httpd serving one page. */
  static Tcp http(String body) throws IOException {
    byte[] content = body.getBytes(StandardCharsets.UTF_8);
    return new Tcp(socket -> {
      readHeaders(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      out.write(("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + content.length
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(content);
      out.flush();
    });
  }

  /**
   * Like {@link #http}, except that {@code /ready} answers 200 while {@code ready} holds and 503
   * otherwise: a pod whose readiness probe can be made to fail while it still serves.
   */
  static Tcp httpWithReadiness(String body, java.util.concurrent.atomic.AtomicBoolean ready) throws IOException {
    byte[] content = body.getBytes(StandardCharsets.UTF_8);
    return new Tcp(socket -> {
      InputStream in = socket.getInputStream();
      String requestLine = readLine(in).trim();
      readHeaders(in);
      boolean probe = requestLine.startsWith("GET /ready ");
      String status = probe && !ready.get() ? "503 Service Unavailable" : "200 OK";
      byte[] payload = probe ? new byte[0] : content;
      OutputStream out = socket.getOutputStream();
      out.write(("HTTP/1.0 " + status + "\r\nContent-Type: text/plain\r\nContent-Length: " + payload.length
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(payload);
      out.flush();
    });
  }

  /** Says its name in a first line, then echoes every line back. */
  static Tcp greeter(String name) throws IOException {
    return new Tcp(socket -> {
      OutputStream out = socket.getOutputStream();
      out.write((name + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      int b;
      while ((b = in.read()) >= 0) {
        out.write(b);
        if (b == '\n') {
          out.flush();
        }
      }
    });
  }

  /** Reads everything until the client shuts its output, then answers with all of it and closes. */
  static Tcp replyAfterEof() throws IOException {
    return new Tcp(socket -> {
      byte[] all = socket.getInputStream().readAllBytes();
      socket.getOutputStream().write(all);
      socket.getOutputStream().flush();
    });
  }

  /** Writes as fast as the connection takes it, forever, counting the bytes written. */
  static Tcp endless(AtomicLong written) throws IOException {
    byte[] chunk = new byte[64 * 1024];
    Arrays.fill(chunk, (byte) 'x');
    return new Tcp(socket -> {
      OutputStream out = socket.getOutputStream();
      while (true) {
        out.write(chunk);
        written.addAndGet(chunk.length);
      }
    });
  }

  /**
   * A UDP echo server on 127.0.0.1 that answers {@code name:payload}; {@link #lastSenderPort}
   * tells from which port (of the proxy's flow socket) the last datagram came.
   */
  static final class UdpEcho implements AutoCloseable {
    private final DatagramSocket socket;
    final AtomicLong lastSenderPort = new AtomicLong();

    UdpEcho(String name) throws SocketException {
      socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      Thread thread = new Thread(() -> {
        byte[] buffer = new byte[65536];
        while (!socket.isClosed()) {
          try {
            DatagramPacket in = new DatagramPacket(buffer, buffer.length);
            socket.receive(in);
            lastSenderPort.set(in.getPort());
            byte[] reply = (name + ":" + new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8);
            socket.send(new DatagramPacket(reply, reply.length, in.getSocketAddress()));
          } catch (IOException e) {
            return;
          }
        }
      }, "test-udp-echo");
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    @Override
    public void close() {
      socket.close();
    }
  }

  // ---------------------------------------------------------------- clients

  /** GET / on a fresh connection; the body of a 200, or an IOException. */
  static String httpGet(String host, int port) throws IOException {
    return httpGet(host, port, "/");
  }

  /** GET {@code path} over HTTP/1.0; answers the body of a 200, throws for anything else. */
  static String httpGet(String host, int port, String path) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 5000);
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      // a CGI script's own headers may end with a bare LF, which busybox httpd passes on
      int split = response.indexOf("\r\n\r\n");
      int skip = 4;
      if (split < 0 && response.indexOf("\n\n") >= 0) {
        split = response.indexOf("\n\n");
        skip = 2;
      }
      if (!response.startsWith("HTTP/1.") || !response.contains(" 200 ") || split < 0) {
        throw new IOException("not a 200 response: [" + response + "]");
      }
      return response.substring(split + skip);
    }
  }

  /** Whether a TCP connect to {@code host:port} is refused. */
  static boolean refused(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 2000);
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  /** The first line a {@link #greeter} sends. */
  static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      line.write(b);
    }
    if (b < 0 && line.size() == 0) {
      throw new IOException("connection closed");
    }
    return line.toString(StandardCharsets.UTF_8);
  }

  private static void readHeaders(InputStream in) throws IOException {
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    int b;
    while (matched < 4 && (b = in.read()) >= 0) {
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
  }
}
