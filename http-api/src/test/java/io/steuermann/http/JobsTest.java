package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs through the real API on a hollow node, whose containers {@code true} and {@code false}
 * exit at once with 0 and 1: completions and parallelism, the back-off limit, Indexed Jobs,
 * suspend, activeDeadlineSeconds, ttlSecondsAfterFinished, cascading deletion, and
 * Kubernetes' validation (422 naming the field, nothing stored).
 */
class JobsTest {
  private static final String NS = "jobs";
  private static final String JOBS = "/apis/batch/v1/namespaces/" + NS + "/jobs";
  private static final String PODS = "/api/v1/namespaces/" + NS + "/pods";

  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.startWithNodes("JobsTest", TestServer.h2(dataDir).withFallback(ConfigFactory.parseString("""
        steuermann.controllers.enabled = true
        steuermann.controllers.job.backoff-base = 100ms
        steuermann.node.hollow-nodes = 1
        steuermann.node.name-prefix = "jobs-"
        """)));
    server.namespace(NS);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static String job(String name, String spec, String command) {
    return """
        {"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"%s"},
         "spec":{%s"template":{"spec":{"restartPolicy":"Never",
           "containers":[{"name":"main","image":"busybox:1.36"%s}]}}}}"""
        .formatted(name, spec, command == null ? "" : ",\"command\":" + command);
  }

  private static JsonNode get(String name) {
    return expect(200, server.get(JOBS + "/" + name));
  }

  private static String condition(JsonNode job, String type) {
    for (JsonNode c : job.path("status").path("conditions")) {
      if (type.equals(c.path("type").asText()) && "True".equals(c.path("status").asText())) {
        return c.path("reason").asText();
      }
    }
    return null;
  }

  private static JsonNode awaitCondition(String name, String type) {
    await().atMost(Duration.ofSeconds(30)).until(() -> condition(get(name), type) != null);
    return get(name);
  }

  private static List<JsonNode> pods(String job) {
    List<JsonNode> out = new ArrayList<>();
    expect(200, server.get(PODS + "?labelSelector=batch.kubernetes.io/job-name%3D" + job)).path("items")
        .forEach(out::add);
    return out;
  }

  @Test
  void completionsThreeParallelismTwoCompletes() {
    JsonNode created = expect(201, server.post(JOBS, job("three", "\"completions\":3,\"parallelism\":2,", "[\"true\"]")));
    // Kubernetes' defaults and the generated selector
    String uid = created.path("metadata").path("uid").asText();
    assertEquals(6, created.path("spec").path("backoffLimit").asInt());
    assertEquals("NonIndexed", created.path("spec").path("completionMode").asText());
    assertEquals(uid, created.path("spec").path("selector").path("matchLabels")
        .path("batch.kubernetes.io/controller-uid").asText());
    JsonNode labels = created.path("spec").path("template").path("metadata").path("labels");
    assertEquals("three", labels.path("job-name").asText());
    assertEquals(uid, labels.path("controller-uid").asText());

    JsonNode done = awaitCondition("three", "Complete");
    assertEquals("CompletionsReached", condition(done, "SuccessCriteriaMet"));
    assertEquals(3, done.path("status").path("succeeded").asInt());
    assertTrue(done.path("status").has("completionTime"), done.toString());
    assertTrue(done.path("status").has("startTime"), done.toString());
    List<JsonNode> pods = pods("three");
    assertEquals(3, pods.size(), "exactly three pods ran");
    for (JsonNode pod : pods) {
      assertEquals("Succeeded", pod.path("status").path("phase").asText());
      assertEquals(uid, pod.path("metadata").path("ownerReferences").get(0).path("uid").asText());
    }
    // the table kubectl prints
    JsonNode table = expect(200, server.send(server.request(JOBS + "/three")
        .header("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io").GET().build()));
    JsonNode cells = table.path("rows").get(0).path("cells");
    assertEquals("Complete", cells.get(1).asText());
    assertEquals("3/3", cells.get(2).asText());
  }

