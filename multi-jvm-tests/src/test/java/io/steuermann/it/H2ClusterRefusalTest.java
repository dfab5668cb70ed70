package io.steuermann.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The embedded H2 store belongs to one process: a member on H2 refuses to start when its
 * seed nodes name another member, and a running H2 member refuses members that try to join it.
 */
@ExtendWith(ServerLogs.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class H2ClusterRefusalTest {
  /** The status of a configuration error (as for a bad flag). */
  private static final int EXIT_CONFIGURATION = 2;

  @Test
  void anH2MemberWithSeedNodesOfOthersRefusesToStart() throws Exception {
    Path dir = Path.of("target", "it-data", "h2-seeds-" + System.currentTimeMillis());
    try (ServerProcess server = ServerProcess.builder("h2-with-seeds").dataDir(dir)
        .flag("--seed-nodes", "127.0.0.1:" + ServerProcess.freePort()).launch()) {
      assertEquals(EXIT_CONFIGURATION, server.awaitExit(Duration.ofSeconds(60)));
      String log = Files.readString(server.log());
      assertTrue(log.contains("Refusing to start") && log.contains("--store postgres"), log);
    }
  }

  @Test
  void aRunningH2MemberRefusesMembersThatJoinIt() throws Exception {
    int h2ClusterPort = ServerProcess.freePort();
    int h2ApiPort = ServerProcess.freePort();
    while (h2ApiPort == h2ClusterPort) {
      h2ApiPort = ServerProcess.freePort();
    }
    Path dir = Path.of("target", "it-data", "h2-alone-" + System.currentTimeMillis());
    try (PostgresDatabase db = PostgresDatabase.createFresh();
        ServerProcess h2 = ServerProcess.builder("h2-alone").dataDir(dir).port(h2ApiPort)
            .flag("--cluster-port", Integer.toString(h2ClusterPort)).start();
        ServerProcess joiner = ServerProcess.builder("joins-h2").postgres(db)
            .flag("--seed-nodes", "127.0.0.1:" + h2ClusterPort).launch()) {
      assertEquals(EXIT_CONFIGURATION, joiner.awaitExit(Duration.ofSeconds(90)));
      String log = Files.readString(joiner.log());
      assertTrue(log.contains("incompatible cluster configuration"), log);
      String h2Log = Files.readString(h2.log());
      assertTrue(h2Log.contains("needs the PostgreSQL store on every member"), h2Log);
      // the H2 member is still a cluster of one, and serves
      await().atMost(Duration.ofSeconds(10)).until(() -> h2.api().get("/debug/cluster").status() == 200);
      assertEquals(1, h2.api().get("/debug/cluster").body().path("members").size());
      assertEquals(201, h2.api().create(ApiClient.PODS, ApiClient.pod("still-here")).status());
    }
  }
}
