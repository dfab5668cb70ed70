package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.steuermann.http.KubectlRunner.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ConfigMaps and Secrets through the real API and the real kubectl: Kubernetes' validation
 * (422 naming the field, nothing stored), {@code stringData} folded into {@code data},
 * {@code immutable}, and a pod on a hollow node that waits with {@code CreateContainerConfigError}
 * until what its environment refers to exists.
 */
class ConfigMapsAndSecretsTest {
  private static final String NS = "config";
  private static final String CMS = "/api/v1/namespaces/" + NS + "/configmaps";
  private static final String SECRETS = "/api/v1/namespaces/" + NS + "/secrets";
  private static final String PODS = "/api/v1/namespaces/" + NS + "/pods";

  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.startWithNodes("ConfigMapsAndSecretsTest", TestServer.h2(dataDir).withFallback(
        ConfigFactory.parseString("steuermann.node.hollow-nodes = 1\nsteuermann.node.name-prefix = \"cfg-\"")));
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

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static List<String> fields(JsonNode status) {
    List<String> fields = new ArrayList<>();
    status.path("details").path("causes").forEach(c -> fields.add(c.path("field").asText()));
    return fields;
  }

  private static JsonNode refused(String path, String body, String name) {
    JsonNode status = expect(422, server.post(path, body));
    assertEquals("Invalid", status.path("reason").asText(), status.toString());
    assertEquals(404, server.get(path + "/" + name).statusCode());
    return status;
  }

