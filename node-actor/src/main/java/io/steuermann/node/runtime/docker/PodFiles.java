package io.steuermann.node.runtime.docker;

import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import io.steuermann.node.podenv.PodEnvironment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A pod's resolv.conf, hosts and Service variables as files in {@code <pod-dir>/<node>/<uid>/},
 * written once its sandbox has an IP and bind-mounted at /etc/resolv.conf and /etc/hosts of
 * each of its containers (Docker then writes none of its own: a container joined to the
 * sandbox's namespace would otherwise get the sandbox's, which a spare made before the pod
 * cannot know). Files, not container settings, so that a container restarted later gets what
 * its pod started with, also after the process restarts.
 */
final class PodFiles {
  private static final String RESOLV = "resolv.conf";
  private static final String HOSTS = "hosts";
  private static final String ENV = "service.env";

  private final Path root;

  PodFiles(Path podDir, String node) {
    this.root = podDir.resolve(node);
  }

  void write(String uid, PodEnvironment environment, String podIp) {
    Path dir = root.resolve(uid);
    try {
      Files.createDirectories(dir);
      if (environment.resolvConf() != null) {
        Files.writeString(dir.resolve(RESOLV), environment.resolvConf());
      }
      if (environment.hosts() != null) {
        Files.writeString(dir.resolve(HOSTS), environment.hosts().render(podIp));
      }
      StringBuilder env = new StringBuilder();
      // one NAME=value per line; Service names and addresses hold no newline
      environment.serviceVariables().forEach((k, v) -> env.append(k).append('=').append(v).append('\n'));
      Files.writeString(dir.resolve(ENV), env.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the pod files in " + dir, e);
    }
  }

  /** The binds of the pod's containers: the files that exist. */
  List<Bind> binds(String uid) {
    Path dir = root.resolve(uid);
    List<Bind> binds = new ArrayList<>();
    if (Files.exists(dir.resolve(RESOLV))) {
      binds.add(new Bind(dir.resolve(RESOLV).toString(), new Volume("/etc/resolv.conf"), AccessMode.ro));
    }
    if (Files.exists(dir.resolve(HOSTS))) {
      binds.add(new Bind(dir.resolve(HOSTS).toString(), new Volume("/etc/hosts"), AccessMode.rw));
    }
    return binds;
  }

  /** The Service variables the pod started with (none when it has no files). */
  Map<String, String> serviceVariables(String uid) {
    Map<String, String> env = new LinkedHashMap<>();
    Path file = root.resolve(uid).resolve(ENV);
    if (!Files.exists(file)) {
      return env;
    }
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          env.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return env;
  }

  void remove(String uid) {
    Path dir = root.resolve(uid);
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover directory of derived files does no harm
    }
  }
}
