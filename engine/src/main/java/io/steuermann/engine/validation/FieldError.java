package io.steuermann.engine.validation;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One validation failure, shaped like Kubernetes' {@code field.Error} so it maps 1:1 onto an
 * entry of a Status' {@code details.causes}: {@code {"reason": type, "message": message,
 * "field": field}}.
 *
 * @param field the JSON path of the offending field, e.g. {@code metadata.name} or
 *     {@code metadata.labels}
 * @param type Kubernetes' cause type, e.g. {@code FieldValueInvalid} (see the constants)
 * @param message the rendered message without the field, exactly as Kubernetes puts it in
 *     {@code causes[].message}, e.g. {@code Invalid value: "Foo": a lowercase RFC 1123 ...}
 * @param badValue the offending value, or null when there is none (required, forbidden, ...)
 */
public record FieldError(String field, String type, String message, Object badValue) {

    public static final String NOT_FOUND = "FieldValueNotFound";
    public static final String REQUIRED = "FieldValueRequired";
    public static final String DUPLICATE = "FieldValueDuplicate";
    public static final String INVALID = "FieldValueInvalid";
    public static final String NOT_SUPPORTED = "FieldValueNotSupported";
    public static final String FORBIDDEN = "FieldValueForbidden";
    public static final String TOO_LONG = "FieldValueTooLong";
    public static final String TOO_MANY = "FieldValueTooMany";
    public static final String INTERNAL = "InternalError";
    public static final String TYPE_INVALID = "FieldValueTypeInvalid";

    /** {@code Invalid value: <value>: <detail>}. */
    public static FieldError invalid(String field, Object value, String detail) {
        return new FieldError(field, INVALID, body("Invalid value", value, detail), value);
    }

    /** A value of the wrong JSON type; worded like {@link #invalid} as Kubernetes does. */
    public static FieldError typeInvalid(String field, Object value, String detail) {
        return new FieldError(field, TYPE_INVALID, body("Invalid value", value, detail), value);
    }

    /** {@code Required value} or {@code Required value: <detail>}. */
    public static FieldError required(String field, String detail) {
        return new FieldError(field, REQUIRED, withDetail("Required value", detail), null);
    }

    /** {@code Forbidden: <detail>}. */
    public static FieldError forbidden(String field, String detail) {
        return new FieldError(field, FORBIDDEN, withDetail("Forbidden", detail), null);
    }

    /** {@code Duplicate value: <value>}. */
    public static FieldError duplicate(String field, Object value) {
        return new FieldError(field, DUPLICATE, body("Duplicate value", value, null), value);
    }

    /** {@code Not found: <value>}. */
    public static FieldError notFound(String field, Object value) {
        return new FieldError(field, NOT_FOUND, body("Not found", value, null), value);
    }

    /** {@code Unsupported value: "X": supported values: "A", "B"}. */
    public static FieldError notSupported(String field, Object value, List<String> supported) {
        String detail = supported == null || supported.isEmpty() ? null
                : "supported values: " + supported.stream().map(FieldError::quote).collect(Collectors.joining(", "));
        return new FieldError(field, NOT_SUPPORTED, body("Unsupported value", value, detail), value);
    }

    /** {@code Too long: may not be more than <max> bytes}; the value is not echoed, as in Kubernetes. */
    public static FieldError tooLong(String field, Object value, int maxBytes) {
        return new FieldError(field, TOO_LONG, "Too long: may not be more than " + maxBytes + " bytes", value);
    }

    /** {@code Too many: <actual>: must have at most <max> items}. */
    public static FieldError tooMany(String field, int actual, int max) {
        return new FieldError(field, TOO_MANY, body("Too many", actual, "must have at most " + max + " items"), actual);
    }

    /** {@code Internal error: <detail>}. */
    public static FieldError internal(String field, String detail) {
        return new FieldError(field, INTERNAL, withDetail("Internal error", detail), null);
    }

    /** The Go {@code field.Error.Error()} form, {@code <field>: <message>}, used in Status.message. */
    public String error() {
        return field == null || field.isEmpty() ? message : field + ": " + message;
    }

    /** This error as a Status {@code details.causes[]} entry. */
    public ObjectNode toCause() {
        ObjectNode cause = JsonNodeFactory.instance.objectNode();
        cause.put("reason", type);
        cause.put("message", message);
        cause.put("field", field);
        return cause;
    }

    /**
     * Joins errors the way Kubernetes' aggregate does for Status.message: one error as is,
     * several as {@code [e1, e2]}, duplicates dropped.
     */
    public static String summarize(List<FieldError> errors) {
        Set<String> messages = new LinkedHashSet<>();
        for (FieldError e : errors) {
            messages.add(e.error());
        }
        return messages.size() == 1 ? messages.iterator().next() : "[" + String.join(", ", messages) + "]";
    }

    /** Returns a copy whose field is prefixed, for validators that check a nested object. */
    public FieldError under(String prefix) {
        return new FieldError(field == null || field.isEmpty() ? prefix : prefix + "." + field, type, message, badValue);
    }

    private static String body(String typeText, Object value, String detail) {
        return withDetail(typeText + ": " + render(value), detail);
    }

    private static String withDetail(String s, String detail) {
        return detail == null || detail.isEmpty() ? s : s + ": " + detail;
    }

    /** Go's {@code %q} for strings, plain text for numbers/booleans, {@code null} for null. */
    private static String render(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof CharSequence s) {
            return quote(s.toString());
        }
        return String.valueOf(value);
    }

    /** A Go-style double-quoted string literal (what {@code %q} and {@code strconv.Quote} print). */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
