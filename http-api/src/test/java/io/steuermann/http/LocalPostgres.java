package io.steuermann.http;

import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL server of the test's own (initdb into a temporary directory, its own port on
 * 127.0.0.1), for tests that stop and start the database: stopping the shared server would
 * break other engineers' tests. Run as root, the server runs as the {@code postgres} user;
 * trust authentication on 127.0.0.1 only, superuser {@code steuermann}.
 */
final class LocalPostgres implements AutoCloseable {
  private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

  private final Path dir;
  private final Path data;
  private final int port;

  private LocalPostgres(Path dir, Path data, int port) {
    this.dir = dir;
    this.data = data;
    this.port = port;
  }

  static LocalPostgres create() {
    return create(null);
  }

  /**
   * A server whose data directory is {@code dataParent/data} (a small file system of the test's,
   * say), or in its temporary directory when null; its log and socket stay in the latter.
   */
  static LocalPostgres create(Path dataParent) {
    try {
      Path dir = Files.createTempDirectory("steuermann-pg-");
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      LocalPostgres pg = new LocalPostgres(dir, (dataParent == null ? dir : dataParent).resolve("data"), port);
      pg.run("chown", "postgres", dir.toString());
      if (dataParent != null) {
        pg.run("chown", "postgres", dataParent.toString());
      }
      pg.asPostgres(BIN.resolve("initdb").toString(), "-D", pg.data.toString(), "-U", "steuermann",
          "--auth=trust", "--no-sync");
      pg.start();
      return pg;
    } catch (IOException e) {
      return fail("cannot make a PostgreSQL server of the test's own: " + e, e);
    }
  }

  /** Starts the server (again) and waits until it accepts connections. */
  void start() {
    asPostgres(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-l",
        dir.resolve("server.log").toString(), "-w", "-t", "60", "-o",
        "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1", "start");
  }

  /** Stops the server as an operator does ({@code -m fast}: sessions are terminated, 57P01). */
  void stop() {
    asPostgres(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w",
        "-t", "60", "stop");
  }

  /** The store configuration of its {@code postgres} database. */
  Config store() {
    return ConfigFactory.parseMap(Map.of(
        "steuermann.store.kind", "postgres",
        "steuermann.store.postgres.url", "jdbc:postgresql://127.0.0.1:" + port + "/postgres",
        "steuermann.store.postgres.user", "steuermann",
        "steuermann.store.postgres.password", "unused"));
  }

  @Override
  public void close() throws IOException {
    try {
      stop();
    } catch (AssertionError alreadyStopped) {
      // stopped by the test
    }
    for (Path root : List.of(data, dir)) {
      if (Files.exists(root)) {
        try (var paths = Files.walk(root)) {
          paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  private void asPostgres(String... command) {
    List<String> all = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
    all.addAll(List.of(command));
    run(all.toArray(String[]::new));
  }

  private void run(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(dir.resolve("commands.log").toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        fail(String.join(" ", command) + " failed: " + Files.readString(dir.resolve("commands.log")));
      }
    } catch (IOException e) {
      fail(String.join(" ", command) + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail("interrupted", e);
    }
  }
}
