package io.steuermann.node.volumes;

import io.steuermann.node.volumes.ResolvedVolumes.EmptyDir;
import io.steuermann.node.volumes.ResolvedVolumes.HostPath;
import io.steuermann.node.volumes.ResolvedVolumes.Projection;
import io.steuermann.node.volumes.ResolvedVolumes.Volume;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The volumes of a node's pods on disk: {@code <root>/<pod uid>/volumes/<volume name>/}, where
 * root is the runtime's per-node pod directory. An emptyDir on disk is a directory there that
 * outlives container restarts; configMap, secret, downwardAPI and projected volumes are written
 * there by the {@link AtomicWriter}; hostPath volumes are the host's own paths, checked against
 * their type. Everything under a pod's directory goes with the pod.
 */
public final class PodVolumes {
  /** The node's local-path PersistentVolumes, beside the pods' directories (a uid never has this name). */
  public static final String PERSISTENT_VOLUMES = "persistent-volumes";

  private final Path root;
  private final Clock clock;

  public PodVolumes(Path root, Clock clock) {
    this.root = root;
    this.clock = clock;
  }

  /** Where the pod's volume of that name lives on the host. */
  public Path dir(String uid, String volume) {
    return root.resolve(uid).resolve("volumes").resolve(volume);
  }

  /** Creates the pod's emptyDirs on disk and writes its projected files. */
  public void materialise(String uid, ResolvedVolumes volumes) {
    for (Volume v : volumes.volumes()) {
      try {
        if (v instanceof EmptyDir e && !e.memory()) {
          Files.createDirectories(dir(uid, v.name()));
        } else if (v instanceof Projection p) {
          new AtomicWriter(dir(uid, v.name()), clock).write(p.files());
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot set up volume " + v.name() + " of pod " + uid, e);
      }
    }
  }

  /**
   * Rewrites the projected files of a pod whose volumes exist (a resync); a pod removed
   * meanwhile is not written again. Answers the names of the volumes that changed.
   */
  public Set<String> refresh(String uid, ResolvedVolumes volumes) {
    if (!Files.isDirectory(root.resolve(uid).resolve("volumes"))) {
      return Set.of();
    }
    Set<String> changed = new java.util.TreeSet<>();
    for (Volume v : volumes.volumes()) {
      if (v instanceof Projection p && Files.isDirectory(dir(uid, v.name()))) {
        try {
          if (new AtomicWriter(dir(uid, v.name()), clock).write(p.files())) {
            changed.add(v.name());
          }
        } catch (IOException e) {
          throw new UncheckedIOException("cannot update volume " + v.name() + " of pod " + uid, e);
        }
      }
    }
    return changed;
  }

  /**
   * Checks (and for the *OrCreate types makes) a hostPath volume's path as kubelet does before
   * it mounts it; answers kubelet's reason when the path is not of the type.
   */
  public static java.util.Optional<String> checkHostPath(HostPath v) {
    Path p = Path.of(v.path());
    try {
      switch (v.type()) {
        case "DirectoryOrCreate" -> {
          if (!Files.exists(p)) {
            Files.createDirectories(p);
            Files.setPosixFilePermissions(p, AtomicWriter.permissions(0755));
          }
          return Files.isDirectory(p) ? java.util.Optional.empty() : notA(p, "directory");
        }
        case "Directory" -> {
          return Files.isDirectory(p) ? java.util.Optional.empty() : notA(p, "directory");
        }
        case "FileOrCreate" -> {
          if (!Files.exists(p)) {
            Files.createFile(p);
            Files.setPosixFilePermissions(p, AtomicWriter.permissions(0644));
          }
          return Files.isRegularFile(p) ? java.util.Optional.empty() : notA(p, "file");
        }
        case "File" -> {
          return Files.isRegularFile(p) ? java.util.Optional.empty() : notA(p, "file");
        }
        case "Socket" -> {
          return fileType(p) == 0140000 ? java.util.Optional.empty() : notA(p, "socket file");
        }
        case "CharDevice" -> {
          return fileType(p) == 0020000 ? java.util.Optional.empty() : notA(p, "character device");
        }
        case "BlockDevice" -> {
          return fileType(p) == 0060000 ? java.util.Optional.empty() : notA(p, "block device");
        }
        default -> {
          return java.util.Optional.empty();
        }
      }
    } catch (IOException e) {
      return java.util.Optional.of("hostPath type check failed: " + p + ": " + e.getMessage());
    }
  }

  private static int fileType(Path p) throws IOException {
    return Files.exists(p) ? ((Integer) Files.getAttribute(p, "unix:mode")) & 0170000 : -1;
  }

  private static java.util.Optional<String> notA(Path p, String what) {
    return java.util.Optional.of("hostPath type check failed: " + p + " is not a " + what);
  }

  /** Removes everything of the pod's volumes. */
  public void remove(String uid) {
    deleteTree(root.resolve(uid).resolve("volumes"));
  }

  /**
   * Removes the directories of every pod but {@code live}: after a restart, those of pods whose
   * containers are gone (removed while the agent was down, or a crash between the two).
   */
  public void removeAllBut(Set<String> live) {
    if (!Files.isDirectory(root)) {
      return;
    }
    try (DirectoryStream<Path> pods = Files.newDirectoryStream(root)) {
      for (Path pod : pods) {
        String name = pod.getFileName().toString();
        if (!live.contains(name) && !name.equals(PERSISTENT_VOLUMES)) {
          deleteTree(pod); // its volumes and the pod's other derived files
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes a directory tree without following its symlinks. */
  public static void deleteTree(Path top) {
    if (!Files.exists(top, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> files = Files.walk(top)) {
      for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + top, e);
    }
  }
}
