package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.schema.FieldSchema;
import io.steuermann.engine.schema.KindSchemas;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Property-based fuzzing of the write path against a real in-process server: valid objects of
 * every served kind, mutated (a value of the wrong JSON type, a required field removed, an
 * oversized name, label or annotations, an object wrapped in a list or a list unwrapped, an
 * unsupported value), sent as a create, a replace, a merge patch or a JSON patch. Every case
 * must be refused with a 4xx Status, change nothing anyone can see (the store's version and
 * the target object stay as they were), and leave the server serving; at the end no watch has
 * seen an event. The count of cases per kind and per mutation is printed.
 */
class WriteFuzzTest {
  private static final String NS = "fuzz";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final KindSchemas SCHEMAS = KindSchemas.fromClasspath();

  enum Verb { CREATE, REPLACE, MERGE_PATCH, JSON_PATCH }

  enum Mutation { WRONG_TYPE, MISSING_REQUIRED, OVERSIZED, WRONG_NESTING, UNSUPPORTED_VALUE }

  private static Path dataDir;
  private static TestServer server;
  /** The stored object each replace and patch targets, as read back after setup. */
  private static final Map<Kind, JsonNode> targets = new EnumMap<>(Kind.class);
  private static long versionAfterSetup;
  private static final AtomicInteger cases = new AtomicInteger();
  private static final Map<String, Integer> byKind = new TreeMap<>();
  private static final Map<String, Integer> byMutation = new TreeMap<>();
  private static final Map<Integer, Integer> byCode = new TreeMap<>();

  @BeforeContainer
  static void start() throws IOException {
    dataDir = Files.createTempDirectory("steuermann-fuzz");
    server = TestServer.start("WriteFuzzTest", TestServer.h2(dataDir));
    server.namespace(NS);
    for (Kind kind : Kind.values()) {
      expect(201, server.post(collection(kind), valid(kind, "target").toString()));
      targets.put(kind, expect(200, server.get(collection(kind) + "/" + name(kind, "target"))));
    }
    versionAfterSetup = storeVersion();
  }

