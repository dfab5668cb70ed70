package io.steuermann.http.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DiscoveryTest {

  private static final ObjectMapper M = new ObjectMapper();

  private static JsonNode json(String s) throws Exception {
    return M.readTree(s);
  }

  private static JsonNode resource(JsonNode list, String name) {
    for (JsonNode r : list.get("resources")) {
      if (r.get("name").asText().equals(name)) {
        return r;
      }
    }
    throw new AssertionError("no resource " + name + " in " + list);
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static List<String> names(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.get("name").asText()));
    return out;
  }

  @Test
  void version() throws Exception {
    assertEquals(json("""
        {"major":"1","minor":"32","gitVersion":"v1.32.0-steuermann","gitCommit":"","gitTreeState":"",
         "buildDate":"","goVersion":"","compiler":"","platform":"linux/amd64"}"""),
        Discovery.version("linux/amd64"));
    assertEquals("1", Discovery.version().get("major").asText());
    assertTrue(Discovery.version().get("platform").asText().contains("/"));
  }

  @Test
  void platformMapping() {
    assertEquals("linux/amd64", Discovery.platform("Linux", "amd64"));
    assertEquals("linux/amd64", Discovery.platform("Linux", "x86_64"));
    assertEquals("darwin/arm64", Discovery.platform("Mac OS X", "aarch64"));
    assertEquals("windows/amd64", Discovery.platform("Windows 11", "amd64"));
  }

  @Test
  void apiVersions() throws Exception {
    assertEquals(json("""
        {"kind":"APIVersions","versions":["v1"],
         "serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"127.0.0.1:8080"}]}"""),
        Discovery.apiVersions("127.0.0.1:8080"));
  }

  @Test
  void apiGroupList() throws Exception {
    assertEquals(json("""
        {"kind":"APIGroupList","apiVersion":"v1","groups":[
          {"name":"apps","versions":[{"groupVersion":"apps/v1","version":"v1"}],
           "preferredVersion":{"groupVersion":"apps/v1","version":"v1"}},
          {"name":"batch","versions":[{"groupVersion":"batch/v1","version":"v1"}],
           "preferredVersion":{"groupVersion":"batch/v1","version":"v1"}},
          {"name":"policy","versions":[{"groupVersion":"policy/v1","version":"v1"}],
           "preferredVersion":{"groupVersion":"policy/v1","version":"v1"}},
          {"name":"rbac.authorization.k8s.io","versions":[{"groupVersion":"rbac.authorization.k8s.io/v1",
            "version":"v1"}],"preferredVersion":{"groupVersion":"rbac.authorization.k8s.io/v1","version":"v1"}},
          {"name":"autoscaling","versions":[{"groupVersion":"autoscaling/v2","version":"v2"},
             {"groupVersion":"autoscaling/v1","version":"v1"}],
           "preferredVersion":{"groupVersion":"autoscaling/v2","version":"v2"}},
          {"name":"storage.k8s.io","versions":[{"groupVersion":"storage.k8s.io/v1","version":"v1"}],
           "preferredVersion":{"groupVersion":"storage.k8s.io/v1","version":"v1"}},
          {"name":"networking.k8s.io","versions":[{"groupVersion":"networking.k8s.io/v1","version":"v1"}],
           "preferredVersion":{"groupVersion":"networking.k8s.io/v1","version":"v1"}},
          {"name":"discovery.k8s.io","versions":[{"groupVersion":"discovery.k8s.io/v1","version":"v1"}],
           "preferredVersion":{"groupVersion":"discovery.k8s.io/v1","version":"v1"}},
          {"name":"metrics.k8s.io","versions":[{"groupVersion":"metrics.k8s.io/v1beta1","version":"v1beta1"}],
           "preferredVersion":{"groupVersion":"metrics.k8s.io/v1beta1","version":"v1beta1"}}]}"""),
        Discovery.apiGroupList());
  }

  @Test
  void apiGroup() throws Exception {
    assertEquals(json("""
        {"kind":"APIGroup","apiVersion":"v1","name":"apps",
         "versions":[{"groupVersion":"apps/v1","version":"v1"}],
         "preferredVersion":{"groupVersion":"apps/v1","version":"v1"}}"""),
        Discovery.apiGroup("apps").orElseThrow());
    assertTrue(Discovery.apiGroup("example.com").isEmpty());
    assertTrue(Discovery.apiGroup("").isEmpty());
  }

  @Test
  void coreResourceList() throws Exception {
    ObjectNode list = Discovery.apiResourceList("", "v1").orElseThrow();
    assertEquals("APIResourceList", list.get("kind").asText());
    assertEquals("v1", list.get("groupVersion").asText());
    assertEquals(List.of("configmaps", "endpoints", "events", "limitranges", "namespaces", "namespaces/status", "nodes",
            "nodes/status",
            "persistentvolumeclaims", "persistentvolumeclaims/status", "persistentvolumes", "persistentvolumes/status",
            "pods", "pods/attach", "pods/binding", "pods/eviction", "pods/exec", "pods/log", "pods/portforward",
            "pods/status",
            "replicationcontrollers", "replicationcontrollers/scale", "replicationcontrollers/status",
            "resourcequotas", "resourcequotas/status", "secrets",
            "serviceaccounts", "services", "services/status"),
        names(list.get("resources")));

    assertEquals(json("""
        {"name":"pods","singularName":"pod","namespaced":true,"kind":"Pod",
         "verbs":["create","delete","deletecollection","get","list","patch","update","watch"],
         "shortNames":["po"],"categories":["all"]}"""), resource(list, "pods"));
    assertEquals(json("""
        {"name":"pods/status","singularName":"","namespaced":true,"kind":"Pod","verbs":["get","patch","update"]}"""),
        resource(list, "pods/status"));
    assertEquals(json("""
        {"name":"pods/binding","singularName":"","namespaced":true,"kind":"Binding","verbs":["create"]}"""),
        resource(list, "pods/binding"));
    assertEquals(json("""
        {"name":"pods/log","singularName":"","namespaced":true,"kind":"Pod","verbs":["get"]}"""),
        resource(list, "pods/log"));
    assertEquals(json("""
        {"name":"namespaces","singularName":"namespace","namespaced":false,"kind":"Namespace",
         "verbs":["create","delete","get","list","patch","update","watch"],"shortNames":["ns"]}"""),
        resource(list, "namespaces"));
    assertFalse(resource(list, "nodes").get("namespaced").asBoolean());
    assertEquals("endpoints", resource(list, "endpoints").get("singularName").asText());
    assertEquals(List.of("ev"), texts(resource(list, "events").get("shortNames")));
  }

  @Test
  void appsResourceList() throws Exception {
    ObjectNode list = Discovery.apiResourceList("apps", "v1").orElseThrow();
    assertEquals("apps/v1", list.get("groupVersion").asText());
    assertEquals(json("""
        {"name":"deployments/scale","singularName":"","namespaced":true,"group":"autoscaling","version":"v1",
         "kind":"Scale","verbs":["get","patch","update"]}"""), resource(list, "deployments/scale"));
    assertEquals(json("""
        {"name":"replicasets","singularName":"replicaset","namespaced":true,"kind":"ReplicaSet",
         "verbs":["create","delete","deletecollection","get","list","patch","update","watch"],
         "shortNames":["rs"],"categories":["all"]}"""), resource(list, "replicasets"));
    assertEquals(json("""
        {"name":"daemonsets","singularName":"daemonset","namespaced":true,"kind":"DaemonSet",
         "verbs":["create","delete","deletecollection","get","list","patch","update","watch"],
         "shortNames":["ds"],"categories":["all"]}"""), resource(list, "daemonsets"));
    assertEquals(json("""
        {"name":"controllerrevisions","singularName":"controllerrevision","namespaced":true,"kind":"ControllerRevision",
         "verbs":["create","delete","deletecollection","get","list","patch","update","watch"]}"""),
        resource(list, "controllerrevisions"));
    assertEquals(json("""
        {"name":"statefulsets","singularName":"statefulset","namespaced":true,"kind":"StatefulSet",
         "verbs":["create","delete","deletecollection","get","list","patch","update","watch"],
         "shortNames":["sts"],"categories":["all"]}"""), resource(list, "statefulsets"));
    assertEquals("Scale", resource(list, "statefulsets/scale").path("kind").asText());
    // deployments, /scale, /status; replicasets, /scale, /status; daemonsets, /status; controllerrevisions;
    // statefulsets, /scale, /status
    assertEquals(12, list.get("resources").size());
    assertTrue(Discovery.apiResourceList("apps", "v2").isEmpty());
    assertTrue(Discovery.apiResourceList("policy", "v2").isEmpty());
  }

  @Test
  void batchResourceList() throws Exception {
    ObjectNode list = Discovery.apiResourceList("batch", "v1").orElseThrow();
    assertEquals("batch/v1", list.get("groupVersion").asText());
    assertEquals(List.of("cronjobs", "cronjobs/status", "jobs", "jobs/status"), names(list.get("resources")));
    assertEquals(json("""
        {"name":"cronjobs","singularName":"cronjob","namespaced":true,"kind":"CronJob",
         "verbs":["create","delete","deletecollection","get","list","patch","update","watch"],
         "shortNames":["cj"],"categories":["all"]}"""), resource(list, "cronjobs"));
    assertEquals(json("""
        {"name":"jobs","singularName":"job","namespaced":true,"kind":"Job",
         "verbs":["create","delete","deletecollection","get","list","patch","update","watch"],
         "categories":["all"]}"""), resource(list, "jobs"));
  }

  @Test
  void networkingResourceList() throws Exception {
    ObjectNode list = Discovery.apiResourceList("networking.k8s.io", "v1").orElseThrow();
    assertEquals(List.of("ingressclasses", "ingresses", "ingresses/status"), names(list.get("resources")));
    assertEquals(json("""
        {"name":"ingresses","singularName":"ingress","namespaced":true,"kind":"Ingress",
         "verbs":["create","delete","deletecollection","get","list","patch","update","watch"],
         "shortNames":["ing"]}"""), resource(list, "ingresses"));
    assertEquals(json("""
        {"name":"ingressclasses","singularName":"ingressclass","namespaced":false,"kind":"IngressClass",
         "verbs":["create","delete","deletecollection","get","list","patch","update","watch"]}"""),
        resource(list, "ingressclasses"));
  }

  @Test
  void storageResourceList() throws Exception {
    ObjectNode list = Discovery.apiResourceList("storage.k8s.io", "v1").orElseThrow();
    assertEquals(List.of("storageclasses"), names(list.get("resources")));
    assertEquals(json("""
        {"name":"storageclasses","singularName":"storageclass","namespaced":false,"kind":"StorageClass",
         "verbs":["create","delete","deletecollection","get","list","patch","update","watch"],
         "shortNames":["sc"]}"""), resource(list, "storageclasses"));
    ObjectNode core = Discovery.apiResourceList("", "v1").orElseThrow();
    assertEquals(json("""
        {"name":"persistentvolumeclaims","singularName":"persistentvolumeclaim","namespaced":true,
         "kind":"PersistentVolumeClaim",
         "verbs":["create","delete","deletecollection","get","list","patch","update","watch"],
         "shortNames":["pvc"]}"""), resource(core, "persistentvolumeclaims"));
    assertEquals(json("""
        {"name":"persistentvolumes","singularName":"persistentvolume","namespaced":false,"kind":"PersistentVolume",
         "verbs":["create","delete","deletecollection","get","list","patch","update","watch"],
         "shortNames":["pv"]}"""), resource(core, "persistentvolumes"));
  }

  @Test
  void forPathRoutesDiscoveryPaths() {
    String addr = "127.0.0.1:8080";
    assertEquals(Discovery.apiVersions(addr), Discovery.forPath("/api", addr).orElseThrow());
    assertEquals(Discovery.apiVersions(addr), Discovery.forPath("/api/", addr).orElseThrow());
    assertEquals(Discovery.apiResourceList("", "v1"), Discovery.forPath("/api/v1", addr));
    assertEquals(Discovery.apiGroupList(), Discovery.forPath("/apis", addr).orElseThrow());
    assertEquals(Discovery.apiGroup("apps"), Discovery.forPath("/apis/apps", addr));
    assertEquals(Discovery.apiResourceList("apps", "v1"), Discovery.forPath("/apis/apps/v1", addr));
    assertEquals("v1.32.0-steuermann", Discovery.forPath("/version", addr).orElseThrow().get("gitVersion").asText());
    for (String notDiscovery : List.of("/api/v1/pods", "/api/v1/namespaces/default/pods", "/apis/apps/v1/deployments",
        "/apis/example.com", "/apis/apps/v2", "/openapi/v2", "/openapi/v3", "/openapi/v3/api/v1", "/healthz", "/")) {
      assertEquals(Optional.empty(), Discovery.forPath(notDiscovery, addr), notDiscovery);
    }
  }
}
