package io.steuermann.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.node.docker.DockerSupport;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A StatefulSet of real Docker containers with a claim template, driven with the real kubectl:
 * its pods start in order, each appends its hostname to its own claim at every start; a deleted
 * pod comes back under its name and finds what it wrote before; scaling down and up again keeps
 * the claims, so the returning pod finds its data too.
 */
class DockerStatefulSetTest {
  private static DockerApi api;

  @BeforeAll
  static void start() throws Exception {
    api = DockerApi.start("sts-docker");
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
  }

  @Test
  void aDeletedPodComesBackWithItsNameAndItsClaimsData() throws Exception {
    api.create("""
        apiVersion: v1
        kind: Service
        metadata: {name: diary}
        spec:
          clusterIP: None
          selector: {app: diary}
          ports: [{port: 80}]
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: diary}
        spec:
          serviceName: diary
          replicas: 3
          selector:
            matchLabels: {app: diary}
          template:
            metadata:
              labels: {app: diary}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: %s
                command: [sh, -c, "hostname >> /data/log; sleep 600"]
                volumeMounts: [{name: data, mountPath: /data}]
          volumeClaimTemplates:
          - metadata: {name: data}
            spec:
              accessModes: [ReadWriteOnce]
              resources: {requests: {storage: 16Mi}}
        """.formatted(DockerSupport.IMAGE));
    for (int i = 0; i < 3; i++) {
      api.awaitRunningReady("diary-" + i);
    }
    for (int i = 1; i < 3; i++) {
      // each pod was made only after its predecessor was Ready
      assertFalse(created(api.pod("diary-" + i)).isBefore(readySince(api.pod("diary-" + (i - 1)))));
    }
    for (int i = 0; i < 3; i++) {
      String pod = "diary-" + i;
      await().atMost(DockerApi.WAIT).until(() -> (pod + "\n").equals(exec(pod, "cat", "/data/log")));
    }

    String uid = api.pod("diary-1").path("metadata").path("uid").asText();
    assertEquals(0, api.kubectl("delete", "pod", "diary-1").exit());
    await().atMost(DockerApi.WAIT).until(() -> {
      JsonNode pod = api.pod("diary-1");
      return pod != null && !uid.equals(pod.path("metadata").path("uid").asText());
    });
    api.awaitRunningReady("diary-1");
    await().atMost(DockerApi.WAIT).until(() -> "diary-1\ndiary-1\n".equals(exec("diary-1", "cat", "/data/log")));

    assertEquals(0, api.kubectl("scale", "sts", "diary", "--replicas=1").exit());
    await().atMost(DockerApi.WAIT).until(() -> api.pod("diary-1") == null && api.pod("diary-2") == null);
    assertTrue(claim("data-diary-2") != null, "the claim stays (whenScaled: Retain)");
    assertEquals(0, api.kubectl("scale", "sts", "diary", "--replicas=3").exit());
    api.awaitRunningReady("diary-2");
    await().atMost(DockerApi.WAIT).until(() -> "diary-2\ndiary-2\n".equals(exec("diary-2", "cat", "/data/log")));
    DockerApi.Result status = api.kubectl("rollout", "status", "sts/diary", "--timeout=60s");
    assertEquals(0, status.exit(), status.output());
  }

  private static JsonNode claim(String name) {
    return api.engine.cache().get(ObjectKey.of(Kind.PERSISTENT_VOLUME_CLAIM, "default", name));
  }

  private static Instant created(JsonNode pod) {
    return Instant.parse(pod.path("metadata").path("creationTimestamp").asText());
  }

  private static Instant readySince(JsonNode pod) {
    for (JsonNode c : pod.path("status").path("conditions")) {
      if ("Ready".equals(c.path("type").asText())) {
        return Instant.parse(c.path("lastTransitionTime").asText());
      }
    }
    throw new AssertionError("not ready: " + pod);
  }

  private static String exec(String pod, String... command) throws Exception {
    String[] args = new String[command.length + 3];
    args[0] = "exec";
    args[1] = pod;
    args[2] = "--";
    System.arraycopy(command, 0, args, 3, command.length);
    DockerApi.Result r = api.kubectl(args);
    return r.exit() == 0 ? r.output() : "exit " + r.exit() + ": " + r.output();
  }
}
