package io.steuermann.node.docker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.node.runtime.ContainerRuntime.ContainerConfig;
import io.steuermann.node.runtime.ContainerRuntime.PodConfig;
import io.steuermann.node.runtime.ContainerRuntime.PodRef;
import io.steuermann.node.runtime.ContainerRuntime.Running;
import io.steuermann.node.runtime.ContainerRuntime.RunningPod;
import io.steuermann.node.runtime.docker.DockerRuntime;
import io.steuermann.node.volumes.ResolvedVolumes;
import io.steuermann.node.volumes.ResolvedVolumes.EmptyDir;
import io.steuermann.node.volumes.ResolvedVolumes.Projection;
import io.steuermann.node.volumes.ResolvedVolumes.VolumeFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Docker runtime's volumes without an agent: files updated in a running container, and
 * after a restart of the runtime nothing left of a pod whose containers went meanwhile (its
 * directory and its tmpfs volume), while an adopted pod keeps its volumes.
 */
class DockerVolumesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private String node;
  private final List<DockerRuntime> runtimes = new ArrayList<>();

  @BeforeEach
  void node() {
    DockerSupport.requireDocker();
    node = DockerSupport.uniqueNodeName("vols");
  }

  @AfterEach
  void cleanUp() {
    runtimes.forEach(DockerRuntime::close);
    DockerSupport.removeContainersOf(node);
  }

  private DockerRuntime runtime() {
    // a pod CIDR of its own: DockerRuntimeTest uses 10.244.200.0/24 and up
    DockerRuntime r = DockerSupport.runtimeOnPodNetwork(node, "10.244.177.0/24");
    runtimes.add(r);
    return r;
  }

  private static <T> T join(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(90, TimeUnit.SECONDS);
  }

  private static PodConfig pod(String name, ResolvedVolumes volumes) throws Exception {
    ObjectNode spec = (ObjectNode) JSON.readTree("""
        {"volumes":[{"name":"cfg","configMap":{"name":"c"}},{"name":"mem","emptyDir":{"medium":"Memory"}}],
         "containers":[{"name":"main","image":"%s","command":["sleep","600"],
           "volumeMounts":[{"name":"cfg","mountPath":"/cfg"},{"name":"mem","mountPath":"/mem"}]}]}"""
        .formatted(DockerSupport.IMAGE));
    JsonNode c = spec.path("containers").get(0);
    return new PodConfig(new PodRef("default", name, UUID.randomUUID().toString()), spec,
        List.of(new ContainerConfig("main", DockerSupport.IMAGE, (ObjectNode) c)),
        io.steuermann.node.podenv.PodEnvironment.none(), volumes);
  }

  private static ResolvedVolumes volumes(String value) {
    return new ResolvedVolumes(List.of(
        new Projection("cfg", Map.of("k", new VolumeFile(value.getBytes(StandardCharsets.UTF_8), 0644))),
        new EmptyDir("mem", true, 0)));
  }

  private Path podDir(PodRef ref) {
    return DockerSupport.settings().podDir().resolve(node).resolve(ref.uid());
  }

  private List<String> volumesOf(PodRef ref) {
    try (var docker = DockerSupport.client()) {
      var found = docker.listVolumesCmd().withFilter("label", List.of("steuermann.io/pod-uid=" + ref.uid())).exec()
          .getVolumes();
      return found == null ? List.of() : found.stream().map(v -> v.getName()).toList();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void filesAreUpdatedInARunningContainerAndPodsGoneWhileDownLeaveNothing() throws Exception {
    DockerRuntime first = runtime();
    join(first.listPods());
    PodConfig kept = pod("kept", volumes("one"));
    PodConfig removed = pod("removed", volumes("x"));
    RunningPod running = join(first.startPod(kept));
    assertInstanceOf(Running.class, running.containers().get(0).state());
    join(first.startPod(removed));
    assertEquals("one", join(first.exec(kept.ref(), "main", List.of("cat", "/cfg/k"), Duration.ofSeconds(10))).output());

    join(first.updateVolumes(kept.ref(), volumes("two")));
    assertEquals("two", join(first.exec(kept.ref(), "main", List.of("cat", "/cfg/k"), Duration.ofSeconds(10))).output());
    assertEquals(1, volumesOf(removed.ref()).size());

    // the process goes; meanwhile someone removes one pod's containers
    first.close();
    try (var docker = DockerSupport.client()) {
      for (var c : DockerSupport.podContainers(node, removed.ref().uid())) {
        docker.removeContainerCmd(c.getId()).withForce(true).exec();
      }
    }
    DockerRuntime second = runtime();
    List<RunningPod> adopted = join(second.listPods());
    assertEquals(List.of(kept.ref()), adopted.stream().map(RunningPod::ref).toList());
    assertFalse(Files.exists(podDir(removed.ref())), "the directory of a pod gone while the runtime was down");
    await().atMost(Duration.ofSeconds(30)).until(() -> volumesOf(removed.ref()).isEmpty());
    assertTrue(Files.isDirectory(podDir(kept.ref()).resolve("volumes").resolve("cfg")));

    // a restarted container of the adopted pod is mounted as the pod started
    join(second.startContainer(kept.ref(), kept.containers().get(0), 1));
    assertEquals("two", join(second.exec(kept.ref(), "main", List.of("cat", "/cfg/k"), Duration.ofSeconds(10))).output());
    join(second.stopPod(kept.ref(), Duration.ZERO));
    assertFalse(Files.exists(podDir(kept.ref()).resolve("volumes")));
    assertEquals(List.of(), volumesOf(kept.ref()));
  }
}
