package io.steuermann.http.fields;

import java.util.HashMap;
import java.util.Map;

/**
 * The part of an OpenAPI schema that decides which fields exist: a struct's properties, a
 * map's value schema, an array's item schema, or "keep anything". Anything else (strings,
 * numbers, int-or-string, quantities) is a leaf the pruner does not look into. Built once per
 * referenced schema by {@link KindSchemas}; shared and read-only afterwards (cycles allowed).
 */
public final class FieldSchema {
  /** Where unknown fields are kept: free-form objects and {@code x-kubernetes-preserve-unknown-fields}. */
  static final FieldSchema ANYTHING = new FieldSchema();
  /** A scalar, or a schema that says nothing about fields. */
  static final FieldSchema LEAF = new FieldSchema();

  // filled while building (a schema may refer to itself), never changed after
  Map<String, FieldSchema> properties;
  FieldSchema mapValues;
  FieldSchema items;

  FieldSchema() {}

  static FieldSchema struct() {
    FieldSchema s = new FieldSchema();
    s.properties = new HashMap<>();
    return s;
  }

  boolean keepsEverything() {
    return this == ANYTHING;
  }
}
