package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded H2 store on a disk that fills up (a small tmpfs mounted for the test, filled by
 * a file): writes are answered 507 at once with a Status naming the full disk and the remedy
 * (H2 closes its database after a failed write: a restart once there is room), /readyz fails,
 * nothing half-written is served; after the restart everything acknowledged is there and writes
 * work. Mounting needs root, as .ci/run has.
 */
class FullDiskTest {
  private static final String PODS = "/api/v1/namespaces/default/pods";

  private Path mount;

  @BeforeEach
  void mountSmallDisk() throws Exception {
    mount = Files.createTempDirectory("steuermann-full-disk");
    run("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", mount.toString());
  }

  @AfterEach
  void unmount() throws Exception {
    run("umount", "-l", mount.toString());
    Files.deleteIfExists(mount);
  }

  @Test
  void writesAnswer507WhileTheDiskIsFullAndWorkWhenSpaceReturns() throws Exception {
    Path data = mount.resolve("data");
    Path filler = mount.resolve("filler");
    var store = ConfigFactory.parseMap(Map.of("steuermann.store.kind", "h2", "steuermann.store.data-dir", data.toString()));
    try (TestServer server = TestServer.start("FullDisk", store)) {
      server.pod("default", "before", "{}");
      fill(filler);

      HttpResponse<String> refused = null;
      // H2 may still have room in its file's free pages for a write or two
      for (int i = 0; i < 50 && refused == null; i++) {
        HttpResponse<String> r = server.post(PODS, TestServer.podJson("full-" + i, "{\"pad\":\"" + "x".repeat(60) + "\"}"));
        if (r.statusCode() != 201) {
          refused = r;
        }
      }
      assertTrue(refused != null, "no write was refused on a full disk");
      System.out.printf("[full-disk] answered %d: %s%n", refused.statusCode(), refused.body());
      assertEquals(507, refused.statusCode(), refused.body());
      JsonNode status = expect(507, server.post(PODS, TestServer.podJson("while-full", "{}")));
      assertEquals("InsufficientStorage", status.path("reason").asText());
      assertTrue(status.path("message").asText().contains("the store cannot write"), status.toString());
      expect(200, server.get(PODS + "/before"));

      assertTrue(status.path("message").asText().contains("restart Steuermann when there is room again"),
          status.toString());
      assertEquals(500, server.get("/readyz").statusCode());
      Files.delete(filler);
    }
    // the journal opens again with what was acknowledged, and writes
    try (TestServer again = TestServer.start("FullDiskAgain", store)) {
      expect(200, again.get(PODS + "/before"));
      assertEquals(404, again.get(PODS + "/while-full").statusCode());
      expect(201, again.post(PODS, TestServer.podJson("after", "{}")));
      assertEquals(200, again.get("/readyz").statusCode());
    }
  }

  /** Writes zeros until the file system has no byte left. */
  static void fill(Path file) throws IOException {
    byte[] block = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(file)) {
      while (true) {
        out.write(block);
      }
    } catch (IOException full) {
      if (!String.valueOf(full.getMessage()).contains("No space left")) {
        throw full;
      }
    }
  }

  static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", command) + ": " + out);
  }
}
