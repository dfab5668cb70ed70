package io.steuermann.http.protobuf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import java.io.IOException;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Content negotiation at the edge: a complete JSON response to a client that prefers
 * protobuf is re-encoded, when its kind has a message type. Everything else (Tables,
 * discovery, streams, plain text) stays as it is, which clients accept since they list
 * JSON too.
 */
public final class ProtobufResponses {
  private static final Logger log = LoggerFactory.getLogger(ProtobufResponses.class);

  public static final ContentType.Binary CONTENT_TYPE = ContentTypes.create(
      MediaTypes.customBinary("application", "vnd.kubernetes.protobuf", false));

  private final KubernetesProtobuf codec;

  public ProtobufResponses(KubernetesProtobuf codec) {
    this.codec = codec;
  }

  public HttpResponse negotiate(HttpRequest request, HttpResponse response) {
    String accept = request.getHeader("Accept").map(h -> h.value()).orElse(null);
    if (!AcceptHeader.prefersProtobuf(accept)) {
      return response;
    }
    HttpEntity entity = response.entity();
    if (!(entity instanceof HttpEntity.Strict strict)
        || !entity.getContentType().equals(ContentTypes.APPLICATION_JSON)) {
      return response;
    }
    JsonNode json;
    try {
      json = Json.parse(strict.getData().toArray());
    } catch (IOException e) {
      return response;
    }
    if (!(json instanceof ObjectNode object)) {
      return response;
    }
    Optional<KubernetesProtobuf.Encoded> encoded;
    try {
      encoded = codec.encode(object);
    } catch (ConversionException e) {
      // our own JSON that the proto cannot carry: JSON is still an answer the client takes
      log.warn("cannot encode a {} as protobuf, answering JSON: {}", object.path("kind").asText(), e.getMessage());
      return response;
    }
    if (encoded.isEmpty()) {
      if (!AcceptHeader.acceptsJson(accept) && servedKind(object)) {
        // a kind without protobuf message types (EndpointSlice: client-java-proto has no
        // discovery.k8s.io) is served as kube serves its JSON-only resources: 406 when the
        // client takes nothing else
        return io.steuermann.http.StatusResponses.response(new io.steuermann.engine.model.ApiStatus(406,
            "NotAcceptable", "only the following media types are accepted: application/json", null));
      }
      return response;
    }
    if (!encoded.get().dropped().isEmpty()) {
      log.debug("fields without a protobuf field, not sent: {}", encoded.get().dropped());
    }
    return response.withEntity(HttpEntities.create(CONTENT_TYPE, encoded.get().bytes()));
  }

  /** An object or list of a kind we store (not a Status, Table or discovery document). */
  private static boolean servedKind(ObjectNode object) {
    String kind = object.path("kind").asText("");
    String listOf = kind.endsWith("List") ? kind.substring(0, kind.length() - 4) : kind;
    return io.steuermann.engine.model.Kind.byKindName(listOf)
        .filter(k -> k.apiVersion().equals(object.path("apiVersion").asText("")))
        .isPresent();
  }
}
