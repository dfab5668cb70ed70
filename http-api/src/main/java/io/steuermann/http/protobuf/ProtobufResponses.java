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
      return response;
    }
    if (!encoded.get().dropped().isEmpty()) {
      log.debug("fields without a protobuf field, not sent: {}", encoded.get().dropped());
    }
    return response.withEntity(HttpEntities.create(CONTENT_TYPE, encoded.get().bytes()));
  }
}
