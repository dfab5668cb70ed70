package io.steuermann.http.protobuf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.math.BigDecimal;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A Kubernetes protobuf message as the JSON kube-apiserver would write for it, generically
 * over the descriptors (a Kubernetes proto field's name is its JSON name).
 */
final class ProtoToJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Told the path of every field the message carried that the descriptors do not know. */
  private final Consumer<String> unknownField;

  ProtoToJson(Consumer<String> unknownField) {
    this.unknownField = unknownField;
  }

  ObjectNode object(Message message, String path) {
    ObjectNode json = NODES.objectNode();
    fill(json, message, path);
    return json;
  }

  /** Writes the fields of {@code message} into {@code json} (after any fields already there). */
  void fill(ObjectNode json, Message message, String path) {
    if (!message.getUnknownFields().asMap().isEmpty()) {
      // newer clients may send fields this proto generation lacks; kube-apiserver drops them too
      message.getUnknownFields().asMap().keySet()
          .forEach(number -> unknownField.accept(path + "#" + number));
    }
    for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
      String fieldPath = path.isEmpty() ? JsonNames.of(field) : path + "." + JsonNames.of(field);
      if (InlineFields.isInline(field)) {
        if (message.hasField(field)) {
          fill(json, (Message) message.getField(field), path);
        }
      } else if (field.isMapField()) {
        @SuppressWarnings("unchecked")
        List<Message> entries = (List<Message>) message.getField(field);
        if (!entries.isEmpty()) {
          json.set(JsonNames.of(field), map(field, entries, fieldPath));
        }
      } else if (field.isRepeated()) {
        int count = message.getRepeatedFieldCount(field);
        if (count > 0) {
          ArrayNode array = json.putArray(JsonNames.of(field));
          for (int i = 0; i < count; i++) {
            value(field, message.getRepeatedField(field, i), fieldPath + "[" + i + "]").ifPresent(array::add);
          }
        }
      } else if (message.hasField(field)) {
        Object value = message.getField(field);
        if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE
            && ZeroValues.isZero(value) && !ZeroValues.meaningful(field)) {
          continue;
        }
        value(field, value, fieldPath).ifPresent(v -> json.set(JsonNames.of(field), v));
      }
    }
  }

  private ObjectNode map(FieldDescriptor field, List<Message> entries, String path) {
    FieldDescriptor key = field.getMessageType().findFieldByName("key");
    FieldDescriptor value = field.getMessageType().findFieldByName("value");
    ObjectNode json = NODES.objectNode();
    for (Message entry : entries) {
      String k = String.valueOf(entry.getField(key));
      // a map value is always written, zero or not: it is the whole point of the entry
      value(value, entry.getField(value), path + "." + k).ifPresent(v -> json.set(k, v));
    }
    return json;
  }

  private Optional<JsonNode> value(FieldDescriptor field, Object value, String path) {
    return switch (field.getJavaType()) {
      case MESSAGE -> {
        Message message = (Message) value;
        yield SpecialTypes.isSpecial(message.getDescriptorForType())
            ? SpecialTypes.toJson(message, path)
            : Optional.of(object(message, path));
      }
      case STRING -> Optional.of(NODES.textNode((String) value));
      case BOOLEAN -> Optional.of(NODES.booleanNode((Boolean) value));
      case INT -> Optional.of(NODES.numberNode((Integer) value));
      // small values as ints, as Jackson parses them, so trees compare equal
      case LONG -> {
        long v = (Long) value;
        yield Optional.of(v == (int) v ? NODES.numberNode((int) v) : NODES.numberNode(v));
      }
      case FLOAT -> Optional.of(NODES.numberNode(new BigDecimal(Float.toString((Float) value))));
      case DOUBLE -> Optional.of(NODES.numberNode(BigDecimal.valueOf((Double) value)));
      // Go encodes []byte as base64 in JSON
      case BYTE_STRING -> Optional.of(NODES.textNode(Base64.getEncoder().encodeToString(((ByteString) value).toByteArray())));
      case ENUM -> Optional.of(NODES.textNode(((EnumValueDescriptor) value).getName()));
    };
  }
}
