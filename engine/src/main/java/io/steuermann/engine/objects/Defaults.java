package io.steuermann.engine.objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;

/**
 * Kubernetes' defaulting for the fields clients habitually leave out, applied to every write
 * so stored objects look as they would in Kubernetes ({@code kubectl get -o yaml} shows them).
 */
final class Defaults {
  private Defaults() {}

  static void apply(Kind kind, ObjectNode object) {
    switch (kind) {
      case POD -> pod(object);
      case REPLICA_SET -> replicaSet(object);
      case DEPLOYMENT -> deployment(object);
      case DAEMON_SET -> daemonSet(object);
      case SERVICE -> service(object);
      case NAMESPACE -> namespace(object);
      case SECRET -> secret(object);
      default -> { }
    }
  }

  /**
   * As the v1 conversion does: {@code stringData} is written into {@code data} base64-encoded
   * (its entries win) and is never stored; {@code type} defaults to {@code Opaque}.
   */
  private static void secret(ObjectNode secret) {
    JsonNode existing = secret.get("data");
    boolean foldable = existing == null || existing.isNull() || existing.isObject();
    // a mistyped field is left as it is, for validation to refuse
    JsonNode stringData = foldable && secret.path("stringData").isObject() ? secret.remove("stringData") : null;
    if (stringData instanceof ObjectNode entries && !entries.isEmpty()) {
      ObjectNode data = existing instanceof ObjectNode o ? o : secret.putObject("data");
      entries.fields().forEachRemaining(e -> data.put(e.getKey(), java.util.Base64.getEncoder()
          .encodeToString(e.getValue().asText("").getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    }
    JsonNode type = secret.get("type");
    if (type == null || type.isNull() || type.asText().isEmpty()) {
      secret.put("type", "Opaque");
    }
  }

  private static void pod(ObjectNode pod) {
    podSpec(spec(pod));
    ObjectNode status = obj(pod, "status");
    putIfAbsent(status, "phase", "Pending");
    putIfAbsent(status, "qosClass", "BestEffort");
  }

  static void podSpec(ObjectNode spec) {
    putIfAbsent(spec, "restartPolicy", "Always");
    putIfAbsent(spec, "terminationGracePeriodSeconds", 30);
    putIfAbsent(spec, "dnsPolicy", "ClusterFirst");
    putIfAbsent(spec, "schedulerName", "default-scheduler");
    if (!spec.has("securityContext")) {
      spec.putObject("securityContext");
    }
    for (String list : new String[] {"containers", "initContainers"}) {
      JsonNode containers = spec.get(list);
      if (containers instanceof ArrayNode array) {
        for (JsonNode c : array) {
          if (c instanceof ObjectNode container) {
            container(container);
          }
        }
      }
    }
  }

  private static void container(ObjectNode c) {
    String image = c.path("image").asText("");
    boolean latest = !image.contains(":") || image.endsWith(":latest");
    putIfAbsent(c, "imagePullPolicy", latest && !image.contains("@") ? "Always" : "IfNotPresent");
    putIfAbsent(c, "terminationMessagePath", "/dev/termination-log");
    putIfAbsent(c, "terminationMessagePolicy", "File");
    if (!c.has("resources")) {
      c.putObject("resources");
    }
    JsonNode ports = c.get("ports");
    if (ports instanceof ArrayNode array) {
      for (JsonNode p : array) {
        if (p instanceof ObjectNode port) {
          putIfAbsent(port, "protocol", "TCP");
        }
      }
    }
  }

  private static void replicaSet(ObjectNode rs) {
    ObjectNode spec = spec(rs);
    putIfAbsent(spec, "replicas", 1);
    templateSpec(spec);
    ObjectNode status = obj(rs, "status");
    putIfAbsent(status, "replicas", 0);
  }

  private static void deployment(ObjectNode d) {
    ObjectNode spec = spec(d);
    putIfAbsent(spec, "replicas", 1);
    putIfAbsent(spec, "revisionHistoryLimit", 10);
    putIfAbsent(spec, "progressDeadlineSeconds", 600);
    ObjectNode strategy = obj(spec, "strategy");
    putIfAbsent(strategy, "type", "RollingUpdate");
    if ("RollingUpdate".equals(strategy.path("type").asText())) {
      ObjectNode rolling = obj(strategy, "rollingUpdate");
      putIfAbsent(rolling, "maxUnavailable", "25%");
      putIfAbsent(rolling, "maxSurge", "25%");
    }
    templateSpec(spec);
    obj(d, "status");
  }

  /** kube's {@code SetDefaults_DaemonSet}; the status counters Go always writes start at 0. */
  private static void daemonSet(ObjectNode ds) {
    ObjectNode spec = spec(ds);
    putIfAbsent(spec, "revisionHistoryLimit", 10);
    ObjectNode strategy = obj(spec, "updateStrategy");
    putIfAbsent(strategy, "type", "RollingUpdate");
    if ("RollingUpdate".equals(strategy.path("type").asText())) {
      ObjectNode rolling = obj(strategy, "rollingUpdate");
      putIfAbsent(rolling, "maxUnavailable", 1);
      putIfAbsent(rolling, "maxSurge", 0);
    }
    templateSpec(spec);
    ObjectNode status = obj(ds, "status");
    for (String counter : new String[] {"currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled",
        "numberReady"}) {
      putIfAbsent(status, counter, 0);
    }
  }

  private static void templateSpec(ObjectNode spec) {
    JsonNode template = spec.get("template");
    if (template instanceof ObjectNode t) {
      podSpec(obj(t, "spec"));
    }
  }

  private static void service(ObjectNode svc) {
    io.steuermann.engine.services.ServiceSpecs.applyDefaults(spec(svc));
    obj(obj(svc, "status"), "loadBalancer");
  }

  private static void namespace(ObjectNode ns) {
    ObjectNode spec = spec(ns);
    if (!spec.has("finalizers")) {
      spec.putArray("finalizers").add("kubernetes");
    }
    putIfAbsent(obj(ns, "status"), "phase", "Active");
  }

  private static ObjectNode spec(ObjectNode object) {
    return obj(object, "spec");
  }

  static ObjectNode obj(ObjectNode parent, String field) {
    JsonNode n = parent.get(field);
    if (n instanceof ObjectNode o) {
      return o;
    }
    if (n != null && !n.isNull()) {
      // a value of the wrong type stays for validation to refuse; defaults go nowhere
      return parent.objectNode();
    }
    return parent.putObject(field);
  }

  private static void putIfAbsent(ObjectNode node, String field, String value) {
    // Go defaults zero values, and the zero value of a string is ""
    if (!node.hasNonNull(field) || node.get(field).asText().isEmpty()) {
      node.put(field, value);
    }
  }

  private static void putIfAbsent(ObjectNode node, String field, int value) {
    if (!node.hasNonNull(field)) {
      node.put(field, value);
    }
  }
}