  private static String cm(String name, String extra) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\"}" + extra + "}";
  }

  private static String secret(String name, String extra) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"" + name + "\"}" + extra + "}";
  }

  @Test
  void badConfigMapsAreRefusedNamingTheField() {
    JsonNode key = refused(CMS, cm("bad-key", ",\"data\":{\"a b\":\"1\",\"..\":\"2\"}"), "bad-key");
    assertEquals(List.of("data[a b]", "data[..]"), fields(key).stream().distinct().toList(), key.toString());
    assertTrue(key.path("message").asText().contains("a valid config key must consist of alphanumeric characters, "
        + "'-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key_name', regex used for validation is "
        + "'[-._a-zA-Z0-9]+')"), key.toString());
    assertTrue(key.path("message").asText().contains("must not be '..'"), key.toString());
    JsonNode twice = refused(CMS, cm("twice", ",\"data\":{\"k\":\"1\"},\"binaryData\":{\"k\":\"" + b64("x") + "\"}"),
        "twice");
    assertEquals(List.of("data[k]", "binaryData[k]"), fields(twice));
    String big = "x".repeat(600 * 1024);
    JsonNode tooBig = refused(CMS, cm("big", ",\"data\":{\"a\":\"" + big + "\",\"b\":\"" + big + "\"}"), "big");
    assertTrue(tooBig.path("message").asText().contains("Too long: may not be more than 1048576 bytes"),
        tooBig.path("message").asText());
    // exactly at the limit is fine
    String half = "y".repeat(512 * 1024);
    expect(201, server.post(CMS, cm("at-limit", ",\"data\":{\"a\":\"" + half + "\",\"b\":\"" + half + "\"}")));
  }

  @Test
  void anImmutableConfigMapKeepsItsData() {
    expect(201, server.post(CMS, cm("frozen", ",\"data\":{\"k\":\"v\"},\"immutable\":true")));
    JsonNode data = expect(422, server.patch(CMS + "/frozen", "application/merge-patch+json",
        "{\"data\":{\"k\":\"w\"}}"));
    assertEquals(List.of("data"), fields(data));
    assertTrue(data.path("message").asText().contains("Forbidden: field is immutable when `immutable` is set"),
        data.toString());
    JsonNode unset = expect(422, server.patch(CMS + "/frozen", "application/merge-patch+json",
        "{\"immutable\":false}"));
    assertEquals(List.of("immutable"), fields(unset));
    // labels still change
    expect(200, server.patch(CMS + "/frozen", "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}"));
    assertEquals("v", expect(200, server.get(CMS + "/frozen")).path("data").path("k").asText());
  }

  @Test
  void stringDataIsFoldedIntoDataAndNeverStored() {
    JsonNode created = expect(201, server.post(SECRETS, secret("folded",
        ",\"data\":{\"a\":\"" + b64("from-data") + "\",\"b\":\"" + b64("kept") + "\"},\"stringData\":{\"a\":\"wins\"}")));
    assertEquals(b64("wins"), created.path("data").path("a").asText());
    assertEquals(b64("kept"), created.path("data").path("b").asText());
    assertFalse(created.has("stringData"), created.toString());
    assertEquals("Opaque", created.path("type").asText());
    JsonNode patched = expect(200, server.patch(SECRETS + "/folded", "application/merge-patch+json",
        "{\"stringData\":{\"c\":\"new\"}}"));
    assertEquals(b64("new"), patched.path("data").path("c").asText());
    assertFalse(patched.has("stringData"));
    JsonNode type = expect(422, server.patch(SECRETS + "/folded", "application/merge-patch+json",
        "{\"type\":\"kubernetes.io/tls\"}"));
    // as in Kubernetes, the new type's required keys are reported too
    assertTrue(fields(type).contains("type"), type.toString());
    assertTrue(type.path("message").asText().contains("field is immutable"), type.toString());
  }

  @Test
  void secretTypesNeedTheirKeysAndValuesAreNeverEchoed() {
    JsonNode tls = refused(SECRETS, secret("tls", ",\"type\":\"kubernetes.io/tls\",\"stringData\":{\"tls.crt\":\"c\"}"),
        "tls");
    assertEquals(List.of("data[tls.key]"), fields(tls));
    JsonNode docker = refused(SECRETS, secret("docker", ",\"type\":\"kubernetes.io/dockerconfigjson\""), "docker");
    assertEquals(List.of("data[.dockerconfigjson]"), fields(docker));
    JsonNode notJson = refused(SECRETS, secret("docker2", ",\"type\":\"kubernetes.io/dockerconfigjson\","
        + "\"stringData\":{\".dockerconfigjson\":\"hunter2-not-json\"}"), "docker2");
    assertFalse(notJson.toString().contains("hunter2"), notJson.toString());
    assertTrue(notJson.toString().contains("<secret contents redacted>"), notJson.toString());
    JsonNode basic = refused(SECRETS, secret("basic", ",\"type\":\"kubernetes.io/basic-auth\""), "basic");
    assertEquals(List.of("data[%s][username]", "data[%s][password]"), fields(basic));
    expect(201, server.post(SECRETS, secret("basic-ok", ",\"type\":\"kubernetes.io/basic-auth\",\"stringData\":{\"username\":\"u\"}")));
    JsonNode ssh = refused(SECRETS, secret("ssh", ",\"type\":\"kubernetes.io/ssh-auth\""), "ssh");
    assertEquals(List.of("data[%s][ssh-privatekey]"), fields(ssh));
    JsonNode base64 = refused(SECRETS, secret("b64", ",\"data\":{\"k\":\"hunter2!!\"}"), "b64");
    assertEquals(List.of("data[k]"), fields(base64));
    assertFalse(base64.toString().contains("hunter2"), base64.toString());
  }

  @Test
  void kubectlCreatesGetsAndDescribesThem() throws Exception {
    Path file = Files.writeString(dataDir.resolve("app.properties"), "color=blue\n");
    Result cm = kubectl("create", "configmap", "app", "-n", NS, "--from-literal=a=b", "--from-file=" + file);
    assertEquals(0, cm.exit(), cm.err());
    Result secret = kubectl("create", "secret", "generic", "db", "-n", NS, "--from-literal=password=s3cr3t-value");
    assertEquals(0, secret.exit(), secret.err());
    JsonNode stored = expect(200, server.get(CMS + "/app"));
    assertEquals("b", stored.path("data").path("a").asText());
    assertEquals("color=blue\n", stored.path("data").path("app.properties").asText());
    assertEquals(b64("s3cr3t-value"), expect(200, server.get(SECRETS + "/db")).path("data").path("password").asText());
    Result get = kubectl("get", "cm,secrets", "-n", NS);
    assertEquals(0, get.exit(), get.err());
    assertTrue(get.out().lines().anyMatch(l -> l.matches("configmap/app\\s+2\\s+.*")), get.out());
    assertTrue(get.out().lines().anyMatch(l -> l.matches("secret/db\\s+Opaque\\s+1\\s+.*")), get.out());
    Result describe = kubectl("describe", "secret", "db", "-n", NS);
    assertEquals(0, describe.exit(), describe.err());
    assertTrue(describe.out().contains("password:  12 bytes"), describe.out());
    assertFalse(describe.out().contains("s3cr3t-value"), describe.out());
    Result explain = kubectl("explain", "configmap.immutable");
    assertEquals(0, explain.exit(), explain.err());
    assertTrue(explain.out().contains("Immutable, if set to true"), explain.out());
  }

  @Test
  void aPodWaitsForItsConfigAndStartsWhenItAppears() {
    expect(201, server.post(PODS, """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"needs-config"},
         "spec":{"nodeName":"cfg-0001","containers":[{"name":"main","image":"busybox",
           "env":[{"name":"TOKEN","valueFrom":{"secretKeyRef":{"name":"pod-token","key":"token"}}},
                  {"name":"MAYBE","valueFrom":{"configMapKeyRef":{"name":"absent","key":"k","optional":true}}}],
           "envFrom":[{"configMapRef":{"name":"pod-settings"},"prefix":"APP_"}]}]}}"""));
    awaitWaiting("configmap \"pod-settings\" not found");
    expect(201, server.post(CMS, cm("pod-settings", ",\"data\":{\"mode\":\"fast\"}")));
    awaitWaiting("secret \"pod-token\" not found");
    expect(201, server.post(SECRETS, secret("pod-token", ",\"stringData\":{\"other\":\"x\"}")));
    awaitWaiting("couldn't find key token in Secret config/pod-token");
    expect(200, server.patch(SECRETS + "/pod-token", "application/merge-patch+json",
        "{\"stringData\":{\"token\":\"tok-VALUE-123\"}}"));
    await().atMost(Duration.ofSeconds(30)).until(() ->
        expect(200, server.get(PODS + "/needs-config")).path("status").path("phase").asText().equals("Running"));
    JsonNode events = expect(200, server.get("/api/v1/namespaces/" + NS + "/events"));
    assertTrue(events.toString().contains("Error: configmap \\\"pod-settings\\\" not found"), events.toString());
    assertFalse(events.toString().contains("tok-VALUE-123"), events.toString());
  }

  @Test
  void kubectlApplyOfASecretWithStringDataConverges() throws Exception {
    for (String mode : List.of("client", "server")) {
      for (String value : List.of("one", "two")) {
        Path manifest = Files.writeString(dataDir.resolve("applied-" + mode + ".yaml"), """
            apiVersion: v1
            kind: Secret
            metadata: {name: applied-%s, namespace: %s}
            stringData: {token: %s}
            """.formatted(mode, NS, value));
        Result applied = mode.equals("client") ? kubectl("apply", "-f", manifest.toString())
            : kubectl("apply", "--server-side", "-f", manifest.toString());
        assertEquals(0, applied.exit(), applied.err());
        JsonNode stored = expect(200, server.get(SECRETS + "/applied-" + mode));
        assertEquals(b64(value), stored.path("data").path("token").asText(), stored.toString());
        assertFalse(stored.has("stringData"), stored.toString());
      }
    }
  }

  @Test
  void badReferencesInAPodAreRefusedNamingTheField() {
    JsonNode status = refused(PODS, """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"bad-refs"},
         "spec":{"containers":[{"name":"main","image":"busybox",
           "env":[{"name":"A","valueFrom":{"configMapKeyRef":{"name":"c","key":"a b"}}},
                  {"name":"B","value":"x","valueFrom":{"secretKeyRef":{"name":"s","key":"k"}}},
                  {"name":"C","valueFrom":{"secretKeyRef":{"name":"s","key":"k"},"configMapKeyRef":{"name":"c","key":"k"}}},
                  {"name":"D","valueFrom":{"secretKeyRef":{"name":"s"}}}],
           "envFrom":[{"prefix":"P_"},{"configMapRef":{"name":""}}]}]}}""", "bad-refs");
    String c = "spec.containers[0].";
    assertEquals(List.of(c + "env[0].valueFrom.configMapKeyRef.key", c + "env[1].valueFrom",
        c + "env[2].valueFrom", c + "env[3].valueFrom.secretKeyRef.key", c + "envFrom[0]",
        c + "envFrom[1].configMapRef.name"), fields(status));
    assertTrue(status.path("message").asText().contains("may not be specified when `value` is not empty"), status.toString());
    assertTrue(status.path("message").asText().contains("must specify one of: `configMapRef` or `secretRef`"),
        status.toString());
  }

  @Test
  void theOtherContainersOfThePodRunMeanwhile() {
    expect(201, server.post(PODS, """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"half-configured"},
         "spec":{"nodeName":"cfg-0001","containers":[{"name":"plain","image":"busybox"},
           {"name":"needy","image":"busybox","env":[{"name":"K","valueFrom":{"configMapKeyRef":{"name":"late","key":"k"}}}]}]}}"""));
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      JsonNode statuses = expect(200, server.get(PODS + "/half-configured")).path("status").path("containerStatuses");
      return state(statuses, "plain").has("running")
          && "CreateContainerConfigError".equals(state(statuses, "needy").path("waiting").path("reason").asText());
    });
    assertEquals("Pending", expect(200, server.get(PODS + "/half-configured")).path("status").path("phase").asText());
    expect(201, server.post(CMS, cm("late", ",\"data\":{\"k\":\"v\"}")));
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      JsonNode pod = expect(200, server.get(PODS + "/half-configured"));
      return pod.path("status").path("phase").asText().equals("Running")
          && state(pod.path("status").path("containerStatuses"), "needy").has("running");
    });
    JsonNode statuses = expect(200, server.get(PODS + "/half-configured")).path("status").path("containerStatuses");
    for (JsonNode s : statuses) {
      assertEquals(0, s.path("restartCount").asInt(), statuses.toString());
    }
  }

  private static JsonNode state(JsonNode statuses, String name) {
    for (JsonNode s : statuses) {
      if (s.path("name").asText().equals(name)) {
        return s.path("state");
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  @Test
  void aPodWaitingForItsConfigCanBeDeleted() {
    expect(201, server.post(PODS, """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"never-configured"},
         "spec":{"nodeName":"cfg-0001","terminationGracePeriodSeconds":0,"containers":[{"name":"main","image":"busybox",
           "envFrom":[{"secretRef":{"name":"nowhere"}}]}]}}"""));
    await().atMost(Duration.ofSeconds(30)).until(() -> "CreateContainerConfigError".equals(
        expect(200, server.get(PODS + "/never-configured")).path("status").path("containerStatuses").path(0)
            .path("state").path("waiting").path("reason").asText()));
    expect(200, server.delete(PODS + "/never-configured"));
    await().atMost(Duration.ofSeconds(30)).until(() -> server.get(PODS + "/never-configured").statusCode() == 404);
  }

  private static void awaitWaiting(String message) {
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      JsonNode waiting = expect(200, server.get(PODS + "/needs-config"))
          .path("status").path("containerStatuses").path(0).path("state").path("waiting");
      return waiting.path("reason").asText().equals("CreateContainerConfigError")
          && waiting.path("message").asText().equals(message);
    });
  }
}
