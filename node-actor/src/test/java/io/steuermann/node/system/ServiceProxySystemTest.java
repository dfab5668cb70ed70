package io.steuermann.node.system;

import static io.steuermann.node.system.TestBackends.httpGet;
import static io.steuermann.node.system.TestBackends.readLine;
import static io.steuermann.node.system.TestBackends.refused;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.node.proxy.ServiceProxy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The service proxy on a real engine, with real sockets: selector-less Services (clusterIP in
 * 10.96.0.0/12 and nodePort given explicitly) whose Endpoints the test writes, forwarding to
 * real backends on loopback, as hollow pods (podIP 127.0.0.1) would have them.
 */
class ServiceProxySystemTest {
  private static final String NS = "default";
  private static final String NODE = "127.0.0.1";
  /** Short, for the expiry test; the other UDP exchanges follow each other within milliseconds. */
  private static final Duration UDP_IDLE = Duration.ofSeconds(2);
  private static SystemCluster cluster;
  private static ActorRef<ServiceProxy.Command> proxy;
  /** Addresses and ports of this run, spread so that a concurrent run elsewhere does not collide. */
  private static final Random RANDOM = new Random();
  private static final String SUBNET = "10.96." + (1 + RANDOM.nextInt(250)) + ".";
  private static final AtomicInteger NEXT_IP = new AtomicInteger(1 + RANDOM.nextInt(200));
  private static final AtomicInteger NEXT_NODE_PORT = new AtomicInteger(30000 + RANDOM.nextInt(2500));

  @BeforeAll
  static void start() throws Exception {
    cluster = SystemCluster.start("proxy", "steuermann.proxy.udp-idle-timeout = " + UDP_IDLE.toMillis() + "ms");
    Optional<ActorRef<ServiceProxy.Command>> started = ServiceProxy.start(cluster.system, cluster.engine)
        .toCompletableFuture().get();
    proxy = started.orElseThrow();
  }

