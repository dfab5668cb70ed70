package io.steuermann.machines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Removes what a rig left behind: every process inside its network namespaces (the machines'
 * dockerds, containerds, shims and server JVMs, and the containers in the namespaces those
 * dockerds made), the mounts under its directory (overlay2 layers, the containers' netns
 * bind mounts), its namespaces, its links on the host and its directory. Everything of rig
 * {@code n} is named with {@link #prefix(int)} ({@code stmx<n>-}) and lives under
 * {@link #dir(int)}, so a sweep finds it without any record of what was made. Safe to run on
 * a rig that is half made, half torn down, or was never there.
 */
public final class Sweep {
  /** Where rigs keep their engines' data, sockets and logs, one directory per rig. */
  public static final Path ROOT = Path.of("/tmp/stmx-rigs");

  private Sweep() {}

  public static String prefix(int rig) {
    return "stmx" + rig + "-";
  }

  public static Path dir(int rig) {
    return ROOT.resolve("r" + rig);
  }

  /** Removes everything of rig {@code rig}; answers what it found, for the log. */
  public static List<String> rig(int rig) {
    String prefix = prefix(rig);
    Path dir = dir(rig);
    List<String> removed = new ArrayList<>();
    List<String> namespaces = namespaces(prefix);
    // kill first: a live dockerd would remake what is unmounted, a live shim holds its mounts
    Set<Long> netnsInodes = new HashSet<>();
    for (String ns : namespaces) {
      inode(Path.of("/run/netns", ns)).ifPresent(netnsInodes::add);
    }
    for (Path nsfs : mountsUnder(dir, "nsfs")) {
      inode(nsfs).ifPresent(netnsInodes::add);
    }
    for (long pid : processesIn(netnsInodes)) {
      Shell.run("kill", "-9", Long.toString(pid));
      removed.add("process " + pid);
    }
    List<Path> mounts = mountsUnder(dir, null);
    mounts.sort(Comparator.comparingInt(Path::getNameCount).reversed());
    for (Path mount : mounts) {
      // lazy: a process not yet reaped may still hold it
      Shell.run("umount", "-l", mount.toString());
      removed.add("mount " + mount);
    }
    for (String ns : namespaces) {
      Shell.run("ip", "netns", "delete", ns);
      removed.add("netns " + ns);
    }
    for (String link : hostLinks(prefix)) {
      Shell.run("ip", "link", "delete", link);
      removed.add("link " + link);
    }
    if (Files.exists(dir)) {
      Shell.run(List.of("rm", "-rf", "--one-file-system", dir.toString()), null, Shell.DEFAULT_TIMEOUT);
      removed.add("dir " + dir);
    }
    return removed;
  }

  private static List<String> namespaces(String prefix) {
    List<String> found = new ArrayList<>();
    for (String line : Shell.run("ip", "netns", "list").out().split("\n")) {
      String name = line.strip().split("\\s+")[0];
      if (name.startsWith(prefix)) {
        found.add(name);
      }
    }
    return found;
  }

  private static List<String> hostLinks(String prefix) {
    List<String> found = new ArrayList<>();
    for (String line : Shell.run("ip", "-o", "link", "show").out().split("\n")) {
      String[] parts = line.split(":\\s+", 3);
      if (parts.length >= 2) {
        String name = parts[1].split("@")[0];
        if (name.startsWith(prefix)) {
          found.add(name);
        }
      }
    }
    return found;
  }

  /** Mount points at or under {@code dir} in this mount namespace, of {@code fsType} (null: any). */
  private static List<Path> mountsUnder(Path dir, String fsType) {
    List<Path> found = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
        // id parent major:minor root mountpoint options [optional...] - fstype source super
        String[] f = line.split(" ");
        int dash = List.of(f).indexOf("-");
        Path point = Path.of(unescape(f[4]));
        if (point.startsWith(dir) && (fsType == null || (dash > 0 && f[dash + 1].equals(fsType)))) {
          found.add(point);
        }
      }
    } catch (IOException e) {
      // no /proc: nothing to find
    }
    return found;
  }

  private static String unescape(String mountinfoPath) {
    return mountinfoPath.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
  }

  private static java.util.Optional<Long> inode(Path p) {
    try {
      return java.util.Optional.of(((Number) Files.getAttribute(p, "unix:ino")).longValue());
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return java.util.Optional.empty();
    }
  }

  /** Pids whose network namespace is one of {@code inodes} (/proc/PID/ns/net reads "net:[INODE]"). */
  private static List<Long> processesIn(Set<Long> inodes) {
    List<Long> pids = new ArrayList<>();
    if (inodes.isEmpty()) {
      return pids;
    }
    long self = ProcessHandle.current().pid();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path proc : (Iterable<Path>) procs::iterator) {
        String name = proc.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit) || Long.parseLong(name) == self) {
          continue;
        }
        try {
          String link = Files.readSymbolicLink(proc.resolve("ns/net")).toString();
          long inode = Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
          if (inodes.contains(inode)) {
            pids.add(Long.parseLong(name));
          }
        } catch (IOException | RuntimeException e) {
          // gone meanwhile, or a kernel thread
        }
      }
    } catch (IOException e) {
      // no /proc
    }
    return pids;
  }
}
