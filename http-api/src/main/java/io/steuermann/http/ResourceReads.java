package io.steuermann.http;

import static io.steuermann.http.ResourceRequests.done;
import static io.steuermann.http.ResourceRequests.filter;
import static io.steuermann.http.ResourceRequests.isTrue;
import static io.steuermann.http.ResourceRequests.joinSelectors;
import static io.steuermann.http.ResourceRequests.key;
import static io.steuermann.http.ResourceRequests.knownSubresource;
import static io.steuermann.http.ResourceRequests.notFoundNamespace;
import static io.steuermann.http.ResourceRequests.unsupported;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.Engine;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.selector.FieldSelector;
import io.steuermann.engine.selector.SelectorException;
import io.steuermann.engine.watch.WatchCache;
import io.steuermann.engine.watch.WatchFilter;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.Query;

/**
 * The reads of the resource paths: get, list (whole, paged, or exactly at a version) and watch,
 * all from the watch cache; a read without resourceVersion first waits for a consistent read.
 */
final class ResourceReads {
  private final Engine engine;
  private final WatchCache cache;
  private final Responses responses;
  private final WatchStreams watches;

  ResourceReads(Engine engine, Responses responses, WatchStreams watches) {
    this.engine = engine;
    this.cache = engine.cache();
    this.responses = responses;
    this.watches = watches;
  }

  CompletionStage<HttpResponse> get(HttpRequest request, ResourcePath path) {
    Optional<ObjectKey> key = key(path);
    if (key.isEmpty()) {
      return notFoundNamespace(path);
    }
    if (path.subresource() != null && !knownSubresource(path)) {
      return unsupported(request, path);
    }
    // From the watch cache once it holds every acknowledged write, as a list is served: asking
    // the entity would queue the read behind that object's writes (seconds in a write burst).
    return engine.consistentRead(engine.askTimeout()).thenApply(version -> {
      ObjectNode object = cache.get(key.get());
      if (object == null) {
        return StatusResponses.response(ApiStatus.notFound(path.kind(), path.name()));
      }
      if ("scale".equals(path.subresource())) {
        return responses.json(200, Scales.toScale(object));
      }
      return responses.object(request, 200, object);
    }).exceptionally(ResourceRequests::failure);
  }

