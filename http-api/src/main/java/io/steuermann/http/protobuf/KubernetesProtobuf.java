package io.steuermann.http.protobuf;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code application/vnd.kubernetes.protobuf} bodies to and from the JSON trees the server
 * works with. JSON stays the source of truth: protobuf exists only at the edge.
 */
public final class KubernetesProtobuf {
  public static final String MEDIA_TYPE = "application/vnd.kubernetes.protobuf";

  private static final Set<String> TYPE_FIELDS = Set.of("apiVersion", "kind");

  /** A decoded body and the paths of fields it carried that were dropped (unknown to the proto). */
  public record Decoded(ObjectNode json, List<String> dropped) {}

  /** An encoded body and the JSON fields the message type had no place for. */
  public record Encoded(byte[] bytes, List<String> dropped) {}

  /** Whether objects of this {@code apiVersion}/{@code kind} can be written as protobuf. */
  public boolean encodes(String apiVersion, String kind) {
    return MessageTypes.forKind(apiVersion, kind).isPresent();
  }

  /** A protobuf body: the envelope, its kind looked up, the message read into JSON. */
  public Decoded decode(byte[] body) {
    Envelope envelope = Envelope.parse(body);
    Message type = MessageTypes.forKind(envelope.apiVersion(), envelope.kind())
        .orElseThrow(() -> new ConversionException("no kind \"" + envelope.kind()
            + "\" is registered for version \"" + envelope.apiVersion() + "\" in protobuf"));
    Message message;
    try {
      // dynamic messages: map-backed field access, several times faster than the generated
      // classes' reflective accessors; the generated classes supply the descriptors
      message = DynamicMessage.parseFrom(type.getDescriptorForType(), envelope.raw());
    } catch (InvalidProtocolBufferException e) {
      throw new ConversionException("the " + envelope.kind() + " in the protobuf body is truncated or corrupt: "
          + e.getMessage());
    }
    List<String> dropped = new ArrayList<>();
    ObjectNode json = io.steuermann.engine.model.Json.object();
    if (!envelope.apiVersion().isEmpty()) {
      json.put("apiVersion", envelope.apiVersion());
    }
    json.put("kind", envelope.kind());
    new ProtoToJson(dropped::add).fill(json, message, "");
    return new Decoded(json, List.copyOf(dropped));
  }

  /** The protobuf body of a JSON object, when its kind has a message type. */
  public Optional<Encoded> encode(ObjectNode json) {
    String apiVersion = json.path("apiVersion").asText("");
    String kind = json.path("kind").asText("");
    Optional<Message> type = MessageTypes.forKind(apiVersion, kind);
    if (type.isEmpty()) {
      return Optional.empty();
    }
    List<String> dropped = new ArrayList<>();
    Message message = new JsonToProto(dropped::add)
        .message(DynamicMessage.newBuilder(type.get().getDescriptorForType()), json, "", TYPE_FIELDS);
    byte[] bytes = new Envelope(apiVersion, kind, message.toByteString()).toBytes();
    return Optional.of(new Encoded(bytes, List.copyOf(dropped)));
  }
}
