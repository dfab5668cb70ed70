package io.steuermann.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.watch.WatchCache;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * Renders objects and lists as the client asked: Kubernetes JSON, or a {@code Table} when
 * the Accept header asks for one (as {@code kubectl get} does).
 */
public final class Responses {
  private final Tables tables;

  public Responses(Tables tables) {
    this.tables = tables;
  }

  public HttpResponse json(int code, JsonNode body) {
    return HttpResponse.create()
        .withStatus(StatusCodes.get(code))
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, Json.bytes(body)));
  }

  public HttpResponse object(HttpRequest request, int code, ObjectNode object) {
    if (tables.wanted(request)) {
      return json(code, tables.ofObject(request, object));
    }
    return json(code, object);
  }

  public HttpResponse list(HttpRequest request, Kind kind, WatchCache.Snapshot snapshot) {
    return list(request, kind, snapshot, null, null);
  }

  /**
   * A list, or one page of it: {@code continueToken} (null on the last page) asks for the next,
   * {@code remaining} (null when not counted) says how many objects follow.
   */
  public HttpResponse list(HttpRequest request, Kind kind, WatchCache.Snapshot snapshot, String continueToken,
      Long remaining) {
    if (tables.wanted(request)) {
      return json(200, tables.ofList(request, kind, snapshot, continueToken, remaining));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(256 + snapshot.items().size() * 1024);
    try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("kind", kind.kindName() + "List");
      g.writeStringField("apiVersion", kind.apiVersion());
      g.writeObjectFieldStart("metadata");
      g.writeStringField("resourceVersion", Long.toString(snapshot.resourceVersion()));
      if (continueToken != null) {
        g.writeStringField("continue", continueToken);
      }
      if (remaining != null) {
        g.writeNumberField("remainingItemCount", remaining);
      }
      g.writeEndObject();
      g.writeArrayFieldStart("items");
      for (ObjectNode item : snapshot.items()) {
        Json.MAPPER.writeTree(g, item);
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return HttpResponse.create()
        .withStatus(StatusCodes.OK)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, out.toByteArray()));
  }
}
