package io.steuermann.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.watch.GoneException;
import io.steuermann.engine.watch.WatchCache;
import io.steuermann.engine.watch.WatchEvent;
import io.steuermann.engine.watch.WatchFilter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.Query;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Streams changes from the watch cache: as Kubernetes watch events (one JSON object per
 * line, or Table rows for kubectl), or as server-sent events whose {@code id} is the
 * resourceVersion, so a browser's EventSource resumes with {@code Last-Event-ID}; a watch
 * request that asks to upgrade to a WebSocket gets one watch event per text frame, as
 * kube-apiserver answers fabric8 and other WebSocket watchers.
 */
public final class WatchStreams {
  private static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);
  private static final ByteString HEARTBEAT = ByteString.fromString(": keep-alive\n\n");
  private static final ByteString NEWLINE = ByteString.fromString("\n");

  private final WatchCache cache;
  private final Tables tables;
  private final int buffer;
  private final Duration heartbeat;

  public WatchStreams(WatchCache cache, Tables tables, int buffer, Duration heartbeat) {
    this.cache = cache;
    this.tables = tables;
    this.buffer = buffer;
    this.heartbeat = heartbeat;
  }

  public boolean wantsEventStream(HttpRequest request) {
    return request.getHeader("Accept").map(h -> h.value().contains("text/event-stream")).orElse(false);
  }

  /** A watch, or SSE when the client asks for it, for {@code filter}; {@code kind} null means all kinds. */
  public HttpResponse stream(HttpRequest request, Kind kind, WatchFilter filter, Query query) {
    return stream(request, kind, filter, query, wantsEventStream(request));
  }

  /** A watch ({@code sse} false) or a server-sent event stream of {@code filter}'s changes. */
  public HttpResponse stream(HttpRequest request, Kind kind, WatchFilter filter, Query query, boolean sse) {
    String from = query.get("resourceVersion").orElse("");
    if (sse) {
      Optional<String> lastEventId = request.getHeader("Last-Event-ID").map(HttpHeader::value);
      if (lastEventId.isPresent() && !lastEventId.get().isEmpty()) {
        from = lastEventId.get();
      }
    }
    long version = Meta.parseResourceVersion(from);
    if (version < 0) {
      return StatusResponses.response(ApiStatus.badRequest("invalid resourceVersion: " + from));
    }
    Optional<WebSocketUpgrade> upgrade = sse ? Optional.empty()
        : request.getAttribute(AttributeKeys.webSocketUpgrade);
    boolean table = tables.wanted(request);
    // bookmarks name the kind of a typed watch; Tables (kubectl get -w) and SSE have none
    boolean bookmarks = kind != null && !sse && !table && ResourceRequests.isTrue(query.get("allowWatchBookmarks"));
    boolean initialEvents = ResourceRequests.isTrue(query.get("sendInitialEvents"));
    Duration timeout = ResourceRequests.seconds(query.get("timeoutSeconds"), DEFAULT_TIMEOUT);
    if (sse && initialEvents) {
      if (version == 0) {
        return eventStream(sseInitialEventsThenChanges(kind, filter, timeout));
      }
      // an EventSource reconnecting with Last-Event-ID keeps its URL: it had the list, it resumes
      initialEvents = false;
    }
    if (initialEvents) {
      if (!bookmarks || !"NotOlderThan".equals(query.get("resourceVersionMatch").orElse(""))) {
        return StatusResponses.response(new ApiStatus(422, "Invalid", "ListOptions.meta.k8s.io \"\" is invalid: "
            + "sendInitialEvents: Forbidden: sendInitialEvents requires setting allowWatchBookmarks=true and "
            + "resourceVersionMatch=NotOlderThan", null));
      }
    }
    Source<WatchEvent, NotUsed> events;
    try {
      events = initialEvents ? initialEventsThenChanges(filter) : cache.watch(filter, version, buffer, bookmarks);
    } catch (GoneException e) {
      if (upgrade.isPresent()) {
        return WebSocketWatch.gone(upgrade.get(), ApiStatus.gone(e.getMessage()));
      }
      return StatusResponses.response(ApiStatus.gone(e.getMessage()));
    }
    events = events.takeWithin(timeout);
    if (upgrade.isPresent()) {
      return WebSocketWatch.events(upgrade.get(), events.map(e -> table
          ? tables.watchEvent(request, kind, e)
          : watchEvent(kind, e)));
    }
    if (sse) {
      return eventStream(events.map(WatchStreams::sseEvent));
    }
    // A blank line between events is whitespace to every JSON stream decoder; sending one now
    // and then lets a quiet watch notice that its client has gone.
    Source<ByteString, NotUsed> bytes = events.map(e -> line(table
        ? tables.watchEvent(request, kind, e)
        : watchEvent(kind, e))).keepAlive(heartbeat, () -> NEWLINE);
    return HttpResponse.create()
        .withEntity(HttpEntities.createChunked(ContentTypes.APPLICATION_JSON, bytes));
  }

  /**
   * sendInitialEvents (client-go's WatchList): an ADDED event for every object, then a bookmark
   * marked {@code k8s.io/initial-events-end} at their version, then the changes after it.
   */
  private Source<WatchEvent, NotUsed> initialEventsThenChanges(WatchFilter filter) {
    WatchCache.Listed listed = cache.listAndWatch(filter, buffer, true);
    java.util.List<WatchEvent> initial = new java.util.ArrayList<>();
    for (ObjectNode object : listed.snapshot().items()) {
      initial.add(new WatchEvent(WatchEvent.Type.ADDED,
          io.steuermann.engine.model.ObjectKey.of(filter.kind(), Meta.namespace(object), Meta.name(object)),
          Meta.parseResourceVersion(Meta.resourceVersion(object)), object));
    }
    initial.add(new WatchEvent(WatchEvent.Type.BOOKMARK, null, listed.snapshot().resourceVersion(), INITIAL_END));
    return Source.from(initial).concat(listed.changes());
  }

  private HttpResponse eventStream(Source<ByteString, NotUsed> frames) {
    return HttpResponse.create()
        .withEntity(HttpEntities.createChunked(MediaTypes.TEXT_EVENT_STREAM.toContentType(),
            frames.keepAlive(heartbeat, () -> HEARTBEAT)))
        .addHeader(RawHeader.create("Cache-Control", "no-cache"));
  }

  /**
   * SSE with {@code sendInitialEvents=true} and no resume point (the dashboard's start): an
   * ADDED event per object <em>without</em> an {@code id}, then a BOOKMARK annotated
   * {@code k8s.io/initial-events-end} whose {@code id} is the list's version, then the changes.
   * The initial objects come in name order, not version order, so an id on each would let an
   * EventSource that reconnects in the middle resume past objects it never got; without ids
   * it reconnects with no Last-Event-ID and gets the whole list again. The bookmark tells the
   * client its view is complete (so it can drop what a re-list no longer has).
   */
  private Source<ByteString, NotUsed> sseInitialEventsThenChanges(Kind kind, WatchFilter filter, Duration timeout) {
    WatchCache.Listed listed = cache.listAndWatch(filter, buffer);
    long at = listed.snapshot().resourceVersion();
    ObjectNode end = Json.object();
    end.put("type", "BOOKMARK");
    ObjectNode object = end.putObject("object");
    if (kind != null) {
      object.put("kind", kind.kindName());
      object.put("apiVersion", kind.apiVersion());
    }
    ObjectNode meta = object.putObject("metadata");
    meta.put("resourceVersion", Long.toString(at));
    meta.putObject("annotations").put("k8s.io/initial-events-end", "true");
    return Source.from(listed.snapshot().items())
        .map(o -> sseFrame(null, "ADDED", Json.string(Json.object().put("type", "ADDED").set("object", o))))
        .concat(Source.single(sseFrame(Long.toString(at), "BOOKMARK", Json.string(end))))
        .concat(listed.changes().map(WatchStreams::sseEvent))
        .takeWithin(timeout);
  }

  /** The object of the bookmark that ends the initial events (a marker, never sent as is). */
  private static final ObjectNode INITIAL_END = Json.object();


  /** A watch event's JSON; a bookmark's object has only the kind and the version. */
  static ObjectNode watchEvent(Kind kind, WatchEvent e) {
    if (e.type() != WatchEvent.Type.BOOKMARK) {
      return watchEvent(e);
    }
    ObjectNode json = Json.object();
    json.put("type", "BOOKMARK");
    ObjectNode object = json.putObject("object");
    object.put("kind", kind.kindName());
    object.put("apiVersion", kind.apiVersion());
    ObjectNode meta = object.putObject("metadata");
    meta.put("resourceVersion", Long.toString(e.resourceVersion()));
    if (e.object() == INITIAL_END) {
      meta.putObject("annotations").put("k8s.io/initial-events-end", "true");
    }
    return json;
  }

  static ObjectNode watchEvent(WatchEvent e) {
    ObjectNode json = Json.object();
    json.put("type", e.type().name());
    json.set("object", e.object());
    return json;
  }

  private static ByteString line(ObjectNode json) {
    byte[] body = Json.bytes(json);
    byte[] withNewline = new byte[body.length + 1];
    System.arraycopy(body, 0, withNewline, 0, body.length);
    withNewline[body.length] = '\n';
    return ByteString.fromArrayUnsafe(withNewline);
  }

  static ByteString sseEvent(WatchEvent e) {
    return sseFrame(Long.toString(e.resourceVersion()), e.type().name(), Json.string(watchEvent(e)));
  }

  /** One server-sent event; {@code id} null leaves the client's last event id as it was. */
  private static ByteString sseFrame(String id, String event, String data) {
    String frame = (id == null ? "" : "id: " + id + "\n") + "event: " + event + "\ndata: " + data + "\n\n";
    return ByteString.fromArrayUnsafe(frame.getBytes(StandardCharsets.UTF_8));
  }
}
