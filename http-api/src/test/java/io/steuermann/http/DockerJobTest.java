package io.steuermann.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.steuermann.node.docker.DockerSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Job whose busybox container (a real Docker container, {@link DockerSupport}) runs
 * {@code sh -c 'echo done'} completes, and the real kubectl shows it: {@code kubectl wait
 * --for=condition=complete}, then {@code kubectl logs job/x} prints what the container wrote.
 */
class DockerJobTest {
  private static DockerApi api;

  @BeforeAll
  static void start() throws Exception {
    api = DockerApi.start("job-docker");
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
  }

  @Test
  void aJobRunsToCompletionInDockerAndItsLogsAreServed() throws Exception {
    api.create("""
        apiVersion: batch/v1
        kind: Job
        metadata: {name: echo, namespace: default}
        spec:
          backoffLimit: 0
          template:
            spec:
              restartPolicy: Never
              containers:
              - {name: main, image: %s, command: [sh, -c, "echo done"]}
        """.formatted(DockerSupport.IMAGE));
    DockerApi.Result waited = api.kubectl("wait", "--for=condition=complete", "job/echo", "--timeout=110s");
    assertEquals(0, waited.exit(), waited.output());
    assertTrue(waited.output().contains("job.batch/echo condition met"), waited.output());
    assertEquals(new DockerApi.Result(0, "done\n"), api.kubectl("logs", "job/echo"));
    DockerApi.Result table = api.kubectl("get", "job", "echo");
    assertTrue(table.output().matches("(?s)NAME\\s+STATUS\\s+COMPLETIONS\\s+DURATION\\s+AGE\\s+echo\\s+Complete\\s+1/1\\s.*"),
        table.output());
  }
}
