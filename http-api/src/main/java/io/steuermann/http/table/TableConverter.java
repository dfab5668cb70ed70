package io.steuermann.http.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Server-side printing: converts objects in Kubernetes JSON shape into a meta.k8s.io
 * {@code Table} with the columns kube-apiserver produces, which is what {@code kubectl get} prints.
 *
 * <pre>{@code
 * {"kind":"Table","apiVersion":"meta.k8s.io/v1",
 *  "metadata":{"resourceVersion":"42"},
 *  "columnDefinitions":[{"name":"Name","type":"string","format":"name","description":"...","priority":0},...],
 *  "rows":[{"cells":["web-1","1/1","Running","0","5m"],
 *           "object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{...}}}]}
 * }</pre>
 *
 * <p>Wide columns (priority 1) are always included; kubectl shows them only with {@code -o wide}.
 * The row {@code object} must carry {@code kind}/{@code apiVersion} and the full metadata: kubectl
 * decodes it and takes the NAMESPACE column of {@code get -A} from {@code metadata.namespace}.
 *
 * <p>Instances are immutable and thread-safe; AGE columns are computed against the clock.
 */
public final class TableConverter {

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private final Clock clock;

  public TableConverter(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A converter on the system UTC clock. */
  public static TableConverter systemUtc() {
    return new TableConverter(Clock.systemUTC());
  }

  // ---------------------------------------------------------------- public API

  /**
   * A Table with one row for a single object ({@code GET .../pods/p1}); Table metadata carries the
   * object's resourceVersion.
   *
   * @param tableVersion {@code v1} or {@code v1beta1} (see {@link MediaTypes#tableVersion})
   */
  public ObjectNode fromObject(Kind kind, ObjectNode object, IncludeObject include, String tableVersion) {
    ObjectNode table = emptyTable(kind, tableVersion, object.path("metadata").path("resourceVersion").asText(""), null, true);
    ((ArrayNode) table.get("rows")).add(row(kind, object, include, tableVersion));
    return table;
  }

  /**
   * A Table for a list response ({@code GET .../pods}); {@code resourceVersion} is the list's
   * (kubectl starts {@code get -w} at it) and {@code continueToken} may be null.
   */
  public ObjectNode fromItems(Kind kind, List<? extends JsonNode> items, String resourceVersion,
                              String continueToken, IncludeObject include, String tableVersion) {
    ObjectNode table = emptyTable(kind, tableVersion, resourceVersion, continueToken, true);
    ArrayNode rows = (ArrayNode) table.get("rows");
    for (JsonNode item : items) {
      rows.add(row(kind, item, include, tableVersion));
    }
    return table;
  }

  /**
   * A Table for a whole list object ({@code {"kind":"PodList","metadata":{"resourceVersion":..,"continue":..},"items":[..]}}).
   * Items lacking {@code kind}/{@code apiVersion} (as in real lists) get them from {@code kind}
   * when the whole object is included.
   */
  public ObjectNode fromList(Kind kind, ObjectNode list, IncludeObject include, String tableVersion) {
    JsonNode meta = list.path("metadata");
    String cont = meta.path("continue").asText("");
    List<JsonNode> items = new ArrayList<>();
    list.path("items").forEach(items::add);
    return fromItems(kind, items, meta.path("resourceVersion").asText(""), cont.isEmpty() ? null : cont, include, tableVersion);
  }

  /**
   * Like the other conversions, with the kind taken from the body's {@code kind} field
   * ({@code Pod} or {@code PodList}); empty for kinds we do not print.
   */
  public Optional<ObjectNode> convert(ObjectNode objectOrList, IncludeObject include, String tableVersion) {
    String kindName = objectOrList.path("kind").asText("");
    boolean isList = kindName.endsWith("List") && objectOrList.has("items");
    Optional<Kind> kind = Kind.byKindName(isList ? kindName.substring(0, kindName.length() - 4) : kindName);
    return kind.map(k -> isList ? fromList(k, objectOrList, include, tableVersion) : fromObject(k, objectOrList, include, tableVersion));
  }

  /**
   * A watch event for a Table watch stream ({@code GET ...?watch=true} with the Table Accept
   * header): {@code {"type":"ADDED","object":<Table with one row>}}, one JSON document per line.
   *
   * <ul>
   *   <li>ADDED / MODIFIED / DELETED: the object becomes a one-row Table whose metadata carries
   *       the object's resourceVersion;</li>
   *   <li>BOOKMARK: a Table without rows whose metadata carries the bookmark's resourceVersion;</li>
   *   <li>ERROR: the Status object is passed through unchanged.</li>
   * </ul>
   *
   * @param withColumnDefinitions kube-apiserver sends the column definitions only in the first
   *     event of a stream; kubectl 1.32 handles either, so passing {@code true} always is fine
   */
  public ObjectNode watchEvent(Kind kind, String type, ObjectNode object, IncludeObject include,
                               String tableVersion, boolean withColumnDefinitions) {
    ObjectNode event = F.objectNode();
    event.put("type", type);
    if (type.equals("ERROR") || object.path("kind").asText("").equals("Status")) {
      event.set("object", object);
      return event;
    }
    String rv = object.path("metadata").path("resourceVersion").asText("");
    ObjectNode table = emptyTable(kind, tableVersion, rv, null, withColumnDefinitions);
    if (!type.equals("BOOKMARK")) {
      ((ArrayNode) table.get("rows")).add(row(kind, object, include, tableVersion));
    }
    event.set("object", table);
    return event;
  }

  /** The column definitions of a kind's Table, as JSON. */
  public static ArrayNode columnDefinitions(Kind kind) {
    ArrayNode defs = F.arrayNode();
    for (Printers.Column c : Printers.columns(kind)) {
      defs.add(c.toJson());
    }
    return defs;
  }

  /** The cells of one object's row (all columns, wide ones included). */
  public ArrayNode cells(Kind kind, JsonNode object) {
    return Printers.cells(kind, object, clock.instant());
  }

  /** kubectl's AGE for a creationTimestamp-like RFC 3339 value; {@code <unknown>} if absent. */
  public String age(String timestamp) {
    return Printers.since(timestamp, clock.instant());
  }

  /** apimachinery's {@code duration.HumanDuration}: 5s, 119s, 2m5s, 15m, 3h20m, 10h, 2d3h, 30d, 2y10d. */
  public static String humanDuration(Duration d) {
    return Printers.humanDuration(d);
  }

  // ---------------------------------------------------------------- assembly

  private ObjectNode emptyTable(Kind kind, String tableVersion, String resourceVersion, String continueToken,
                                boolean withColumnDefinitions) {
    ObjectNode table = F.objectNode();
    table.put("kind", "Table");
    table.put("apiVersion", MediaTypes.tableApiVersion(tableVersion));
    ObjectNode meta = table.putObject("metadata");
    if (resourceVersion != null && !resourceVersion.isEmpty()) {
      meta.put("resourceVersion", resourceVersion);
    }
    if (continueToken != null && !continueToken.isEmpty()) {
      meta.put("continue", continueToken);
    }
    table.set("columnDefinitions", withColumnDefinitions ? columnDefinitions(kind) : F.arrayNode());
    table.putArray("rows");
    return table;
  }

  private ObjectNode row(Kind kind, JsonNode object, IncludeObject include, String tableVersion) {
    Instant now = clock.instant();
    ObjectNode row = F.objectNode();
    row.set("cells", Printers.cells(kind, object, now));
    ArrayNode conditions = Printers.conditions(kind, object);
    if (conditions != null) {
      row.set("conditions", conditions);
    }
    switch (include) {
      case NONE -> { }
      case METADATA -> {
        ObjectNode partial = row.putObject("object");
        partial.put("kind", "PartialObjectMetadata");
        partial.put("apiVersion", MediaTypes.tableApiVersion(tableVersion));
        partial.set("metadata", object.path("metadata").isObject() ? object.get("metadata").deepCopy() : F.objectNode());
      }
      case OBJECT -> {
        ObjectNode full = F.objectNode();
        full.put("kind", object.path("kind").asText(kind.kindName()));
        full.put("apiVersion", object.path("apiVersion").asText(kind.apiVersion()));
        object.properties().forEach(e -> {
          if (!e.getKey().equals("kind") && !e.getKey().equals("apiVersion")) {
            full.set(e.getKey(), e.getValue().deepCopy());
          }
        });
        row.set("object", full);
      }
    }
    return row;
  }
}
