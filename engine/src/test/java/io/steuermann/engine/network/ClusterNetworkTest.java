package io.steuermann.engine.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class ClusterNetworkTest {
  @Test
  void defaultsAreKubeadms() {
    ClusterNetwork network = ClusterNetwork.fromConfig(ConfigFactory.load());
    assertEquals("10.96.0.10", network.clusterDns());
    assertEquals("10.96.0.1", network.apiServiceIp());
    assertEquals("cluster.local", network.clusterDomain());
    assertEquals(256, network.nodeBlocks());
    assertEquals("10.244.0.0/24", network.nodeBlock(0).toString());
    assertEquals("10.244.255.0/24", network.nodeBlock(255).toString());
  }

  @Test
  void explicitDnsAddressWins() {
    ClusterNetwork network = ClusterNetwork.fromConfig(ConfigFactory.parseString(
        "steuermann.network.cluster-dns = \"10.96.0.53\", steuermann.network.cluster-cidr = \"10.128.0.0/14\"")
        .withFallback(ConfigFactory.load()));
    assertEquals("10.96.0.53", network.clusterDns());
    assertEquals(1024, network.nodeBlocks());
    assertEquals("10.131.255.0/24", network.nodeBlock(1023).toString());
  }

  @Test
  void refusesOverlapsAndBadMasks() {
    Ipv4Cidr services = Ipv4Cidr.parse("10.96.0.0/12");
    assertThrows(IllegalArgumentException.class,
        () -> new ClusterNetwork(Ipv4Cidr.parse("10.96.0.0/16"), 24, services, "cluster.local", "10.96.0.10"));
    assertThrows(IllegalArgumentException.class,
        () -> new ClusterNetwork(Ipv4Cidr.parse("10.244.0.0/16"), 8, services, "cluster.local", "10.96.0.10"));
    assertThrows(IllegalArgumentException.class,
        () -> new ClusterNetwork(Ipv4Cidr.parse("10.244.0.0/16"), 24, services, "cluster.local.", "10.96.0.10"));
  }
}
