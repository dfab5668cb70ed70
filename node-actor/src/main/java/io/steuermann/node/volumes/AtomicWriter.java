package io.steuermann.node.volumes;

import io.steuermann.node.volumes.ResolvedVolumes.VolumeFile;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a volume's files so that a reader never sees a half-updated set, as kubelet's atomic
 * writer does: the files live in a timestamped directory {@code ..2026_12_07_15_04_05.123456789},
 * the symlink {@code ..data} points at it, and each visible name is a symlink {@code key ->
 * ..data/key}. An update writes a new timestamped directory, points a temporary symlink at it
 * and renames that over {@code ..data} (rename(2) is atomic), then removes the old directory.
 * A {@code subPath} mount binds one resolved file and so keeps the old one, as in Kubernetes.
 */
public final class AtomicWriter {
  static final String DATA = "..data";
  private static final String DATA_TMP = "..data_tmp";
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy_MM_dd_HH_mm_ss.")
      .withZone(ZoneOffset.UTC);

  private final Path dir;
  private final Clock clock;

  public AtomicWriter(Path dir, Clock clock) {
    this.dir = dir;
    this.clock = clock;
  }

  /** Makes the directory hold exactly {@code files}; answers whether anything changed. */
  public boolean write(Map<String, VolumeFile> files) throws IOException {
    Files.createDirectories(dir);
    Path data = dir.resolve(DATA);
    Path old = Files.isSymbolicLink(data) ? dir.resolve(Files.readSymbolicLink(data)) : null;
    if (old != null && Files.isDirectory(old) && holds(old, files)) {
      return false;
    }
    Path stamped = dir.resolve(".." + STAMP.format(clock.instant())
        + String.format("%09d", ThreadLocalRandom.current().nextInt(1_000_000_000)));
    Files.createDirectory(stamped);
    for (Map.Entry<String, VolumeFile> e : files.entrySet()) {
      Path file = stamped.resolve(e.getKey());
      Files.createDirectories(file.getParent());
      Files.write(file, e.getValue().data());
      Files.setPosixFilePermissions(file, permissions(e.getValue().mode()));
    }
    Path tmp = dir.resolve(DATA_TMP);
    Files.deleteIfExists(tmp);
    Files.createSymbolicLink(tmp, stamped.getFileName());
    Files.move(tmp, data, StandardCopyOption.ATOMIC_MOVE);
    Set<String> visible = new HashSet<>();
    for (String path : files.keySet()) {
      String top = path.split("/", 2)[0];
      visible.add(top);
      Path link = dir.resolve(top);
      if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
        Files.createSymbolicLink(link, Path.of(DATA, top));
      }
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (name.startsWith("..")) {
          if (!name.equals(DATA) && !entry.equals(stamped)) {
            PodVolumes.deleteTree(entry); // the old timestamped directory, or a leftover of a crash
          }
        } else if (!visible.contains(name) && Files.isSymbolicLink(entry)) {
          Files.delete(entry); // a key that is gone
        }
      }
    }
    return true;
  }

  /** Whether the directory holds exactly these files with these modes. */
  private static boolean holds(Path stamped, Map<String, VolumeFile> files) throws IOException {
    Set<String> present = new HashSet<>();
    try (var walk = Files.walk(stamped)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          present.add(stamped.relativize(p).toString());
        }
      }
    }
    if (!present.equals(files.keySet())) {
      return false;
    }
    for (Map.Entry<String, VolumeFile> e : files.entrySet()) {
      Path file = stamped.resolve(e.getKey());
      if (!java.util.Arrays.equals(Files.readAllBytes(file), e.getValue().data())
          || !Files.getPosixFilePermissions(file).equals(permissions(e.getValue().mode()))) {
        return false;
      }
    }
    return true;
  }

  static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = {
      PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
    for (int bit = 0; bit < order.length; bit++) {
      if ((mode & (1 << bit)) != 0) {
        set.add(order[bit]);
      }
    }
    return set;
  }
}
