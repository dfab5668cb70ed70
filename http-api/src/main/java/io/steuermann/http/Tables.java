package io.steuermann.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.watch.WatchCache;
import io.steuermann.engine.watch.WatchEvent;
import io.steuermann.http.table.IncludeObject;
import io.steuermann.http.table.MediaTypes;
import io.steuermann.http.table.TableConverter;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/** Content negotiation for {@code meta.k8s.io Table} responses, which kubectl asks for. */
public final class Tables {
  private final TableConverter converter;

  public Tables(TableConverter converter) {
    this.converter = converter;
  }

  public boolean wanted(HttpRequest request) {
    return version(request).isPresent();
  }

  public ObjectNode ofObject(HttpRequest request, ObjectNode object) {
    Kind kind = Kind.byKindName(object.path("kind").asText()).orElseThrow();
    return converter.fromObject(kind, object, include(request), version(request).orElseThrow());
  }

  public ObjectNode ofList(HttpRequest request, Kind kind, WatchCache.Snapshot snapshot) {
    return ofList(request, kind, snapshot, null, null);
  }

  /** A Table of one page: kubectl follows {@code continueToken} as it does for lists. */
  public ObjectNode ofList(HttpRequest request, Kind kind, WatchCache.Snapshot snapshot, String continueToken,
      Long remaining) {
    ObjectNode table = converter.fromItems(kind, snapshot.items(), Long.toString(snapshot.resourceVersion()),
        continueToken, include(request), version(request).orElseThrow());
    if (remaining != null) {
      ((ObjectNode) table.path("metadata")).put("remainingItemCount", remaining);
    }
    return table;
  }

  public ObjectNode watchEvent(HttpRequest request, Kind kind, WatchEvent event) {
    Kind of = kind != null ? kind : event.key().kind();
    return converter.watchEvent(of, event.type().name(), event.object(), include(request),
        version(request).orElseThrow(), true);
  }

  private static Optional<String> version(HttpRequest request) {
    return request.getHeader("Accept").map(HttpHeader::value).flatMap(MediaTypes::tableVersion);
  }

  private static IncludeObject include(HttpRequest request) {
    return request.getUri().query().get("includeObject")
        .flatMap(IncludeObject::fromQuery).orElse(IncludeObject.METADATA);
  }
}
