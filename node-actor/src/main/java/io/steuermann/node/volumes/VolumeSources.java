package io.steuermann.node.volumes;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.scheduling.Quantity;
import io.steuermann.node.podenv.ConfigReferences;
import io.steuermann.node.podenv.ResourceReferences;
import io.steuermann.node.volumes.ResolvedVolumes.EmptyDir;
import io.steuermann.node.volumes.ResolvedVolumes.HostPath;
import io.steuermann.node.volumes.ResolvedVolumes.Projection;
import io.steuermann.node.volumes.ResolvedVolumes.Volume;
import io.steuermann.node.volumes.ResolvedVolumes.VolumeFile;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads what a pod's volumes hold from the ConfigMaps and Secrets of its namespace and from
 * the pod itself, as kubelet's configmap, secret, downwardAPI and projected volume plugins do
 * at SetUp (and again at every resync). A missing ConfigMap or Secret that is not optional is
 * a {@link Failed} with kubelet's message, which names objects and keys, never values.
 */
public final class VolumeSources {
  /** Kubernetes' default file mode of configMap, secret, downwardAPI and projected volumes (0644). */
  public static final int DEFAULT_MODE = 0644;

  private VolumeSources() {}

  /** What a pod's volumes came to. */
  public sealed interface Resolution permits Resolved, Failed {}

  public record Resolved(ResolvedVolumes volumes) implements Resolution {}

  /** A volume that cannot be set up yet; the pod's containers wait (kubelet: FailedMount). */
  public record Failed(String volume, String message) implements Resolution {
    /** kubelet's event message. */
    public String event() {
      return "MountVolume.SetUp failed for volume \"" + volume + "\" : " + message;
    }
  }

