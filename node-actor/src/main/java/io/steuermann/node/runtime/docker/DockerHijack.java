package io.steuermann.node.runtime.docker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * A hijacked connection to the Docker engine ({@code Upgrade: tcp}), as {@code docker exec -i}
 * and {@code docker attach} use it: the raw streams of a process after a 101 answer. It exists
 * because docker-java copies stdin but never half-closes the connection after it, so a process
 * that reads its input to the end ({@code tar x} of {@code kubectl cp}, {@code wc}) waits
 * forever; here {@link #closeInput} is a real {@code shutdownOutput}.
 */
final class DockerHijack implements AutoCloseable {
  private final SocketChannel channel;
  private final java.io.InputStream input;

  private DockerHijack(SocketChannel channel, java.io.InputStream input) {
    this.channel = channel;
    this.input = input;
  }

  /** POSTs {@code json} to {@code path} of the engine at {@code host} and takes over the connection. */
  static DockerHijack open(URI host, String path, String json) throws IOException {
    SocketChannel channel;
    String authority;
    if ("unix".equals(host.getScheme())) {
      channel = SocketChannel.open(StandardProtocolFamily.UNIX);
      channel.connect(UnixDomainSocketAddress.of(host.getPath()));
      authority = "docker";
    } else if ("tcp".equals(host.getScheme()) || "http".equals(host.getScheme())) {
      channel = SocketChannel.open(new InetSocketAddress(host.getHost(), host.getPort()));
      authority = host.getHost() + ":" + host.getPort();
    } else {
      throw new IOException("cannot hijack a connection to " + host + " (unix:// and tcp:// only)");
    }
    try {
      byte[] body = json.getBytes(StandardCharsets.UTF_8);
      String head = "POST " + path + " HTTP/1.1\r\nHost: " + authority + "\r\nContent-Type: application/json\r\n"
          + "Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: " + body.length + "\r\n\r\n";
      write(channel, head.getBytes(StandardCharsets.US_ASCII));
      write(channel, body);
      java.io.InputStream in = new java.io.BufferedInputStream(Channels.newInputStream(channel), 65536);
      String status = readHeaders(in);
      if (!status.startsWith("HTTP/1.1 101") && !status.startsWith("HTTP/1.1 200")) {
        throw new IOException("the Docker engine refused " + path + ": " + status);
      }
      return new DockerHijack(channel, in);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** The status line, after reading the response headers up to the blank line. */
  private static String readHeaders(java.io.InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    String status = null;
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("the Docker engine closed the connection before answering");
      }
      if (b == '\n') {
        String text = line.toString(StandardCharsets.US_ASCII).trim();
        line.reset();
        if (status == null) {
          status = text;
        } else if (text.isEmpty()) {
          return status;
        }
      } else {
        line.write(b);
      }
    }
  }

  private static void write(SocketChannel channel, byte[] bytes) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  /** The process's output (multiplexed frames unless it has a terminal). */
  java.io.InputStream input() {
    return input;
  }

  void write(byte[] bytes) throws IOException {
    synchronized (channel) {
      write(channel, bytes);
    }
  }

  /** EOF for the process's stdin; its output keeps coming. */
  void closeInput() throws IOException {
    synchronized (channel) {
      if (channel.isOpen()) {
        channel.shutdownOutput();
      }
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
