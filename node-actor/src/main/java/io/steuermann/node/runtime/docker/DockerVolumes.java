package io.steuermann.node.runtime.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import io.steuermann.node.runtime.ContainerRuntime.ContainerConfig;
import io.steuermann.node.runtime.ContainerRuntime.PodConfig;
import io.steuermann.node.runtime.ContainerRuntime.PodRef;
import io.steuermann.node.volumes.PodVolumes;
import io.steuermann.node.volumes.ResolvedVolumes;
import io.steuermann.node.volumes.ResolvedVolumes.EmptyDir;
import io.steuermann.node.volumes.ResolvedVolumes.HostPath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A pod's volumes on Docker. Files (emptyDir on disk, configMap, secret, downwardAPI,
 * projected) live in {@link PodVolumes}' directory of the pod and are bind-mounted; an
 * emptyDir of {@code medium: Memory} is a Docker volume of the local driver with type tmpfs
 * (sizeLimit as its size), which the pod's sandbox mounts too so that it stays mounted, and its
 * content kept, while a container restarts (the local driver unmounts a tmpfs volume that no
 * container uses). The pod's volume declarations are kept beside its files: a container
 * restarted after the process restarted is mounted as the pod started.
 */
final class DockerVolumes {
  private static final String SPEC = ".volumes.json";
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DockerVolumes.class);

  private final DockerClient docker;
  private final String node;
  private final PodVolumes files;
  private final Path root;
  private final ObjectMapper json = new ObjectMapper();

  DockerVolumes(DockerClient docker, String node, Path podDir) {
    this.docker = docker;
    this.node = node;
    this.root = podDir.resolve(node);
    this.files = new PodVolumes(root, java.time.Clock.systemUTC());
  }

  /** Whether the pod has a memory-backed emptyDir, which its own sandbox must hold. */
  static boolean hasMemoryVolumes(JsonNode podSpec) {
    for (JsonNode v : podSpec.path("volumes")) {
      if ("Memory".equals(v.path("emptyDir").path("medium").asText(""))) {
        return true;
      }
    }
    return false;
  }

  /** The sandbox's mounts of the pod's memory-backed emptyDirs (under a path of its own). */
  static List<Bind> sandboxBinds(String node, PodRef pod, JsonNode podSpec) {
    List<Bind> binds = new ArrayList<>();
    for (JsonNode v : podSpec.path("volumes")) {
      if ("Memory".equals(v.path("emptyDir").path("medium").asText(""))) {
        String name = v.path("name").asText("");
        binds.add(new Bind(volumeName(node, pod.uid(), name), new Volume("/.steuermann/volumes/" + name)));
      }
    }
    return binds;
  }

  private static String volumeName(String node, String uid, String volume) {
    return "steuermann_" + node + "_" + uid + "_" + volume;
  }

  /** Before the sandbox: the pod's files written, its tmpfs volumes made. */
  void setUp(PodConfig pod) {
    String uid = pod.ref().uid();
    if (pod.spec().path("volumes").isEmpty()) {
      return; // most pods: nothing to write
    }
    try {
      Path dir = root.resolve(uid).resolve("volumes");
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(SPEC), json.writeValueAsString(declarations(pod)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the volumes of pod " + uid, e);
    }
    files.materialise(uid, pod.volumes());
    for (ResolvedVolumes.Volume v : pod.volumes().volumes()) {
      if (v instanceof EmptyDir e && e.memory()) {
        Map<String, String> options = new LinkedHashMap<>(Map.of("type", "tmpfs", "device", "tmpfs"));
        if (e.sizeLimitBytes() > 0) {
          options.put("o", "size=" + e.sizeLimitBytes());
        }
        Map<String, String> labels = Map.of(DockerLabels.NODE, node, DockerLabels.POD_UID, uid,
            DockerLabels.POD_NAMESPACE, pod.ref().namespace(), DockerLabels.POD_NAME, pod.ref().name());
        docker.createVolumeCmd().withName(volumeName(node, uid, v.name())).withDriver("local")
            .withDriverOpts(options).withLabels(labels).exec();
      }
    }
  }

  /**
   * The pod's volumes as they are mounted: a claim's volume as the hostPath its
   * PersistentVolume resolved to, so that a container restarted later mounts the same directory.
   */
  private static JsonNode declarations(PodConfig pod) {
    com.fasterxml.jackson.databind.node.ArrayNode out = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
        .arrayNode();
    for (JsonNode v : pod.spec().path("volumes")) {
      ResolvedVolumes.Volume resolved = pod.volumes().get(v.path("name").asText(""));
      if (v.has("persistentVolumeClaim") && resolved instanceof HostPath hp) {
        com.fasterxml.jackson.databind.node.ObjectNode claimed = out.addObject();
        claimed.put("name", hp.name());
        claimed.putObject("hostPath").put("path", hp.path()).put("type", hp.type());
      } else {
        out.add(v);
      }
    }
    return out;
  }

  /** A resync: the projected files of a pod that still has its volumes, written again where they changed. */
  Set<String> refresh(PodRef pod, ResolvedVolumes volumes) {
    return files.refresh(pod.uid(), volumes);
  }

  /** A container's volumeMounts as binds; empty with a failure's message when one cannot be mounted. */
  record Mounts(List<Bind> binds, Optional<String> failure) {}

  Mounts binds(PodRef pod, ContainerConfig container) {
    JsonNode mounts = container.spec().path("volumeMounts");
    if (mounts.isEmpty()) {
      return new Mounts(List.of(), Optional.empty());
    }
    Map<String, JsonNode> declared = declared(pod.uid());
    List<Bind> binds = new ArrayList<>();
    for (JsonNode m : mounts) {
      String name = m.path("name").asText("");
      JsonNode v = declared.get(name);
      if (v == null) {
        return failed(name, "volume is not declared by the pod");
      }
      String subPath = m.path("subPath").asText("");
      boolean readOnly = m.path("readOnly").asBoolean(false);
      String source;
      if (v.has("hostPath")) {
        HostPath hp = new HostPath(name, v.path("hostPath").path("path").asText(""),
            v.path("hostPath").path("type").asText(""));
        Optional<String> problem = PodVolumes.checkHostPath(hp);
        if (problem.isPresent()) {
          return failed(name, problem.get());
        }
        source = subPath.isEmpty() ? hp.path() : Path.of(hp.path(), subPath).toString();
      } else if (v.has("emptyDir") && "Memory".equals(v.path("emptyDir").path("medium").asText(""))) {
        if (!subPath.isEmpty()) {
          return failed(name, "subPath of an emptyDir with medium Memory is not supported on this node");
        }
        source = volumeName(node, pod.uid(), name);
      } else {
        Path dir = files.dir(pod.uid(), name);
        if (v.has("emptyDir") && !subPath.isEmpty()) {
          try {
            Files.createDirectories(dir.resolve(subPath)); // as kubelet: a missing subPath of an emptyDir is made
          } catch (IOException e) {
            return failed(name, "cannot create subPath " + subPath + ": " + e.getMessage());
          }
        }
        // configMap, secret, downwardAPI and projected volumes are mounted read-only, as by kubelet;
        // a subPath names the key's symlink, which Docker resolves: the file as it is now
        readOnly |= !v.has("emptyDir");
        source = subPath.isEmpty() ? dir.toString() : dir.resolve(subPath).toString();
      }
      binds.add(new Bind(source, new Volume(m.path("mountPath").asText()), readOnly ? AccessMode.ro : AccessMode.rw));
    }
    return new Mounts(binds, Optional.empty());
  }

  private static Mounts failed(String volume, String message) {
    return new Mounts(List.of(), Optional.of("MountVolume.SetUp failed for volume \"" + volume + "\" : " + message));
  }

  private Map<String, JsonNode> declared(String uid) {
    Map<String, JsonNode> byName = new LinkedHashMap<>();
    Path spec = root.resolve(uid).resolve("volumes").resolve(SPEC);
    if (Files.exists(spec)) {
      try {
        json.readTree(spec.toFile()).forEach(v -> byName.put(v.path("name").asText(""), v));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return byName;
  }

  /** After the pod's containers are removed: its files and tmpfs volumes go. */
  void tearDown(String uid) {
    Map<String, JsonNode> declared;
    try {
      declared = declared(uid);
      files.remove(uid);
    } catch (UncheckedIOException e) {
      // the stop must not fail for it: the next sweep after a restart takes what is left
      log.warn("Node {}: the volumes of pod {} could not be removed: {}", node, uid, e.getMessage());
      return;
    }
    declared.forEach((name, v) -> {
      if ("Memory".equals(v.path("emptyDir").path("medium").asText(""))) {
        removeVolume(volumeName(node, uid, name));
      }
    });
  }

  /** After a restart: volumes and files of pods that have no containers any more. */
  void removeAllBut(Set<String> live) {
    files.removeAllBut(live);
    var found = docker.listVolumesCmd().withFilter("label", List.of(DockerLabels.NODE + "=" + node)).exec().getVolumes();
    for (var v : found == null ? List.<com.github.dockerjava.api.command.InspectVolumeResponse>of() : found) {
      String uid = v.getLabels() == null ? "" : v.getLabels().getOrDefault(DockerLabels.POD_UID, "");
      if (!live.contains(uid)) {
        removeVolume(v.getName());
      }
    }
  }

  private void removeVolume(String name) {
    try {
      docker.removeVolumeCmd(name).exec();
    } catch (NotFoundException e) {
      // gone already
    } catch (ConflictException e) {
      // still in use by a container being removed; the next sweep takes it
    }
  }
}
