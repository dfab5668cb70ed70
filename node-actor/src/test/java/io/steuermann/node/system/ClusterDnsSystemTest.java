package io.steuermann.node.system;

import static io.steuermann.node.system.SystemCluster.WAIT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.network.ClusterNetwork;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.node.dns.ClusterDns;
import io.steuermann.node.dns.DnsIndex;
import io.steuermann.node.dns.DnsServer;
import io.steuermann.node.dns.DnsSettings;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * The cluster DNS as a server: an engine, the DNS on 127.0.10.53 fed by its watch cache, and
 * Services, Endpoints and Pods written through the store; dnsjava's resolver asks over UDP and
 * TCP. Answers follow the objects (a new pod, a pod no longer ready, a deleted Service), a big
 * answer comes truncated over UDP and whole over TCP, and forwarding reaches only a resolver the
 * test runs itself on 127.0.10.54.
 */
class ClusterDnsSystemTest {
  private static final String NS = "dns-sys";
  private static final String DOMAIN = "cluster.local";
  private static SystemCluster cluster;
  private static ClusterDns.Running dns;

  @BeforeAll
  static void start() throws Exception {
    cluster = SystemCluster.start("cluster-dns", """
        steuermann.dns.listen-address = "127.0.10.53"
        steuermann.dns.port = 0
        steuermann.dns.rebuild-delay = 10ms
        """);
    dns = ClusterDns.start(cluster.system, cluster.engine).toCompletableFuture().get(30, TimeUnit.SECONDS)
        .orElseThrow();
    cluster.namespace(NS);
  }

