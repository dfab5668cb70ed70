package io.steuermann.node.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.steuermann.engine.network.Ipv4Cidr;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pod network's routes and NAT rule, programmed in a namespace of the test's own. */
class HostRoutesTest {
  private TestNamespace ns;
  private HostRoutes routes;

  @BeforeEach
  void namespace() {
    ns = new TestNamespace("stm-routes");
    // a link with the "other machines" on it, so a gateway is on-link
    ns.run("ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth0-peer");
    ns.run("ip", "link", "set", "eth0-peer", "up");
    ns.run("ip", "addr", "add", "198.18.7.1/24", "dev", "eth0");
    ns.run("ip", "link", "set", "eth0", "up");
    routes = new HostRoutes(ns.commands);
  }

  @AfterEach
  void delete() {
    ns.close();
  }

  @Test
  void theServiceRangeIsLocalAndTheClusterCidrNeverLeaves() {
    assertTrue(routes.ensureLocal(Ipv4Cidr.parse("10.96.0.0/12")).ok());
    assertTrue(routes.ensureLocal(Ipv4Cidr.parse("10.96.0.0/12")).ok(), "idempotent");
    assertTrue(ns.run("ip", "route", "get", "10.100.3.4").startsWith("local 10.100.3.4 dev lo"));
    assertTrue(routes.ensureLocal(Ipv4Cidr.parse("127.64.0.0/10")).ok(), "loopback needs nothing");

    ns.run("ip", "route", "add", "default", "via", "198.18.7.254");
    assertTrue(routes.ensureUnreachable(Ipv4Cidr.parse("10.244.0.0/16")).ok());
    HostCommands.Result miss = ns.commands.run("ip", "route", "get", "10.244.9.9");
    assertFalse(miss.ok(), "an unassigned pod IP must not follow the default route: " + miss.output());
  }

  @Test
  void routesToOtherNodesArePutListedAndRemoved() {
    routes.ensureUnreachable(Ipv4Cidr.parse("10.244.0.0/16"));
    assertTrue(routes.routeVia(Ipv4Cidr.parse("10.244.2.0/24"), "198.18.7.12").ok());
    assertTrue(routes.routeVia(Ipv4Cidr.parse("10.244.3.0/24"), "198.18.7.13").ok());
    assertTrue(ns.run("ip", "route", "get", "10.244.2.7").contains("via 198.18.7.12"));
    assertEquals(Map.of(Ipv4Cidr.parse("10.244.2.0/24"), "198.18.7.12", Ipv4Cidr.parse("10.244.3.0/24"), "198.18.7.13"),
        routes.routesVia(Ipv4Cidr.parse("10.244.0.0/16")));
    assertTrue(routes.routeVia(Ipv4Cidr.parse("10.244.2.0/24"), "198.18.7.14").ok(), "a node that moved");
    assertEquals("198.18.7.14", routes.routesVia(Ipv4Cidr.parse("10.244.0.0/16")).get(Ipv4Cidr.parse("10.244.2.0/24")));
    assertTrue(routes.remove(Ipv4Cidr.parse("10.244.2.0/24"), "198.18.7.14").ok());
    assertEquals(Map.of(Ipv4Cidr.parse("10.244.3.0/24"), "198.18.7.13"), routes.routesVia(Ipv4Cidr.parse("10.244.0.0/16")));
  }

  @Test
  void podEgressIsMasqueradedOnce() {
    assertTrue(routes.ensureEgressMasquerade(Ipv4Cidr.parse("10.244.0.0/16")).ok());
    assertTrue(routes.ensureEgressMasquerade(Ipv4Cidr.parse("10.244.0.0/16")).ok());
    String rules = ns.run("iptables", "-w", "-t", "nat", "-S", "POSTROUTING");
    assertEquals(1, rules.lines().filter(l -> l.contains(HostRoutes.COMMENT)).count(), rules);
    assertTrue(rules.contains("-s 10.244.0.0/16 ! -d 10.244.0.0/16"), rules);
  }
}
