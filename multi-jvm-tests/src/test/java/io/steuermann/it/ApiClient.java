package io.steuermann.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A small JSON client for the Kubernetes-style API of one server: every call returns the
 * status code and the parsed body; nothing throws on a non-2xx answer. Paths are relative to
 * the server, e.g. {@code /api/v1/namespaces/default/pods}.
 */
public final class ApiClient implements AutoCloseable {
  public static final ObjectMapper JSON = new ObjectMapper();
  public static final String PODS = "/api/v1/namespaces/default/pods";

  private final URI base;
  private final HttpClient http;
  private final Duration timeout;

  public ApiClient(URI base) {
    this(base, Duration.ofSeconds(30));
  }

  public ApiClient(URI base, Duration timeout) {
    this.base = base;
    this.timeout = timeout;
    this.http = ServerProcess.newHttpClient();
  }

  public URI base() {
    return base;
  }

  /** An answer: status code, parsed JSON body (a NullNode if empty or not JSON), raw body. */
  public record Reply(int status, JsonNode body, String raw) {
    public boolean ok() {
      return status >= 200 && status < 300;
    }

    public String uid() {
      return body.path("metadata").path("uid").asText(null);
    }

    /** metadata.resourceVersion as a number (an object's or a list's). */
    public long resourceVersion() {
      String rv = body.path("metadata").path("resourceVersion").asText("");
      if (rv.isEmpty()) {
        throw new IllegalStateException("no metadata.resourceVersion in " + this);
      }
      return Long.parseLong(rv);
    }

    public String name() {
      return body.path("metadata").path("name").asText(null);
    }

    public List<JsonNode> items() {
      List<JsonNode> items = new ArrayList<>();
      body.path("items").forEach(items::add);
      return items;
    }

    @Override
    public String toString() {
      return status + " " + (raw.length() > 500 ? raw.substring(0, 500) + "..." : raw);
    }
  }

  /** A minimal valid pod. */
  public static ObjectNode pod(String name) {
    ObjectNode pod = JSON.createObjectNode();
    pod.put("apiVersion", "v1");
    pod.put("kind", "Pod");
    ObjectNode meta = pod.putObject("metadata");
    meta.put("name", name);
    meta.putObject("labels").put("app", "it");
    ObjectNode container = pod.putObject("spec").putArray("containers").addObject();
    container.put("name", "c");
    container.put("image", "busybox");
    return pod;
  }

  /** POST to a collection path. */
  public Reply create(String collectionPath, JsonNode object) {
    return send("POST", collectionPath, "application/json", object.toString());
  }

  public Reply get(String path) {
    return send("GET", path, null, null);
  }

  /** GET of a collection; the reply's {@link Reply#resourceVersion()} is the list's. */
  public Reply list(String collectionPath) {
    return get(collectionPath);
  }

  /** PATCH with {@code application/merge-patch+json}. */
  public Reply patch(String path, JsonNode mergePatch) {
    return patch(path, "application/merge-patch+json", mergePatch.toString());
  }

  public Reply patch(String path, String contentType, String body) {
    return send("PATCH", path, contentType, body);
  }

  public Reply delete(String path) {
    return send("DELETE", path, null, null);
  }

  /** Any request; {@code body} may be null. */
  public Reply send(String method, String path, String contentType, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
        .header("Accept", "application/json");
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    try {
      HttpResponse<String> response = http.send(request.build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Reply(response.statusCode(), parse(response.body()), response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The status of GET /readyz, or -1 if nothing answers. */
  public int readyz() {
    return ServerProcess.status(http, base.resolve("/readyz"));
  }

  private static JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      return JSON.nullNode();
    }
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return JSON.nullNode();
    }
  }

  /**
   * Opens {@code GET collectionPath?watch=1&resourceVersion=rv} and collects its events in
   * a background thread. The returned watch is open once {@link Watch#status()} completes.
   */
  public Watch watch(String collectionPath, long resourceVersion) {
    String sep = collectionPath.contains("?") ? "&" : "?";
    URI uri = base.resolve(collectionPath + sep + "watch=1&resourceVersion=" + resourceVersion);
    return new Watch(http, uri);
  }

  @Override
  public void close() {
    // java.net.http.HttpClient has no close() in Java 17; its threads are daemons.
  }

  /**
   * One open watch. {@link #events()} receives each event line parsed
   * ({@code {"type":...,"object":...}}) in arrival order. A non-200 answer completes
   * {@link #status()} with its code and puts its parsed body in {@link #errorBody()}.
   */
  public static final class Watch implements AutoCloseable {
    private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> status = new CompletableFuture<>();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private volatile JsonNode errorBody;
    private volatile InputStream stream;
    private final Thread reader;

    Watch(HttpClient http, URI uri) {
      HttpRequest request = HttpRequest.newBuilder(uri).GET().build();
      reader = new Thread(() -> run(http, request), "watch " + uri);
      reader.setDaemon(true);
      reader.start();
    }

    private void run(HttpClient http, HttpRequest request) {
      try {
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        stream = response.body();
        if (response.statusCode() != 200) {
          try (InputStream in = response.body()) {
            errorBody = parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
          }
          status.complete(response.statusCode());
          return;
        }
        status.complete(200);
        try (BufferedReader lines = new BufferedReader(
            new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = lines.readLine()) != null) {
            if (!line.isBlank()) {
              events.add(JSON.readTree(line));
            }
          }
        }
        ended.complete(null);
      } catch (Exception e) {
        status.completeExceptionally(e);
        ended.completeExceptionally(e);
      }
    }

    public BlockingQueue<JsonNode> events() {
      return events;
    }

    /** The HTTP status, once the response headers arrived. */
    public CompletableFuture<Integer> status() {
      return status;
    }

    /** Waits for the response status. */
    public int awaitStatus(Duration timeout) {
      try {
        return status.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        throw new AssertionError("watch did not answer within " + timeout, e);
      }
    }

    /** Completes when the server ends the stream (normally or with an error). */
    public CompletableFuture<Void> ended() {
      return ended;
    }

    public JsonNode errorBody() {
      return errorBody;
    }

    /** The next event, or null after {@code timeout}. */
    public JsonNode poll(Duration timeout) {
      try {
        return events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    /** Takes events until {@code last} is true for one (it is included) or the timeout ends. */
    public List<JsonNode> takeUntil(java.util.function.Predicate<JsonNode> last, Duration timeout) {
      List<JsonNode> taken = new ArrayList<>();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("watch: the awaited event did not arrive within " + timeout
              + "; got " + taken.size() + " events, last: "
              + (taken.isEmpty() ? "none" : describe(taken.get(taken.size() - 1))));
        }
        JsonNode e = poll(Duration.ofNanos(Math.min(left, Duration.ofMillis(200).toNanos())));
        if (e != null) {
          taken.add(e);
          if (last.test(e)) {
            return taken;
          }
        }
      }
    }

    /** "TYPE name rv" of an event. */
    public static String describe(JsonNode event) {
      JsonNode meta = event.path("object").path("metadata");
      return event.path("type").asText() + " " + meta.path("name").asText() + " "
          + meta.path("resourceVersion").asText();
    }

    @Override
    public void close() {
      InputStream s = stream;
      if (s != null) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing a cancelled stream
        }
      }
      reader.interrupt();
    }
  }
}
