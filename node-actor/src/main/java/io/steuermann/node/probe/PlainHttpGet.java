package io.steuermann.node.probe;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One plain-HTTP GET of a probe on a fresh connection that is closed afterwards ({@code
 * Connection: close}), as kubelet probes (it disables keep-alive): each attempt shows whether
 * the server accepts and answers now, and no connection is kept per probed pod. Reads no more
 * than the status line. Non-blocking: an {@link AsynchronousSocketChannel}.
 */
final class PlainHttpGet {
  private static final int STATUS_LINE_LIMIT = 4096;

  private PlainHttpGet() {}

  /**
   * The status code {@code GET target} answers, or a failure with the reason; {@code host}
   * names the Host header unless {@code headers} set one.
   */
  static CompletableFuture<Integer> status(String host, int port, String target,
      List<Map.Entry<String, String>> headers, String userAgent, Executor executor) {
    return CompletableFuture.supplyAsync(() -> new InetSocketAddress(host, port), executor)
        .thenCompose(address -> {
          AsynchronousSocketChannel channel;
          try {
            channel = AsynchronousSocketChannel.open();
          } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
          }
          CompletableFuture<Integer> result = new CompletableFuture<>();
          result.whenComplete((code, error) -> close(channel));
          channel.connect(address, null, handler(result, v -> {
            ByteBuffer request = ByteBuffer.wrap(request(host, port, target, headers, userAgent));
            write(channel, request, result);
          }));
          return result;
        });
  }

  private static byte[] request(String host, int port, String target, List<Map.Entry<String, String>> headers,
      String userAgent) {
    StringBuilder r = new StringBuilder("GET ").append(target).append(" HTTP/1.1\r\n");
    boolean hostSet = headers.stream().anyMatch(h -> h.getKey().equalsIgnoreCase("Host"));
    if (!hostSet) {
      r.append("Host: ").append(host.contains(":") ? "[" + host + "]" : host).append(':').append(port).append("\r\n");
    }
    boolean agentSet = headers.stream().anyMatch(h -> h.getKey().equalsIgnoreCase("User-Agent"));
    if (!agentSet) {
      r.append("User-Agent: ").append(userAgent).append("\r\n");
    }
    r.append("Accept: */*\r\n");
    for (Map.Entry<String, String> h : headers) {
      if (!h.getKey().equalsIgnoreCase("Connection")) {
        r.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
      }
    }
    r.append("Connection: close\r\n\r\n");
    return r.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  private static void write(AsynchronousSocketChannel channel, ByteBuffer request, CompletableFuture<Integer> result) {
    channel.write(request, null, handler(result, written -> {
      if (request.hasRemaining()) {
        write(channel, request, result);
      } else {
        read(channel, ByteBuffer.allocate(STATUS_LINE_LIMIT), result);
      }
    }));
  }

  private static void read(AsynchronousSocketChannel channel, ByteBuffer buffer, CompletableFuture<Integer> result) {
    channel.read(buffer, null, handler(result, n -> {
      String received = new String(buffer.array(), 0, buffer.position(), StandardCharsets.ISO_8859_1);
      int end = received.indexOf("\r\n");
      if (end >= 0) {
        result.complete(parse(received.substring(0, end)));
      } else if (n < 0) {
        result.completeExceptionally(new IOException("EOF"));
      } else if (!buffer.hasRemaining()) {
        result.completeExceptionally(new IOException("malformed HTTP response: no status line"));
      } else {
        read(channel, buffer, result);
      }
    }));
  }

  /** {@code HTTP/1.1 200 OK} -> 200. */
  private static int parse(String statusLine) {
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/") || !parts[1].matches("\\d{3}")) {
      throw new IllegalArgumentException("malformed HTTP status line \"" + statusLine + "\"");
    }
    return Integer.parseInt(parts[1]);
  }

  /** A completion handler that continues with {@code next}, or fails {@code result}. */
  private static <V> CompletionHandler<V, Void> handler(CompletableFuture<Integer> result,
      java.util.function.Consumer<V> next) {
    return new CompletionHandler<>() {
      @Override
      public void completed(V value, Void attachment) {
        if (result.isDone()) {
          return; // timed out meanwhile; the channel is closed
        }
        try {
          next.accept(value);
        } catch (RuntimeException e) {
          result.completeExceptionally(e);
        }
      }

      @Override
      public void failed(Throwable error, Void attachment) {
        result.completeExceptionally(error);
      }
    };
  }

  private static void close(AsynchronousSocketChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // closing a probe's socket: nothing to do about a failure
    }
  }
}
