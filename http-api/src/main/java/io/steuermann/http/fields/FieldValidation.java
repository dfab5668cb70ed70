package io.steuermann.http.fields;

/**
 * What a write does with fields its kind does not know, and with duplicate fields
 * ({@code fieldValidation}): refuse the request, warn and drop them, or drop them silently.
 */
public enum FieldValidation {
  STRICT, WARN, IGNORE;

  /** The query value; empty is {@link #WARN}, kube-apiserver's default. Null when unsupported. */
  public static FieldValidation parse(String value) {
    return switch (value) {
      case "", "Warn" -> WARN;
      case "Strict" -> STRICT;
      case "Ignore" -> IGNORE;
      default -> null;
    };
  }
}