  CompletionStage<HttpResponse> list(HttpRequest request, ResourcePath path, Query query) {
    WatchFilter filter;
    try {
      filter = filter(path, query);
    } catch (SelectorException e) {
      return done(StatusResponses.response(ApiStatus.badRequest(e.getMessage())));
    }
    String rv = query.get("resourceVersion").orElse("");
    long minimum = Meta.parseResourceVersion(rv);
    if (minimum < 0) {
      return done(StatusResponses.response(ApiStatus.badRequest("invalid resourceVersion: " + rv)));
    }
    int limit;
    try {
      limit = Integer.parseInt(query.get("limit").orElse("0"));
    } catch (NumberFormatException e) {
      return done(StatusResponses.response(ApiStatus.badRequest(
          "invalid limit: " + query.get("limit").orElse("") + ": not an integer")));
    }
    Optional<String> continued = query.get("continue").filter(c -> !c.isEmpty());
    if (continued.isPresent()) {
      return nextPage(request, path, filter, rv, continued.get(), limit);
    }
    String match = query.get("resourceVersionMatch").orElse("");
    if (!match.isEmpty()) {
      if (rv.isEmpty()) {
        return done(StatusResponses.response(ApiStatus.badRequest(
            "resourceVersionMatch is forbidden unless resourceVersion is provided")));
      }
      if (match.equals("Exact")) {
        if (minimum == 0) {
          return done(StatusResponses.response(ApiStatus.badRequest(
              "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"")));
        }
        // the list as it was at that version, rebuilt from the history as a paged list's later pages are
        return engine.awaitVersion(minimum, engine.askTimeout())
            .thenApply(v -> exact(request, path, filter, minimum, limit))
            .exceptionally(ResourceRequests::failure);
      }
      if (!match.equals("NotOlderThan")) {
        return done(StatusResponses.response(ApiStatus.badRequest("resourceVersionMatch: Unsupported value: \""
            + match + "\": supported values: \"Exact\", \"NotOlderThan\"")));
      }
    }
    CompletionStage<Long> consistent = rv.isEmpty()
        ? engine.consistentRead(engine.askTimeout())
        : engine.awaitVersion(minimum, engine.askTimeout());
    if (limit > 0) {
      return consistent
          .thenApply(v -> page(request, path, filter, 0, null, limit))
          .exceptionally(ResourceRequests::failure);
    }
    return consistent
        .thenApply(v -> responses.list(request, path.kind(), cache.list(filter)))
        .exceptionally(ResourceRequests::failure);
  }

  private HttpResponse exact(HttpRequest request, ResourcePath path, WatchFilter filter, long version, int limit) {
    try {
      cache.page(filter, version, null, 1);
    } catch (io.steuermann.engine.watch.GoneException e) {
      return StatusResponses.response(ApiStatus.gone("too old resource version: " + version));
    }
    return page(request, path, filter, version, null, limit > 0 ? limit : Integer.MAX_VALUE);
  }

  /** A later page of a paged list: the same version as the first, after the last key sent. */
  private CompletionStage<HttpResponse> nextPage(HttpRequest request, ResourcePath path, WatchFilter filter,
      String rv, String continued, int limit) {
    if (!rv.isEmpty() && !rv.equals("0")) {
      return done(StatusResponses.response(ApiStatus.badRequest(
          "specifying resource version is not allowed when using continue")));
    }
    ContinueToken token;
    ObjectKey after;
    try {
      token = ContinueToken.decode(continued);
      after = token.key(path.kind());
    } catch (IllegalArgumentException e) {
      return done(StatusResponses.response(ApiStatus.badRequest(e.getMessage())));
    }
    // the first page may have come from a member whose cache was ahead of this one's
    return engine.awaitVersion(token.resourceVersion(), engine.askTimeout())
        .thenApply(v -> page(request, path, filter, token.resourceVersion(), after, limit > 0 ? limit : Integer.MAX_VALUE))
        .exceptionally(ResourceRequests::failure);
  }

  private HttpResponse page(HttpRequest request, ResourcePath path, WatchFilter filter, long version,
      ObjectKey after, int limit) {
    WatchCache.Page page;
    try {
      page = cache.page(filter, version, after, limit);
    } catch (io.steuermann.engine.watch.GoneException e) {
      // client-go's pager knows reason Expired: it starts the list over without a limit
      return StatusResponses.response(new ApiStatus(410, "Expired", "The provided continue parameter is too old "
          + "to display a consistent list result. You can start a new list without the continue parameter.", null));
    }
    String next = page.more() ? ContinueToken.after(page.resourceVersion(), page.last()).encode() : null;
    return responses.list(request, path.kind(), new WatchCache.Snapshot(page.resourceVersion(), page.items()),
        next, page.more() && page.remaining() >= 0 ? page.remaining() : null);
  }

  /**
   * sendInitialEvents without a resourceVersion is a consistent read, as a list without one: the
   * initial events hold every write acknowledged before the request, by any member.
   */
  CompletionStage<HttpResponse> watchFrom(HttpRequest request, ResourcePath path, Query query) {
    if (isTrue(query.get("sendInitialEvents")) && query.get("resourceVersion").orElse("").isEmpty()) {
      return engine.consistentRead(engine.askTimeout()).thenApply(v -> watch(request, path, query))
          .exceptionally(ResourceRequests::failure);
    }
    return done(watch(request, path, query));
  }

  private HttpResponse watch(HttpRequest request, ResourcePath path, Query query) {
    WatchFilter filter;
    try {
      filter = filter(path, query);
      if (path.name() != null) {
        filter = new WatchFilter(filter.kind(), filter.namespace(), filter.labels(),
            FieldSelector.parse(joinSelectors("metadata.name=" + path.name(),
                query.get("fieldSelector").orElse(""))));
      }
    } catch (SelectorException e) {
      return StatusResponses.response(ApiStatus.badRequest(e.getMessage()));
    }
    return watches.stream(request, path.kind(), filter, query);
  }
}
