package io.steuermann.engine.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.steuermann.engine.model.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The field schema of every served kind, built from the Kubernetes OpenAPI v3 documents that
 * {@code kubectl explain} is served from (the same resources as
 * {@code io.steuermann.http.discovery.OpenApiDocuments}), so what is known is exactly what
 * Kubernetes 1.32 knows. Parsing the documents takes a moment, so it happens once, on the
 * first call; requests only walk the small trees.
 */
public final class KindSchemas {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String REF_PREFIX = "#/components/schemas/";

  private final String resourceDirectory;
  private volatile Map<Kind, FieldSchema> byKind;
  private volatile FieldSchema scale;
  private volatile FieldSchema deleteOptions;
  private volatile FieldSchema binding;

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

  /** The schema of the {@code autoscaling/v1} Scale that the {@code /scale} subresources read and write. */
  public FieldSchema scale() {
    built();
    return scale;
  }

  /** The schema of the {@code DeleteOptions} a DELETE may carry in its body. */
  public FieldSchema deleteOptions() {
    built();
    return deleteOptions;
  }

  /** The schema of the {@code Binding} a scheduler POSTs to {@code pods/binding}. */
  public FieldSchema binding() {
    built();
    return binding;
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
      if (kind == Kind.POD) {
        deleteOptions = builder.ref("io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions");
        binding = builder.ref("io.k8s.api.core.v1.Binding");
      }
      if (kind.hasScale() && scale == null) {
        scale = builder.ref("io.k8s.api.autoscaling.v1.Scale");
      }
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
      String goType = goName(name);
      FieldSchema s;
      if (schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
        s = FieldSchema.ANYTHING;
      } else if (schema.has("oneOf")) {
        s = oneOf(schema, goType);
      } else if (schema.has("properties")) {
        // registered before its properties are built: a schema may contain itself
        FieldSchema struct = FieldSchema.struct(goType, goType.substring(goType.indexOf('.') + 1));
        done.put(name, struct);
        fill(struct, schema);
        return struct;
      } else {
        s = build(schema);
        if (s.type == FieldSchema.Type.DATE_TIME) {
          s.goType = goType;
        }
      }
      done.put(name, s);
      return s;
    }

    /** The two union types Kubernetes' documents write as {@code oneOf}: IntOrString and Quantity. */
    private static FieldSchema oneOf(JsonNode schema, String goType) {
      boolean integer = false;
      for (JsonNode alternative : schema.get("oneOf")) {
        integer |= "integer".equals(alternative.path("type").asText());
      }
      FieldSchema s = new FieldSchema(integer ? FieldSchema.Type.INT_OR_STRING : FieldSchema.Type.QUANTITY, goType);
      s.int32 = integer;
      return s;
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
        FieldSchema struct = FieldSchema.struct("struct", "");
        fill(struct, schema);
        return struct;
      }
      if (schema.path("additionalProperties").isObject()) {
        FieldSchema values = build(schema.get("additionalProperties"));
        FieldSchema map = new FieldSchema(FieldSchema.Type.OBJECT, "map[string]" + values.goType);
        map.mapValues = values;
        return map;
      }
      if (schema.has("items")) {
        FieldSchema items = build(schema.get("items"));
        FieldSchema array = new FieldSchema(FieldSchema.Type.ARRAY, "[]" + items.goType);
        array.items = items;
        return array;
      }
      String format = schema.path("format").asText("");
      FieldSchema leaf = switch (schema.path("type").asText("")) {
        // an object with no properties at all is free-form (FieldsV1, RawExtension)
        case "object" -> FieldSchema.ANYTHING;
        case "string" -> switch (format) {
          case "date-time" -> new FieldSchema(FieldSchema.Type.DATE_TIME, "v1.Time");
          case "int-or-string" -> new FieldSchema(FieldSchema.Type.INT_OR_STRING, "intstr.IntOrString");
          case "byte" -> new FieldSchema(FieldSchema.Type.STRING, "[]uint8");
          default -> new FieldSchema(FieldSchema.Type.STRING, "string");
        };
        case "integer" -> {
          FieldSchema s = new FieldSchema(FieldSchema.Type.INTEGER, format.equals("int32") ? "int32" : "int64");
          s.int32 = format.equals("int32");
          yield s;
        }
        case "number" -> new FieldSchema(FieldSchema.Type.NUMBER, "float64");
        case "boolean" -> new FieldSchema(FieldSchema.Type.BOOLEAN, "bool");
        default -> new FieldSchema(FieldSchema.Type.UNKNOWN, "interface {}");
      };
      if (schema.path("enum").isArray() && leaf != FieldSchema.ANYTHING) {
        List<String> values = new ArrayList<>();
        schema.get("enum").forEach(v -> values.add(v.asText()));
        leaf.enumValues = List.copyOf(values);
      }
      return leaf;
    }

    private void fill(FieldSchema struct, JsonNode schema) {
      for (Iterator<Map.Entry<String, JsonNode>> it = schema.get("properties").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> p = it.next();
        struct.properties.put(p.getKey(), build(p.getValue()));
      }
    }

    /** {@code io.k8s.api.core.v1.PodSpec} is Go's {@code v1.PodSpec}. */
    private static String goName(String component) {
      int last = component.lastIndexOf('.');
      int package_ = component.lastIndexOf('.', last - 1);
      return component.substring(package_ + 1);
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