  /** Whether the pod has volumes whose files follow their sources (resynced while it runs). */
  public static boolean hasProjections(JsonNode podSpec) {
    for (JsonNode v : podSpec.path("volumes")) {
      if (v.has("configMap") || v.has("secret") || v.has("downwardAPI") || v.has("projected")) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code pod} is the Pod object (metadata for the downward API); {@code nodeCapacity} stands
   * in for a resource limit a container does not set, as kubelet's node allocatable does.
   */
  public static Resolution resolve(JsonNode pod, ConfigReferences.Lookup lookup, Map<String, String> nodeCapacity) {
    List<Volume> volumes = new ArrayList<>();
    for (JsonNode v : pod.path("spec").path("volumes")) {
      String name = v.path("name").asText("");
      try {
        volumes.add(volume(name, v, pod, lookup, nodeCapacity));
      } catch (Missing e) {
        return new Failed(name, e.getMessage());
      } catch (RuntimeException e) {
        // a stored object from before a check the API makes now: the pod waits, the agent goes on
        return new Failed(name, "cannot be set up: " + e.getMessage());
      }
    }
    return new Resolved(new ResolvedVolumes(volumes));
  }

  private static Volume volume(String name, JsonNode v, JsonNode pod, ConfigReferences.Lookup lookup,
      Map<String, String> capacity) throws Missing {
    if (v.has("emptyDir")) {
      JsonNode e = v.path("emptyDir");
      String limit = e.path("sizeLimit").asText("");
      return new EmptyDir(name, "Memory".equals(e.path("medium").asText("")),
          limit.isEmpty() ? 0 : Quantity.parse(limit).setScale(0, RoundingMode.CEILING).longValueExact());
    }
    if (v.has("hostPath")) {
      return new HostPath(name, v.path("hostPath").path("path").asText(""), v.path("hostPath").path("type").asText(""));
    }
    if (v.has("persistentVolumeClaim")) {
      return claim(name, v.path("persistentVolumeClaim").path("claimName").asText(""), pod, lookup);
    }
    Map<String, VolumeFile> files = new TreeMap<>();
    if (v.has("configMap")) {
      JsonNode s = v.path("configMap");
      config(true, s.path("name").asText(""), s, mode(s, DEFAULT_MODE), lookup, files);
    } else if (v.has("secret")) {
      JsonNode s = v.path("secret");
      config(false, s.path("secretName").asText(""), s, mode(s, DEFAULT_MODE), lookup, files);
    } else if (v.has("downwardAPI")) {
      JsonNode s = v.path("downwardAPI");
      downward(s.path("items"), mode(s, DEFAULT_MODE), pod, capacity, files);
    } else if (v.has("projected")) {
      JsonNode s = v.path("projected");
      int mode = mode(s, DEFAULT_MODE);
      for (JsonNode source : s.path("sources")) {
        if (source.has("configMap")) {
          config(true, source.path("configMap").path("name").asText(""), source.path("configMap"), mode, lookup, files);
        } else if (source.has("secret")) {
          config(false, source.path("secret").path("name").asText(""), source.path("secret"), mode, lookup, files);
        } else if (source.has("downwardAPI")) {
          downward(source.path("downwardAPI").path("items"), mode, pod, capacity, files);
        }
      }
    }
    return new Projection(name, files);
  }

  /**
   * A claim's volume: the PersistentVolume bound to it, mounted from the node's disk as kubelet's
   * hostPath and local plugins do (a local-path volume is a hostPath the PV controller chose
   * under this node's directory; DirectoryOrCreate makes it on first use). A claim not (yet)
   * bound keeps the pod waiting, in kubelet's words.
   */
  private static Volume claim(String name, String claimName, JsonNode pod, ConfigReferences.Lookup lookup)
      throws Missing {
    JsonNode claim = lookup.persistentVolumeClaim(claimName);
    String namespace = pod.path("metadata").path("namespace").asText("");
    if (claim == null) {
      throw new Missing("persistentvolumeclaim \"" + claimName + "\" not found");
    }
    String phase = claim.path("status").path("phase").asText("");
    String volumeName = claim.path("spec").path("volumeName").asText("");
    if (!phase.equals("Bound") || volumeName.isEmpty()) {
      throw new Missing("PVC " + namespace + "/" + claimName + " has non-bound phase (\"" + phase
          + "\") or empty pvc.Spec.VolumeName (\"" + volumeName + "\")");
    }
    JsonNode pv = lookup.persistentVolume(volumeName);
    if (pv == null) {
      throw new Missing("persistentvolume \"" + volumeName + "\" not found");
    }
    JsonNode spec = pv.path("spec");
    if (spec.has("hostPath")) {
      return new HostPath(name, spec.path("hostPath").path("path").asText(""), spec.path("hostPath").path("type")
          .asText(""));
    }
    if (spec.has("local")) {
      // kube: a local volume's path must exist on the node
      return new HostPath(name, spec.path("local").path("path").asText(""), "Directory");
    }
    throw new Missing("PersistentVolume \"" + volumeName + "\" is of a type this node cannot mount (only hostPath "
        + "and local)");
  }

  private static int mode(JsonNode source, int fallback) {
    return source.path("defaultMode").isInt() ? source.path("defaultMode").asInt() : fallback;
  }

  private static void config(boolean configMap, String name, JsonNode source, int defaultMode,
      ConfigReferences.Lookup lookup, Map<String, VolumeFile> files) throws Missing {
    JsonNode object = configMap ? lookup.configMap(name) : lookup.secret(name);
    boolean optional = source.path("optional").asBoolean(false);
    if (object == null) {
      if (optional) {
        return;
      }
      throw new Missing((configMap ? "configmap \"" : "secret \"") + name + "\" not found");
    }
    Map<String, byte[]> data = new LinkedHashMap<>();
    if (configMap) {
      fields(object.path("data")).forEach((k, val) -> data.put(k, val.getBytes(StandardCharsets.UTF_8)));
      fields(object.path("binaryData")).forEach((k, val) -> data.put(k, decode(val)));
    } else {
      fields(object.path("data")).forEach((k, val) -> data.put(k, decode(val)));
    }
    JsonNode items = source.path("items");
    if (items.size() == 0) {
      data.forEach((k, bytes) -> files.put(k, new VolumeFile(bytes, defaultMode)));
      return;
    }
    for (JsonNode item : items) {
      String key = item.path("key").asText("");
      byte[] bytes = data.get(key);
      if (bytes == null) {
        if (optional) {
          continue;
        }
        throw new Missing((configMap ? "configmap references non-existent config key: " : "references non-existent secret key: ")
            + key);
      }
      files.put(item.path("path").asText(key), new VolumeFile(bytes, item.path("mode").isInt() ? item.path("mode").asInt()
          : defaultMode));
    }
  }

  private static void downward(JsonNode items, int defaultMode, JsonNode pod, Map<String, String> capacity,
      Map<String, VolumeFile> files) {
    for (JsonNode item : items) {
      String text = item.has("fieldRef")
          ? field(pod, item.path("fieldRef").path("fieldPath").asText(""))
          : resource(pod, item.path("resourceFieldRef"), capacity);
      files.put(item.path("path").asText(""), new VolumeFile(text.getBytes(StandardCharsets.UTF_8),
          item.path("mode").isInt() ? item.path("mode").asInt() : defaultMode));
    }
  }

  /** The downward API's fields of a volume: labels and annotations as kubelet's {@code key="value"} lines. */
  static String field(JsonNode pod, String path) {
    JsonNode meta = pod.path("metadata");
    return switch (path) {
      case "metadata.name" -> meta.path("name").asText("");
      case "metadata.namespace" -> meta.path("namespace").asText("");
      case "metadata.uid" -> meta.path("uid").asText("");
      case "metadata.labels" -> lines(meta.path("labels"));
      case "metadata.annotations" -> lines(meta.path("annotations"));
      default -> {
        for (String map : List.of("labels", "annotations")) {
          String prefix = "metadata." + map + "['";
          if (path.startsWith(prefix) && path.endsWith("']")) {
            yield meta.path(map).path(path.substring(prefix.length(), path.length() - 2)).asText("");
          }
        }
        yield "";
      }
    };
  }

  private static String lines(JsonNode map) {
    StringBuilder out = new StringBuilder();
    new TreeMap<>(fields(map)).forEach((k, v) -> out.append(k).append('=').append(quote(v)).append('\n'));
    return out.toString();
  }

  /** Go's strconv.Quote for the characters labels and annotations hold. */
  static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        case '\r' -> out.append("\\r");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            out.append(String.format("\\x%02x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  /** A container's resource for the downward API (which requires the container's name). */
  static String resource(JsonNode pod, JsonNode ref, Map<String, String> capacity) {
    JsonNode container = ResourceReferences.container(pod, ref.path("containerName").asText(""));
    return container == null ? "" : ResourceReferences.value(container, ref, capacity);
  }

  private static Map<String, String> fields(JsonNode object) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), e.getValue().asText(""));
    }
    return out;
  }

  private static byte[] decode(String base64) {
    try {
      return Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      return new byte[0]; // the API refuses such data
    }
  }

  /** A source that is not there (yet). */
  private static final class Missing extends Exception {
    Missing(String message) {
      super(message, null, false, false);
    }
  }
}
