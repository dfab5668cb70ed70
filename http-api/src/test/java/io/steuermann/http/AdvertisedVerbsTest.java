package io.steuermann.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.steuermann.engine.model.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Walks discovery as a client would (/api, /apis, every group version) and calls every verb of
 * every resource and subresource it advertises, on a server with one hollow node: each must be
 * served (a 2xx, or 101 for the streaming subresources), so that no client finds a verb in
 * discovery that the server then refuses. A resource this test has no sample object for fails
 * the test: a new kind must be walked too.
 */
class AdvertisedVerbsTest {
  private static final String NS = "walk";
  private static final String NODE = "walk-0001";
  @TempDir
  static Path dataDir;
  static TestServer server;
  static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() {
    server = TestServer.startWithNodes("AdvertisedVerbsTest", TestServer.h2(dataDir).withFallback(
        ConfigFactory.parseString("steuermann.node.hollow-nodes = 1\nsteuermann.node.name-prefix = \"walk-\"")));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** A resource as discovery lists it, with the path of its collection. */
  private record Resource(String groupVersion, String name, boolean namespaced, List<String> verbs) {
    String plural() {
      return name.contains("/") ? name.substring(0, name.indexOf('/')) : name;
    }

    String subresource() {
      return name.contains("/") ? name.substring(name.indexOf('/') + 1) : null;
    }

    String collection() {
      String root = groupVersion.equals("v1") ? "/api/v1" : "/apis/" + groupVersion;
      return root + (namespaced ? "/namespaces/" + NS : "") + "/" + plural();
    }
  }

  @Test
  void everyAdvertisedVerbIsServed() throws Exception {
    expect(201, send("POST", "/api/v1/namespaces", sample("v1", "namespaces", NS)));
    List<Resource> resources = discover();
    List<String> walked = new ArrayList<>();
    List<Resource> deletable = new ArrayList<>();
    for (Resource r : resources) {
      if (r.subresource() == null) {
        if (walkResource(r, resources)) {
          deletable.add(r);
        }
        r.verbs().forEach(v -> walked.add(r.groupVersion() + " " + r.name() + " " + v));
      }
    }
    // deletes last, dependents first: pod metrics need the pod, everything needs its namespace
    java.util.Collections.reverse(deletable);
    for (Resource r : deletable) {
      walkDeletes(r);
    }
    System.out.println("AdvertisedVerbsTest: " + walked.size() + " verbs of "
        + resources.stream().filter(r -> r.subresource() == null).count() + " resources and "
        + resources.stream().mapToInt(r -> r.subresource() == null ? 0 : r.verbs().size()).sum()
        + " verbs of subresources walked");
    TreeSet<String> kinds = new TreeSet<>();
    resources.forEach(r -> kinds.add(r.groupVersion() + "/" + r.plural()));
    assertTrue(kinds.containsAll(List.of("v1/pods", "v1/namespaces", "apps/v1/deployments", "metrics.k8s.io/v1beta1/pods")),
        kinds.toString());
  }

  private List<Resource> discover() throws Exception {
    List<String> groupVersions = new ArrayList<>();
    expect(200, get("/api")).path("versions").forEach(v -> groupVersions.add(v.asText()));
    expect(200, get("/apis")).path("groups").forEach(g ->
        g.path("versions").forEach(v -> groupVersions.add(v.path("groupVersion").asText())));
    List<Resource> resources = new ArrayList<>();
    for (String gv : groupVersions) {
      JsonNode list = expect(200, get(gv.equals("v1") ? "/api/v1" : "/apis/" + gv));
      for (JsonNode r : list.path("resources")) {
        List<String> verbs = new ArrayList<>();
        r.path("verbs").forEach(v -> verbs.add(v.asText()));
        resources.add(new Resource(gv, r.path("name").asText(), r.path("namespaced").asBoolean(), verbs));
      }
    }
    return resources;
  }

  /** Walks every verb but the deletes; answers whether there is something to delete. */
  private boolean walkResource(Resource r, List<Resource> all) throws Exception {
    if (r.groupVersion().startsWith("metrics.k8s.io/")) {
      walkMetrics(r);
      return false;
    }
    String name = objectName(r);
    String one = r.collection() + "/" + name;
    List<String> verbs = r.verbs();
    if (!r.name().equals("namespaces")) {
      check(r, "create", 201, send("POST", r.collection(), sample(r.groupVersion(), r.plural(), name)));
    } else {
      check(r, "create", 201, send("POST", r.collection(), sample(r.groupVersion(), r.plural(), "walk-other")));
      one = r.collection() + "/" + NS;
    }
    for (String verb : verbs) {
      switch (verb) {
        case "create", "delete", "deletecollection" -> { }
        case "get" -> check(r, verb, 200, get(one));
        case "list" -> check(r, verb, 200, get(r.collection()));
        case "watch" -> check(r, verb, 200, watch(r.collection() + "?watch=true&resourceVersion=0"));
        case "update" -> check(r, verb, 200, putBack(one));
        case "patch" -> check(r, verb, 200, patch(one, "{\"metadata\":{\"labels\":{\"walked\":\"yes\"}}}"));
        default -> fail(r.name() + ": discovery advertises a verb no Kubernetes client knows: " + verb);
      }
    }
    List<Resource> subresources = new ArrayList<>(all.stream().filter(sub -> sub.subresource() != null
        && sub.groupVersion().equals(r.groupVersion()) && r.name().equals(sub.plural())).toList());
    // a pod is bound to the node before its streams and logs are asked for
    subresources.sort(java.util.Comparator.comparing(sub -> !sub.subresource().equals("binding")));
    for (Resource sub : subresources) {
      walkSubresource(sub, one);
    }
    return true;
  }

  /** One object per resource; a resource served at two versions is one set of objects, so one each. */
  private static String objectName(Resource r) {
    return "walk-" + r.plural() + (r.groupVersion().equals("autoscaling/v1") ? "-v1" : "");
  }

  private void walkDeletes(Resource r) throws Exception {
    String name = objectName(r);
    String one = r.collection() + "/" + name;
    List<String> verbs = r.verbs();
    if (verbs.contains("deletecollection")) {
      // a second object, labelled, so that the collection delete has something to take
      String other = name + "-collected";
      ObjectNode labelled = (ObjectNode) Json.parse(sample(r.groupVersion(), r.plural(), other));
      labelled.with("metadata").with("labels").put("collect", "me");
      expect(201, send("POST", r.collection(), labelled.toString()));
      HttpResponse<String> deleted = send("DELETE", r.collection() + "?labelSelector=collect%3Dme", "");
      check(r, "deletecollection", 200, deleted);
      assertEquals(1, expect(200, deleted).path("items").size(), deleted.body());
    }
    if (verbs.contains("delete")) {
      String target = r.name().equals("namespaces") ? r.collection() + "/walk-other" : one;
      HttpResponse<String> deleted = send("DELETE", target, "");
      if (deleted.statusCode() != 202) {
        check(r, "delete", 200, deleted);
      }
    }
  }

  private void walkSubresource(Resource sub, String object) throws Exception {
    String path = object + "/" + sub.subresource();
    for (String verb : sub.verbs()) {
      HttpResponse<String> answer = switch (sub.subresource() + " " + verb) {
        case "status get", "scale get" -> get(path);
        case "status update", "scale update" -> putBack(path);
        case "status patch" -> patch(path, "{\"metadata\":{\"annotations\":{\"walked\":\"status\"}}}");
        case "scale patch" -> patch(path, "{\"spec\":{\"replicas\":0}}");
        case "binding create" -> send("POST", path, """
            {"apiVersion":"v1","kind":"Binding","metadata":{"name":"%s"},"target":{"kind":"Node","name":"%s"}}"""
            .formatted(object.substring(object.lastIndexOf('/') + 1), NODE));
        case "log get" -> get(path + "?container=main");
        // another pod, since the walked one is asked for its metrics later
        case "eviction create" -> evictAnother(object);
        // WebSocket upgrades, below
        case "exec get", "attach get", "portforward get" -> null;
        default -> {
          fail(sub.name() + ": no way to call advertised verb " + verb);
          yield null;
        }
      };
      if (answer != null) {
        check(sub, verb, sub.subresource().equals("binding") || sub.subresource().equals("eviction") ? 201 : 200,
            answer);
        if (sub.subresource().equals("binding")) {
          // logs and streams are asked of a running container
          await().atMost(Duration.ofSeconds(30)).until(() -> expect(200, get(object)).path("status").path("phase")
              .asText().equals("Running"));
        }
      } else {
        String query = switch (sub.subresource()) {
          case "exec" -> "?command=true&stdout=true&container=main";
          case "attach" -> "?stdout=true&container=main";
          default -> "?ports=80";
        };
        String protocol = sub.subresource().equals("portforward") ? "SPDY/3.1+portforward.k8s.io" : "v4.channel.k8s.io";
        String answer101 = upgrade(path + query, protocol);
        // served: upgraded, or refused by the node itself, whose hollow containers run no process
        // (the streams of Docker containers: DockerPodExecTest, DockerPodPortForwardTest)
        assertTrue(answer101.startsWith("HTTP/1.1 101") || (answer101.startsWith("HTTP/1.1 400")
            && answer101.contains("the hollow runtime of this node runs no processes to")),
            sub.name() + " " + verb + ": " + answer101);
      }
    }
  }

  private static HttpResponse<String> evictAnother(String pod) throws Exception {
    String collection = pod.substring(0, pod.lastIndexOf('/'));
    expect(201, send("POST", collection, sample("v1", "pods", "walk-evicted")));
    return send("POST", collection + "/walk-evicted/eviction",
        "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"walk-evicted\"}}");
  }

  private void walkMetrics(Resource r) throws Exception {
    String name = r.plural().equals("nodes") ? NODE : "walk-pods";
    for (String verb : r.verbs()) {
      String path = verb.equals("list") ? r.collection() : r.collection() + "/" + name;
      await().atMost(Duration.ofSeconds(30)).until(() -> get(path).statusCode() == 200);
      check(r, verb, 200, get(path));
    }
  }

  /** A minimal valid object of each resource this server serves; a new one must be added here. */
  private static String sample(String groupVersion, String plural, String name) {
    String body = switch (groupVersion + "/" + plural) {
      case "v1/namespaces", "v1/nodes" -> "";
      case "v1/pods" -> ",\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"busybox\"}]}";
      case "v1/services" -> ",\"spec\":{\"ports\":[{\"port\":80}],\"selector\":{\"app\":\"walk\"}}";
      case "v1/endpoints" -> ",\"subsets\":[]";
      case "v1/configmaps" -> ",\"data\":{\"a\":\"b\"}";
      case "v1/secrets" -> ",\"stringData\":{\"a\":\"b\"}";
      // a claim's limits: the walk's pods are not touched by it
      case "v1/limitranges" -> ",\"spec\":{\"limits\":[{\"type\":\"PersistentVolumeClaim\","
          + "\"max\":{\"storage\":\"100Gi\"}}]}";
      case "v1/replicationcontrollers" -> ",\"spec\":{\"replicas\":0,\"selector\":{\"app\":\"" + name + "\"},"
          + "\"template\":{\"metadata\":{\"labels\":{\"app\":\"" + name + "\"}},\"spec\":{\"containers\":"
          + "[{\"name\":\"main\",\"image\":\"busybox\"}]}}}";
      case "v1/persistentvolumes" -> ",\"spec\":{\"capacity\":{\"storage\":\"1Gi\"},\"accessModes\":"
          + "[\"ReadWriteOnce\"],\"storageClassName\":\"walk\",\"hostPath\":{\"path\":\"/tmp/walk\"}}";
      case "v1/persistentvolumeclaims" -> ",\"spec\":{\"accessModes\":[\"ReadWriteOnce\"],\"storageClassName\":"
          + "\"walk\",\"resources\":{\"requests\":{\"storage\":\"1Gi\"}}}";
      case "storage.k8s.io/v1/storageclasses" -> ",\"provisioner\":\"example.com/walk\"";
      case "v1/serviceaccounts" -> ",\"automountServiceAccountToken\":false";
      case "v1/resourcequotas" -> ",\"spec\":{\"hard\":{\"count/configmaps\":\"100\"}}";
      case "rbac.authorization.k8s.io/v1/roles", "rbac.authorization.k8s.io/v1/clusterroles" ->
          ",\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"get\"]}]";
      case "rbac.authorization.k8s.io/v1/rolebindings", "rbac.authorization.k8s.io/v1/clusterrolebindings" ->
          ",\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"view\"},"
          + "\"subjects\":[{\"kind\":\"User\",\"apiGroup\":\"rbac.authorization.k8s.io\",\"name\":\"walk\"}]";
      case "networking.k8s.io/v1/ingresses" -> ",\"spec\":{\"defaultBackend\":{\"service\":{\"name\":\"walk\","
          + "\"port\":{\"number\":80}}}}";
      case "networking.k8s.io/v1/ingressclasses" -> ",\"spec\":{\"controller\":\"example.com/walk\"}";
      case "v1/events" -> ",\"involvedObject\":{\"kind\":\"Pod\",\"namespace\":\"" + NS
          + "\",\"name\":\"walk-pods\"},\"reason\":\"Walked\",\"message\":\"walked\",\"type\":\"Normal\"";
      case "apps/v1/replicasets", "apps/v1/deployments", "apps/v1/statefulsets" -> ",\"spec\":{\"replicas\":0,"
          + "\"selector\":{\"matchLabels\":{\"app\":\"" + name + "\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\""
          + name + "\"}},\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"busybox\"}]}}}";
      case "apps/v1/daemonsets" -> ",\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"" + name + "\"}},"
          + "\"template\":{\"metadata\":{\"labels\":{\"app\":\"" + name + "\"}},\"spec\":{\"nodeSelector\":"
          + "{\"walk\":\"nowhere\"},\"containers\":[{\"name\":\"main\",\"image\":\"busybox\"}]}}}";
      case "apps/v1/controllerrevisions" -> ",\"data\":{\"spec\":{}},\"revision\":1";
      case "batch/v1/jobs" -> ",\"spec\":{\"suspend\":true,\"template\":{\"spec\":{\"restartPolicy\":\"Never\","
          + "\"containers\":[{\"name\":\"main\",\"image\":\"busybox\"}]}}}";
      case "discovery.k8s.io/v1/endpointslices" -> ",\"addressType\":\"IPv4\",\"endpoints\":[{\"addresses\":"
          + "[\"192.0.2.1\"]}],\"ports\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"TCP\"}]";
      case "policy/v1/poddisruptionbudgets" -> ",\"spec\":{\"maxUnavailable\":1,\"selector\":{\"matchLabels\":"
          + "{\"app\":\"" + name + "\"}}}";
      // the same body at v1 (converted on the way in and out) and at v2
      case "autoscaling/v2/horizontalpodautoscalers", "autoscaling/v1/horizontalpodautoscalers" ->
          ",\"spec\":{\"scaleTargetRef\":{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"name\":\""
          + name + "\"},\"maxReplicas\":2}";
      case "batch/v1/cronjobs" -> ",\"spec\":{\"schedule\":\"@hourly\",\"suspend\":true,\"jobTemplate\":{\"spec\":"
          + "{\"template\":{\"spec\":{\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"main\",\"image\":\"busybox\"}]}}}}}";
      default -> throw new AssertionError("discovery lists " + groupVersion + " " + plural
          + ", which this test has no sample object for: add one");
    };
    String kind = switch (plural) {
      case "namespaces" -> "Namespace";
      case "nodes" -> "Node";
      case "pods" -> "Pod";
      case "services" -> "Service";
      case "endpoints" -> "Endpoints";
      case "events" -> "Event";
      case "configmaps" -> "ConfigMap";
      case "secrets" -> "Secret";
      case "limitranges" -> "LimitRange";
      case "replicationcontrollers" -> "ReplicationController";
      case "persistentvolumes" -> "PersistentVolume";
      case "persistentvolumeclaims" -> "PersistentVolumeClaim";
      case "resourcequotas" -> "ResourceQuota";
      case "storageclasses" -> "StorageClass";
      case "ingresses" -> "Ingress";
      case "ingressclasses" -> "IngressClass";
      case "endpointslices" -> "EndpointSlice";
      case "replicasets" -> "ReplicaSet";
      case "daemonsets" -> "DaemonSet";
      case "statefulsets" -> "StatefulSet";
      case "controllerrevisions" -> "ControllerRevision";
      case "jobs" -> "Job";
      case "cronjobs" -> "CronJob";
      case "poddisruptionbudgets" -> "PodDisruptionBudget";
      case "serviceaccounts" -> "ServiceAccount";
      case "roles" -> "Role";
      case "clusterroles" -> "ClusterRole";
      case "rolebindings" -> "RoleBinding";
      case "clusterrolebindings" -> "ClusterRoleBinding";
      case "horizontalpodautoscalers" -> "HorizontalPodAutoscaler";
      default -> "Deployment";
    };
    return "{\"apiVersion\":\"" + groupVersion + "\",\"kind\":\"" + kind + "\",\"metadata\":{\"name\":\"" + name
        + "\"}" + body + "}";
  }

  /** PUT of what a GET answered; again on a 409 (the node agent writes a bound pod's status). */
  private static HttpResponse<String> putBack(String path) throws Exception {
    HttpResponse<String> put = null;
    for (int attempt = 0; attempt < 10 && (put == null || put.statusCode() == 409); attempt++) {
      put = send("PUT", path, expect(200, get(path)).toString());
    }
    return put;
  }

  private static void check(Resource r, String verb, int code, HttpResponse<?> response) {
    assertEquals(code, response.statusCode(), () -> r.groupVersion() + " " + r.name() + " " + verb + ": "
        + response.request().method() + " " + response.request().uri() + " answered " + response.statusCode()
        + ": " + response.body());
  }

  private static JsonNode expect(int code, HttpResponse<String> response) throws IOException {
    assertEquals(code, response.statusCode(), response.request().uri() + ": " + response.body());
    return Json.parse(response.body());
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(server.base.resolve(path)).timeout(Duration.ofSeconds(30)).GET().build(),
        BodyHandlers.ofString());
  }