  @AfterContainer
  static void stop() throws IOException {
    try {
      if (server != null) {
        for (Kind kind : Kind.values()) {
          // a watch from the version after setup: every refused write would show here
          HttpResponse<String> watch = server.get(clusterPath(kind) + "?watch=1&timeoutSeconds=1&resourceVersion="
              + versionAfterSetup);
          assertEquals(200, watch.statusCode(), watch::body);
          assertEquals("", watch.body().strip(), kind + " watch saw events after refused writes");
        }
        System.out.printf("WriteFuzzTest: %d cases over %d kinds, 0 accepted, 0 5xx, 0 state changes%n"
            + "  by kind: %s%n  by mutation: %s%n  answers: %s%n",
            cases.get(), byKind.size(), byKind, byMutation, byCode);
      }
    } finally {
      if (server != null) {
        server.close();
      }
      try (Stream<Path> files = Files.walk(dataDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  // ---- the property

  @Property(tries = 600, shrinking = net.jqwik.api.ShrinkingMode.OFF, edgeCases = net.jqwik.api.EdgeCasesMode.NONE)
  void everyInvalidWriteIsRefusedAndChangesNothing(@ForAll("kinds") Kind kind, @ForAll Verb verb,
      @ForAll Mutation mutation, @ForAll("picks") int pick, @ForAll("picks") int variant) {
    String name = name(kind, "c" + cases.incrementAndGet());
    ObjectNode base = verb == Verb.CREATE ? valid(kind, name) : (ObjectNode) targets.get(kind).deepCopy();
    Mutated m = mutate(kind, verb, mutation, base, pick, variant);
    HttpResponse<String> answer = send(kind, verb, m);
    count(kind, m.mutation, answer.statusCode());
    String what = kind + " " + verb + " " + m.mutation + " at " + m.pointer + " -> " + m.value;
    assertTrue(answer.statusCode() >= 400 && answer.statusCode() < 500,
        () -> what + " answered " + answer.statusCode() + ": " + answer.body());
    JsonNode status = TestServer.json(answer);
    assertEquals("Status", status.path("kind").asText(), what);
    assertEquals(answer.statusCode(), status.path("code").asInt(), what);
    // nothing stored anywhere, the target unchanged, and the server still answering
    assertEquals(versionAfterSetup, storeVersion(), () -> what + " changed the store: " + answer.body());
    if (verb == Verb.CREATE) {
      assertEquals(404, server.get(collection(kind) + "/" + name).statusCode(), what);
    } else {
      assertEquals(targets.get(kind), expect(200, server.get(collection(kind) + "/" + name(kind, "target"))), what);
    }
  }

  @Provide
  Arbitrary<Kind> kinds() {
    return Arbitraries.of(Kind.values());
  }

  @Provide
  Arbitrary<Integer> picks() {
    return Arbitraries.integers().between(0, 1 << 20);
  }

  // ---- mutations

  /** The mutated object, and the one change as a JSON pointer and value (null value: removed). */
  record Mutated(Mutation mutation, ObjectNode object, String pointer, JsonNode value) {}

  /** A node of the object with its schema and where it is. */
  record Place(String pointer, FieldSchema schema, JsonNode node) {}

  private static Mutated mutate(Kind kind, Verb verb, Mutation mutation, ObjectNode object, int pick, int variant) {
    switch (mutation) {
      case MISSING_REQUIRED -> {
        List<String> required = required(kind, verb);
        if (!required.isEmpty()) {
          String pointer = required.get(pick % required.size());
          remove(object, pointer);
          return new Mutated(mutation, object, pointer, null);
        }
        // nothing is required of this kind beyond its name, which a replace takes from the path
        return mutate(kind, verb, Mutation.OVERSIZED, object, pick, variant);
      }
      case OVERSIZED -> {
        String pointer;
        JsonNode value;
        // RBAC names are path segments, which have no length limit in Kubernetes
        boolean pathSegmentNames = kind.group().equals("rbac.authorization.k8s.io");
        switch (pathSegmentNames && variant % 4 == 0 ? 1 : variant % 4) {
          case 0 -> {
            pointer = "/metadata/name";
            value = NODES.textNode("n".repeat(254 + variant % 100));
          }
          case 1 -> {
            pointer = "/metadata/labels/big";
            value = NODES.textNode("v".repeat(64 + variant % 200));
          }
          case 2 -> {
            pointer = "/metadata/labels/" + "k".repeat(64 + variant % 50);
            value = NODES.textNode("v");
          }
          default -> {
            pointer = "/metadata/annotations/huge";
            value = NODES.textNode("a".repeat(256 * 1024 + 1 + variant % 1000));
          }
        }
        set(object, pointer, value);
        return new Mutated(mutation, object, pointer, value);
      }
      case WRONG_NESTING -> {
        List<Place> places = places(SCHEMAS.of(kind), object, p -> p.schema.type() == FieldSchema.Type.OBJECT
            || (p.schema.type() == FieldSchema.Type.ARRAY && !p.node.isEmpty()));
        Place place = places.get(pick % places.size());
        JsonNode value;
        if (place.node.isArray()) {
          // the list's first item where the list belongs (or, for a list of lists, an object)
          value = place.node.get(0).deepCopy();
          if (value.getNodeType() == place.node.getNodeType() || !value.isContainerNode()) {
            ObjectNode wrapped = NODES.objectNode();
            wrapped.set("0", value);
            value = wrapped;
          }
        } else {
          value = NODES.arrayNode().add(place.node.deepCopy());
        }
        set(object, place.pointer, value);
        return new Mutated(mutation, object, place.pointer, value);
      }
      case UNSUPPORTED_VALUE -> {
        List<String> enums = unsupported(kind);
        if (enums.isEmpty()) {
          return mutate(kind, verb, Mutation.WRONG_TYPE, object, pick, variant);
        }
        String pointer = enums.get(pick % enums.size());
        JsonNode value = NODES.textNode("Sometimes" + variant % 10);
        set(object, pointer, value);
        return new Mutated(mutation, object, pointer, value);
      }
      default -> {
        List<Place> places = places(SCHEMAS.of(kind), object, p -> !wrongValues(p.schema).isEmpty());
        Place place = places.get(pick % places.size());
        List<JsonNode> wrong = wrongValues(place.schema);
        JsonNode value = wrong.get(variant % wrong.size());
        set(object, place.pointer, value);
        return new Mutated(mutation, object, place.pointer, value);
      }
    }
  }

  /** Values no typed decoder takes for a field of this schema; empty where anything goes. */
  private static List<JsonNode> wrongValues(FieldSchema schema) {
    ObjectNode object = NODES.objectNode().put("a", "b");
    ArrayNode array = NODES.arrayNode().add("x");
    return switch (schema.type()) {
      case OBJECT -> List.of(NODES.textNode("x"), NODES.numberNode(5), NODES.arrayNode().add(NODES.objectNode()),
          NODES.booleanNode(true));
      case ARRAY -> List.of(NODES.textNode("x"), object, NODES.numberNode(5), NODES.booleanNode(false));
      case STRING -> List.of(NODES.numberNode(5), NODES.booleanNode(true), object, array);
      case DATE_TIME -> List.of(NODES.textNode("not a time"), NODES.numberNode(1700000000), object,
          NODES.textNode("2026-12-07 10:00:00"));
      case INTEGER -> List.of(NODES.textNode("x"), NODES.textNode("5"), NODES.numberNode(1.5), NODES.booleanNode(true),
          object, schema.isInt32() ? NODES.numberNode(3_000_000_000L)
              : NODES.numberNode(new java.math.BigInteger("100000000000000000000")));
      case NUMBER -> List.of(NODES.textNode("x"), NODES.booleanNode(true), object);
      case BOOLEAN -> List.of(NODES.textNode("yes"), NODES.numberNode(1), object);
      case INT_OR_STRING -> List.of(NODES.booleanNode(true), NODES.numberNode(1.5), object, array);
      case QUANTITY -> List.of(NODES.booleanNode(true), object, NODES.textNode("lots"), array, NODES.textNode(""));
      case ANY, UNKNOWN -> List.of();
    };
  }

  /** Every node below the root whose schema the filter takes, with its pointer. */
  private static List<Place> places(FieldSchema root, JsonNode object, java.util.function.Predicate<Place> filter) {
    List<Place> places = new ArrayList<>();
    collect(root, object, "", filter, places);
    return places;
  }

  private static void collect(FieldSchema schema, JsonNode node, String pointer,
      java.util.function.Predicate<Place> filter, List<Place> places) {
    if (schema == null || node == null || node.isNull() || schema.keepsEverything()) {
      return;
    }
    Place place = new Place(pointer, schema, node);
    if (!pointer.isEmpty() && filter.test(place)) {
      places.add(place);
    }
    if (schema.properties() != null) {
      node.fields().forEachRemaining(f -> collect(schema.properties().get(f.getKey()), f.getValue(),
          pointer + "/" + escape(f.getKey()), filter, places));
    } else if (schema.mapValues() != null) {
      node.fields().forEachRemaining(f -> collect(schema.mapValues(), f.getValue(),
          pointer + "/" + escape(f.getKey()), filter, places));
    } else if (schema.items() != null) {
      for (int i = 0; i < node.size(); i++) {
        collect(schema.items(), node.get(i), pointer + "/" + i, filter, places);
      }
    }
  }

  /** Fields whose absence Kubernetes refuses; a replace keeps the name from its path, so not that. */
  private static List<String> required(Kind kind, Verb verb) {
    if (verb == Verb.MERGE_PATCH || verb == Verb.JSON_PATCH) {
      return List.of();
    }
    List<String> required = new ArrayList<>(verb == Verb.CREATE ? List.of("/metadata/name") : List.of());
    switch (kind) {
      case POD -> required.addAll(List.of("/spec/containers", "/spec/containers/0/image", "/spec/containers/0/name"));
      case REPLICA_SET, DEPLOYMENT, DAEMON_SET, STATEFUL_SET -> required.addAll(List.of("/spec/selector",
          "/spec/template",
          "/spec/template/spec/containers", "/spec/template/spec/containers/0/image"));
      // a ReplicationController without a selector takes its template's labels
      case JOB, REPLICATION_CONTROLLER -> required.addAll(List.of("/spec/template", "/spec/template/spec/containers",
          "/spec/template/spec/containers/0/image"));
      case CRON_JOB -> required.addAll(List.of("/spec/schedule", "/spec/jobTemplate",
          "/spec/jobTemplate/spec/template/spec/containers/0/image"));
      case PERSISTENT_VOLUME -> required.addAll(List.of("/spec/accessModes", "/spec/capacity", "/spec/hostPath/path"));
      case PERSISTENT_VOLUME_CLAIM -> required.addAll(List.of("/spec/accessModes",
          "/spec/resources/requests/storage"));
      case STORAGE_CLASS -> required.add("/provisioner");
      case INGRESS -> required.addAll(List.of("/spec/rules/0/http/paths/0/pathType",
          "/spec/rules/0/http/paths/0/backend/service/name"));
      case INGRESS_CLASS -> required.addAll(List.of("/spec/controller", "/spec/parameters/kind"));
      case HORIZONTAL_POD_AUTOSCALER -> required.addAll(List.of("/spec/scaleTargetRef/kind",
          "/spec/scaleTargetRef/name", "/spec/maxReplicas"));
      case ENDPOINT_SLICE -> required.addAll(List.of("/addressType", "/endpoints/0/addresses"));
      default -> { }
    }
    return required;
  }

  /** String fields with a closed set of values, as Kubernetes' validation enforces them. */
  private static List<String> unsupported(Kind kind) {
    return switch (kind) {
      case POD -> List.of("/spec/restartPolicy", "/spec/dnsPolicy", "/spec/containers/0/imagePullPolicy",
          "/spec/containers/0/ports/0/protocol");
      case REPLICA_SET, REPLICATION_CONTROLLER -> List.of("/spec/template/spec/restartPolicy",
          "/spec/template/spec/containers/0/imagePullPolicy");
      case DEPLOYMENT -> List.of("/spec/strategy/type", "/spec/template/spec/containers/0/ports/0/protocol");
      case DAEMON_SET -> List.of("/spec/updateStrategy/type", "/spec/template/spec/restartPolicy");
      case STATEFUL_SET -> List.of("/spec/persistentVolumeClaimRetentionPolicy/whenScaled",
          "/spec/template/spec/restartPolicy");
      case JOB -> List.of("/spec/completionMode", "/spec/template/spec/restartPolicy");
      case CRON_JOB -> List.of("/spec/concurrencyPolicy", "/spec/jobTemplate/spec/template/spec/restartPolicy");
      case POD_DISRUPTION_BUDGET -> List.of("/spec/unhealthyPodEvictionPolicy");
      case HORIZONTAL_POD_AUTOSCALER -> List.of("/spec/metrics/0/type", "/spec/behavior/scaleUp/selectPolicy");
      case PERSISTENT_VOLUME -> List.of("/spec/persistentVolumeReclaimPolicy", "/spec/volumeMode",
          "/spec/hostPath/type");
      case PERSISTENT_VOLUME_CLAIM -> List.of("/spec/volumeMode");
      case STORAGE_CLASS -> List.of("/reclaimPolicy", "/volumeBindingMode");
      case INGRESS -> List.of("/spec/rules/0/http/paths/0/pathType");
      case INGRESS_CLASS -> List.of("/spec/parameters/scope");
      case ENDPOINT_SLICE -> List.of("/addressType", "/ports/0/protocol");
      default -> List.of();
    };
  }

  // ---- sending

  private static HttpResponse<String> send(Kind kind, Verb verb, Mutated m) {
    String item = collection(kind) + "/" + name(kind, "target");
    return switch (verb) {
      case CREATE -> server.post(collection(kind), m.object.toString());
      case REPLACE -> server.put(item, m.object.toString());
      case MERGE_PATCH -> server.patch(item, "application/merge-patch+json", mergePatch(m).toString());
      case JSON_PATCH -> server.patch(item, "application/json-patch+json", NODES.arrayNode().add(
          NODES.objectNode().put("op", "add").put("path", m.pointer).set("value", m.value)).toString());
    };
  }

  /**
   * The change as a merge patch: the objects on its way, and at the first list on the way the
   * whole (mutated) list, since a merge patch replaces lists whole.
   */
  private static JsonNode mergePatch(Mutated m) {
    ObjectNode patch = NODES.objectNode();
    ObjectNode at = patch;
    JsonNode source = m.object;
    String[] tokens = m.pointer.substring(1).split("/");
    for (int i = 0; i < tokens.length; i++) {
      String token = unescape(tokens[i]);
      JsonNode next = source.get(token);
      if (i == tokens.length - 1 || next == null || !next.isObject()) {
        at.set(token, next == null ? m.value : next.deepCopy());
        return patch;
      }
      at = at.putObject(token);
      source = next;
    }
    return patch;
  }

  // ---- objects

  private static String collection(Kind kind) {
    String prefix = kind.group().isEmpty() ? "/api/v1" : "/apis/" + kind.apiVersion();
    return kind.namespaced() ? prefix + "/namespaces/" + NS + "/" + kind.plural() : prefix + "/" + kind.plural();
  }

  private static String clusterPath(Kind kind) {
    String prefix = kind.group().isEmpty() ? "/api/v1" : "/apis/" + kind.apiVersion();
    return prefix + "/" + kind.plural();
  }

  private static String name(Kind kind, String suffix) {
    return "fuzz-" + kind.singular() + "-" + suffix;
  }

  /** The version of the whole store, as a list answers it: any accepted write anywhere moves it. */
  private static long storeVersion() {
    return Long.parseLong(expect(200, server.get("/api/v1/namespaces?limit=1"))
        .path("metadata").path("resourceVersion").asText());
  }

  private static final String POD_SPEC = """
      {"restartPolicy":"Always","dnsPolicy":"ClusterFirst","nodeSelector":{"disk":"ssd"},
       "terminationGracePeriodSeconds":30,"tolerations":[{"key":"k","operator":"Exists","effect":"NoSchedule"}],
       "containers":[{"name":"main","image":"busybox:1.36","imagePullPolicy":"IfNotPresent",
         "command":["sleep","3600"],"env":[{"name":"A","value":"1"}],
         "ports":[{"name":"http","containerPort":8080,"protocol":"TCP"}],
         "resources":{"limits":{"cpu":"100m","memory":"64Mi"},"requests":{"cpu":0.05,"memory":"32Mi"}},
         "readinessProbe":{"httpGet":{"path":"/","port":"http"},"periodSeconds":5,"failureThreshold":3}}]}""";

  static ObjectNode valid(Kind kind, String suffix) {
    String name = name(kind, suffix);
    String meta = "{\"name\":\"" + name + "\",\"labels\":{\"app\":\"fuzz\",\"app.kubernetes.io/name\":\"fuzz\"},"
        + "\"annotations\":{\"note\":\"valid\"}}";
    String template = "{\"metadata\":{\"labels\":{\"app\":\"fuzz\"}},\"spec\":" + POD_SPEC + "}";
    String body = switch (kind) {
      case NAMESPACE -> "{\"metadata\":" + meta + ",\"spec\":{\"finalizers\":[\"kubernetes\"]}}";
      case NODE -> "{\"metadata\":" + meta + ",\"spec\":{\"unschedulable\":false,"
          + "\"taints\":[{\"key\":\"k\",\"value\":\"v\",\"effect\":\"NoSchedule\"}]},"
          + "\"status\":{\"capacity\":{\"cpu\":\"2\",\"memory\":\"4Gi\",\"pods\":\"110\"},"
          + "\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"lastHeartbeatTime\":\"2026-12-07T10:00:00Z\"}]}}";
      case POD -> "{\"metadata\":" + meta + ",\"spec\":" + POD_SPEC + "}";
      case SERVICE -> "{\"metadata\":" + meta + ",\"spec\":{\"type\":\"ClusterIP\",\"selector\":{\"app\":\"fuzz\"},"
          + "\"sessionAffinity\":\"None\",\"ports\":[{\"name\":\"http\",\"port\":80,\"targetPort\":\"http\","
          + "\"protocol\":\"TCP\"},{\"name\":\"alt\",\"port\":81,\"targetPort\":8081}]}}";
      case ENDPOINTS -> "{\"metadata\":" + meta + ",\"subsets\":[{\"addresses\":[{\"ip\":\"10.0.0.1\"}],"
          + "\"ports\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"TCP\"}]}]}";
      case EVENT -> "{\"metadata\":" + meta + ",\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"p\",\"namespace\":\""
          + NS + "\"},\"reason\":\"Started\",\"message\":\"started\",\"type\":\"Normal\",\"count\":1,"
          + "\"firstTimestamp\":\"2026-12-07T10:00:00Z\",\"lastTimestamp\":\"2026-12-07T10:00:01Z\","
          + "\"source\":{\"component\":\"fuzz\"}}";
      case CONFIG_MAP -> "{\"metadata\":" + meta + ",\"data\":{\"app.properties\":\"color=blue\",\"mode\":\"fast\"},"
          + "\"binaryData\":{\"blob\":\"AAEC\"}}";
      case SECRET -> "{\"metadata\":" + meta + ",\"type\":\"Opaque\",\"data\":{\"password\":\"czNjcjN0\"}}";
      case LIMIT_RANGE -> "{\"metadata\":" + meta + ",\"spec\":{\"limits\":[{\"type\":\"Container\","
          + "\"max\":{\"cpu\":\"2\"},\"min\":{\"cpu\":\"10m\"},\"default\":{\"cpu\":\"1\"},"
          + "\"defaultRequest\":{\"cpu\":\"100m\"}}]}}";
      case REPLICATION_CONTROLLER -> "{\"metadata\":" + meta + ",\"spec\":{\"replicas\":2,\"minReadySeconds\":0,"
          + "\"selector\":{\"app\":\"fuzz\"},\"template\":" + template + "}}";
      case REPLICA_SET -> "{\"metadata\":" + meta + ",\"spec\":{\"replicas\":2,\"minReadySeconds\":0,"
          + "\"selector\":{\"matchLabels\":{\"app\":\"fuzz\"}},\"template\":" + template + "}}";
      case DAEMON_SET -> "{\"metadata\":" + meta + ",\"spec\":{\"revisionHistoryLimit\":5,\"minReadySeconds\":0,"
          + "\"selector\":{\"matchLabels\":{\"app\":\"fuzz\"}},\"updateStrategy\":{\"type\":\"RollingUpdate\","
          + "\"rollingUpdate\":{\"maxSurge\":0,\"maxUnavailable\":\"25%\"}},\"template\":" + template + "}}";
      case STATEFUL_SET -> "{\"metadata\":" + meta + ",\"spec\":{\"replicas\":0,\"serviceName\":\"fuzz\","
          + "\"podManagementPolicy\":\"Parallel\",\"selector\":{\"matchLabels\":{\"app\":\"fuzz\"}},"
          + "\"updateStrategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"partition\":0}},"
          + "\"persistentVolumeClaimRetentionPolicy\":{\"whenDeleted\":\"Retain\",\"whenScaled\":\"Delete\"},"
          + "\"volumeClaimTemplates\":[{\"metadata\":{\"name\":\"data\"},\"spec\":{\"accessModes\":"
          + "[\"ReadWriteOnce\"],\"storageClassName\":\"fuzz\",\"resources\":{\"requests\":{\"storage\":\"1Gi\"}}}}],"
          + "\"template\":" + template + "}}";
      case CONTROLLER_REVISION -> "{\"metadata\":" + meta + ",\"data\":{\"spec\":{\"template\":{\"$patch\":\"replace\"}}},"
          + "\"revision\":3}";
      case DEPLOYMENT -> "{\"metadata\":" + meta + ",\"spec\":{\"replicas\":2,\"revisionHistoryLimit\":5,"
          + "\"selector\":{\"matchLabels\":{\"app\":\"fuzz\"}},\"strategy\":{\"type\":\"RollingUpdate\","
          + "\"rollingUpdate\":{\"maxSurge\":1,\"maxUnavailable\":\"25%\"}},\"template\":" + template + "}}";
      case JOB -> "{\"metadata\":" + meta + ",\"spec\":{\"completions\":2,\"parallelism\":1,\"backoffLimit\":3,"
          + "\"suspend\":true,\"template\":" + template.replace("\"Always\"", "\"Never\"") + "}}";
      case POD_DISRUPTION_BUDGET -> "{\"metadata\":" + meta + ",\"spec\":{\"maxUnavailable\":\"25%\","
          + "\"unhealthyPodEvictionPolicy\":\"IfHealthyBudget\",\"selector\":{\"matchLabels\":{\"app\":\"fuzz\"}}}}";
      case HORIZONTAL_POD_AUTOSCALER -> "{\"metadata\":" + meta + ",\"spec\":{\"scaleTargetRef\":{\"apiVersion\":"
          + "\"apps/v1\",\"kind\":\"Deployment\",\"name\":\"fuzz\"},\"minReplicas\":1,\"maxReplicas\":3,"
          + "\"metrics\":[{\"type\":\"Resource\",\"resource\":{\"name\":\"cpu\",\"target\":{\"type\":"
          + "\"Utilization\",\"averageUtilization\":50}}}],\"behavior\":{\"scaleUp\":{\"selectPolicy\":\"Max\","
          + "\"policies\":[{\"type\":\"Pods\",\"value\":2,\"periodSeconds\":30}]}}}}";
      case PERSISTENT_VOLUME -> "{\"metadata\":" + meta + ",\"spec\":{\"capacity\":{\"storage\":\"1Gi\"},"
          + "\"accessModes\":[\"ReadWriteOnce\"],\"persistentVolumeReclaimPolicy\":\"Retain\","
          + "\"volumeMode\":\"Filesystem\",\"storageClassName\":\"fuzz\","
          + "\"hostPath\":{\"path\":\"/tmp/fuzz\",\"type\":\"DirectoryOrCreate\"}}}";
      // a quota over a resource nothing here creates: no controller runs, and a quota whose status is
      // unknown refuses the creates it counts (403), as kube-apiserver does
      case RESOURCE_QUOTA -> "{\"metadata\":" + meta + ",\"spec\":{\"hard\":{\"count/widgets.example.com\":\"50\"}}}";
      case PERSISTENT_VOLUME_CLAIM -> "{\"metadata\":" + meta + ",\"spec\":{\"accessModes\":[\"ReadWriteOnce\"],"
          + "\"volumeMode\":\"Filesystem\",\"storageClassName\":\"fuzz\","
          + "\"resources\":{\"requests\":{\"storage\":\"1Gi\"}}}}";
      case SERVICE_ACCOUNT -> "{\"metadata\":" + meta + ",\"automountServiceAccountToken\":false,"
          + "\"secrets\":[{\"name\":\"token\"}],\"imagePullSecrets\":[{\"name\":\"registry\"}]}";
      case ROLE, CLUSTER_ROLE -> "{\"metadata\":" + meta + ",\"rules\":[{\"apiGroups\":[\"\",\"apps\"],"
          + "\"resources\":[\"pods\",\"deployments\"],\"verbs\":[\"get\",\"list\"],\"resourceNames\":[\"a\"]}]}";
      case ROLE_BINDING, CLUSTER_ROLE_BINDING -> "{\"metadata\":" + meta + ",\"roleRef\":{\"apiGroup\":"
          + "\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"view\"},\"subjects\":[{\"kind\":"
          + "\"User\",\"apiGroup\":\"rbac.authorization.k8s.io\",\"name\":\"alice\"},{\"kind\":\"ServiceAccount\","
          + "\"name\":\"sa\",\"namespace\":\"" + NS + "\"}]}";
      case STORAGE_CLASS -> "{\"metadata\":" + meta + ",\"provisioner\":\"example.com/fuzz\","
          + "\"reclaimPolicy\":\"Retain\",\"volumeBindingMode\":\"WaitForFirstConsumer\","
          + "\"parameters\":{\"type\":\"fast\"}}";
      case INGRESS -> "{\"metadata\":" + meta + ",\"spec\":{\"ingressClassName\":\"fuzz\","
          + "\"tls\":[{\"hosts\":[\"fuzz.example.com\"],\"secretName\":\"fuzz-tls\"}],"
          + "\"rules\":[{\"host\":\"fuzz.example.com\",\"http\":{\"paths\":[{\"path\":\"/api\","
          + "\"pathType\":\"Prefix\",\"backend\":{\"service\":{\"name\":\"fuzz\",\"port\":{\"number\":80}}}}]}}]}}";
      case ENDPOINT_SLICE -> "{\"metadata\":" + meta + ",\"addressType\":\"IPv4\",\"endpoints\":[{\"addresses\":"
          + "[\"10.0.0.1\"],\"conditions\":{\"ready\":true},\"nodeName\":\"n1\"}],\"ports\":[{\"name\":\"http\","
          + "\"port\":80,\"protocol\":\"TCP\"}]}";
      case INGRESS_CLASS -> "{\"metadata\":" + meta + ",\"spec\":{\"controller\":\"example.com/fuzz\","
          + "\"parameters\":{\"apiGroup\":\"k8s.example.com\",\"kind\":\"Params\",\"name\":\"p\","
          + "\"scope\":\"Cluster\"}}}";
      case CRON_JOB -> "{\"metadata\":" + meta + ",\"spec\":{\"schedule\":\"*/5 * * * *\",\"suspend\":true,"
          + "\"concurrencyPolicy\":\"Forbid\",\"jobTemplate\":{\"spec\":{\"template\":"
          + template.replace("\"Always\"", "\"Never\"") + "}}}}";
    };
    ObjectNode object = NODES.objectNode().put("apiVersion", kind.apiVersion()).put("kind", kind.kindName());
    try {
      object.setAll((ObjectNode) Json.parse(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return object;
  }

  // ---- JSON pointers

  private static void set(ObjectNode object, String pointer, JsonNode value) {
    String[] tokens = pointer.substring(1).split("/");
    JsonNode at = object;
    for (int i = 0; i < tokens.length - 1; i++) {
      String token = unescape(tokens[i]);
      JsonNode next = at.isArray() ? at.get(Integer.parseInt(token)) : at.get(token);
      if (next == null) {
        next = ((ObjectNode) at).putObject(token);
      }
      at = next;
    }
    String last = unescape(tokens[tokens.length - 1]);
    if (at instanceof ArrayNode array) {
      array.set(Integer.parseInt(last), value);
    } else {
      ((ObjectNode) at).set(last, value);
    }
  }

  private static void remove(ObjectNode object, String pointer) {
    JsonNode parent = object.at(pointer.substring(0, pointer.lastIndexOf('/')));
    String last = unescape(pointer.substring(pointer.lastIndexOf('/') + 1));
    if (parent instanceof ObjectNode o) {
      o.remove(last);
    }
  }

  private static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  private static String unescape(String token) {
    return token.replace("~1", "/").replace("~0", "~");
  }

  private static synchronized void count(Kind kind, Mutation mutation, int code) {
    byKind.merge(kind.kindName(), 1, Integer::sum);
    byMutation.merge(mutation.name(), 1, Integer::sum);
    byCode.merge(code, 1, Integer::sum);
  }

}