  @AfterAll
  static void stop() {
    if (proxy != null) {
      proxy.tell(ServiceProxy.Stop.INSTANCE);
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static String clusterIp() {
    return SUBNET + NEXT_IP.getAndIncrement();
  }

  private static int nodePort() {
    return NEXT_NODE_PORT.getAndIncrement();
  }

  // ---------------------------------------------------------------- objects

  private static void service(String name, String clusterIp, String ports, String extraSpec) {
    cluster.create("""
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "%s", "namespace": "%s"},
         "spec": {"type": "NodePort", "clusterIP": "%s", "ports": %s%s}}"""
        .formatted(name, NS, clusterIp, ports, extraSpec));
  }

  /** Writes the Endpoints of {@code name}: ready addresses 127.0.0.1 at {@code ports} (one subset each). */
  private static void endpoints(String name, String portName, String protocol, int... ports) {
    StringBuilder subsets = new StringBuilder("[");
    for (int i = 0; i < ports.length; i++) {
      subsets.append(i == 0 ? "" : ",").append("""
          {"addresses": [{"ip": "127.0.0.1"}],
           "ports": [{"name": "%s", "port": %d, "protocol": "%s"}]}""".formatted(portName, ports[i], protocol));
    }
    subsets.append("]");
    ObjectKey key = ObjectKey.of(Kind.ENDPOINTS, NS, name);
    if (cluster.cached(key) == null) {
      cluster.create("""
          {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "%s", "namespace": "%s"}, "subsets": %s}"""
          .formatted(name, NS, subsets));
    } else {
      cluster.mergePatch(key, "{\"subsets\": " + subsets + "}");
    }
  }

  private static void deleteService(String name) {
    ObjectCommand.Reply reply = SystemCluster.join(cluster.engine.store()
        .delete(ObjectKey.of(Kind.SERVICE, NS, name), "", 0, null, null));
    assertTrue(reply instanceof ObjectCommand.Done, String.valueOf(reply));
  }

  private static String tcpPort(String name, int port, int nodePort) {
    return """
        [{"name": "%s", "port": %d, "nodePort": %d, "protocol": "TCP"}]""".formatted(name, port, nodePort);
  }

  /** Waits until the proxy serves HTTP on {@code host:port}. */
  private static void awaitServing(String host, int port) {
    await().atMost(SystemCluster.WAIT).ignoreExceptions().until(() -> !httpGet(host, port).isEmpty());
  }

  // ---------------------------------------------------------------- tests

  @Test
  void clusterIpAndNodePortReachBothPodsRoundRobin() throws Exception {
    try (TestBackends.Tcp one = TestBackends.http("one"); TestBackends.Tcp two = TestBackends.http("two")) {
      String ip = clusterIp();
      int nodePort = nodePort();
      service("web", ip, tcpPort("http", 80, nodePort), "");
      endpoints("web", "http", "TCP", one.port(), two.port());
      awaitServing(ip, 80);
      awaitServing(NODE, nodePort);
      // as the API's /metrics does: a backend added to the engine's meters sees the proxy's
      io.micrometer.core.instrument.MeterRegistry meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
      cluster.engine.meters().publishTo(meters);
      double acceptedBefore = meters.get("steuermann.proxy.connections.accepted").counter().count();
      for (String[] address : List.of(new String[] {ip, "80"}, new String[] {NODE, Integer.toString(nodePort)})) {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          bodies.add(httpGet(address[0], Integer.parseInt(address[1])));
        }
        assertEquals(Set.of("one", "two"), new HashSet<>(bodies), "through " + address[0] + ":" + address[1]);
        for (int i = 1; i < bodies.size(); i++) {
          assertNotEquals(bodies.get(i - 1), bodies.get(i), "round-robin alternates: " + bodies);
        }
      }
      // what /metrics shows: every connection counted, none left open once the clients are done
      assertTrue(meters.get("steuermann.proxy.connections.accepted").counter().count() >= acceptedBefore + 20);
      await().atMost(SystemCluster.WAIT)
          .until(() -> meters.get("steuermann.proxy.connections.open").gauge().value() == 0);
      deleteService("web");
    }
  }

  @Test
  void aRefusedConnectMovesToTheNextEndpointWithoutAFailedRequest() throws Exception {
    int dead;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      dead = s.getLocalPort(); // nothing listens there once closed
    }
    try (TestBackends.Tcp live = TestBackends.http("live")) {
      String ip = clusterIp();
      service("failover", ip, tcpPort("http", 8080, nodePort()), "");
      endpoints("failover", "http", "TCP", dead, live.port());
      awaitServing(ip, 8080);
      for (int i = 0; i < 20; i++) {
        assertEquals("live", httpGet(ip, 8080), "request " + i);
      }
      deleteService("failover");
    }
  }

