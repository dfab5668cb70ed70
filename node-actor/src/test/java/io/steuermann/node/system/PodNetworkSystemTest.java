package io.steuermann.node.system;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.network.Ipv4Cidr;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.node.network.PodNetworkAgent;
import io.steuermann.node.network.TestNamespace;
import io.steuermann.node.runtime.ContainerRuntime;
import io.steuermann.node.runtime.HollowRuntime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pod network agent on a real engine, programming the routes of a namespace of the test's
 * own: another node's pod CIDR is routed via its InternalIP, moves with it and goes with the
 * node; a node of this machine gets its pod CIDR handed to its runtime and no route.
 */
class PodNetworkSystemTest {
  private static SystemCluster cluster;
  private static TestNamespace ns;
  private static ActorRef<PodNetworkAgent.Command> agent;
  private static final List<String> configured = new CopyOnWriteArrayList<>();
  private static final Ipv4Cidr CLUSTER = Ipv4Cidr.parse("10.244.0.0/16");

  @BeforeAll
  static void start() {
    cluster = SystemCluster.start("podnet");
    ns = new TestNamespace("stm-podnet");
    ns.run("ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth0-peer");
    ns.run("ip", "link", "set", "eth0-peer", "up");
    ns.run("ip", "addr", "add", "198.18.8.1/24", "dev", "eth0");
    ns.run("ip", "link", "set", "eth0", "up");
    ContainerRuntime local = new HollowRuntime(HollowRuntime.Settings.fromConfig(cluster.system.settings().config()
        .getConfig("steuermann.node.hollow")), cluster.system.scheduler(), cluster.system.executionContext());
    agent = cluster.system.systemActorOf(PodNetworkAgent.create(cluster.engine.controllers(),
        Map.of("podnet-local", new Recording(local)), new PodNetworkAgent.Settings(CLUSTER, Duration.ofMillis(300)),
        ns.commands), "pod-network-test", Props.empty());
  }

  @AfterAll
  static void stop() {
    if (agent != null) {
      agent.tell(PodNetworkAgent.Stop.INSTANCE);
    }
    if (ns != null) {
      ns.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void routesFollowTheOtherNodes() {
    cluster.create(node("podnet-b", "10.244.2.0/24", "198.18.8.12"));
    await().atMost(SystemCluster.WAIT).until(() -> "198.18.8.12".equals(routes().get("10.244.2.0/24")));
    // the unreachable block and the egress rule were programmed at start
    assertEquals(true, ns.run("ip", "route", "show").contains("unreachable 10.244.0.0/16"));

    SystemCluster.done(cluster.engine.store().patch(ObjectKey.of(Kind.NODE, "", "podnet-b"),
        ObjectCommand.PatchType.MERGE,
        SystemCluster.json("{\"status\":{\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"198.18.8.22\"}]}}"),
        ObjectCommand.Part.STATUS));
    await().atMost(SystemCluster.WAIT).until(() -> "198.18.8.22".equals(routes().get("10.244.2.0/24")));

    // a route someone removed by hand is mended at the next resync
    ns.run("ip", "route", "del", "10.244.2.0/24");
    await().atMost(SystemCluster.WAIT).until(() -> "198.18.8.22".equals(routes().get("10.244.2.0/24")));

    var stored = cluster.node("podnet-b");
    SystemCluster.done(cluster.engine.store().delete(ObjectKey.of(Kind.NODE, "", "podnet-b"),
        stored.path("metadata").path("uid").asText(), 0));
    await().atMost(SystemCluster.WAIT).until(() -> !routes().containsKey("10.244.2.0/24"));
  }

  @Test
  void aNodeOfThisMachineGetsItsCidrAndNoRoute() {
    cluster.create(node("podnet-local", "10.244.7.0/24", "198.18.8.30"));
    await().atMost(SystemCluster.WAIT).until(() -> configured.contains("10.244.7.0/24"));
    // a node sharing this machine (Docker nodes of one host at 127.0.0.1) reaches its pods on its own bridge
    cluster.create(node("podnet-c", "10.244.9.0/24", "127.0.0.1"));
    await().during(Duration.ofMillis(700)).atMost(SystemCluster.WAIT).until(() -> !routes().containsKey("10.244.9.0/24")
        && !routes().containsKey("10.244.7.0/24"));
  }

  private static Map<String, String> routes() {
    var map = new java.util.TreeMap<String, String>();
    new io.steuermann.node.network.HostRoutes(ns.commands).routesVia(CLUSTER)
        .forEach((cidr, gateway) -> map.put(cidr.toString(), gateway));
    return map;
  }

  private static String node(String name, String cidr, String address) {
    return """
        {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "%s"},
         "spec": {"podCIDR": "%s", "podCIDRs": ["%s"]},
         "status": {"addresses": [{"type": "InternalIP", "address": "%s"}]}}""".formatted(name, cidr, cidr, address);
  }

  /** A runtime that only records the pod network it was given. */
  private record Recording(ContainerRuntime delegate) implements ContainerRuntime {
    public CompletionStage<Void> configurePodNetwork(String podCidr) {
      configured.add(podCidr);
      return CompletableFuture.completedFuture(null);
    }

    public RuntimeInfo info() {
      return delegate.info();
    }

    public void setListener(Listener listener) {
      delegate.setListener(listener);
    }

    public CompletionStage<RunningPod> startPod(PodConfig pod) {
      return delegate.startPod(pod);
    }

    public CompletionStage<ContainerStatus> startContainer(PodRef pod, ContainerConfig container, int attempt) {
      return delegate.startContainer(pod, container, attempt);
    }

    public CompletionStage<ContainerStatus> stopContainer(PodRef pod, String container, Duration gracePeriod) {
      return delegate.stopContainer(pod, container, gracePeriod);
    }

    public CompletionStage<Void> stopPod(PodRef pod, Duration gracePeriod) {
      return delegate.stopPod(pod, gracePeriod);
    }

    public CompletionStage<List<RunningPod>> listPods() {
      return delegate.listPods();
    }

    public CompletionStage<ExecResult> exec(PodRef pod, String container, List<String> command, Duration timeout) {
      return delegate.exec(pod, container, command, timeout);
    }

    public org.apache.pekko.stream.javadsl.Source<org.apache.pekko.util.ByteString, org.apache.pekko.NotUsed> logs(
        PodRef pod, String container, LogOptions options) {
      return delegate.logs(pod, container, options);
    }
  }
}
