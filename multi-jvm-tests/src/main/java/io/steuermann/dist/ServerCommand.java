package io.steuermann.dist;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The command line that starts a Steuermann server from the distribution {@code http-api}
 * packages (its jar plus {@code lib/*}), in one place for the test fixture
 * ({@code io.steuermann.it.ServerProcess}) and the benchmarks ({@code io.steuermann.bench}):
 * the same java, classpath and main class, with words before it (e.g. {@code ip netns exec
 * NS}), JVM options and server flags of the caller's choice.
 */
public final class ServerCommand {
  public static final String MAIN_CLASS = "io.steuermann.server.Main";

  private ServerCommand() {}

  /** The server jar in {@code dist}; fails, saying how to build it, when there is none. */
  public static Path jar(Path dist) {
    if (Files.isDirectory(dist.resolve("lib"))) {
      try (Stream<Path> files = Files.list(dist)) {
        var jar = files.filter(p -> p.getFileName().toString().matches("steuermann-http-api-[^-]+.*(?<!-sources|-javadoc|-tests)\\.jar"))
            .findFirst();
        if (jar.isPresent()) {
          return jar.get();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new IllegalStateException("no server distribution at " + dist
        + " (build it: mvn -pl http-api -am package -DskipTests)");
  }

  /**
   * {@code prefix... <java.home>/bin/java jvmOptions... -cp JAR:lib/* io.steuermann.server.Main serverArgs...}
   */
  public static List<String> of(Path dist, List<String> prefix, List<String> jvmOptions, List<String> serverArgs) {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(jar(dist) + File.pathSeparator + dist.resolve("lib") + File.separator + "*");
    cmd.add(MAIN_CLASS);
    cmd.addAll(serverArgs);
    return cmd;
  }
}
