package io.steuermann.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The load generator's HTTP/1.1 connections. One {@link Connection} is one TCP connection
 * used by one thread only, so N client threads really are N parallel connections.
 * {@code raw} speaks HTTP/1.1 over a blocking socket (cheap: the load generator shares the
 * machine's cores with the server); {@code jdk} uses one {@link HttpClient} per connection.
 */
final class BenchHttp {
  private BenchHttp() {}

  /** A response; the body only when asked for. */
  record Response(int status, byte[] body, long retryAfterSeconds) {
    String bodyText() {
      return body == null ? "" : new String(body, StandardCharsets.UTF_8);
    }
  }

  interface Connection extends Closeable {
    Response exchange(String method, String path, String contentType, byte[] body, boolean keepBody)
        throws IOException;

    @Override
    void close();
  }

  static Connection open(String kind, int port, Duration timeout) {
    return switch (kind) {
      case "raw" -> new RawConnection(port, timeout);
      case "jdk" -> new JdkConnection(port, timeout);
      default -> throw new IllegalArgumentException("--client must be raw or jdk, not " + kind);
    };
  }

  /** HTTP/1.1 with keep-alive over one blocking socket; reconnects when the server closes. */
  static final class RawConnection implements Connection {
    private final int port;
    private final int timeoutMillis;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    RawConnection(int port, Duration timeout) {
      this.port = port;
      this.timeoutMillis = (int) timeout.toMillis();
    }

    private void connect() throws IOException {
      close();
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(timeoutMillis);
      socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
      in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
      out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
    }

    @Override
    public Response exchange(String method, String path, String contentType, byte[] body, boolean keepBody)
        throws IOException {
      boolean fresh = socket == null;
      if (fresh) {
        connect();
      }
      try {
        return once(method, path, contentType, body, keepBody);
      } catch (IOException e) {
        if (fresh) {
          throw e;
        }
        connect(); // a kept-alive connection the server had closed: one retry on a new one
        return once(method, path, contentType, body, keepBody);
      }
    }

    private Response once(String method, String path, String contentType, byte[] body, boolean keepBody)
        throws IOException {
      StringBuilder head = new StringBuilder(160)
          .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
          .append("Host: 127.0.0.1:").append(port).append("\r\n")
          .append("Accept: application/json\r\n");
      if (body != null) {
        head.append("Content-Type: ").append(contentType).append("\r\n")
            .append("Content-Length: ").append(body.length).append("\r\n");
      }
      head.append("\r\n");
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) {
        out.write(body);
      }
      out.flush();
      Head h = readHead(in);
      byte[] content = readBody(in, h, keepBody);
      if (h.close) {
        close();
      }
      return new Response(h.status, content, h.retryAfter);
    }

    /** Sends a GET and returns the stream of the (chunked) body: for watches. */
    InputStream stream(String path) throws IOException {
      connect();
      socket.setSoTimeout(0);
      out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAccept: application/json\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      Head h = readHead(in);
      if (h.status != 200) {
        throw new IOException("watch answered " + h.status + ": "
            + new String(readBody(in, h, true), StandardCharsets.UTF_8));
      }
      return h.chunked ? new ChunkedInputStream(in) : in;
    }

    @Override
    public void close() {
      if (socket != null) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // closing anyway
        }
        socket = null;
      }
    }
  }

  private static final class Head {
    int status;
    long contentLength = -1;
    boolean chunked;
    boolean close;
    long retryAfter = -1;
  }

  private static Head readHead(InputStream in) throws IOException {
    Head h = new Head();
    String status = readLine(in);
    if (status == null) {
      throw new IOException("connection closed before a response");
    }
    // HTTP/1.1 200 OK
    h.status = Integer.parseInt(status.substring(9, 12));
    String line;
    while ((line = readLine(in)) != null && !line.isEmpty()) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = line.substring(0, colon).trim();
      String value = line.substring(colon + 1).trim();
      if (name.equalsIgnoreCase("Content-Length")) {
        h.contentLength = Long.parseLong(value);
      } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
        h.chunked = value.toLowerCase().contains("chunked");
      } else if (name.equalsIgnoreCase("Connection")) {
        h.close = value.equalsIgnoreCase("close");
      } else if (name.equalsIgnoreCase("Retry-After")) {
        try {
          h.retryAfter = Long.parseLong(value);
        } catch (NumberFormatException e) {
          h.retryAfter = 1;
        }
      }
    }
    return h;
  }

  private static byte[] readBody(InputStream in, Head h, boolean keep) throws IOException {
    ByteArrayOutputStream kept = keep ? new ByteArrayOutputStream() : null;
    byte[] buf = new byte[8192];
    if (h.chunked) {
      InputStream chunks = new ChunkedInputStream(in);
      int n;
      while ((n = chunks.read(buf)) > 0) {
        if (kept != null) {
          kept.write(buf, 0, n);
        }
      }
    } else if (h.contentLength > 0) {
      long left = h.contentLength;
      while (left > 0) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, left));
        if (n < 0) {
          throw new IOException("connection closed inside a body");
        }
        if (kept != null) {
          kept.write(buf, 0, n);
        }
        left -= n;
      }
    }
    return kept == null ? null : kept.toByteArray();
  }

  static String readLine(InputStream in) throws IOException {
    StringBuilder s = new StringBuilder(64);
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        int len = s.length();
        if (len > 0 && s.charAt(len - 1) == '\r') {
          s.setLength(len - 1);
        }
        return s.toString();
      }
      s.append((char) c);
    }
    return s.length() == 0 ? null : s.toString();
  }

  /** Decodes chunked transfer encoding; ends at the last (empty) chunk. */
  static final class ChunkedInputStream extends InputStream {
    private final InputStream in;
    private long left;
    private boolean done;

    ChunkedInputStream(InputStream in) {
      this.in = in;
    }

    private boolean nextChunk() throws IOException {
      if (done) {
        return false;
      }
      if (left == 0) {
        String size = readLine(in);
        if (size != null && size.isEmpty()) {
          size = readLine(in); // the CRLF after the previous chunk's data
        }
        if (size == null) {
          done = true;
          return false;
        }
        int semi = size.indexOf(';');
        left = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
        if (left == 0) {
          String trailer;
          while ((trailer = readLine(in)) != null && !trailer.isEmpty()) {
            // trailers ignored
          }
          done = true;
          return false;
        }
      }
      return true;
    }

    @Override
    public int read() throws IOException {
      if (!nextChunk()) {
        return -1;
      }
      int c = in.read();
      if (c >= 0) {
        left--;
      }
      return c;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (!nextChunk()) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n > 0) {
        left -= n;
      }
      return n;
    }
  }

  /** One java.net.http.HttpClient (HTTP/1.1, own connection pool) per connection. */
  static final class JdkConnection implements Connection {
    private final HttpClient client;
    private final String base;
    private final Duration timeout;

    JdkConnection(int port, Duration timeout) {
      this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(timeout).build();
      this.base = "http://127.0.0.1:" + port;
      this.timeout = timeout;
    }

    @Override
    public Response exchange(String method, String path, String contentType, byte[] body, boolean keepBody)
        throws IOException {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
          .header("Accept", "application/json");
      if (body != null) {
        b.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofByteArray(body));
      } else {
        b.method(method, HttpRequest.BodyPublishers.noBody());
      }
      try {
        HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        long retryAfter = r.headers().firstValue("Retry-After").map(v -> {
          try {
            return Long.parseLong(v.trim());
          } catch (NumberFormatException e) {
            return 1L;
          }
        }).orElse(-1L);
        return new Response(r.statusCode(), keepBody ? r.body() : null, retryAfter);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }

    @Override
    public void close() {
      // HttpClient has no close() on Java 17; its connections end with it
    }
  }
}