  @Test
  void aFailingJobStopsAtTheBackoffLimit() {
    expect(201, server.post(JOBS, job("failing", "\"backoffLimit\":2,", "[\"false\"]")));
    JsonNode failed = awaitCondition("failing", "Failed");
    assertEquals("BackoffLimitExceeded", condition(failed, "Failed"));
    assertEquals("BackoffLimitExceeded", condition(failed, "FailureTarget"));
    assertEquals(3, failed.path("status").path("failed").asInt(), failed.toString());
    // backoffLimit 2: the first pod and two retries, no more
    await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).until(() -> pods("failing").size() == 3);
  }

  @Test
  void podFailurePolicyFailsTheJobOnAnExitCode() {
    expect(201, server.post(JOBS, job("policy", """
        "backoffLimit":6,"podFailurePolicy":{"rules":[
          {"action":"FailJob","onExitCodes":{"containerName":"main","operator":"In","values":[42]}}]},""",
        "[\"sh\",\"-c\",\"exit 42\"]")));
    JsonNode failed = awaitCondition("policy", "Failed");
    assertEquals("PodFailurePolicy", condition(failed, "Failed"));
    String pod = pods("policy").get(0).path("metadata").path("name").asText();
    for (JsonNode c : failed.path("status").path("conditions")) {
      if (c.path("type").asText().equals("Failed")) {
        assertEquals("Container main for pod jobs/" + pod + " failed with exit code 42 matching FailJob rule at index 0",
            c.path("message").asText());
      }
    }
    assertEquals(1, pods("policy").size(), "no retry after a FailJob match");
  }

  @Test
  void indexedPodsKnowTheirIndex() {
    expect(201, server.post(JOBS, job("indexed",
        "\"completions\":3,\"parallelism\":3,\"completionMode\":\"Indexed\",", "[\"true\"]")));
    JsonNode done = awaitCondition("indexed", "Complete");
    assertEquals("0-2", done.path("status").path("completedIndexes").asText(), done.toString());
    Set<String> env = new TreeSet<>();
    Set<String> hostnames = new TreeSet<>();
    for (JsonNode pod : pods("indexed")) {
      String index = pod.path("metadata").path("annotations").path("batch.kubernetes.io/job-completion-index").asText();
      assertEquals(index, pod.path("metadata").path("labels").path("batch.kubernetes.io/job-completion-index").asText());
      assertTrue(pod.path("metadata").path("name").asText().startsWith("indexed-" + index + "-"));
      for (JsonNode e : pod.path("spec").path("containers").get(0).path("env")) {
        if (e.path("name").asText().equals("JOB_COMPLETION_INDEX")) {
          env.add(e.path("value").asText());
          assertEquals(index, e.path("value").asText());
        }
      }
      hostnames.add(pod.path("spec").path("hostname").asText());
    }
    assertEquals(Set.of("0", "1", "2"), env);
    assertEquals(Set.of("indexed-0", "indexed-1", "indexed-2"), hostnames);
  }

  @Test
  void suspendStopsThePodsAndResumeStartsThem() {
    // no command: the hollow container runs until it is stopped
    expect(201, server.post(JOBS, job("paused", "\"suspend\":true,", null)));
    await().atMost(Duration.ofSeconds(10)).until(() -> "JobSuspended".equals(condition(get("paused"), "Suspended")));
    assertEquals(0, pods("paused").size());
    assertTrue(get("paused").path("status").path("startTime").isMissingNode());

    expect(200, server.patch(JOBS + "/paused", "application/merge-patch+json", "{\"spec\":{\"suspend\":false}}"));
    await().atMost(Duration.ofSeconds(20)).until(() -> get("paused").path("status").path("active").asInt() == 1);
    assertTrue(get("paused").path("status").has("startTime"));

    expect(200, server.patch(JOBS + "/paused", "application/merge-patch+json", "{\"spec\":{\"suspend\":true}}"));
    await().atMost(Duration.ofSeconds(20)).until(() -> pods("paused").stream()
        .allMatch(p -> p.path("metadata").has("deletionTimestamp")));
    JsonNode suspended = get("paused");
    assertEquals("JobSuspended", condition(suspended, "Suspended"));
    assertEquals(null, condition(suspended, "Complete"));
  }

  @Test
  void activeDeadlineFailsTheJobAndDeletesItsPods() {
    expect(201, server.post(JOBS, job("slow", "\"activeDeadlineSeconds\":2,", null)));
    await().atMost(Duration.ofSeconds(10)).until(() -> get("slow").path("status").path("active").asInt() == 1);
    JsonNode failed = awaitCondition("slow", "Failed");
    assertEquals("DeadlineExceeded", condition(failed, "Failed"));
    await().atMost(Duration.ofSeconds(20)).until(() -> pods("slow").stream()
        .allMatch(p -> p.path("metadata").has("deletionTimestamp")));
  }

  @Test
  void ttlAfterFinishedDeletesTheJobAndItsPods() {
    expect(201, server.post(JOBS, job("brief", "\"ttlSecondsAfterFinished\":0,", "[\"true\"]")));
    await().atMost(Duration.ofSeconds(30)).until(() -> server.get(JOBS + "/brief").statusCode() == 404);
    await().atMost(Duration.ofSeconds(30)).until(() -> pods("brief").isEmpty());
  }

  @Test
  void deletingAJobInTheForegroundRemovesItsPods() {
    expect(201, server.post(JOBS, job("doomed", "\"parallelism\":2,\"completions\":2,", null)));
    await().atMost(Duration.ofSeconds(10)).until(() -> pods("doomed").size() == 2);
    expect(200, server.send(server.request(JOBS + "/doomed").header("Content-Type", "application/json")
        .method("DELETE", java.net.http.HttpRequest.BodyPublishers.ofString(
            "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"propagationPolicy\":\"Foreground\"}")).build()));
    await().atMost(Duration.ofSeconds(30)).until(() -> server.get(JOBS + "/doomed").statusCode() == 404);
    assertTrue(pods("doomed").isEmpty(), "the Job went after its pods");
  }

  @Test
  void invalidJobsAreRefusedNamingTheFieldAndNothingIsStored() {
    String always = job("always", "", "[\"true\"]").replace("\"Never\"", "\"Always\"");
    JsonNode status = expect(422, server.post(JOBS, always));
    assertEquals("spec.template.spec.restartPolicy", status.path("details").path("causes").get(0).path("field").asText(),
        status.toString());
    assertTrue(status.path("message").asText().contains("supported values: \"OnFailure\", \"Never\""),
        status.toString());
    assertEquals(404, server.get(JOBS + "/always").statusCode());

    JsonNode indexed = expect(422, server.post(JOBS, job("noindex", "\"completionMode\":\"Indexed\",\"parallelism\":2,",
        "[\"true\"]")));
    assertTrue(indexed.toString().contains("spec.completions"), indexed.toString());
    JsonNode negative = expect(422, server.post(JOBS, job("negative", "\"backoffLimit\":-1,", "[\"true\"]")));
    assertTrue(negative.toString().contains("spec.backoffLimit"), negative.toString());
    assertEquals(404, server.get(JOBS + "/negative").statusCode());

    // the pod template is immutable
    expect(201, server.post(JOBS, job("fixed", "\"suspend\":true,", "[\"true\"]")));
    JsonNode changed = expect(422, server.patch(JOBS + "/fixed", "application/merge-patch+json",
        "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"busybox:1.37\"}]}}}}"));
    assertTrue(changed.toString().contains("spec.template"), changed.toString());
    assertEquals("busybox:1.36", get("fixed").path("spec").path("template").path("spec").path("containers").get(0)
        .path("image").asText());
  }
}
