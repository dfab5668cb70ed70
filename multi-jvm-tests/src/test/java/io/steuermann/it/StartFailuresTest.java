package io.steuermann.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A server that cannot start says why in one line and exits with status 1, so that a
 * supervisor (systemd, a shell script) sees the failure instead of a clean stop.
 */
@ExtendWith(ServerLogs.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StartFailuresTest {
  private static final int EXIT_FAILED = 1;

  @Test
  void aTakenApiPortExitsWithStatusOne() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ServerProcess server = ServerProcess.builder("port-taken").port(taken.getLocalPort())
            .dataDir(dataDir("port-taken")).launch()) {
      assertEquals(EXIT_FAILED, server.awaitExit(Duration.ofSeconds(90)));
      String log = Files.readString(server.log());
      assertTrue(log.contains("steuermann: cannot start: the API cannot listen on 127.0.0.1:" + taken.getLocalPort())
          && log.contains("Address already in use"), log);
    }
  }

  @Test
  void aJournalInUseByAnotherServerExitsWithStatusOne() throws Exception {
    Path dir = dataDir("journal-in-use");
    try (ServerProcess first = ServerProcess.builder("journal-owner").dataDir(dir).start();
        ServerProcess second = ServerProcess.builder("journal-second").dataDir(dir).launch()) {
      assertEquals(EXIT_FAILED, second.awaitExit(Duration.ofSeconds(90)));
      String log = Files.readString(second.log());
      assertTrue(log.contains("steuermann: cannot start: ") && log.contains("already in use"), log);
      // the first server is not disturbed by the attempt
      assertEquals(201, first.api().create(ApiClient.PODS, ApiClient.pod("still-served")).status());
    }
  }

  @Test
  void aDataDirectoryThatIsAFileExitsWithStatusOne() throws Exception {
    Path file = Files.createDirectories(Path.of("target", "it-data")).resolve("not-a-dir-" + System.nanoTime());
    Files.writeString(file, "x");
    try (ServerProcess server = ServerProcess.builder("data-dir-file").dataDir(file).launch()) {
      assertEquals(EXIT_FAILED, server.awaitExit(Duration.ofSeconds(60)));
      String log = Files.readString(server.log());
      assertTrue(log.contains("steuermann: cannot start: cannot create data directory"), log);
      assertTrue(!log.contains("Exception in thread"), log);
    }
  }

  @Test
  void anEncryptionKeyFileThatHoldsNoKeyExitsWithStatusOne() throws Exception {
    Path dir = Files.createDirectories(dataDir("bad-key-file"));
    Files.writeString(dir.resolve("encryption-keys"), "not a key\n");
    try (ServerProcess server = ServerProcess.builder("bad-key-file").dataDir(dir).launch()) {
      assertEquals(EXIT_FAILED, server.awaitExit(Duration.ofSeconds(60)));
      String log = Files.readString(server.log());
      assertTrue(log.contains("steuermann: cannot start: ") && log.contains("encryption-keys line 1: expected name:base64-key"), log);
    }
  }

  @Test
  void aStoreWhoseSecretsWereSealedWithAnotherKeyExitsWithStatusOne() throws Exception {
    Path dir = dataDir("lost-key");
    try (ServerProcess server = ServerProcess.builder("lost-key").dataDir(dir).start()) {
      assertEquals(201, server.api().create("/api/v1/namespaces/default/secrets", ApiClient.JSON.readTree(
          "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"db\"},\"data\":{\"p\":\"cHc=\"}}"))
          .status());
      server.stop();
    }
    String sealedWith = Files.readString(dir.resolve("encryption-keys")).split(":")[0];
    Files.delete(dir.resolve("encryption-keys")); // the next start makes a new, different key
    try (ServerProcess server = ServerProcess.builder("lost-key-again").dataDir(dir).launch()) {
      assertEquals(EXIT_FAILED, server.awaitExit(Duration.ofSeconds(90)));
      String log = Files.readString(server.log());
      assertTrue(log.contains("steuermann: cannot start: ") && log.contains("sealed with encryption key " + sealedWith), log);
    }
  }

  private static Path dataDir(String name) {
    return Path.of("target", "it-data", name + "-" + System.nanoTime());
  }
}
