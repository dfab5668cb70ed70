package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.steuermann.http.KubectlRunner.Result;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real kubectl 1.32 with Jobs and CronJobs on a hollow node: {@code create job},
 * {@code wait --for=condition=complete}, {@code get jobs}, {@code logs job/x},
 * {@code create cronjob}, {@code get cronjobs}, {@code create job --from=cronjob/z}, and
 * {@code delete job} removing the Job's pods.
 */
class KubectlJobsTest {
  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.startWithNodes("KubectlJobsTest", TestServer.h2(dataDir).withFallback(ConfigFactory.parseString("""
        steuermann.controllers.enabled = true
        steuermann.node.hollow-nodes = 1
        steuermann.node.name-prefix = "kjobs-"
        """)));
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
    assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.out() + r.err());
    return r;
  }

  @Test
  void createWaitGetLogsAndDeleteAJob() throws Exception {
    assertEquals("job.batch/x created\n", ok("create", "job", "x", "--image=busybox", "--", "true").out());
    assertEquals("job.batch/x condition met\n", ok("wait", "--for=condition=complete", "job/x", "--timeout=60s").out());
    String table = ok("get", "jobs").out();
    assertTrue(table.matches("(?s)NAME\\s+STATUS\\s+COMPLETIONS\\s+DURATION\\s+AGE\\n x\\s+Complete\\s+1/1\\s+\\d+s\\s+\\d+s\\n"
        .replace("\\n x", "\\nx")), table);
    // hollow containers log a line when they start and one when they end
    String logs = ok("logs", "job/x").out();
    assertTrue(logs.contains("exited with code 0"), logs);

    String described = ok("describe", "job", "x").out();
    assertTrue(described.contains("Pods Statuses:    0 Active (0 Ready) / 1 Succeeded / 0 Failed"), described);
    assertTrue(described.contains("Completions:      1"), described);
    assertTrue(ok("get", "all").out().contains("job.batch/x"), "kubectl get all lists Jobs");

    JsonNode pods = expect(200, server.get("/api/v1/namespaces/default/pods?labelSelector=job-name%3Dx"));
    assertEquals(1, pods.path("items").size());
    ok("delete", "job", "x", "--wait=true", "--timeout=60s");
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> expect(200,
        server.get("/api/v1/namespaces/default/pods?labelSelector=job-name%3Dx")).path("items").isEmpty());
  }

  @Test
  void createACronJobAndAJobFromIt() throws Exception {
    assertEquals("cronjob.batch/z created\n",
        ok("create", "cronjob", "z", "--image=busybox", "--schedule=0 3 * * *", "--", "true").out());
    String table = ok("get", "cj").out();
    assertTrue(table.matches("(?s)NAME\\s+SCHEDULE\\s+TIMEZONE\\s+SUSPEND\\s+ACTIVE\\s+LAST SCHEDULE\\s+AGE\\n"
        + "z\\s+0 3 \\* \\* \\*\\s+<none>\\s+False\\s+0\\s+<none>\\s+\\d+s\\n"), table);
    String described = ok("describe", "cronjob", "z").out();
    assertTrue(described.contains("Schedule:                      0 3 * * *"), described);
    assertTrue(described.contains("Concurrency Policy:            Allow"), described);
    assertEquals("job.batch/y created\n", ok("create", "job", "y", "--from=cronjob/z").out());
    ok("wait", "--for=condition=complete", "job/y", "--timeout=60s");
    JsonNode y = expect(200, server.get("/apis/batch/v1/namespaces/default/jobs/y"));
    assertEquals("z", y.path("metadata").path("ownerReferences").get(0).path("name").asText(), y.toString());
    assertEquals("manual", y.path("metadata").path("annotations").path("cronjob.kubernetes.io/instantiate").asText());

    Result bad = kubectl("create", "cronjob", "bad", "--image=busybox", "--schedule=not a schedule", "--", "true");
    assertEquals(1, bad.exit(), bad.out());
    assertTrue(bad.err().contains("spec.schedule"), bad.err());
  }
}
