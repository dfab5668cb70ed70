package io.steuermann.engine.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class Ipv4CidrTest {
  @Test
  void parsesAndClearsHostBits() {
    assertEquals("10.244.3.0/24", Ipv4Cidr.parse("10.244.3.7/24").toString());
    assertEquals("10.96.0.0/12", Ipv4Cidr.parse(" 10.100.1.1 / 12 ").toString());
    assertEquals("10.244.3.1", Ipv4Cidr.parse("10.244.3.0/24").address(1));
  }

  @Test
  void containsAndOverlaps() {
    Ipv4Cidr cluster = Ipv4Cidr.parse("10.244.0.0/16");
    assertTrue(cluster.contains("10.244.255.1"));
    assertFalse(cluster.contains("10.245.0.1"));
    assertFalse(cluster.contains("not-an-ip"));
    assertTrue(cluster.overlaps(Ipv4Cidr.parse("10.244.7.0/24")));
    assertTrue(Ipv4Cidr.parse("10.244.7.0/24").overlaps(cluster));
    assertFalse(cluster.overlaps(Ipv4Cidr.parse("10.96.0.0/12")));
    assertTrue(Ipv4Cidr.parse("127.64.0.0/10").loopback());
    assertFalse(Ipv4Cidr.parse("10.96.0.0/12").loopback());
  }

  @Test
  void refusesWhatIsNoBlock() {
    assertThrows(IllegalArgumentException.class, () -> Ipv4Cidr.parse("10.244.0.0"));
    assertThrows(IllegalArgumentException.class, () -> Ipv4Cidr.parse("10.244.0.0/33"));
    assertThrows(IllegalArgumentException.class, () -> Ipv4Cidr.parse("fd00::/64"));
  }
}
