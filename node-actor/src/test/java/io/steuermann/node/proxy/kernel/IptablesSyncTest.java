package io.steuermann.node.proxy.kernel;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.steuermann.node.network.HostCommands;
import io.steuermann.node.network.TestNamespace;
import io.steuermann.node.proxy.Backend;
import io.steuermann.node.proxy.ListenerKey;
import io.steuermann.node.proxy.ListenerSpec;
import io.steuermann.node.proxy.ProxySettings.IptablesSettings;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The kernel data path for real, inside namespaces of the test's own ({@link NamespaceNode}):
 * IptablesSync programs the "node" namespace's iptables, and a client pod reaches a clusterIP
 * over TCP and UDP, balanced over two endpoint pods; removing an endpoint takes effect (for UDP
 * through conntrack clearing), no endpoints means refused, and stopping removes every chain.
 */
class IptablesSyncTest {
  private static final String CLUSTER_IP = "10.96.0.20";

  private final ActorTestKit testKit = ActorTestKit.create();
  private NamespaceNode machine;
  private TestNamespace client;
  private ActorRef<IptablesSync.Command> sync;

  @BeforeEach
  void network() {
    machine = new NamespaceNode();
    client = machine.pod(2);
    machine.start(machine.pod(3), "name", "80", "pod-a");
    machine.start(machine.pod(4), "name", "80", "pod-b");
    sync = testKit.spawn(IptablesSync.create(machine.node.commands,
        new IptablesSettings("STMTEST", "10.244.0.0/16", Duration.ofMillis(50), Duration.ofSeconds(30), true)),
        "iptables", DispatcherSelector.blocking());
  }

  @AfterEach
  void close() {
    testKit.shutdownTestKit();
    machine.close();
  }

  @Test
  void tcpAndUdpToAClusterIpReachTheEndpointsBalancedAndFollowTheirChanges() {
    List<Backend> both = List.of(new Backend("10.244.0.3", 80), new Backend("10.244.0.4", 80));
    sync.tell(update(both, both));

    await().atMost(Duration.ofSeconds(10)).until(() -> answer("get", CLUSTER_IP, "80").ok());
    assertEquals(Set.of("pod-a", "pod-b"), answers(40, "get", CLUSTER_IP, "80"), "TCP is balanced");
    assertEquals(Set.of("pod-a", "pod-b"), answers(40, "udpget", CLUSTER_IP, "53"), "UDP is balanced");
    // the node itself (host-originated, masqueraded) reaches it as well
    assertTrue(machine.svcnet(machine.node, "get", CLUSTER_IP, "80").output().startsWith("pod-"));

    // a UDP "flow" (fixed source port) that conntrack has pinned to pod-b
    int port = 40000;
    while (!"pod-b".equals(answer("udpget", CLUSTER_IP, "53", Integer.toString(port)).output())) {
      port++;
    }
    assertEquals("pod-b", answer("udpget", CLUSTER_IP, "53", Integer.toString(port)).output(), "pinned");

    List<Backend> onlyA = List.of(new Backend("10.244.0.3", 80));
    sync.tell(update(onlyA, onlyA));
    await().atMost(Duration.ofSeconds(10)).until(() -> answers(20, "get", CLUSTER_IP, "80").equals(Set.of("pod-a")));
    String pinned = Integer.toString(port);
    // pod-b still runs and would answer if its conntrack entry had stayed
    await().atMost(Duration.ofSeconds(10)).until(() -> "pod-a".equals(answer("udpget", CLUSTER_IP, "53", pinned).output()));
    assertEquals(Set.of("pod-a"), answers(20, "udpget", CLUSTER_IP, "53"));

    sync.tell(update(List.of(), List.of()));
    await().atMost(Duration.ofSeconds(10)).until(() -> answer("get", CLUSTER_IP, "80").output().contains("refused"));

    sync.tell(IptablesSync.Stop.INSTANCE);
    testKit.createTestProbe().expectTerminated(sync, Duration.ofSeconds(10));
    for (String table : List.of("nat", "filter")) {
      String rules = machine.node.run("iptables-save", "-t", table);
      assertFalse(rules.contains("STMTEST"), "chains removed at stop:\n" + rules);
    }
  }

  @Test
  void aRestartReplacesWhatAnEarlierProcessLeft() {
    List<Backend> a = List.of(new Backend("10.244.0.3", 80));
    sync.tell(update(a, a));
    await().atMost(Duration.ofSeconds(10)).until(() -> "pod-a".equals(answer("get", CLUSTER_IP, "80").output()));
    testKit.stop(sync); // a crash: nothing cleaned up
    String left = machine.node.run("iptables-save", "-t", "nat");
    assertTrue(left.contains("STMTEST-SVC-"), left);

    ActorRef<IptablesSync.Command> again = testKit.spawn(IptablesSync.create(machine.node.commands,
        new IptablesSettings("STMTEST", "10.244.0.0/16", Duration.ofMillis(50), Duration.ofSeconds(30), true)),
        "iptables-again", DispatcherSelector.blocking());
    List<Backend> b = List.of(new Backend("10.244.0.4", 80));
    again.tell(update(b, b));
    await().atMost(Duration.ofSeconds(10)).until(() -> answers(10, "get", CLUSTER_IP, "80").equals(Set.of("pod-b")));
    String rules = machine.node.run("iptables-save", "-t", "nat");
    assertEquals(1, rules.lines().filter(l -> l.startsWith("-A PREROUTING") && l.contains("STMTEST-SERVICES")).count(),
        "one jump, not one per process:\n" + rules);
    assertEquals(2, rules.lines().filter(l -> l.startsWith(":STMTEST-SEP-")).count(), "one per port (TCP, UDP):\n" + rules);
    assertFalse(rules.contains("10.244.0.3"), "the old endpoint's chains went:\n" + rules);
  }

  private static IptablesSync.Update update(List<Backend> tcp, List<Backend> udp) {
    return new IptablesSync.Update(List.of(
        new IptablesRules.Entry(new ListenerSpec(new ListenerKey(ListenerKey.Protocol.TCP, CLUSTER_IP, 80), "default/web:http",
            0, tcp), false),
        new IptablesRules.Entry(new ListenerSpec(new ListenerKey(ListenerKey.Protocol.UDP, CLUSTER_IP, 53), "default/web:dns",
            0, udp), false)));
  }

  private HostCommands.Result answer(String... args) {
    return machine.svcnet(client, args);
  }

  private Set<String> answers(int times, String... args) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < times; i++) {
      seen.add(answer(args).output());
    }
    return seen;
  }
}
