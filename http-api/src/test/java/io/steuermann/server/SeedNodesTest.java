package io.steuermann.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeedNodesTest {
  private static Config config(String... flags) throws Flags.UsageException {
    return Flags.parse(flags).withFallback(ConfigFactory.load()).resolve();
  }

  @Test
  void noSeedNodesIsAClusterOfOne() throws Exception {
    assertEquals(List.of(), SeedNodes.configure(config()).getStringList("pekko.cluster.seed-nodes"));
  }

  @Test
  void seedNodesBecomePekkoAddresses() throws Exception {
    Config c = SeedNodes.configure(config("--store", "postgres", "--seed-nodes", "127.0.0.1:25520, 10.0.0.2:25521"));
    assertEquals(List.of("pekko://steuermann@127.0.0.1:25520", "pekko://steuermann@10.0.0.2:25521"),
        c.getStringList("pekko.cluster.seed-nodes"));
  }

  @Test
  void anH2MemberMaySeedOnlyItself() throws Exception {
    Config alone = SeedNodes.configure(config("--cluster-port", "25530", "--seed-nodes", "127.0.0.1:25530"));
    assertEquals(List.of("pekko://steuermann@127.0.0.1:25530"), alone.getStringList("pekko.cluster.seed-nodes"));
    SeedNodes.Refused refused = assertThrows(SeedNodes.Refused.class,
        () -> SeedNodes.configure(config("--cluster-port", "25530", "--seed-nodes", "127.0.0.1:25530,127.0.0.1:25531")));
    assertTrue(refused.getMessage().contains("--store postgres"), refused.getMessage());
  }

  @Test
  void aSeedWithoutPortIsRefused() {
    SeedNodes.Refused refused = assertThrows(SeedNodes.Refused.class,
        () -> SeedNodes.configure(config("--store", "postgres", "--seed-nodes", "127.0.0.1")));
    assertTrue(refused.getMessage().contains("host:port"), refused.getMessage());
  }

  @Test
  void rolesComeFromTheRolesFlag() throws Exception {
    Config c = io.steuermann.engine.cluster.ClusterRoles.configure(config("--roles", "worker"));
    assertEquals(List.of("worker"), c.getStringList("pekko.cluster.roles"));
    assertEquals(List.of("control", "worker"),
        io.steuermann.engine.cluster.ClusterRoles.configure(config()).getStringList("pekko.cluster.roles"));
    assertThrows(IllegalArgumentException.class,
        () -> io.steuermann.engine.cluster.ClusterRoles.configure(config("--roles", "boss")));
  }
}
