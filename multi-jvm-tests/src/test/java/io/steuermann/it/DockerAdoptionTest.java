package io.steuermann.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code kill -9} of a server with running Docker pods, then a restart: the node agent adopts
 * the same containers (same ids), starts no second copy, and removes containers of this node
 * that belong to no pod. Real server processes, the real Docker engine (through the
 * {@code docker} command here, to look from outside).
 */
@ExtendWith(ServerLogs.class)
class DockerAdoptionTest {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final String IMAGE = "steuermann/busybox:test";

  private final String node = "adopt-" + UUID.randomUUID().toString().substring(0, 8);
  private Path dataDir;

  @BeforeEach
  void docker() throws IOException {
    String problem = null;
    try {
      Cmd info = docker("image", "inspect", "--format", "{{.Id}}", IMAGE);
      if (info.code != 0) {
        problem = "no Docker engine, or no image " + IMAGE + " (the node-actor tests make it): " + info.out;
      }
    } catch (IOException e) {
      problem = "no docker command: " + e;
    }
    if (problem != null) {
      fail(problem + " -- the Docker tests need one (.ci/run installs and starts dockerd)");
    }
    dataDir = Files.createTempDirectory("steuermann-adopt");
  }

  @AfterEach
  void removeContainers() throws IOException {
    List<String> ids = List.of(docker("ps", "-aq", "--filter", "label=steuermann.io/node=" + node).out.strip()
        .split("\n")).stream().filter(s -> !s.isBlank()).toList();
    if (!ids.isEmpty()) {
      List<String> rm = new ArrayList<>(List.of("rm", "-f"));
      rm.addAll(ids);
      docker(rm.toArray(String[]::new));
    }
  }

  @Test
  void aKilledServerAdoptsItsContainersAfterARestartAndRemovesOrphans() throws IOException {
    ServerProcess server = ServerProcess.builder("docker-adopt").dataDir(dataDir)
        .flag("--runtime", "docker").flag("--node-name", node).start();
    try {
      ApiClient api = server.api();
      ApiClient.Reply created = api.create("/apis/apps/v1/namespaces/default/deployments", ApiClient.JSON.readTree("""
          {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "sleepers"},
           "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "sleepers"}},
                    "template": {"metadata": {"labels": {"app": "sleepers"}},
                                 "spec": {"containers": [{"name": "main", "image": "%s",
                                          "command": ["sleep", "3600"]}]}}}}""".formatted(IMAGE)));
      assertEquals(201, created.status(), created.toString());
      await().atMost(WAIT).until(() -> readyPods(api) == 3);
      Set<String> before = new TreeSet<>(ids(""));
      assertEquals(6, before.size(), "3 pods: 3 sandboxes and 3 app containers: " + before);
      Set<String> statusIds = containerIdsInStatus(api);

      assertEquals(137, server.killHard());
      // a container of this node that belongs to no pod: the restarted node must remove it
      Cmd orphan = docker("run", "-d", "--label", "steuermann.io/node=" + node,
          "--label", "steuermann.io/pod-namespace=default", "--label", "steuermann.io/pod-name=ghost",
          "--label", "steuermann.io/pod-uid=" + UUID.randomUUID(), "--label", "steuermann.io/role=sandbox",
          IMAGE, "sleep", "3600");
      assertEquals(0, orphan.code, orphan.out);
      String orphanId = orphan.out.strip();

      server = server.restart();
      ApiClient again = server.api();
      // the same containers, no second copy, the orphan gone — and it stays so
      await().atMost(WAIT).until(() -> !ids("").contains(orphanId));
      await().atMost(WAIT).during(Duration.ofSeconds(5)).until(() -> new TreeSet<>(ids("")).equals(before)
          && readyPods(again) == 3);
      assertEquals(statusIds, containerIdsInStatus(again));
      assertEquals(before, new TreeSet<>(ids("running")), "all still running");
    } finally {
      server.stop();
    }
  }

  private static int readyPods(ApiClient api) {
    int ready = 0;
    for (JsonNode pod : api.list("/api/v1/namespaces/default/pods?labelSelector=app%3Dsleepers").items()) {
      for (JsonNode c : pod.path("status").path("conditions")) {
        if ("Ready".equals(c.path("type").asText()) && "True".equals(c.path("status").asText())
            && "Running".equals(pod.path("status").path("phase").asText())) {
          ready++;
        }
      }
    }
    return ready;
  }

  private static Set<String> containerIdsInStatus(ApiClient api) {
    Set<String> ids = new TreeSet<>();
    for (JsonNode pod : api.list("/api/v1/namespaces/default/pods?labelSelector=app%3Dsleepers").items()) {
      ids.add(pod.path("status").path("containerStatuses").path(0).path("containerID").asText());
    }
    return ids;
  }

  /** Full ids of this node's containers ({@code status} e.g. "running"; empty for all). */
  private List<String> ids(String status) throws IOException {
    List<String> args = new ArrayList<>(List.of("ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Names}}",
        "--filter", "label=steuermann.io/node=" + node));
    if (!status.isEmpty()) {
      args.addAll(List.of("--filter", "status=" + status));
    }
    Cmd ps = docker(args.toArray(String[]::new));
    assertEquals(0, ps.code, ps.out);
    // spare sandboxes (started ahead of need, taken by no pod yet) are not the pods' containers
    return Arrays.stream(ps.out.split("\n")).map(String::strip).filter(s -> !s.isEmpty())
        .filter(s -> !s.contains(" stm_spare_"))
        .map(s -> s.substring(0, s.indexOf(' '))).collect(Collectors.toList());
  }

  private record Cmd(int code, String out) {}

  private static Cmd docker(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add("docker");
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("docker " + String.join(" ", args) + " did not finish");
      }
      return new Cmd(p.exitValue(), out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