  @Test
  void aClientThatShutsItsOutputStillReadsTheWholeReply() throws Exception {
    try (TestBackends.Tcp backend = TestBackends.replyAfterEof()) {
      String ip = clusterIp();
      service("halfclose", ip, tcpPort("data", 9000, nodePort()), "");
      endpoints("halfclose", "data", "TCP", backend.port());
      await().atMost(SystemCluster.WAIT).until(() -> !refused(ip, 9000));
      byte[] request = new byte[3 * 1024 * 1024 + 17];
      ThreadLocalRandom.current().nextBytes(request);
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(ip, 9000), 5000);
        socket.setSoTimeout(20_000);
        socket.getOutputStream().write(request);
        socket.shutdownOutput();
        assertArrayEquals(request, socket.getInputStream().readAllBytes());
      }
      deleteService("halfclose");
    }
  }

  @Test
  void aSlowReaderHoldsTheWriterBackInsteadOfFillingTheProxy() throws Exception {
    AtomicLong written = new AtomicLong();
    try (TestBackends.Tcp backend = TestBackends.endless(written)) {
      String ip = clusterIp();
      service("firehose", ip, tcpPort("data", 9001, nodePort()), "");
      endpoints("firehose", "data", "TCP", backend.port());
      await().atMost(SystemCluster.WAIT).until(() -> !refused(ip, 9001));
      try (Socket socket = new Socket()) {
        socket.setReceiveBufferSize(64 * 1024);
        socket.connect(new InetSocketAddress(ip, 9001), 5000);
        socket.setSoTimeout(20_000);
        InputStream in = socket.getInputStream();
        assertTrue(in.read() >= 0);
        // the client reads nothing more: the backend's writes must come to a halt
        long[] last = {-1};
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
          long now = written.get();
          boolean still = now == last[0];
          last[0] = now;
          return still;
        });
        long stalled = written.get();
        assertTrue(stalled < 64L * 1024 * 1024, "the writer stalled only after " + stalled + " bytes");
        // and it streams on when the client reads: many MiB through the proxy
        long read = 0;
        byte[] buffer = new byte[256 * 1024];
        while (read < 128L * 1024 * 1024) {
          int n = in.read(buffer);
          assertTrue(n > 0, "stream ended after " + read + " bytes");
          read += n;
        }
        assertTrue(written.get() > stalled + 64L * 1024 * 1024);
        System.out.printf("[proxy] a reader that stopped held the writer at %d KiB in flight%n", stalled / 1024);
      }
      deleteService("firehose");
    }
  }

  @Test
  void udpEchoAnswersEachClient() throws Exception {
    try (TestBackends.UdpEcho one = new TestBackends.UdpEcho("one");
         TestBackends.UdpEcho two = new TestBackends.UdpEcho("two");
         DatagramSocket a = new DatagramSocket(new InetSocketAddress(NODE, 0));
         DatagramSocket b = new DatagramSocket(new InetSocketAddress(NODE, 0))) {
      String ip = clusterIp();
      service("echo", ip, """
          [{"name": "echo", "port": 5353, "protocol": "UDP", "nodePort": %d}]""".formatted(nodePort()), "");
      endpoints("echo", "echo", "UDP", one.port(), two.port());
      a.setSoTimeout(300);
      b.setSoTimeout(300);
      InetSocketAddress service = new InetSocketAddress(ip, 5353);
      // the first answer tells that the listener is bound (datagrams before that are lost, as UDP may)
      await().atMost(SystemCluster.WAIT).ignoreExceptions().until(() -> exchange(a, service, "hello-a") != null);
      await().atMost(SystemCluster.WAIT).ignoreExceptions().until(() -> exchange(b, service, "hello-b") != null);
      Map<String, String> backendOf = new HashMap<>();
      for (int i = 0; i < 20; i++) {
        for (DatagramSocket client : List.of(a, b)) {
          String payload = (client == a ? "a-" : "b-") + i;
          String reply = await().atMost(SystemCluster.WAIT).pollDelay(Duration.ZERO).ignoreExceptions()
              .until(() -> exchange(client, service, payload), r -> r != null);
          String[] parts = reply.split(":", 2);
          assertEquals(payload, parts[1], "a client gets the answer to its own datagram");
          backendOf.merge(client == a ? "a" : "b", parts[0], (x, y) -> {
            assertEquals(x, y, "a client's flow stays on one backend");
            return x;
          });
        }
      }
      assertNotEquals(backendOf.get("a"), backendOf.get("b"), "two clients, two flows, round-robin");
      // the backend of client a leaves: its flow ends, and its next datagrams reach the other one
      String left = backendOf.get("a");
      endpoints("echo", "echo", "UDP", "one".equals(left) ? two.port() : one.port());
      String remaining = backendOf.get("b");
      await().atMost(SystemCluster.WAIT).pollDelay(Duration.ZERO).ignoreExceptions()
          .until(() -> exchange(a, service, "moved"), r -> r != null && r.startsWith(remaining + ":"));
      for (int i = 0; i < 5; i++) {
        String payload = "after-" + i;
        String reply = await().atMost(SystemCluster.WAIT).pollDelay(Duration.ZERO).ignoreExceptions()
            .until(() -> exchange(a, service, payload), r -> r != null);
        assertEquals(remaining + ":" + payload, reply);
      }
      deleteService("echo");
    }
  }

  @Test
  void anIdleUdpFlowExpiresAndTheClientsNextDatagramOpensANewOne() throws Exception {
    try (TestBackends.UdpEcho echo = new TestBackends.UdpEcho("solo");
         DatagramSocket client = new DatagramSocket(new InetSocketAddress(NODE, 0))) {
      String ip = clusterIp();
      service("idle", ip, """
          [{"name": "echo", "port": 5354, "protocol": "UDP", "nodePort": %d}]""".formatted(nodePort()), "");
      endpoints("idle", "echo", "UDP", echo.port());
      client.setSoTimeout(300);
      InetSocketAddress service = new InetSocketAddress(ip, 5354);
      await().atMost(SystemCluster.WAIT).ignoreExceptions().until(() -> exchange(client, service, "first") != null);
      long flowPort = echo.lastSenderPort.get();
      for (int i = 0; i < 5; i++) {
        String payload = "busy-" + i;
        await().atMost(SystemCluster.WAIT).pollDelay(Duration.ZERO).ignoreExceptions()
            .until(() -> exchange(client, service, payload), r -> r != null);
        assertEquals(flowPort, echo.lastSenderPort.get(), "an active client keeps its flow (its upstream socket)");
      }
      // quiet for longer than the idle timeout between datagrams: each one finds its flow expired
      await().atMost(SystemCluster.WAIT).pollDelay(UDP_IDLE.multipliedBy(2)).pollInterval(UDP_IDLE.multipliedBy(2))
          .ignoreExceptions()
          .until(() -> exchange(client, service, "later") != null && echo.lastSenderPort.get() != flowPort);
      deleteService("idle");
    }
  }

  /** Sends one datagram and returns the answer, which must come from {@code to}; null on timeout. */
  private static String exchange(DatagramSocket socket, InetSocketAddress to, String payload) throws IOException {
    byte[] data = payload.getBytes(StandardCharsets.UTF_8);
    socket.send(new DatagramPacket(data, data.length, to));
    byte[] buffer = new byte[2048];
    DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
    while (true) {
      try {
        socket.receive(reply);
      } catch (SocketTimeoutException e) {
        return null;
      }
      String text = new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8);
      assertEquals(to, reply.getSocketAddress(), "the answer comes from the service address");
      if (text.endsWith(":" + payload)) {
        return text;
      }
      // a late answer to an earlier, retried datagram: skip it
    }
  }

  @Test
  void aRemovedEndpointGetsNoNewConnectionsWhileEstablishedOnesKeepWorking() throws Exception {
    try (TestBackends.Tcp a = TestBackends.greeter("a"); TestBackends.Tcp b = TestBackends.greeter("b")) {
      String ip = clusterIp();
      service("greet", ip, tcpPort("greet", 7000, nodePort()), "");
      endpoints("greet", "greet", "TCP", a.port(), b.port());
      await().atMost(SystemCluster.WAIT).until(() -> !refused(ip, 7000));
      Map<String, Socket> open = new HashMap<>();
      try {
        while (open.size() < 2) {
          Socket s = new Socket(ip, 7000);
          s.setSoTimeout(10_000);
          String name = readLine(s.getInputStream());
          if (open.putIfAbsent(name, s) != null) {
            s.close();
          }
        }
        endpoints("greet", "greet", "TCP", b.port());
        long removedAt = System.nanoTime();
        await().atMost(SystemCluster.WAIT).until(() -> {
          for (int i = 0; i < 4; i++) {
            if (!"b".equals(greet(ip, 7000))) {
              return false;
            }
          }
          return true;
        });
        System.out.printf("[proxy] new connections avoid a removed endpoint %d ms after the Endpoints write%n",
            (System.nanoTime() - removedAt) / 1_000_000);
        long acceptedByA = a.accepted.get();
        for (int i = 0; i < 10; i++) {
          assertEquals("b", greet(ip, 7000));
        }
        assertEquals(acceptedByA, a.accepted.get(), "no new connection reached the removed endpoint");
        // established connections are untouched: to the remaining endpoint, and (drained) to the removed one
        assertEquals("still-b", echo(open.get("b"), "still-b"));
        assertEquals("still-a", echo(open.get("a"), "still-a"));
      } finally {
        for (Socket s : open.values()) {
          s.close();
        }
      }
      deleteService("greet");
    }
  }

  private static String greet(String host, int port) throws IOException {
    try (Socket s = new Socket(host, port)) {
      s.setSoTimeout(10_000);
      return readLine(s.getInputStream());
    }
  }

  private static String echo(Socket socket, String line) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
    return readLine(socket.getInputStream());
  }

  @Test
  void aRollingReplacementOfTheEndpointsUnderContinuousRequestsFailsNone() throws Exception {
    List<TestBackends.Tcp> olds = new ArrayList<>();
    List<TestBackends.Tcp> news = new ArrayList<>();
    String ip = clusterIp();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong ok = new AtomicLong();
    List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Thread client = new Thread(() -> {
      while (!stop.get()) {
        try {
          seen.add(httpGet(ip, 80));
          ok.incrementAndGet();
        } catch (IOException e) {
          failures.add(e.toString());
        }
      }
    }, "continuous-client");
    try {
      for (int i = 1; i <= 3; i++) {
        olds.add(TestBackends.http("v1-" + i));
        news.add(TestBackends.http("v2-" + i));
      }
      service("rolling", ip, tcpPort("http", 80, nodePort()), "");
      List<Integer> ready = new ArrayList<>(olds.stream().map(TestBackends.Tcp::port).toList());
      endpoints("rolling", "http", "TCP", ready.stream().mapToInt(Integer::intValue).toArray());
      awaitServing(ip, 80);
      client.start();
      for (int i = 0; i < 3; i++) {
        // surge: the new pod turns ready; then an old one leaves the endpoints and, being out of
        // them, stops (as a terminating pod does after its grace period)
        ready.add(news.get(i).port());
        endpoints("rolling", "http", "TCP", ready.stream().mapToInt(Integer::intValue).toArray());
        String fresh = "v2-" + (i + 1);
        await().atMost(SystemCluster.WAIT).until(() -> seen.contains(fresh));
        ready.remove(Integer.valueOf(olds.get(i).port()));
        endpoints("rolling", "http", "TCP", ready.stream().mapToInt(Integer::intValue).toArray());
        long after = ok.get();
        await().atMost(SystemCluster.WAIT).until(() -> ok.get() > after + 10);
        olds.get(i).close();
      }
      seen.clear();
      long after = ok.get();
      await().atMost(SystemCluster.WAIT).until(() -> ok.get() > after + 30);
      stop.set(true);
      client.join(20_000);
      assertEquals(List.of(), failures, "failed requests during the rollout");
      assertEquals(Set.of("v2-1", "v2-2", "v2-3"), Set.copyOf(seen), "after the rollout only new pods serve");
      System.out.printf("[proxy] rolling replacement: %d requests, none failed%n", ok.get());
      deleteService("rolling");
    } finally {
      stop.set(true);
      for (TestBackends.Tcp b : olds) {
        b.close();
      }
      for (TestBackends.Tcp b : news) {
        b.close();
      }
    }
  }

  @Test
  void afterItsWatchEndsTheProxyResynchronisesWithoutMissingADeletion() throws Exception {
    try (TestBackends.Tcp backend = TestBackends.http("r")) {
      String gone = clusterIp();
      String kept = clusterIp();
      service("resync-gone", gone, tcpPort("http", 80, nodePort()), "");
      service("resync-kept", kept, tcpPort("http", 80, nodePort()), "");
      endpoints("resync-gone", "http", "TCP", backend.port());
      endpoints("resync-kept", "http", "TCP", backend.port());
      awaitServing(gone, 80);
      awaitServing(kept, 80);
      // every watch of the cache ends (as on a buffer overflow); changes made before the proxy
      // subscribes again reach it only through its new snapshot
      cluster.engine.cache().closeAll();
      deleteService("resync-gone");
      String added = clusterIp();
      service("resync-added", added, tcpPort("http", 80, nodePort()), "");
      endpoints("resync-added", "http", "TCP", backend.port());
      await().atMost(SystemCluster.WAIT).until(() -> refused(gone, 80));
      awaitServing(added, 80);
      assertEquals("r", httpGet(kept, 80));
      deleteService("resync-kept");
      deleteService("resync-added");
    }
  }

  @Test
  void deletingTheServiceClosesItsListenersAndANewServiceListensAtOnce() throws Exception {
    try (TestBackends.Tcp backend = TestBackends.http("x")) {
      String ip = clusterIp();
      int nodePort = nodePort();
      service("short", ip, tcpPort("http", 80, nodePort), "");
      endpoints("short", "http", "TCP", backend.port());
      awaitServing(ip, 80);
      awaitServing(NODE, nodePort);
      deleteService("short");
      await().atMost(SystemCluster.WAIT).until(() -> refused(ip, 80) && refused(NODE, nodePort));
      // the Endpoints controller deletes the Endpoints of a deleted Service (user-managed ones too)
      await().atMost(SystemCluster.WAIT).until(() -> cluster.cached(ObjectKey.of(Kind.ENDPOINTS, NS, "short")) == null);
      // the same addresses again, for a new Service
      service("short", ip, tcpPort("http", 80, nodePort), "");
      endpoints("short", "http", "TCP", backend.port());
      awaitServing(ip, 80);
      awaitServing(NODE, nodePort);
      deleteService("short");
    }
  }

  @Test
  void aTakenPortIsRetriedUntilItIsFree() throws Exception {
    int nodePort = nodePort();
    try (TestBackends.Tcp backend = TestBackends.http("patient")) {
      String ip = clusterIp();
      try (ServerSocket squatter = new ServerSocket()) {
        squatter.setReuseAddress(true);
        squatter.bind(new InetSocketAddress(NODE, nodePort));
        service("patient", ip, tcpPort("http", 80, nodePort), "");
        endpoints("patient", "http", "TCP", backend.port());
        awaitServing(ip, 80); // the clusterIP listener is not held up by the other
      }
      awaitServing(NODE, nodePort);
      deleteService("patient");
    }
  }

  @Test
  void clientIpAffinityKeepsAClientOnOneBackend() throws Exception {
    try (TestBackends.Tcp one = TestBackends.http("one"); TestBackends.Tcp two = TestBackends.http("two")) {
      String ip = clusterIp();
      service("sticky", ip, tcpPort("http", 80, nodePort()),
          ", \"sessionAffinity\": \"ClientIP\", \"sessionAffinityConfig\": {\"clientIP\": {\"timeoutSeconds\": 600}}");
      endpoints("sticky", "http", "TCP", one.port(), two.port());
      awaitServing(ip, 80);
      String first = httpGet(ip, 80);
      for (int i = 0; i < 10; i++) {
        assertEquals(first, httpGet(ip, 80));
      }
      deleteService("sticky");
    }
  }

  @Test
  void withoutReadyEndpointsAConnectionIsClosedAtOnce() throws Exception {
    String ip = clusterIp();
    service("empty", ip, tcpPort("http", 80, nodePort()), "");
    await().atMost(SystemCluster.WAIT).until(() -> !refused(ip, 80));
    try (Socket s = new Socket(ip, 80)) {
      s.setSoTimeout(10_000);
      assertEquals(-1, s.getInputStream().read());
    }
    deleteService("empty");
  }
}
