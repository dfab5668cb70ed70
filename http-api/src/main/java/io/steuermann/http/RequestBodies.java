package io.steuermann.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Json;
import io.steuermann.http.protobuf.ConversionException;
import io.steuermann.http.protobuf.KubernetesProtobuf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.io.IOException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import io.steuermann.engine.api.Stages;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.Materializer;

/**
 * Reads request bodies with a size bound, JSON or Kubernetes protobuf (converted to JSON
 * here); malformed or oversized bodies become refusals.
 */
final class RequestBodies {
  private static final Logger log = LoggerFactory.getLogger(RequestBodies.class);

  /**
   * What a body turned into: JSON, or the refusal to answer; {@code raw} is the JSON as sent
   * (null for protobuf), where duplicate fields can still be seen.
   */
  record Body(JsonNode json, ApiStatus refusal, byte[] raw) {
    Body(JsonNode json, ApiStatus refusal) {
      this(json, refusal, null);
    }
  }

  private static final ApiStatus EMPTY = ApiStatus.badRequest("the request body is empty");

  private final long maxBytes;
  private final long timeoutMillis;
  private final Materializer materializer;
  private final Executor executor;
  private final KubernetesProtobuf codec;

  RequestBodies(long maxBytes, long timeoutMillis, Materializer materializer, Executor executor,
      KubernetesProtobuf codec) {
    this.codec = codec;
    this.maxBytes = maxBytes;
    this.timeoutMillis = timeoutMillis;
    this.materializer = materializer;
    this.executor = executor;
  }

  CompletionStage<Body> json(HttpRequest request) {
    String mediaType = request.entity().getContentType().mediaType().toString();
    boolean protobuf = mediaType.equals(KubernetesProtobuf.MEDIA_TYPE);
    if (!protobuf && (mediaType.contains("protobuf") || mediaType.contains("cbor") || mediaType.contains("yaml"))) {
      // Kubernetes clients fall back to JSON when the server answers 415 to protobuf or CBOR
      request.discardEntityBytes(materializer);
      return java.util.concurrent.CompletableFuture.completedFuture(new Body(null, ApiStatus.unsupportedMediaType(
          "the body of the request was in an unknown format - accepted media types include: "
              + "application/json, application/vnd.kubernetes.protobuf, application/merge-patch+json, "
              + "application/json-patch+json, application/strategic-merge-patch+json")));
    }
    return read(request, bytes -> protobuf ? protobuf(bytes) : parseJson(bytes)).thenApply(RequestBodies::stored);
  }

  /**
   * An object of an older served version in the version it is stored in, whatever the path's
   * version, as kube-apiserver decodes any version of the group a body names ({@code kubectl
   * autoscale} 1.32 posts an autoscaling/v1 object to the preferred v2 path).
   */
  private static Body stored(Body body) {
    if (body.json() != null && body.json().path("apiVersion").asText().equals("autoscaling/v1")
        && body.json().path("kind").asText().equals("HorizontalPodAutoscaler")) {
      com.fasterxml.jackson.databind.node.ObjectNode v2 =
          io.steuermann.engine.autoscaling.AutoscalerConversion.toV2(body.json());
      return new Body(v2, null, body.raw() == null ? null : Json.bytes(v2));
    }
    return body;
  }

  /** The body of a server-side apply ({@code application/apply-patch+yaml}): JSON or YAML. */
  CompletionStage<Body> apply(HttpRequest request) {
    return read(request, ApplyBodies::parse);
  }

  private Body parseJson(byte[] bytes) {
    try {
      return new Body(Json.parse(bytes), null, bytes);
    } catch (IOException e) {
      return new Body(null, ApiStatus.badRequest(
          "the body of the request was in an unknown format or is not valid JSON: "
              + firstLine(e.getMessage())));
    }
  }

  private CompletionStage<Body> read(HttpRequest request, java.util.function.Function<byte[], Body> decode) {
    java.util.OptionalLong declared = request.entity().getContentLengthOption();
    if (declared.isPresent() && declared.getAsLong() > maxBytes) {
      request.discardEntityBytes(materializer);
      return java.util.concurrent.CompletableFuture.completedFuture(new Body(null, tooLarge()));
    }
    return Stages.on(executor, request.entity().toStrict(timeoutMillis, maxBytes, materializer))
        .handle((strict, error) -> {
          if (error != null) {
            Throwable cause = error.getCause() != null ? error.getCause() : error;
            if (isTooLarge(cause) || isTooLarge(error)) {
              return new Body(null, tooLarge());
            }
            return new Body(null, ApiStatus.badRequest("cannot read the request body: " + cause.getMessage()));
          }
          byte[] bytes = strict.getData().toArray();
          if (bytes.length == 0) {
            return new Body(null, EMPTY);
          }
          return decode.apply(bytes);
        });
  }

  /**
   * An optional options body (a DELETE's {@code DeleteOptions}): none, an empty one, or one in
   * a media type we do not decode (CBOR, YAML) all mean the
   * defaults, {@code {}}; malformed JSON is still refused.
   */
  CompletionStage<Body> options(HttpRequest request) {
    if (request.entity().isKnownEmpty()) {
      return java.util.concurrent.CompletableFuture.completedFuture(new Body(Json.object(), null));
    }
    return json(request).thenApply(body -> {
      if (body.refusal() == null) {
        return body;
      }
      boolean defaults = body.refusal().code() == 415 || EMPTY.equals(body.refusal());
      return defaults ? new Body(Json.object(), null) : body;
    });
  }

  /** A protobuf body becomes the JSON it stands for; the JSON pipeline then runs unchanged. */
  private Body protobuf(byte[] bytes) {
    try {
      KubernetesProtobuf.Decoded decoded = codec.decode(bytes);
      if (!decoded.dropped().isEmpty()) {
        // as kube-apiserver does: fields this proto generation lacks are not kept
        log.debug("protobuf fields unknown here, dropped: {}", decoded.dropped());
      }
      return new Body(decoded.json(), null);
    } catch (ConversionException e) {
      return new Body(null, ApiStatus.badRequest(e.getMessage()));
    }
  }

  private ApiStatus tooLarge() {
    return ApiStatus.tooLarge("the request body is larger than the limit of " + maxBytes + " bytes");
  }

  /** pekko-http reports an oversized body as a size exception or as "Request too large". */
  private static boolean isTooLarge(Throwable t) {
    if (t instanceof EntityStreamSizeException) {
      return true;
    }
    return t instanceof EntityStreamException e && e.info().summary().startsWith("Request too large");
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
