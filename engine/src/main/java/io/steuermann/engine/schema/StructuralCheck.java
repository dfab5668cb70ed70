package io.steuermann.engine.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.validation.FieldError;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a JSON document against a kind's schema as Kubernetes' typed decoder does: every
 * value must have its field's JSON type (an int32 must fit, an IntOrString is an integer or a
 * string, a Quantity a string in quantity syntax or a number, a Time an RFC 3339 string), and
 * a string whose schema lists an {@code enum} must be one of those values. Null goes anywhere
 * (Go decodes it to the zero value; a patch uses it to remove). One walk over the document;
 * unknown fields are not its business ({@code UnknownFields} prunes them).
 */
public final class StructuralCheck {
  /** Enough to name what is wrong; a document with more is refused all the same. */
  static final int MAX_ERRORS = 50;

  // Go's time.RFC3339 layout as time.Parse accepts it: seconds required, fraction optional
  private static final Pattern RFC3339 =
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})");
  // resource.ParseQuantity: a signed decimal number, then a binary or decimal SI suffix or an exponent
  private static final Pattern QUANTITY = Pattern.compile(
      "[+-]?(\\d+(\\.\\d*)?|\\.\\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\\d+)?");

  /**
   * What is wrong. {@code typeErrors} make the document undecodable (kube-apiserver answers a
   * create or update with 400, a patch with 422); {@code enumErrors} are validation (422).
   * {@code decodeError} words the first type error as Go's decoder does, for the message.
   */
  public record Result(List<FieldError> typeErrors, List<FieldError> enumErrors, String decodeError) {
    public boolean ok() {
      return typeErrors.isEmpty() && enumErrors.isEmpty();
    }

    /** Both kinds of error, type errors first. */
    public List<FieldError> all() {
      List<FieldError> all = new ArrayList<>(typeErrors);
      all.addAll(enumErrors);
      return all;
    }
  }

  // read once: only the validation-cost benchmark turns it off (-Dsteuermann.api.structural-validation=false)
  private static final boolean ENABLED =
      !"false".equalsIgnoreCase(System.getProperty("steuermann.api.structural-validation", "true"));

  private final List<FieldError> typeErrors = new ArrayList<>();
  private final List<FieldError> enumErrors = new ArrayList<>();
  private String decodeError;

  private StructuralCheck() {}

  /** Whether writes are checked at all: always, except in the benchmark that measures what it costs. */
  public static boolean enabled() {
    return ENABLED;
  }

  /** Checks a whole object, or a merge or strategic merge patch (whose directives it skips). */
  public static Result check(FieldSchema schema, JsonNode document) {
    StructuralCheck check = new StructuralCheck();
    check.walk(schema, document, "", "", "");
    return new Result(List.copyOf(check.typeErrors), List.copyOf(check.enumErrors), check.decodeError);
  }

  /**
   * The schema at a JSON pointer ({@code /spec/containers/0/image}), for the value a JSON
   * patch operation puts there; null where the schema does not reach (unknown fields, free-form).
   */
  public static FieldSchema at(FieldSchema root, String pointer) {
    FieldSchema s = root;
    if (pointer.isEmpty()) {
      return s;
    }
    for (String raw : pointer.substring(1).split("/", -1)) {
      String token = raw.replace("~1", "/").replace("~0", "~");
      if (s == null || s.keepsEverything()) {
        return null;
      }
      if (s.properties != null) {
        s = s.properties.get(token);
      } else if (s.mapValues != null) {
        s = s.mapValues;
      } else if (s.items != null) {
        s = s.items;
      } else {
        return null;
      }
    }
    return s;
  }

  /** Checks one value against the schema at its place ({@code path} as a field path). */
  public static Result checkValue(FieldSchema schema, JsonNode value, String path) {
    StructuralCheck check = new StructuralCheck();
    check.walk(schema, value, path, path.replaceAll("\\[[^]]*]", ""), "");
    return new Result(List.copyOf(check.typeErrors), List.copyOf(check.enumErrors), check.decodeError);
  }

  private void walk(FieldSchema schema, JsonNode node, String path, String goPath, String struct) {
    if (node == null || node.isNull() || schema.keepsEverything() || full()) {
      return;
    }
    if (!fits(schema, node)) {
      mismatch(schema, node, path, goPath, struct);
      return;
    }
    if (schema.properties != null) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        FieldSchema known = schema.properties.get(field.getKey());
        if (known != null) {
          String at = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
          String goAt = goPath.isEmpty() ? field.getKey() : goPath + "." + field.getKey();
          walk(known, field.getValue(), at, goAt, schema.structName);
        }
      }
    } else if (schema.mapValues != null) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        if (!entry.getKey().startsWith("$")) {
          walk(schema.mapValues, entry.getValue(), path + "[" + entry.getKey() + "]", goPath, struct);
        }
      }
    } else if (schema.items != null) {
      for (int i = 0; i < node.size(); i++) {
        walk(schema.items, node.get(i), path + "[" + i + "]", goPath, struct);
      }
    } else if (schema.enumValues != null && node.isTextual() && !node.textValue().isEmpty()
        && !schema.enumValues.contains(node.textValue())) {
      enumErrors.add(FieldError.notSupported(path, node.textValue(), schema.enumValues));
    }
  }

  private boolean full() {
    return typeErrors.size() + enumErrors.size() >= MAX_ERRORS;
  }

  private static boolean fits(FieldSchema schema, JsonNode node) {
    return switch (schema.type) {
      case ANY, UNKNOWN -> true;
      case OBJECT -> node.isObject();
      case ARRAY -> node.isArray();
      case STRING -> node.isTextual();
      case BOOLEAN -> node.isBoolean();
      case NUMBER -> node.isNumber();
      case INTEGER -> integral(node, schema.int32);
      case INT_OR_STRING -> node.isTextual() || integral(node, true);
      case QUANTITY -> node.isNumber() || (node.isTextual() && QUANTITY.matcher(node.textValue()).matches());
      case DATE_TIME -> node.isTextual() && isTime(node.textValue());
    };
  }

  private static boolean integral(JsonNode node, boolean int32) {
    return node.isIntegralNumber() && (int32 ? node.canConvertToInt() : node.canConvertToLong());
  }

  private static boolean isTime(String text) {
    if (!RFC3339.matcher(text).matches()) {
      return false;
    }
    try {
      OffsetDateTime.parse(text);
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  private void mismatch(FieldSchema schema, JsonNode node, String path, String goPath, String struct) {
    String sent = jsonType(node);
    String detail;
    String decode;
    if (schema.type == FieldSchema.Type.QUANTITY && node.isTextual()) {
      detail = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
      decode = detail;
      typeErrors.add(FieldError.invalid(path, node.textValue(), detail));
    } else if (schema.type == FieldSchema.Type.DATE_TIME && node.isTextual()) {
      detail = "must be an RFC 3339 date-time (2006-01-02T15:04:05Z07:00)";
      decode = "parsing time " + quote(node.textValue()) + " as \"2006-01-02T15:04:05Z07:00\": cannot parse";
      typeErrors.add(FieldError.invalid(path, node.textValue(), detail));
    } else {
      detail = "must be of type " + expected(schema);
      String what = node.isNumber() ? "number " + node.asText() : sent;
      decode = "json: cannot unmarshal " + what + " into Go struct field "
          + (struct == null || struct.isEmpty() ? "" : struct + ".") + goPath + " of type " + schema.goType;
      typeErrors.add(FieldError.typeInvalid(path, sent, detail));
    }
    if (decodeError == null) {
      decodeError = decode;
    }
  }

  /** The OpenAPI name of what belongs there, as structural schema errors name it. */
  private static String expected(FieldSchema schema) {
    return switch (schema.type) {
      case OBJECT -> "object";
      case ARRAY -> "array";
      case STRING, DATE_TIME -> "string";
      case BOOLEAN -> "boolean";
      case NUMBER -> "number";
      case INTEGER -> schema.int32 ? "int32" : "int64";
      case INT_OR_STRING -> "integer or string";
      case QUANTITY -> "string or number";
      case ANY, UNKNOWN -> "any";
    };
  }

  private static String jsonType(JsonNode node) {
    if (node.isObject()) {
      return "object";
    } else if (node.isArray()) {
      return "array";
    } else if (node.isTextual()) {
      return "string";
    } else if (node.isBoolean()) {
      return "bool";
    }
    return "number";
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