  @AfterAll
  static void stop() {
    if (dns != null) {
      dns.server().close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  static SimpleResolver resolver(InetSocketAddress server, boolean tcp) {
    SimpleResolver resolver = new SimpleResolver(server);
    resolver.setTCP(tcp);
    resolver.setTimeout(Duration.ofSeconds(2));
    return resolver;
  }

  static Message ask(SimpleResolver resolver, String name, int type) {
    try {
      return resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static TreeSet<String> addresses(Message m) {
    TreeSet<String> out = new TreeSet<>();
    m.getSection(Section.ANSWER).stream().filter(r -> r instanceof ARecord)
        .forEach(r -> out.add(((ARecord) r).getAddress().getHostAddress()));
    return out;
  }

  static void podWithIp(String name, String ip, boolean ready, String specExtra) {
    cluster.create("""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","namespace":"%s","labels":{"app":"db"}},
         "spec":{%s"containers":[{"name":"c","image":"busybox"}]}}""".formatted(name, NS, specExtra));
    setReady(name, ip, ready);
  }

  static void setReady(String name, String ip, boolean ready) {
    SystemCluster.done(cluster.engine.store().patch(ObjectKey.of(Kind.POD, NS, name), ObjectCommand.PatchType.MERGE,
        SystemCluster.json("""
            {"status":{"phase":"Running","podIP":"%s","podIPs":[{"ip":"%s"}],
              "conditions":[{"type":"Ready","status":"%s"}]}}""".formatted(ip, ip, ready ? "True" : "False")),
        ObjectCommand.Part.STATUS));
  }

  @Test
  void servicesHeadlessEndpointsAndPodsAnswerOverUdpAndTcpAndFollowChanges() {
    ObjectNode web = cluster.create("""
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"%s"},
         "spec":{"selector":{"app":"web"},"ports":[{"name":"http","port":80}]}}""".formatted(NS));
    String clusterIp = web.path("spec").path("clusterIP").asText();
    cluster.create("""
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"db","namespace":"%s"},
         "spec":{"clusterIP":"None","selector":{"app":"db"},"ports":[{"name":"pg","port":5432}]}}""".formatted(NS));
    podWithIp("db-0", "10.244.5.10", true, "\"hostname\":\"db-0\",\"subdomain\":\"db\",");
    podWithIp("db-1", "10.244.5.11", true, "\"hostname\":\"db-1\",\"subdomain\":\"db\",");

    for (boolean tcp : new boolean[] {false, true}) {
      SimpleResolver r = resolver(dns.address(), tcp);
      await().atMost(WAIT).until(() -> addresses(ask(r, "web." + NS + ".svc." + DOMAIN + ".", Type.A))
          .equals(new TreeSet<>(List.of(clusterIp))));
      Message hit = ask(r, "Web." + NS + ".SVC." + DOMAIN + ".", Type.A);
      assertTrue(hit.getHeader().getFlag(Flags.AA));
      await().atMost(WAIT).until(() -> addresses(ask(r, "db." + NS + ".svc." + DOMAIN + ".", Type.A))
          .equals(new TreeSet<>(List.of("10.244.5.10", "10.244.5.11"))));
      // the hostname comes from the pod through the Endpoints the engine's controller wrote
      assertEquals(new TreeSet<>(List.of("10.244.5.10")),
          addresses(ask(r, "db-0.db." + NS + ".svc." + DOMAIN + ".", Type.A)));
      assertEquals(2, ask(r, "_pg._tcp.db." + NS + ".svc." + DOMAIN + ".", Type.SRV).getSection(Section.ANSWER).size());
      assertEquals(new TreeSet<>(List.of("10.244.5.11")),
          addresses(ask(r, "10-244-5-11." + NS + ".pod." + DOMAIN + ".", Type.A)));
      Message nodata = ask(r, "web." + NS + ".svc." + DOMAIN + ".", Type.AAAA);
      assertEquals(Rcode.NOERROR, nodata.getRcode());
      assertTrue(nodata.getSection(Section.ANSWER).isEmpty());
      assertEquals(Type.SOA, nodata.getSection(Section.AUTHORITY).get(0).getType());
      assertEquals(Rcode.NXDOMAIN, ask(r, "nope." + NS + ".svc." + DOMAIN + ".", Type.A).getRcode());
      assertEquals(Rcode.REFUSED, ask(r, "example.com.", Type.A).getRcode());
    }

    SimpleResolver udp = resolver(dns.address(), false);
    setReady("db-1", "10.244.5.11", false);
    await().atMost(WAIT).until(() -> addresses(ask(udp, "db." + NS + ".svc." + DOMAIN + ".", Type.A))
        .equals(new TreeSet<>(List.of("10.244.5.10"))));
    SystemCluster.done(cluster.engine.store().delete(ObjectKey.of(Kind.SERVICE, NS, "web"), "", 0));
    await().atMost(WAIT).until(() -> ask(udp, "web." + NS + ".svc." + DOMAIN + ".", Type.A).getRcode() == Rcode.NXDOMAIN);
  }

  @Test
  void aBigAnswerIsTruncatedOverUdpAndTheResolverGetsItWholeOverTcp() {
    cluster.create("""
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"many","namespace":"%s"},
         "spec":{"clusterIP":"None"}}""".formatted(NS));
    StringBuilder addresses = new StringBuilder();
    for (int i = 1; i <= 80; i++) {
      addresses.append(i > 1 ? "," : "").append("{\"ip\":\"10.244.6.").append(i).append("\"}");
    }
    // a Service without a selector: its Endpoints are the user's, as in Kubernetes
    cluster.create("""
        {"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"many","namespace":"%s"},
         "subsets":[{"addresses":[%s]}]}""".formatted(NS, addresses));
    String name = "many." + NS + ".svc." + DOMAIN + ".";
    SimpleResolver udpOnly = resolver(dns.address(), false);
    udpOnly.setIgnoreTruncation(true);
    await().atMost(WAIT).until(() -> ask(udpOnly, name, Type.A).getHeader().getFlag(Flags.TC));
    Message cut = ask(udpOnly, name, Type.A);
    assertTrue(cut.getSection(Section.ANSWER).size() < 80, "cut to 512 bytes");
    Message whole = ask(resolver(dns.address(), false), name, Type.A); // retries over TCP by itself
    assertFalse(whole.getHeader().getFlag(Flags.TC));
    assertEquals(80, addresses(whole).size());
  }

  @Test
  void otherNamesGoOnlyToTheConfiguredResolver() throws Exception {
    try (Upstream upstream = new Upstream(new InetSocketAddress("127.0.10.54", 0))) {
      DnsSettings settings = DnsSettings.fromConfig(com.typesafe.config.ConfigFactory.parseString(
          "forward = [\"127.0.10.54:" + upstream.port() + "\"]").withFallback(
          cluster.system.settings().config().getConfig("steuermann.dns")));
      ClusterNetwork network = ClusterNetwork.fromConfig(cluster.system.settings().config());
      DnsIndex empty = DnsIndex.build(network, Duration.ofSeconds(5), Duration.ofSeconds(5), List.of(), Map.of(),
          List.of());
      try (DnsServer forwarding = DnsServer.start(new InetSocketAddress("127.0.10.55", 0), settings, () -> empty)) {
        for (boolean tcp : new boolean[] {false, true}) {
          SimpleResolver r = resolver(forwarding.address(), tcp);
          Message answer = ask(r, "outside.test.", Type.A);
          assertEquals(new TreeSet<>(List.of("127.0.10.99")), addresses(answer));
          assertTrue(answer.getHeader().getFlag(Flags.RA));
          // the cluster's own names never leave
          assertEquals(Rcode.NXDOMAIN, ask(r, "x." + NS + ".svc." + DOMAIN + ".", Type.A).getRcode());
        }
        assertTrue(upstream.asked() >= 1);
        assertTrue(upstream.names().stream().allMatch(n -> n.equals("outside.test.")), upstream.names()::toString);
      }
    }
  }

  static List<String> answers(Message m) {
    List<String> out = new java.util.ArrayList<>();
    m.getSection(Section.ANSWER).forEach(r -> out.add(Type.string(r.getType()) + " " + r.rdataToString()));
    return out;
  }

  /**
   * ExternalName Services, created through the engine: a CNAME for every type, followed once
   * when it names a Service of the cluster; with forwarding on, an outside target is still
   * answered with the CNAME alone and never asked of the upstream (as CoreDNS answers names it
   * cannot resolve: the client's resolver follows the alias).
   */
  @Test
  void anExternalNameIsACnameAndAnOutsideTargetIsNeverChased() throws Exception {
    ObjectNode api = cluster.create("""
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"cname-target","namespace":"%s"},
         "spec":{"selector":{"app":"cname-target"},"ports":[{"port":80}]}}""".formatted(NS));
    String clusterIp = api.path("spec").path("clusterIP").asText();
    ObjectNode outside = cluster.create("""
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"ext-db","namespace":"%s"},
         "spec":{"type":"ExternalName","externalName":"db.example.org"}}""".formatted(NS));
    assertFalse(outside.path("spec").has("clusterIP"), outside::toString);
    cluster.create("""
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"ext-api","namespace":"%s"},
         "spec":{"type":"ExternalName","externalName":"cname-target.%s.svc.%s."}}""".formatted(NS, NS, DOMAIN));
    String db = "ext-db." + NS + ".svc." + DOMAIN + ".";
    SimpleResolver r = resolver(dns.address(), false);
    await().atMost(WAIT).until(() -> answers(ask(r, db, Type.A)).equals(List.of("CNAME db.example.org.")));
    assertEquals(List.of("CNAME db.example.org."), answers(ask(resolver(dns.address(), true), db, Type.AAAA)));
    await().atMost(WAIT).until(() -> answers(ask(r, "ext-api." + NS + ".svc." + DOMAIN + ".", Type.A))
        .equals(List.of("CNAME cname-target." + NS + ".svc." + DOMAIN + ".", "A " + clusterIp)));

    try (Upstream upstream = new Upstream(new InetSocketAddress("127.0.10.56", 0))) {
      DnsSettings settings = DnsSettings.fromConfig(com.typesafe.config.ConfigFactory.parseString(
          "forward = [\"127.0.10.56:" + upstream.port() + "\"]").withFallback(
          cluster.system.settings().config().getConfig("steuermann.dns")));
      try (DnsServer forwarding = DnsServer.start(new InetSocketAddress("127.0.10.57", 0), settings, dns.index())) {
        Message answer = ask(resolver(forwarding.address(), false), db, Type.A);
        assertEquals(Rcode.NOERROR, answer.getRcode());
        assertEquals(List.of("CNAME db.example.org."), answers(answer));
        // the forwarder works (an outside name goes there), and was asked that name only
        assertEquals(new TreeSet<>(List.of("127.0.10.99")),
            addresses(ask(resolver(forwarding.address(), false), "outside.test.", Type.A)));
        assertEquals(List.of("outside.test."), upstream.names());
      }
    }
  }

  @Test
  void oneTcpConnectionCarriesSeveralQueriesAndAGarbledOneGetsFormerr() throws Exception {
    try (java.net.Socket socket = new java.net.Socket(dns.address().getAddress(), dns.address().getPort())) {
      java.io.DataOutputStream out = new java.io.DataOutputStream(socket.getOutputStream());
      java.io.DataInputStream in = new java.io.DataInputStream(socket.getInputStream());
      // both written before either answer is read (RFC 7766 pipelining)
      for (String name : List.of("cluster.local.", "nope." + NS + ".svc." + DOMAIN + ".")) {
        byte[] wire = Message.newQuery(Record.newRecord(Name.fromString(name), Type.SOA, DClass.IN)).toWire();
        out.writeShort(wire.length);
        out.write(wire);
      }
      byte[] garbled = {0x42, 0x42, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 63, 'x'};
      out.writeShort(garbled.length);
      out.write(garbled);
      out.flush();
      List<Integer> rcodes = new java.util.ArrayList<>();
      for (int i = 0; i < 3; i++) {
        byte[] answer = new byte[in.readUnsignedShort()];
        in.readFully(answer);
        rcodes.add(new Message(answer).getRcode());
      }
      assertEquals(List.of(Rcode.NOERROR, Rcode.NXDOMAIN, Rcode.FORMERR), rcodes);
    }
  }

  /**
   * A container on a Docker network of the test's own (internal: nothing routes out of it) asks
   * with busybox nslookup, over UDP port 53, the same index served on that network's gateway,
   * as a pod asks 10.96.0.10 through its gateway.
   */
  @Test
  void aContainerResolvesAServiceWithBusyboxNslookup() throws Exception {
    io.steuermann.node.docker.DockerSupport.requireDocker();
    ObjectNode api = cluster.create("""
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"api","namespace":"%s"},
         "spec":{"selector":{"app":"api"},"ports":[{"port":443}]}}""".formatted(NS));
    String clusterIp = api.path("spec").path("clusterIP").asText();
    // and an alias of it: busybox follows the CNAME to the address the same answer carries
    cluster.create("""
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"api-alias","namespace":"%s"},
         "spec":{"type":"ExternalName","externalName":"api.%s.svc.%s"}}""".formatted(NS, NS, DOMAIN));
    com.github.dockerjava.api.DockerClient docker = io.steuermann.node.docker.DockerSupport.client();
    String network = "steuermann-dns-test-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    String networkId = docker.createNetworkCmd().withName(network).withDriver("bridge").withInternal(true).exec().getId();
    String container = null;
    try {
      String gateway = docker.inspectNetworkCmd().withNetworkId(networkId).exec().getIpam().getConfig().get(0)
          .getGateway();
      DnsSettings settings = DnsSettings.fromConfig(cluster.system.settings().config().getConfig("steuermann.dns"));
      String name = "api." + NS + ".svc." + DOMAIN;
      String alias = "api-alias." + NS + ".svc." + DOMAIN;
      await().atMost(WAIT).until(() -> !addresses(ask(resolver(dns.address(), false), name + ".", Type.A)).isEmpty());
      await().atMost(WAIT).until(() -> !addresses(ask(resolver(dns.address(), false), alias + ".", Type.A)).isEmpty());
      try (DnsServer onGateway = DnsServer.start(new InetSocketAddress(gateway, 53), settings, dns.index())) {
        container = docker.createContainerCmd(io.steuermann.node.docker.DockerSupport.IMAGE)
            .withCmd("sh", "-c", "busybox nslookup " + name + " " + gateway + " && busybox nslookup " + alias + " "
                + gateway)
            .withHostConfig(com.github.dockerjava.api.model.HostConfig.newHostConfig().withNetworkMode(network))
            .exec().getId();
        docker.startContainerCmd(container).exec();
        int exit = docker.waitContainerCmd(container).start().awaitStatusCode(30, TimeUnit.SECONDS);
        StringBuilder out = new StringBuilder();
        docker.logContainerCmd(container).withStdOut(true).withStdErr(true)
            .exec(new com.github.dockerjava.api.async.ResultCallback.Adapter<com.github.dockerjava.api.model.Frame>() {
              @Override
              public void onNext(com.github.dockerjava.api.model.Frame frame) {
                out.append(new String(frame.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
              }
            }).awaitCompletion(10, TimeUnit.SECONDS);
        System.out.printf("[system] busybox nslookup in a container, against %s:53:%n%s%n", gateway, out);
        assertEquals(0, exit, out::toString);
        assertTrue(out.toString().contains("Name:\t" + name) || out.toString().contains("Name: " + name), out::toString);
        assertTrue(out.toString().contains("Address: " + clusterIp), out::toString);
        assertTrue(out.toString().contains("canonical name = " + name), out::toString);
      }
    } finally {
      if (container != null) {
        docker.removeContainerCmd(container).withForce(true).exec();
      }
      docker.removeNetworkCmd(networkId).exec();
    }
  }

  /**
   * The way a pod asks: a container on a node's pod network ({@code steuermann_<node>}, the
   * node's pod CIDR, masquerade off, made by the Docker runtime) sends its query to an address of
   * the service range, which reaches the host through the pod's gateway because the whole range
   * is local there. The DNS listens on 10.96.250.53 rather than 10.96.0.10, which a server of
   * another test run may hold.
   */
  @Test
  void aContainerOnThePodNetworkResolvesThroughTheServiceRange() throws Exception {
    io.steuermann.node.docker.DockerSupport.requireDocker();
    io.steuermann.node.network.ServiceRange.makeLocal(cluster.system.settings().config());
    ObjectNode cache = cluster.create("""
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"cache","namespace":"%s"},
         "spec":{"selector":{"app":"cache"},"ports":[{"port":6379}]}}""".formatted(NS));
    String clusterIp = cache.path("spec").path("clusterIP").asText();
    String name = "cache." + NS + ".svc." + DOMAIN;
    await().atMost(WAIT).until(() -> !addresses(ask(resolver(dns.address(), false), name + ".", Type.A)).isEmpty());
    String node = io.steuermann.node.docker.DockerSupport.uniqueNodeName("dns");
    String cidr = "10.244." + (150 + new java.util.Random().nextInt(40)) + ".0/24";
    com.github.dockerjava.api.DockerClient docker = io.steuermann.node.docker.DockerSupport.client();
    String container = null;
    DnsSettings settings = DnsSettings.fromConfig(cluster.system.settings().config().getConfig("steuermann.dns"));
    try (io.steuermann.node.runtime.docker.DockerRuntime runtime =
             io.steuermann.node.docker.DockerSupport.runtimeOnPodNetwork(node, cidr);
         DnsServer inServiceRange = DnsServer.start(new InetSocketAddress("10.96.250.53", 53), settings, dns.index())) {
      container = docker.createContainerCmd(io.steuermann.node.docker.DockerSupport.IMAGE)
          // the container's own address first (Docker's /etc/hosts has it), then the query
          .withCmd("busybox", "sh", "-c", "busybox hostname -i && busybox nslookup " + name + " 10.96.250.53")
          .withHostConfig(com.github.dockerjava.api.model.HostConfig.newHostConfig()
              .withNetworkMode("steuermann_" + node))
          .exec().getId();
      docker.startContainerCmd(container).exec();
      int exit = docker.waitContainerCmd(container).start().awaitStatusCode(30, TimeUnit.SECONDS);
      String out = logs(docker, container);
      String ip = out.lines().findFirst().orElse("").trim();
      System.out.printf("[system] busybox nslookup from %s on the pod network %s, against 10.96.250.53:%n%s%n", ip,
          cidr, out);
      assertTrue(io.steuermann.engine.network.Ipv4Cidr.parse(cidr).contains(ip), ip);
      assertEquals(0, exit, out);
      assertTrue(out.contains("Address: " + clusterIp), out);
    } finally {
      if (container != null) {
        docker.removeContainerCmd(container).withForce(true).exec();
      }
      io.steuermann.node.docker.DockerSupport.removeContainersOf(node);
      try {
        docker.removeNetworkCmd("steuermann_" + node).exec();
      } catch (RuntimeException e) {
        // already gone
      }
    }
  }

  static String logs(com.github.dockerjava.api.DockerClient docker, String container) throws InterruptedException {
    StringBuilder out = new StringBuilder();
    docker.logContainerCmd(container).withStdOut(true).withStdErr(true)
        .exec(new com.github.dockerjava.api.async.ResultCallback.Adapter<com.github.dockerjava.api.model.Frame>() {
          @Override
          public void onNext(com.github.dockerjava.api.model.Frame frame) {
            synchronized (out) {
              out.append(new String(frame.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
            }
          }
        }).awaitCompletion(10, TimeUnit.SECONDS);
    synchronized (out) {
      return out.toString();
    }
  }

  /** A resolver of the test's own (UDP, dnsjava codec): answers outside.test. A 127.0.10.99 and records what it was asked. */
  static final class Upstream implements AutoCloseable {
    private final DatagramSocket socket;
    private final List<String> names = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    private final Thread thread;

    Upstream(InetSocketAddress address) throws IOException {
      socket = new DatagramSocket(address);
      thread = new Thread(this::serve, "dns-test-upstream");
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    int asked() {
      return names.size();
    }

    List<String> names() {
      synchronized (names) {
        return List.copyOf(names);
      }
    }

    private void serve() {
      byte[] buffer = new byte[4096];
      while (!socket.isClosed()) {
        try {
          DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
          socket.receive(packet);
          Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
          names.add(query.getQuestion().getName().toString());
          Message response = new Message(query.getHeader().getID());
          response.getHeader().setFlag(Flags.QR);
          response.getHeader().setFlag(Flags.RA);
          response.addRecord(query.getQuestion(), Section.QUESTION);
          response.addRecord(new ARecord(query.getQuestion().getName(), DClass.IN, 60,
              java.net.InetAddress.getByName("127.0.10.99")), Section.ANSWER);
          byte[] wire = response.toWire();
          socket.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
        } catch (IOException e) {
          // closed, or a bad packet
        }
      }
    }

    @Override
    public void close() {
      socket.close();
    }
  }
}
