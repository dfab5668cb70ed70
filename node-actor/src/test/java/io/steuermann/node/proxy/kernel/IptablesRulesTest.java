package io.steuermann.node.proxy.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.steuermann.node.proxy.Backend;
import io.steuermann.node.proxy.ListenerKey;
import io.steuermann.node.proxy.ListenerSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rule text kube-proxy's iptables mode would write for the same Services. */
class IptablesRulesTest {
  private static final IptablesRules.Chains CHAINS = new IptablesRules.Chains("STEUERMANN");

  private static IptablesRules.Entry web(List<Backend> backends) {
    return new IptablesRules.Entry(new ListenerSpec(new ListenerKey(ListenerKey.Protocol.TCP, "10.96.4.7", 80),
        "default/web:http", 0, backends), false);
  }

  @Test
  void eachEndpointIsPickedWithItsShareAndDnated() {
    String nat = IptablesRules.nat(CHAINS, List.of(web(List.of(new Backend("10.244.1.5", 8080),
        new Backend("10.244.2.9", 8080), new Backend("10.244.3.2", 8080)))), "10.244.0.0/16", List.of());
    List<String> lines = nat.lines().toList();
    assertEquals("*nat", lines.get(0));
    assertEquals("COMMIT", lines.get(lines.size() - 1));
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("-A STEUERMANN-SERVICES ") && l.contains("-d 10.96.4.7/32 -p tcp --dport 80")),
        nat);
    // 1/3, then 1/2 of the rest, then the last one takes what is left: equal shares
    assertEquals(List.of("0.3333333333", "0.5000000000"), lines.stream().filter(l -> l.contains("--probability"))
        .map(l -> l.replaceAll(".*--probability (\\S+).*", "$1")).toList());
    assertEquals(List.of("10.244.1.5:8080", "10.244.2.9:8080", "10.244.3.2:8080"), lines.stream()
        .filter(l -> l.contains("-j DNAT")).map(l -> l.replaceAll(".*--to-destination (\\S+)$", "$1")).sorted().toList());
    // traffic from outside the pod network is masqueraded so that replies come back here
    assertTrue(lines.stream().anyMatch(l -> l.contains("! -s 10.244.0.0/16 -d 10.96.4.7/32") && l.endsWith("-j STEUERMANN-MARK-MASQ")),
        nat);
    // the same Services give the same text (no rewrite when nothing changed)
    assertEquals(nat, IptablesRules.nat(CHAINS, List.of(web(List.of(new Backend("10.244.1.5", 8080),
        new Backend("10.244.2.9", 8080), new Backend("10.244.3.2", 8080)))), "10.244.0.0/16", List.of()));
  }

  @Test
  void aServiceWithoutEndpointsIsRejectedNotDnated() {
    String nat = IptablesRules.nat(CHAINS, List.of(web(List.of())), "10.244.0.0/16", List.of());
    assertFalse(nat.contains("10.96.4.7"), nat);
    String filter = IptablesRules.filter(CHAINS, List.of(web(List.of())));
    assertTrue(filter.lines().anyMatch(l -> l.contains("-d 10.96.4.7/32 -p tcp --dport 80 -j REJECT")), filter);
  }
}
