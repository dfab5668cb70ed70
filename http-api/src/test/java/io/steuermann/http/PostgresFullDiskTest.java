package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL's data directory on a disk that fills up (a 96 MiB tmpfs mounted for the test,
 * filled by a file; the server is the test's own, {@link LocalPostgres}): the journal's insert
 * fails with 53100 ("could not extend file"), writes are answered 507 InsufficientStorage with a
 * Status saying so, nothing acknowledged is lost, and once the file is removed writes work again
 * without a restart. Mounting needs root, as .ci/run has.
 */
class PostgresFullDiskTest {
  private static final String PODS = "/api/v1/namespaces/default/pods";
  /** Labels of about 600 bytes (a label value has at most 63 characters), so the disk fills soon. */
  private static final String PADDING = java.util.stream.IntStream.range(0, 9)
      .mapToObj(i -> "\"pad" + i + "\":\"" + "x".repeat(60) + "\"")
      .collect(java.util.stream.Collectors.joining(",", "{", "}"));

  private Path mount;
  private LocalPostgres pg;

  @BeforeEach
  void setUp() throws Exception {
    mount = Files.createTempDirectory("steuermann-pg-full-disk");
    FullDiskTest.run("mount", "-t", "tmpfs", "-o", "size=96m", "tmpfs", mount.toString());
    pg = LocalPostgres.create(mount);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (pg != null) {
      pg.close();
    }
    FullDiskTest.run("umount", "-l", mount.toString());
    Files.deleteIfExists(mount);
  }

  @Test
  void writesAnswer507WhileTheDatabaseDiskIsFullAndWorkWhenSpaceReturns() throws Exception {
    Path filler = mount.resolve("filler");
    try (TestServer server = TestServer.start("PostgresFullDisk", pg.store())) {
      server.pod("default", "before", "{}");
      FullDiskTest.fill(filler);

      List<String> acknowledged = new ArrayList<>(List.of("before"));
      HttpResponse<String> refused = null;
      // the journal table's last page may still have room for a few rows
      for (int i = 0; i < 200 && refused == null; i++) {
        String name = "full-" + i;
        HttpResponse<String> r = server.post(PODS, TestServer.podJson(name, PADDING));
        if (r.statusCode() == 201) {
          acknowledged.add(name);
        } else {
          refused = r;
        }
      }
      assertTrue(refused != null, "no write was refused on a full disk");
      System.out.printf("[pg full disk] after %d writes answered %d: %s%n", acknowledged.size() - 1,
          refused.statusCode(), refused.body());
      assertEquals(507, refused.statusCode(), refused.body());
      long start = System.nanoTime();
      JsonNode status = expect(507, server.post(PODS, TestServer.podJson("while-full", "{}")));
      assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(1)) < 0,
          "a write while the disk is known to be full waits for nothing");
      assertEquals("InsufficientStorage", status.path("reason").asText());
      assertTrue(status.path("message").asText().contains("the store cannot write"), status.toString());
      assertEquals(500, server.get("/readyz").statusCode());

      Files.delete(filler);
      long freed = System.nanoTime();
      await("writes work again").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
          .until(() -> server.post(PODS, TestServer.podJson("after", "{}")).statusCode() == 201);
      System.out.printf("[pg full disk] writes work again %d ms after the space returned%n",
          Duration.ofNanos(System.nanoTime() - freed).toMillis());
      await("ready again").atMost(Duration.ofSeconds(10)).until(() -> server.get("/readyz").statusCode() == 200);
      for (String name : acknowledged) {
        expect(200, server.get(PODS + "/" + name));
      }
      assertEquals(404, server.get(PODS + "/while-full").statusCode());
    }
    // and the journal reads back whole in a new server
    try (TestServer again = TestServer.start("PostgresFullDiskAgain", pg.store())) {
      expect(200, again.get(PODS + "/before"));
      expect(200, again.get(PODS + "/after"));
    }
  }
}
