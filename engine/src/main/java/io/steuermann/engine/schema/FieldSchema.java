package io.steuermann.engine.schema;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One node of a kind's OpenAPI schema, reduced to what a typed decoder checks: the JSON type a
 * value must have, a struct's properties, a map's value schema or an array's item schema, or
 * "keep anything". Built once per referenced schema by {@link KindSchemas}; shared and
 * read-only afterwards (cycles allowed).
 */
public final class FieldSchema {
  /** The JSON shape a value must have, as Kubernetes' Go types decode it. */
  public enum Type {
    /** free-form (RawExtension, FieldsV1, preserve-unknown-fields): any value */
    ANY,
    OBJECT, ARRAY, STRING, INTEGER, NUMBER, BOOLEAN,
    /** {@code intstr.IntOrString}: an int32 or a string */
    INT_OR_STRING,
    /** {@code resource.Quantity}: a string in quantity syntax, or a JSON number */
    QUANTITY,
    /** {@code metav1.Time} and {@code MicroTime}: an RFC 3339 string */
    DATE_TIME,
    /** a schema that says nothing about its type */
    UNKNOWN
  }

  /** Where unknown fields are kept: free-form objects and {@code x-kubernetes-preserve-unknown-fields}. */
  static final FieldSchema ANYTHING = new FieldSchema(Type.ANY, "interface {}");

  // filled while building (a schema may refer to itself), never changed after
  Type type;
  /** The Go type, for messages worded as Go's decoder words them ({@code []v1.Container}). */
  String goType;
  /** For a struct: its Go name ({@code PodSpec}), which Go's decoder names in its errors. */
  String structName;
  Map<String, FieldSchema> properties;
  FieldSchema mapValues;
  FieldSchema items;
  /** The values an {@code enum} lists; null when any value of the type goes. */
  List<String> enumValues;
  /** An int32 rather than an int64 (Go refuses what does not fit). */
  boolean int32;

  FieldSchema(Type type, String goType) {
    this.type = type;
    this.goType = goType;
  }

  static FieldSchema struct(String goType, String structName) {
    FieldSchema s = new FieldSchema(Type.OBJECT, goType);
    s.structName = structName;
    s.properties = new HashMap<>();
    return s;
  }

  public boolean keepsEverything() {
    return this == ANYTHING || type == Type.ANY;
  }

  public Type type() {
    return type;
  }

  public String goType() {
    return goType;
  }

  /** The Go struct name; null unless this is a struct. */
  public String structName() {
    return structName;
  }

  /** A struct's fields by JSON name; null unless this is a struct. */
  public Map<String, FieldSchema> properties() {
    return properties;
  }

  /** A map's value schema; null unless this is a map. */
  public FieldSchema mapValues() {
    return mapValues;
  }

  /** An array's item schema; null unless this is an array. */
  public FieldSchema items() {
    return items;
  }

  public List<String> enumValues() {
    return enumValues;
  }

  public boolean isInt32() {
    return int32;
  }
}
