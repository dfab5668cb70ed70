package io.steuermann.http;

import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.selector.FieldSelector;
import io.steuermann.engine.selector.LabelSelector;
import io.steuermann.engine.watch.WatchFilter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.Query;
import org.apache.pekko.pattern.AskTimeoutException;

/** What the reads and the writes of the resource paths share: keys, filters, query values, refusals. */
public final class ResourceRequests {
  private ResourceRequests() {}

  static HttpResponse failure(Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof AskTimeoutException || cause instanceof TimeoutException) {
      return StatusResponses.response(ApiStatus.timeout(
          "the server was unable to return a response in the time allotted, but may still be processing the request"));
    }
    return StatusResponses.response(ApiStatus.internal(String.valueOf(cause.getMessage())));
  }

  static Optional<ObjectKey> key(ResourcePath path) {
    if (path.kind().namespaced() && path.namespace().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(ObjectKey.of(path.kind(), path.namespace(), path.name()));
  }

  static CompletionStage<HttpResponse> notFoundNamespace(ResourcePath path) {
    return done(StatusResponses.response(ApiStatus.notFound(path.kind(), path.name())));
  }

  static boolean knownSubresource(ResourcePath path) {
    return ("status".equals(path.subresource()) && path.kind().hasStatus())
        || ("scale".equals(path.subresource()) && path.kind().hasScale());
  }

  static CompletionStage<HttpResponse> unsupported(HttpRequest request, ResourcePath path) {
    return done(StatusResponses.response(ApiStatus.methodNotAllowed(
        "the server does not allow this method on the requested resource: " + request.method().value()
            + " " + request.getUri().path())));
  }

  static WatchFilter filter(ResourcePath path, Query query) {
    return new WatchFilter(path.kind(), path.namespace(),
        LabelSelector.parse(query.get("labelSelector").orElse("")),
        FieldSelector.parse(query.get("fieldSelector").orElse("")));
  }

  static String joinSelectors(String a, String b) {
    return b.isEmpty() ? a : a + "," + b;
  }

  /** A boolean query parameter as kube-apiserver reads it ("true" in any case, or "1"). */
  public static boolean isTrue(Optional<String> value) {
    return value.map(v -> v.equals("1") || v.equalsIgnoreCase("true")).orElse(false);
  }

  static CompletionStage<HttpResponse> done(HttpResponse response) {
    return CompletableFuture.completedFuture(response);
  }

  static Duration seconds(Optional<String> value, Duration fallback) {
    try {
      return value.map(v -> Duration.ofSeconds(Long.parseLong(v))).orElse(fallback);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
