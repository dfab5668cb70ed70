package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.steuermann.http.KubectlRunner.Result;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ServiceAccounts and the RBAC kinds through the real API and the real kubectl, with the
 * controllers running: every namespace gets its {@code default} account (again after a delete),
 * a pod runs as it unless it names another, {@code kubectl create serviceaccount|role|
 * rolebinding|clusterrole|clusterrolebinding} and kube's columns, kube's defaults for binding
 * subjects, and 422s worded as kube-apiserver's (a namespaced rule on a URL, a binding to an
 * unsupported kind, a changed roleRef). Authorization itself is not enforced yet: the objects
 * are stored and served as a cluster with RBAC objects but an allow-all authorizer would.
 */
class RbacObjectsTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String NS = "rbac";
  private static final String RBAC = "/apis/rbac.authorization.k8s.io/v1";

  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("RbacObjectsTest", TestServer.h2(dataDir).withFallback(
        ConfigFactory.parseString("steuermann.controllers.enabled = true")));
    server.namespace(NS);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static Result kubectl(String... args) throws Exception {
    return KubectlRunner.run(server.base, dataDir, args);
  }

  private static Result ok(String... args) throws Exception {
    Result r = kubectl(args);
    assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.err());
    return r;
  }

  @Test
  void everyNamespaceHasItsDefaultServiceAccountAgainAfterADelete() throws Exception {
    String account = "/api/v1/namespaces/" + NS + "/serviceaccounts/default";
    await().atMost(WAIT).until(() -> server.get(account).statusCode() == 200);
    await().atMost(WAIT).until(() -> server.get("/api/v1/namespaces/default/serviceaccounts/default").statusCode()
        == 200);
    String uid = expect(200, server.get(account)).path("metadata").path("uid").asText();
    ok("delete", "serviceaccount", "default", "-n", NS);
    await().atMost(WAIT).until(() -> {
      var r = server.get(account);
      return r.statusCode() == 200 && !TestServer.json(r).path("metadata").path("uid").asText().equals(uid);
    });
    Result table = ok("get", "sa", "default", "-n", NS);
    assertTrue(table.out().matches("(?s)NAME\\s+SECRETS\\s+AGE\\s+default\\s+0\\s+\\S+\\s*"), table.out());
  }

  @Test
  void aPodRunsAsTheDefaultAccountUnlessItNamesOne() throws Exception {
    JsonNode plain = expect(201, server.post("/api/v1/namespaces/" + NS + "/pods",
        TestServer.podJson("plain", "{}")));
    assertEquals("default", plain.path("spec").path("serviceAccountName").asText(), plain.toString());
    assertEquals("default", plain.path("spec").path("serviceAccount").asText(), "the deprecated field mirrors it");
    ok("create", "serviceaccount", "builder", "-n", NS);
    JsonNode named = expect(201, server.post("/api/v1/namespaces/" + NS + "/pods", """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"named","namespace":"%s"},
         "spec":{"serviceAccount":"builder","containers":[{"name":"c","image":"busybox"}]}}""".formatted(NS)));
    assertEquals("builder", named.path("spec").path("serviceAccountName").asText(), "read from the deprecated field");
  }

  @Test
  void kubectlMakesRolesAndBindingsWithKubesColumns() throws Exception {
    ok("create", "role", "pod-reader", "--verb=get,list,watch", "--resource=pods", "-n", NS);
    ok("create", "rolebinding", "read-pods", "--role=pod-reader", "--user=alice", "--group=devs",
        "--serviceaccount=" + NS + ":builder", "-n", NS);
    ok("create", "clusterrole", "system:node-viewer", "--verb=get", "--resource=nodes");
    ok("create", "clusterrolebinding", "view-nodes", "--clusterrole=system:node-viewer", "--user=bob");

    JsonNode role = expect(200, server.get(RBAC + "/namespaces/" + NS + "/roles/pod-reader"));
    assertEquals("[\"get\",\"list\",\"watch\"]", role.path("rules").path(0).path("verbs").toString());
    JsonNode binding = expect(200, server.get(RBAC + "/namespaces/" + NS + "/rolebindings/read-pods"));
    assertEquals("rbac.authorization.k8s.io", binding.path("subjects").path(0).path("apiGroup").asText());

    Result roles = ok("get", "role", "pod-reader", "-n", NS);
    assertTrue(roles.out().matches("(?s)NAME\\s+CREATED AT\\s+pod-reader\\s+\\d{4}-\\d\\d-\\d\\dT\\S+Z\\s*"),
        roles.out());
    Result bindings = ok("get", "rolebinding", "read-pods", "-n", NS, "-o", "wide");
    assertTrue(bindings.out().matches("(?s)NAME\\s+ROLE\\s+AGE\\s+USERS\\s+GROUPS\\s+SERVICEACCOUNTS\\s+"
        + "read-pods\\s+Role/pod-reader\\s+\\S+\\s+alice\\s+devs\\s+rbac/builder\\s*"), bindings.out());
    Result cluster = ok("get", "clusterrolebinding", "view-nodes");
    assertTrue(cluster.out().matches("(?s)NAME\\s+ROLE\\s+AGE\\s+view-nodes\\s+ClusterRole/system:node-viewer\\s+\\S+\\s*"),
        cluster.out());
  }

  @Test
  void badRulesAndBindingsAre422sNamingTheField() throws Exception {
    JsonNode url = expect(422, server.post(RBAC + "/namespaces/" + NS + "/roles", """
        {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"health"},
         "rules":[{"verbs":["get"],"nonResourceURLs":["/healthz"]}]}"""));
    assertEquals("Role.rbac.authorization.k8s.io \"health\" is invalid: rules[0].nonResourceURLs: Invalid value: "
        + "[]string{\"/healthz\"}: namespaced rules cannot apply to non-resource URLs", url.path("message").asText());
    JsonNode noVerbs = expect(422, server.post(RBAC + "/clusterroles", """
        {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"empty"},
         "rules":[{"apiGroups":[""],"resources":["pods"]}]}"""));
    assertTrue(noVerbs.path("message").asText().contains(
        "rules[0].verbs: Required value: verbs must contain at least one value"), noVerbs.toString());
    JsonNode wrongKind = expect(422, server.post(RBAC + "/clusterrolebindings", """
        {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"wrong"},
         "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"x"},
         "subjects":[{"kind":"ServiceAccount","name":"builder"}]}"""));
    assertEquals("ClusterRoleBinding.rbac.authorization.k8s.io \"wrong\" is invalid: [roleRef.kind: Unsupported "
        + "value: \"Role\": supported values: \"ClusterRole\", subjects[0].namespace: Required value]",
        wrongKind.path("message").asText());
    assertEquals(404, server.get(RBAC + "/clusterrolebindings/wrong").statusCode(), "nothing stored");

    ok("create", "rolebinding", "fixed", "--clusterrole=view", "--user=carol", "-n", NS);
    Result changed = kubectl("patch", "rolebinding", "fixed", "-n", NS, "--type=merge", "-p",
        "{\"roleRef\":{\"name\":\"edit\"}}");
    assertEquals(1, changed.exit(), changed.out());
    assertTrue(changed.err().contains("roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", "
        + "Kind:\"ClusterRole\", Name:\"edit\"}: cannot change roleRef"), changed.err());
  }
}
