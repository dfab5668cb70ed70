package io.steuermann.http.protobuf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * JSON into a Kubernetes protobuf message, generically over the descriptors. Every field the
 * JSON has is set, zeros included, so presence survives; {@code null} means absent, as in Go.
 */
final class JsonToProto {
  /** Told the path of every JSON field the message type has no field for. */
  private final Consumer<String> unknownField;

  JsonToProto(Consumer<String> unknownField) {
    this.unknownField = unknownField;
  }

  /**
   * Fills {@code builder} from {@code json}; {@code skip} names top-level fields that live
   * elsewhere (the envelope's {@code apiVersion} and {@code kind}).
   */
  Message message(Message.Builder builder, JsonNode json, String path, Set<String> skip) {
    if (!json.isObject()) {
      throw new ConversionException(where(path) + "must be an object, not " + json.getNodeType());
    }
    Descriptor type = builder.getDescriptorForType();
    ObjectNode own = inline(builder, (ObjectNode) json, path);
    Iterator<Map.Entry<String, JsonNode>> fields = own.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      String name = e.getKey();
      JsonNode value = e.getValue();
      String fieldPath = path.isEmpty() ? name : path + "." + name;
      if (skip.contains(name) || value.isNull()) {
        continue;
      }
      FieldDescriptor field = JsonNames.find(type, name);
      if (field == null) {
        unknownField.accept(fieldPath);
        continue;
      }
      if (field.isMapField()) {
        map(builder, field, value, fieldPath);
      } else if (field.isRepeated()) {
        if (!value.isArray()) {
          throw new ConversionException(fieldPath + ": must be an array");
        }
        for (int i = 0; i < value.size(); i++) {
          if (!value.get(i).isNull()) {
            builder.addRepeatedField(field, value(builder, field, value.get(i), fieldPath + "[" + i + "]"));
          }
        }
      } else {
        builder.setField(field, value(builder, field, value, fieldPath));
      }
    }
    return builder.build();
  }

  /**
   * Moves the JSON fields that belong to an inlined struct ({@code httpGet} of a probe) into
   * that field's message; answers the fields left for the message itself.
   */
  private ObjectNode inline(Message.Builder builder, ObjectNode json, String path) {
    List<FieldDescriptor> inlined = InlineFields.of(builder.getDescriptorForType());
    if (inlined.isEmpty()) {
      return json;
    }
    ObjectNode own = JsonNodeFactory.instance.objectNode();
    own.setAll(json);
    for (FieldDescriptor field : inlined) {
      ObjectNode part = JsonNodeFactory.instance.objectNode();
      for (FieldDescriptor inner : field.getMessageType().getFields()) {
        if (builder.getDescriptorForType().findFieldByName(inner.getName()) == null && own.has(inner.getName())) {
          part.set(inner.getName(), own.remove(inner.getName()));
        }
      }
      if (!part.isEmpty()) {
        builder.setField(field, message(builder.newBuilderForField(field), part, path, Set.of()));
      }
    }
    return own;
  }

  private void map(Message.Builder builder, FieldDescriptor field, JsonNode json, String path) {
    if (!json.isObject()) {
      throw new ConversionException(path + ": must be an object");
    }
    Descriptor entryType = field.getMessageType();
    FieldDescriptor key = entryType.findFieldByName("key");
    FieldDescriptor value = entryType.findFieldByName("value");
    Iterator<Map.Entry<String, JsonNode>> entries = json.fields();
    while (entries.hasNext()) {
      Map.Entry<String, JsonNode> e = entries.next();
      Message.Builder entry = builder.newBuilderForField(field);
      entry.setField(key, e.getKey());
      if (!e.getValue().isNull()) {
        entry.setField(value, value(entry, value, e.getValue(), path + "." + e.getKey()));
      }
      builder.addRepeatedField(field, entry.build());
    }
  }

  private Object value(Message.Builder parent, FieldDescriptor field, JsonNode json, String path) {
    switch (field.getJavaType()) {
      case MESSAGE -> {
        Message.Builder nested = parent.newBuilderForField(field);
        return SpecialTypes.isSpecial(field.getMessageType())
            ? SpecialTypes.fromJson(nested, json, path)
            : message(nested, json, path, Set.of());
      }
      case STRING -> {
        if (!json.isTextual()) {
          throw new ConversionException(path + ": must be a string, not " + json.getNodeType());
        }
        return json.asText();
      }
      case BOOLEAN -> {
        if (!json.isBoolean()) {
          throw new ConversionException(path + ": must be a boolean, not " + json.getNodeType());
        }
        return json.booleanValue();
      }
      case INT -> {
        if (!json.isIntegralNumber() || !json.canConvertToInt()) {
          throw new ConversionException(path + ": must be a 32-bit integer, not " + json);
        }
        return json.intValue();
      }
      case LONG -> {
        if (!json.isIntegralNumber() || !json.canConvertToLong()) {
          throw new ConversionException(path + ": must be an integer, not " + json);
        }
        return json.longValue();
      }
      case FLOAT -> {
        return number(json, path).floatValue();
      }
      case DOUBLE -> {
        return number(json, path).doubleValue();
      }
      case BYTE_STRING -> {
        try {
          return ByteString.copyFrom(Base64.getDecoder().decode(json.asText()));
        } catch (IllegalArgumentException e) {
          throw new ConversionException(path + ": must be base64: " + e.getMessage());
        }
      }
      case ENUM -> {
        EnumValueDescriptor v = field.getEnumType().findValueByName(json.asText());
        if (v == null) {
          throw new ConversionException(path + ": unknown value " + json);
        }
        return v;
      }
      default -> throw new ConversionException(path + ": unsupported field type " + field.getJavaType());
    }
  }

  private static Number number(JsonNode json, String path) {
    if (!json.isNumber()) {
      throw new ConversionException(path + ": must be a number, not " + json.getNodeType());
    }
    return json.numberValue();
  }

  private static String where(String path) {
    return path.isEmpty() ? "the object " : path + ": ";
  }
}
