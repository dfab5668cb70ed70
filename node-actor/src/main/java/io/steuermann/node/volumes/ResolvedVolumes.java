package io.steuermann.node.volumes;

import java.util.List;
import java.util.Map;

/**
 * A pod's volumes with what the node must put into them: the ConfigMaps, Secrets and pod fields
 * behind configMap, secret, downwardAPI and projected volumes already read, so that a runtime
 * only writes files. Made by {@link VolumeSources}; the runtime materialises it.
 */
public record ResolvedVolumes(List<Volume> volumes) {
  public ResolvedVolumes {
    volumes = List.copyOf(volumes);
  }

  public static ResolvedVolumes none() {
    return new ResolvedVolumes(List.of());
  }

  /** The volume of that name, or null. */
  public Volume get(String name) {
    return volumes.stream().filter(v -> v.name().equals(name)).findFirst().orElse(null);
  }

  /** One volume of the pod. */
  public sealed interface Volume permits EmptyDir, Projection, HostPath {
    String name();
  }

  /** Scratch space of the pod; {@code memory}: a tmpfs; {@code sizeLimitBytes} 0 when unlimited. */
  public record EmptyDir(String name, boolean memory, long sizeLimitBytes) implements Volume {}

  /**
   * Files written by the node (configMap, secret, downwardAPI, projected), by relative path. The
   * content is a Secret's value for secret volumes: this record's text names paths only.
   */
  public record Projection(String name, Map<String, VolumeFile> files) implements Volume {
    public Projection {
      files = Map.copyOf(files);
    }

    @Override
    public String toString() {
      return "Projection[" + name + ", " + files.keySet() + "]";
    }
  }

  /** A path of the host, checked against {@code type} (Kubernetes' HostPathType) when mounted. */
  public record HostPath(String name, String path, String type) implements Volume {}

  /** One file's bytes and permission bits. */
  public record VolumeFile(byte[] data, int mode) {
    @Override
    public String toString() {
      return "VolumeFile[" + data.length + " bytes, mode " + Integer.toOctalString(mode) + "]";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof VolumeFile f && f.mode == mode && java.util.Arrays.equals(f.data, data);
    }

    @Override
    public int hashCode() {
      return 31 * java.util.Arrays.hashCode(data) + mode;
    }
  }
}