  private static HttpResponse<String> send(String method, String path, String body) throws Exception {
    return client.send(HttpRequest.newBuilder(server.base.resolve(path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").method(method, body.isEmpty()
            ? BodyPublishers.noBody() : BodyPublishers.ofString(body)).build(), BodyHandlers.ofString());
  }

  private static HttpResponse<String> patch(String path, String body) throws Exception {
    return client.send(HttpRequest.newBuilder(server.base.resolve(path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/merge-patch+json")
        .method("PATCH", BodyPublishers.ofString(body)).build(), BodyHandlers.ofString());
  }

  /** A watch answers its headers at once and then streams: only the status is looked at. */
  private static HttpResponse<InputStream> watch(String path) throws Exception {
    HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(server.base.resolve(path))
        .timeout(Duration.ofSeconds(30)).GET().build(), BodyHandlers.ofInputStream());
    r.body().close();
    return r;
  }

  /** The answer to a WebSocket upgrade request: the status line, or the whole answer of a refusal. */
  private static String upgrade(String path, String protocol) throws IOException {
    URI base = server.base;
    try (Socket socket = new Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + base.getHost() + "\r\n"
          + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: " + protocol + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      StringBuilder line = new StringBuilder();
      InputStream in = socket.getInputStream();
      for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
        line.append((char) c);
      }
      if (line.toString().startsWith("HTTP/1.1 101")) {
        return line.toString().trim();
      }
      // a refusal is a Status with a Content-Length, read to its end
      String rest = "";
      int length = -1;
      while (length < 0) {
        StringBuilder header = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
          header.append((char) c);
        }
        String h = header.toString().trim();
        if (h.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(h.substring(15).trim());
        }
        rest += h + "\n";
      }
      while (!rest.endsWith("\n\n")) {
        StringBuilder header = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
          header.append((char) c);
        }
        rest += header.toString().trim() + "\n";
      }
      return line.toString().trim() + "\n" + rest + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
  }
}
