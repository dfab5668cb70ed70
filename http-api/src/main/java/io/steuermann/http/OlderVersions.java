package io.steuermann.http;

import io.steuermann.engine.api.Stages;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.Engine;
import io.steuermann.engine.autoscaling.AutoscalerConversion;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.patch.JsonMergePatch;
import io.steuermann.engine.patch.JsonPatch;
import io.steuermann.engine.patch.PatchException;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Framing;
import org.apache.pekko.stream.javadsl.FramingTruncation;
import org.apache.pekko.util.ByteString;

/**
 * A kind served at an older version than it is stored in (only HorizontalPodAutoscaler at
 * autoscaling/v1, {@link Kind#servedVersions}): the request body has been converted to the
 * stored version by {@link RequestBodies}; the objects in the answer (an object, a list, watch
 * events) are converted back here ({@link AutoscalerConversion}), as kube-apiserver converts at
 * its edge. A patch is applied to the object as the older version shows it, then written
 * back as a replace conditional on the resourceVersion it was read at. Not converted:
 * server-side apply at v1 (refused with 415) and {@code text/event-stream} watches (answered
 * in the stored version).
 */
final class OlderVersions {
  private static final long BODY_TIMEOUT_MILLIS = 10_000;
  private static final int MAX_EVENT_BYTES = 16 * 1024 * 1024;

  private final Engine engine;
  private final ResourceHandler resources;
  private final Materializer materializer;

  OlderVersions(Engine engine, ResourceHandler resources) {
    this.engine = engine;
    this.resources = resources;
    this.materializer = Materializer.createMaterializer(engine.system());
  }

  CompletionStage<HttpResponse> handle(HttpRequest request, ResourcePath path) {
    if (path.kind() != Kind.HORIZONTAL_POD_AUTOSCALER) {
      return done(StatusResponses.response(new ApiStatus(404, "NotFound",
          "the server could not find the requested resource", null)));
    }
    if (request.method().equals(HttpMethods.PATCH)) {
      return patch(request, path, request.entity().getContentType().mediaType().toString());
    }
    // the body, of whichever version, is converted to the stored one by RequestBodies
    boolean watch = path.watchPrefix() || request.getUri().query().get("watch").map("true"::equals).orElse(false)
        || request.getUri().query().get("watch").map("1"::equals).orElse(false);
    return resources.handle(request, path).thenCompose(response -> watch ? done(watchEvents(response))
        : converted(response));
  }

  /** Reads the object as v1, applies the patch there, and replaces it with the result in v2. */
  private CompletionStage<HttpResponse> patch(HttpRequest request, ResourcePath path, String mediaType) {
    boolean json = mediaType.equals("application/json-patch+json");
    if (!json && !mediaType.equals("application/merge-patch+json")
        && !mediaType.equals("application/strategic-merge-patch+json")) {
      return done(StatusResponses.response(ApiStatus.unsupportedMediaType("the body of the request was in an "
          + "unknown format - accepted media types at autoscaling/v1 include: application/json-patch+json, "
          + "application/merge-patch+json, application/strategic-merge-patch+json")));
    }
    ObjectKey key = ObjectKey.of(path.kind(), path.namespace(), path.name());
    return Stages.on(materializer.executionContext(), request.entity().toStrict(BODY_TIMEOUT_MILLIS, materializer))
        .thenCompose(strict ->
        engine.store().get(key).thenCompose(reply -> {
          if (!(reply instanceof ObjectCommand.Done got)) {
            return done(StatusResponses.response(((ObjectCommand.Refused) reply).status()));
          }
          JsonNode patched;
          try {
            JsonNode patch = Json.parse(strict.getData().toArray());
            ObjectNode v1 = AutoscalerConversion.toV1(got.object());
            patched = json ? JsonPatch.apply(v1, patch) : JsonMergePatch.apply(v1, patch);
          } catch (IOException | PatchException e) {
            return done(StatusResponses.response(ApiStatus.badRequest(e.getMessage())));
          }
          if (!patched.isObject()) {
            return done(StatusResponses.response(ApiStatus.badRequest("the patch does not leave an object")));
          }
          ObjectNode v2 = AutoscalerConversion.toV2(patched);
          // conditional on what the patch was applied to: a concurrent change answers 409
          ((ObjectNode) v2.path("metadata")).set("resourceVersion", got.object().path("metadata").path("resourceVersion"));
          HttpRequest put = HttpRequest.PUT(request.getUri().toString())
              .addHeaders(request.getHeaders())
              .withEntity(ContentTypes.APPLICATION_JSON, Json.bytes(v2));
          return resources.handle(put, path).thenCompose(this::converted);
        }));
  }

  private CompletionStage<HttpResponse> converted(HttpResponse response) {
    if (!response.entity().getContentType().equals(ContentTypes.APPLICATION_JSON)) {
      return done(response);
    }
    return Stages.on(materializer.executionContext(), response.entity().toStrict(BODY_TIMEOUT_MILLIS, materializer))
        .thenApply(strict -> {
      try {
        JsonNode body = Json.parse(strict.getData().toArray());
        return response.withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, Json.bytes(toOlder(body))));
      } catch (IOException e) {
        return response.withEntity(strict);
      }
    });
  }

  /** An object or a list of the stored version as the older one; anything else (a Status, a Table) as it is. */
  static JsonNode toOlder(JsonNode body) {
    String kind = body.path("kind").asText();
    if (kind.equals("HorizontalPodAutoscaler")) {
      return AutoscalerConversion.toV1(body);
    }
    if (kind.equals("HorizontalPodAutoscalerList") && body instanceof ObjectNode list) {
      ObjectNode out = list.deepCopy();
      out.put("apiVersion", "autoscaling/v1");
      ArrayNode items = out.putArray("items");
      body.path("items").forEach(i -> items.add(AutoscalerConversion.toV1(i)));
      return out;
    }
    return body;
  }

  /** A JSON watch stream, one event a line: each event's object converted. */
  private static HttpResponse watchEvents(HttpResponse response) {
    HttpEntity entity = response.entity();
    if (!entity.getContentType().equals(ContentTypes.APPLICATION_JSON)) {
      return response;
    }
    return response.withEntity(HttpEntities.createChunked(ContentTypes.APPLICATION_JSON, entity.getDataBytes()
        .via(Framing.delimiter(ByteString.fromString("\n"), MAX_EVENT_BYTES, FramingTruncation.ALLOW))
        .map(line -> {
          try {
            JsonNode event = Json.parse(line.toArray());
            if (event instanceof ObjectNode e && e.get("object") instanceof ObjectNode object) {
              if (e.path("type").asText().equals("BOOKMARK")) {
                // a bookmark's object carries only its resourceVersion
                object.put("apiVersion", "autoscaling/v1");
              } else {
                e.set("object", toOlder(object));
              }
              return ByteString.fromArray(Json.bytes(e)).concat(ByteString.fromString("\n"));
            }
          } catch (IOException ex) {
            // not an event: passed on as it came
          }
          return line.concat(ByteString.fromString("\n"));
        })));
  }

  private static CompletionStage<HttpResponse> done(HttpResponse response) {
    return CompletableFuture.completedFuture(response);
  }
}
