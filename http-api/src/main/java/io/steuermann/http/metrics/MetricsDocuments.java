package io.steuermann.http.metrics;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import io.steuermann.node.runtime.PodUsage;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The documents of {@code metrics.k8s.io/v1beta1} as metrics-server writes them: NodeMetrics and
 * PodMetrics with CPU in nanocores ({@code "12345n"}) and memory in KiB ({@code "2048Ki"}).
 */
public final class MetricsDocuments {
  public static final String GROUP = "metrics.k8s.io";
  public static final String VERSION = "v1beta1";
  public static final String API_VERSION = GROUP + "/" + VERSION;

  private MetricsDocuments() {}

  /** The APIResourceList of {@code /apis/metrics.k8s.io/v1beta1}. */
  public static ObjectNode resourceList() {
    ObjectNode doc = Json.object();
    doc.put("kind", "APIResourceList");
    doc.put("apiVersion", "v1");
    doc.put("groupVersion", API_VERSION);
    ArrayNode resources = doc.putArray("resources");
    resources.add(resource("nodes", "NodeMetrics", false));
    resources.add(resource("pods", "PodMetrics", true));
    return doc;
  }

  private static ObjectNode resource(String name, String kind, boolean namespaced) {
    ObjectNode r = Json.object();
    r.put("name", name);
    r.put("singularName", "");
    r.put("namespaced", namespaced);
    r.put("kind", kind);
    r.putArray("verbs").add("get").add("list");
    return r;
  }

  /** A list of {@code kind} items. */
  public static ObjectNode listOf(String kind, List<ObjectNode> items) {
    ObjectNode doc = Json.object();
    doc.put("kind", kind + "List");
    doc.put("apiVersion", API_VERSION);
    doc.putObject("metadata");
    doc.putArray("items").addAll(items);
    return doc;
  }

  public static ObjectNode podMetrics(PodUsage usage, ObjectNode pod) {
    ObjectNode item = item("PodMetrics", usage.pod().name(), usage.timestamp(), usage.window());
    ObjectNode meta = (ObjectNode) item.get("metadata");
    meta.put("namespace", usage.pod().namespace());
    meta.set("creationTimestamp", pod.path("metadata").path("creationTimestamp"));
    if (pod.path("metadata").has("labels")) {
      meta.set("labels", pod.path("metadata").path("labels"));
    }
    ArrayNode containers = item.putArray("containers");
    for (PodUsage.ContainerUsage c : usage.containers()) {
      ObjectNode container = containers.addObject();
      container.put("name", c.name());
      container.set("usage", usage(c.cpuNanoCores(), c.memoryBytes()));
    }
    return item;
  }

  public static ObjectNode nodeMetrics(String node, Instant at, Duration window, long cpuNanoCores, long memoryBytes) {
    ObjectNode item = item("NodeMetrics", node, at, window);
    item.set("usage", usage(cpuNanoCores, memoryBytes));
    return item;
  }

  private static ObjectNode item(String kind, String name, Instant at, Duration window) {
    ObjectNode item = Json.object();
    item.put("kind", kind);
    item.put("apiVersion", API_VERSION);
    ObjectNode meta = item.putObject("metadata");
    meta.put("name", name);
    item.put("timestamp", at.truncatedTo(ChronoUnit.SECONDS).toString());
    item.put("window", window.toMillis() / 1000.0 + "s");
    return item;
  }

  private static ObjectNode usage(long cpuNanoCores, long memoryBytes) {
    ObjectNode usage = Json.object();
    usage.put("cpu", cpuNanoCores + "n");
    usage.put("memory", (memoryBytes / 1024) + "Ki");
    return usage;
  }
}
