package io.steuermann.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A long-lived streaming response (a Kubernetes watch: one JSON event per line; or
 * server-sent events), read line by line on a thread of its own into a queue.
 */
final class StreamingClient implements AutoCloseable {
  private static final String END = "\u0000end";

  final HttpResponse<InputStream> response;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final Thread reader;

  private StreamingClient(HttpResponse<InputStream> response) {
    this.response = response;
    this.reader = new Thread(this::read, "stream-reader");
    reader.setDaemon(true);
    if (response.statusCode() == 200) {
      reader.start();
    }
  }

  static StreamingClient open(TestServer server, HttpRequest request) {
    try {
      return new StreamingClient(server.client.send(request, BodyHandlers.ofInputStream()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A Kubernetes watch ({@code ?watch=true}) on {@code path} (with its query). */
  static StreamingClient watch(TestServer server, String pathAndQuery) {
    StreamingClient c = open(server, server.request(pathAndQuery).timeout(Duration.ofMinutes(5)).GET().build());
    if (c.response.statusCode() != 200) {
      throw new AssertionError("watch " + pathAndQuery + " answered " + c.response.statusCode() + ": " + c.rest());
    }
    return c;
  }

  /** Server-sent events on {@code path}, resuming after {@code lastEventId} if not null. */
  static StreamingClient events(TestServer server, String pathAndQuery, String lastEventId) {
    HttpRequest.Builder b = server.request(pathAndQuery).timeout(Duration.ofMinutes(5))
        .header("Accept", "text/event-stream");
    if (lastEventId != null) {
      b.header("Last-Event-ID", lastEventId);
    }
    StreamingClient c = open(server, b.GET().build());
    if (c.response.statusCode() != 200) {
      throw new AssertionError("events " + pathAndQuery + " answered " + c.response.statusCode() + ": " + c.rest());
    }
    return c;
  }

  private void read() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        lines.add(line);
      }
    } catch (IOException e) {
      // closed by us, or the server ended the stream
    } finally {
      lines.add(END);
    }
  }

  /** The next line, or null if the stream ended; fails the test after {@code timeout}. */
  String nextLine(Duration timeout) {
    try {
      String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (line == null) {
        throw new AssertionError("no line within " + timeout);
      }
      if (line == END) {
        lines.add(END);
        return null;
      }
      return line;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The next watch event ({@code {"type":...,"object":...}}). */
  JsonNode nextEvent(Duration timeout) {
    String line;
    do {
      line = nextLine(timeout);
      if (line == null) {
        throw new AssertionError("the watch ended");
      }
    } while (line.isBlank());
    try {
      return Json.parse(line);
    } catch (IOException e) {
      throw new AssertionError("not a JSON watch event: " + line, e);
    }
  }

  /** One server-sent event. */
  record Sse(String id, String event, JsonNode data) {}

  /** The next server-sent event, skipping comments (heartbeats). */
  Sse nextSse(Duration timeout) {
    String id = null;
    String event = null;
    StringBuilder data = new StringBuilder();
    while (true) {
      String line = nextLine(timeout);
      if (line == null) {
        throw new AssertionError("the event stream ended");
      }
      if (line.isEmpty()) {
        if (data.length() > 0) {
          try {
            return new Sse(id, event, Json.parse(data.toString()));
          } catch (IOException e) {
            throw new AssertionError("not JSON data: " + data, e);
          }
        }
        continue;
      }
      if (line.startsWith(":")) {
        continue;
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      switch (field) {
        case "id" -> id = value;
        case "event" -> event = value;
        case "data" -> data.append(data.length() > 0 ? "\n" : "").append(value);
        default -> { }
      }
    }
  }

  /** The body of a response that is not a stream (an error), read whole. */
  String rest() {
    try (InputStream in = response.body()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  @Override
  public void close() {
    try {
      response.body().close();
    } catch (IOException e) {
      // already closed
    }
  }
}
