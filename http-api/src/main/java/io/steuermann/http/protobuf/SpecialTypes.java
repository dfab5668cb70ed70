package io.steuermann.http.protobuf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.steuermann.engine.model.Json;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The apimachinery types whose JSON form is not their message form: timestamps are strings,
 * IntOrString is a number or a string, a Quantity is a string, raw extensions and field sets
 * are embedded JSON. Everything else converts field by field.
 */
final class SpecialTypes {
  static final String TIME = "k8s.io.apimachinery.pkg.apis.meta.v1.Time";
  static final String MICRO_TIME = "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime";
  static final String DURATION = "k8s.io.apimachinery.pkg.apis.meta.v1.Duration";
  static final String FIELDS_V1 = "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1";
  static final String INT_OR_STRING = "k8s.io.apimachinery.pkg.util.intstr.IntOrString";
  static final String QUANTITY = "k8s.io.apimachinery.pkg.api.resource.Quantity";
  static final String RAW_EXTENSION = "k8s.io.apimachinery.pkg.runtime.RawExtension";

  // Go's time.RFC3339 for a UTC time, which is what metav1.Time marshals to
  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
  // metav1.RFC3339Micro: always six fractional digits
  private static final DateTimeFormatter MICROS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private SpecialTypes() {}

  static boolean isSpecial(Descriptor type) {
    return switch (type.getFullName()) {
      case TIME, MICRO_TIME, DURATION, FIELDS_V1, INT_OR_STRING, QUANTITY, RAW_EXTENSION -> true;
      default -> isApiExtensionsJson(type);
    };
  }

  /** apiextensions' {@code JSON} (a schema's default, example, enum values): raw JSON bytes. */
  private static boolean isApiExtensionsJson(Descriptor type) {
    return type.getName().equals("JSON") && type.getFullName().contains("apiextensions");
  }

  /**
   * The JSON of a special message; empty when it stands for no value (a zero timestamp, which
   * Go writes as an empty message and its JSON encoder as {@code null}).
   */
  static Optional<JsonNode> toJson(Message message, String path) {
    Descriptor type = message.getDescriptorForType();
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    switch (type.getFullName()) {
      case TIME, MICRO_TIME -> {
        long seconds = (Long) get(message, "seconds", 0L);
        int nanos = (Integer) get(message, "nanos", 0);
        if (seconds == 0 && nanos == 0) {
          return Optional.empty();
        }
        Instant instant = Instant.ofEpochSecond(seconds, nanos);
        return Optional.of(nodes.textNode(
            (type.getFullName().equals(TIME) ? SECONDS : MICROS).format(instant)));
      }
      case DURATION -> {
        return Optional.of(nodes.textNode(GoDurations.format((Long) get(message, "duration", 0L))));
      }
      case INT_OR_STRING -> {
        long kind = (Long) get(message, "type", 0L);
        return Optional.of(kind == 1
            ? nodes.textNode((String) get(message, "strVal", ""))
            : nodes.numberNode((Integer) get(message, "intVal", 0)));
      }
      case QUANTITY -> {
        return Optional.of(nodes.textNode((String) get(message, "string", "")));
      }
      default -> {
        // RawExtension, FieldsV1 and apiextensions JSON: one bytes field holding JSON
        ByteString raw = (ByteString) message.getField(type.getFields().get(0));
        if (raw.isEmpty()) {
          return Optional.empty();
        }
        try {
          return Optional.of(Json.parse(raw.toByteArray()));
        } catch (IOException e) {
          throw new ConversionException(path + ": the embedded object is not JSON: " + e.getMessage());
        }
      }
    }
  }

  /** The message for the JSON of a special type. */
  static Message fromJson(Message.Builder builder, JsonNode json, String path) {
    Descriptor type = builder.getDescriptorForType();
    switch (type.getFullName()) {
      case TIME, MICRO_TIME -> {
        if (!json.isTextual()) {
          throw new ConversionException(path + ": a timestamp must be a string");
        }
        Instant instant;
        try {
          instant = DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(json.asText(), Instant::from);
        } catch (DateTimeParseException e) {
          throw new ConversionException(path + ": not an RFC 3339 timestamp: " + json.asText());
        }
        set(builder, "seconds", instant.getEpochSecond());
        if (instant.getNano() != 0 || type.getFullName().equals(MICRO_TIME)) {
          set(builder, "nanos", instant.getNano());
        }
      }
      case DURATION -> {
        if (!json.isTextual()) {
          throw new ConversionException(path + ": a duration must be a string such as \"1m30s\"");
        }
        try {
          set(builder, "duration", GoDurations.parse(json.asText()));
        } catch (IllegalArgumentException e) {
          throw new ConversionException(path + ": " + e.getMessage());
        }
      }
      case INT_OR_STRING -> {
        if (json.isIntegralNumber() && json.canConvertToInt()) {
          set(builder, "type", 0L);
          set(builder, "intVal", json.intValue());
        } else if (json.isTextual()) {
          set(builder, "type", 1L);
          set(builder, "strVal", json.asText());
        } else {
          throw new ConversionException(path + ": must be an integer or a string");
        }
      }
      case QUANTITY -> {
        // a client may write a quantity as a bare number; it means the same as its digits
        if (!json.isTextual() && !json.isNumber()) {
          throw new ConversionException(path + ": a quantity must be a string");
        }
        set(builder, "string", json.asText());
      }
      default -> builder.setField(type.getFields().get(0), ByteString.copyFrom(Json.bytes(json)));
    }
    return builder.build();
  }

  private static Object get(Message message, String field, Object absent) {
    FieldDescriptor f = message.getDescriptorForType().findFieldByName(field);
    return message.hasField(f) ? message.getField(f) : absent;
  }

  private static void set(Message.Builder builder, String field, Object value) {
    builder.setField(builder.getDescriptorForType().findFieldByName(field), value);
  }
}
