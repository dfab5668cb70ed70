package io.steuermann.http.fields;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.steuermann.engine.model.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The field schema of every served kind, built from the Kubernetes OpenAPI v3 documents that
 * {@code kubectl explain} is served from (the same resources as
 * {@link io.steuermann.http.discovery.OpenApiDocuments}), so what is known is exactly what
 * Kubernetes 1.32 knows. Parsing the documents takes a moment, so it happens once, on the
 * first call; requests only walk the small trees.
 */
public final class KindSchemas {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String REF_PREFIX = "#/components/schemas/";

  private final String resourceDirectory;
  private volatile Map<Kind, FieldSchema> byKind;

  private KindSchemas(String resourceDirectory) {
    this.resourceDirectory = resourceDirectory;
  }

  // the documents never change while the JVM runs: one set of trees serves every server in it
  private static final KindSchemas CLASSPATH = new KindSchemas("/openapi/v3/");

  public static KindSchemas fromClasspath() {
    return CLASSPATH;
  }

  public FieldSchema of(Kind kind) {
    return built().get(kind);
  }

  private Map<Kind, FieldSchema> built() {
    Map<Kind, FieldSchema> b = byKind;
    if (b == null) {
      synchronized (this) {
        b = byKind;
        if (b == null) {
          b = build();
          byKind = b;
        }
      }
    }
    return b;
  }

  private Map<Kind, FieldSchema> build() {
    Map<Kind, FieldSchema> result = new EnumMap<>(Kind.class);
    // one builder per document, so the kinds of a group version share their common schemas
    Map<String, Builder> documents = new HashMap<>();
    for (Kind kind : Kind.values()) {
      String key = kind.group().isEmpty() ? "api__" + kind.version() : "apis__" + kind.group() + "__" + kind.version();
      Builder builder = documents.computeIfAbsent(key, k -> new Builder(
          read(resourceDirectory + k + "_openapi.json").path("components").path("schemas")));
      result.put(kind, builder.ref(schemaName(builder.schemas, kind)));
    }
    return result;
  }

  /** The component whose {@code x-kubernetes-group-version-kind} is the kind's. */
  private static String schemaName(JsonNode schemas, Kind kind) {
    for (Iterator<Map.Entry<String, JsonNode>> it = schemas.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      for (JsonNode gvk : e.getValue().path("x-kubernetes-group-version-kind")) {
        if (gvk.path("group").asText().equals(kind.group()) && gvk.path("version").asText().equals(kind.version())
            && gvk.path("kind").asText().equals(kind.kindName())) {
          return e.getKey();
        }
      }
    }
    throw new IllegalStateException("no OpenAPI schema for " + kind.apiVersion() + " " + kind.kindName());
  }

  /** Turns one document's component schemas into field schemas, each referenced name once. */
  private static final class Builder {
    private final JsonNode schemas;
    private final Map<String, FieldSchema> done = new HashMap<>();

    Builder(JsonNode schemas) {
      this.schemas = schemas;
    }

    FieldSchema ref(String name) {
      FieldSchema known = done.get(name);
      if (known != null) {
        return known;
      }
      JsonNode schema = schemas.get(name);
      if (schema == null) {
        throw new IllegalStateException("OpenAPI schema " + name + " is referenced but missing");
      }
      if (!schema.has("properties") || schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
        FieldSchema s = build(schema);
        done.put(name, s);
        return s;
      }
      // registered before its properties are built: a schema may contain itself
      FieldSchema struct = FieldSchema.struct();
      done.put(name, struct);
      fill(struct, schema);
      return struct;
    }

    FieldSchema build(JsonNode schema) {
      if (schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
        return FieldSchema.ANYTHING;
      }
      String ref = schema.path("$ref").asText("");
      if (ref.isEmpty() && schema.path("allOf").size() == 1) {
        // how Kubernetes' v3 documents attach a default or description to a reference
        ref = schema.path("allOf").get(0).path("$ref").asText("");
      }
      if (!ref.isEmpty()) {
        return ref(ref.substring(REF_PREFIX.length()));
      }
      if (schema.has("properties")) {
        FieldSchema struct = FieldSchema.struct();
        fill(struct, schema);
        return struct;
      }
      if (schema.path("additionalProperties").isObject()) {
        FieldSchema map = new FieldSchema();
        map.mapValues = build(schema.get("additionalProperties"));
        return map;
      }
      if (schema.has("items")) {
        FieldSchema array = new FieldSchema();
        array.items = build(schema.get("items"));
        return array;
      }
      // an object with no properties at all is free-form (FieldsV1, RawExtension)
      return "object".equals(schema.path("type").asText()) ? FieldSchema.ANYTHING : FieldSchema.LEAF;
    }

    private void fill(FieldSchema struct, JsonNode schema) {
      for (Iterator<Map.Entry<String, JsonNode>> it = schema.get("properties").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> p = it.next();
        struct.properties.put(p.getKey(), build(p.getValue()));
      }
    }
  }

  private JsonNode read(String resource) {
    try (InputStream in = KindSchemas.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("OpenAPI document " + resource + " is missing from the classpath");
      }
      return MAPPER.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read OpenAPI document " + resource, e);
    }
  }
}
