package io.steuermann.node.system;

import static io.steuermann.node.system.TestBackends.httpGet;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.PodConditions;
import io.steuermann.node.NodeAgents;
import io.steuermann.node.docker.DockerSupport;
import io.steuermann.node.docker.UdpEchoImage;
import io.steuermann.node.proxy.ServiceProxy;
import io.steuermann.node.runtime.ContainerRuntime;
import io.steuermann.node.runtime.docker.DockerRuntime;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Services in front of real containers: a real engine (Endpoints controller included), a Docker
 * node running busybox pods, and the service proxy. Pod IPs are the sandboxes' Docker bridge
 * addresses, which the proxy on the host reaches. Every container carries the test's node name
 * and is removed at the end.
 */
class DockerServiceSystemTest {
  /** Generous: the machine is shared, and a Docker pod start takes seconds when it is busy. */
  private static final Duration WAIT = Duration.ofSeconds(180);
  private static SystemCluster cluster;
  private static DockerRuntime runtime;
  private static NodeAgents agents;
  private static ActorRef<ServiceProxy.Command> proxy;
  private static String node;

  /** An httpd on port 8080 serving its pod's name at / and a readiness file at /ready.html. */
  private static final String HTTPD = """
      , "command": ["sh", "-c", "busybox mkdir -p /www; echo -n $POD_NAME > /www/index.html; \
      echo ok > /www/ready.html; exec httpd -f -p 8080 -h /www"],
        "env": [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]""";

  @BeforeAll
  static void start() throws Exception {
    DockerSupport.requireDocker();
    node = DockerSupport.uniqueNodeName("docker-svc");
    cluster = SystemCluster.start("docker-services", DockerSupport.ownPodNetworkConfig());
    runtime = DockerSupport.runtime(node);
    agents = NodeAgents.start(cluster.system, cluster.engine, cluster.nodeSettings(""), Map.of(node, runtime));
    agents.whenAllRegistered().toCompletableFuture().get(60, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> {
      ObjectNode n = cluster.node(node);
      return n != null && "True".equals(PodConditions.get(n.path("status"), "Ready"));
    });
    proxy = ServiceProxy.start(cluster.system, cluster.engine).toCompletableFuture().get().orElseThrow();
  }

  @AfterAll
  static void stop() {
    if (proxy != null) {
      proxy.tell(ServiceProxy.Stop.INSTANCE);
    }
    if (agents != null) {
      agents.stop();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (runtime != null) {
      runtime.close();
    }
    if (node != null) {
      DockerSupport.removeContainersOf(node);
      assertEquals(List.of(), DockerSupport.containersOf(node), "containers left behind");
    }
  }

  @Test
  void twoHttpdPodsBehindOneServiceAnswerThroughTheClusterIpAndTheNodePort() throws Exception {
    String ns = "svc-http";
    cluster.namespace(ns);
    cluster.create(SystemCluster.deployment(ns, "web", 2, DockerSupport.IMAGE, "", HTTPD));
    ObjectNode service = cluster.create("""
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "%s"},
         "spec": {"type": "NodePort", "selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}}"""
        .formatted(ns));
    String clusterIp = service.path("spec").path("clusterIP").asText();
    int nodePort = service.path("spec").path("ports").path(0).path("nodePort").asInt();
    Set<String> pods = podNames(awaitRunningReady(ns, "app=web", 2));
    awaitReadyAddresses(ns, "web", 2);

    assertEquals(pods, answering(clusterIp, 80, pods), "through the clusterIP " + clusterIp);
    assertEquals(pods, answering("127.0.0.1", nodePort, pods), "through the nodePort " + nodePort);
  }

  @Test
  void aUdpEchoBehindAServiceAnswersEachClientItsOwnDatagrams() throws Exception {
    String image = UdpEchoImage.require();
    String ns = "svc-udp";
    cluster.namespace(ns);
    cluster.create(SystemCluster.deployment(ns, "echo", 2, image, "", """
        , "command": ["/bin/udpecho"], "args": ["5353", "$(POD_NAME)"],
          "env": [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]"""));
    ObjectNode service = cluster.create("""
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "echo", "namespace": "%s"},
         "spec": {"selector": {"app": "echo"}, "ports": [{"port": 53, "targetPort": 5353, "protocol": "UDP"}]}}"""
        .formatted(ns));
    InetSocketAddress address = new InetSocketAddress(service.path("spec").path("clusterIP").asText(), 53);
    Set<String> pods = podNames(awaitRunningReady(ns, "app=echo", 2));
    awaitReadyAddresses(ns, "echo", 2);

    try (DatagramSocket one = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
         DatagramSocket two = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      one.setSoTimeout(2000);
      two.setSoTimeout(2000);
      // a container may not have bound its socket the moment it runs; UDP drops until it has
      await().atMost(WAIT).until(() -> exchange(one, address, "hello-one").endsWith(":hello-one"));
      await().atMost(WAIT).until(() -> exchange(two, address, "hello-two").endsWith(":hello-two"));
      Set<String> backends = new HashSet<>();
      for (int i = 0; i < 20; i++) {
        // interleaved: each client's answer is to its own datagram, from a pod of the Service
        send(one, address, "one-" + i);
        send(two, address, "two-" + i);
        String a = receive(one);
        String b = receive(two);
        assertTrue(a.endsWith(":one-" + i) && pods.contains(a.substring(0, a.indexOf(':'))), a);
        assertTrue(b.endsWith(":two-" + i) && pods.contains(b.substring(0, b.indexOf(':'))), b);
        backends.add(a.substring(0, a.indexOf(':')));
        backends.add(b.substring(0, b.indexOf(':')));
      }
      System.out.printf("[docker-svc] UDP: the two clients were answered by %s%n", backends);
    }
  }

  @Test
  void aPodWhoseReadinessFailsGetsNoNewConnectionsAndNoRequestFails() throws Exception {
    String ns = "svc-ready";
    cluster.namespace(ns);
    cluster.create(SystemCluster.deployment(ns, "rdy", 2, DockerSupport.IMAGE, "", HTTPD + """
        , "readinessProbe": {"httpGet": {"path": "/ready.html", "port": 8080},
                             "periodSeconds": 1, "failureThreshold": 1}"""));
    ObjectNode service = cluster.create("""
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "rdy", "namespace": "%s"},
         "spec": {"selector": {"app": "rdy"}, "ports": [{"port": 80, "targetPort": 8080}]}}""".formatted(ns));
    String ip = service.path("spec").path("clusterIP").asText();
    List<ObjectNode> running = awaitRunningReady(ns, "app=rdy", 2);
    Set<String> pods = podNames(running);
    awaitReadyAddresses(ns, "rdy", 2);
    assertEquals(pods, answering(ip, 80, pods));
    ObjectNode victim = running.get(0);
    String victimName = Meta.name(victim);
    String other = Meta.name(running.get(1));

    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    List<String> bodies = Collections.synchronizedList(new ArrayList<>());
    List<Long> servedByVictim = Collections.synchronizedList(new ArrayList<>()); // nanoTime at each answer
    AtomicBoolean stop = new AtomicBoolean();
    Thread client = new Thread(() -> {
      while (!stop.get()) {
        try {
          String body = httpGet(ip, 80);
          bodies.add(body);
          if (body.equals(victimName)) {
            servedByVictim.add(System.nanoTime());
          }
        } catch (IOException e) {
          failures.add(e.toString());
        }
      }
    }, "continuous-client");
    client.start();
    try {
      await().atMost(WAIT).until(() -> bodies.size() > 20);
      ContainerRuntime.ExecResult removed = runtime.exec(
          new ContainerRuntime.PodRef(ns, victimName, Meta.uid(victim)), "main",
          List.of("busybox", "rm", "/www/ready.html"), Duration.ofSeconds(10)).toCompletableFuture().get(60, TimeUnit.SECONDS);
      long failing = System.nanoTime();
      assertEquals(0, removed.exitCode(), removed.output());
      await().atMost(WAIT).pollInterval(Duration.ofMillis(10))
          .until(() -> !SystemCluster.runningReady(cluster.cached(ObjectKey.of(Kind.POD, ns, victimName))));
      long unready = System.nanoTime();
      // new connections go to the other pod only: 50 requests in a row
      await().atMost(WAIT).until(() -> {
        List<String> last = last(bodies, 50);
        return last.size() == 50 && last.stream().allMatch(other::equals);
      });
      long last = servedByVictim.isEmpty() ? failing : servedByVictim.get(servedByVictim.size() - 1);
      System.out.printf("[docker-svc] readiness: file removed -> Ready=False in the cache %d ms, "
          + "-> last request served by the pod %d ms%n", (unready - failing) / 1_000_000,
          Math.max(0, (last - failing) / 1_000_000));
    } finally {
      stop.set(true);
      client.join(30_000);
    }
    assertEquals(List.of(), failures, "failed requests while a pod turned unready");
    assertTrue(bodies.contains(victimName) && bodies.contains(other), "both pods served before");
  }

  /**
   * A terminating pod leaves the Endpoints at once and its node sends SIGTERM at the same time;
   * the proxy learns of the change some milliseconds later, so connections it routed there
   * meanwhile must still be answered. Here the pods do it with a TERM handler: the shell, PID 1,
   * keeps httpd serving for 3 s after SIGTERM, then stops it and exits well within the grace
   * period. (busybox httpd run as PID 1 itself would ignore SIGTERM — it installs no handler, and
   * the kernel drops default-action signals to a namespace's init — and be killed only after the
   * 30 s grace: zero failures too, but not the case worth guarding.)
   */
  @Test
  void aRollingUpdateOfThreeReplicasBehindAServiceFailsNoRequest() throws Exception {
    rollBehindAService("svc-roll", """
        , "command": ["sh", "-c", "busybox mkdir -p /www; echo -n $POD_NAME > /www/index.html; \
        httpd -f -p 8080 -h /www & pid=$!; trap 'sleep 3; kill $pid; exit 0' TERM; wait"]""", "/", 1);
  }

  /**
   * The other way Kubernetes users drain: the app stops at once on SIGTERM (the shell kills
   * httpd and exits), and a {@code preStop} hook that sleeps 3 s holds the SIGTERM back while
   * the proxy stops sending new connections and the requests in flight finish, without the app
   * trapping anything. Each request takes 300 ms (a CGI script) and four clients keep requests
   * in flight all the time, so a SIGTERM without the hook cuts some of them.
   */
  @Test
  void aPreStopSleepDrainsARollingUpdateOfAnAppThatStopsAtSigterm() throws Exception {
    rollBehindAService("svc-prestop", """
        , "command": ["sh", "-c", "busybox mkdir -p /www/cgi-bin; echo -n $POD_NAME > /www/index.html; \
        printf '#!/bin/sh\\nsleep 0.3\\necho Content-Type: text/plain\\necho\\ncat /www/index.html\\n' \
        > /www/cgi-bin/slow; busybox chmod +x /www/cgi-bin/slow; \
        httpd -f -p 8080 -h /www & pid=$!; trap 'kill $pid; exit 0' TERM; wait"],
          "lifecycle": {"preStop": {"exec": {"command": ["sleep", "3"]}}}""", "/cgi-bin/slow", 4);
  }

  /**
   * A Deployment of 3 of {@code container} behind a Service, rolled to a new template while a
   * client sends requests through the cluster IP without pause: no request may fail, and the
   * new pods serve at the end.
   */
  private void rollBehindAService(String ns, String container, String path, int clients) throws Exception {
    cluster.namespace(ns);
    cluster.create(SystemCluster.deployment(ns, "roll", 3, DockerSupport.IMAGE, "", container + """
        ,
          "env": [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
          "readinessProbe": {"httpGet": {"path": "/index.html", "port": 8080}, "periodSeconds": 1}"""));
    ObjectNode service = cluster.create("""
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "roll", "namespace": "%s"},
         "spec": {"selector": {"app": "roll"}, "ports": [{"port": 80, "targetPort": 8080}]}}""".formatted(ns));
    String ip = service.path("spec").path("clusterIP").asText();
    Set<String> before = podNames(awaitRunningReady(ns, "app=roll", 3));
    awaitReadyAddresses(ns, "roll", 3);
    assertEquals(before, answering(ip, 80, before));

    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    List<String> bodies = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      Thread client = new Thread(() -> {
        while (!stop.get()) {
          try {
            bodies.add(httpGet(ip, 80, path));
          } catch (IOException e) {
            failures.add(e.toString());
          }
        }
      }, "continuous-client-" + i);
      client.start();
      threads.add(client);
    }
    Set<String> after;
    try {
      await().atMost(WAIT).until(() -> bodies.size() > 20);
      cluster.mergePatch(ObjectKey.of(Kind.DEPLOYMENT, ns, "roll"),
          "{\"spec\": {\"template\": {\"metadata\": {\"annotations\": {\"version\": \"2\"}}}}}");
      ObjectKey deployment = ObjectKey.of(Kind.DEPLOYMENT, ns, "roll");
      await().atMost(WAIT).until(() -> {
        ObjectNode d = cluster.cached(deployment);
        JsonNode status = d.path("status");
        List<ObjectNode> pods = cluster.list(Kind.POD, ns, "app=roll");
        return status.path("observedGeneration").asLong() >= Meta.generation(d)
            && status.path("updatedReplicas").asInt() == 3 && status.path("availableReplicas").asInt() == 3
            && status.path("replicas").asInt() == 3 && pods.size() == 3
            && pods.stream().allMatch(SystemCluster::runningReady)
            && Collections.disjoint(podNames(pods), before);
      });
      after = podNames(cluster.list(Kind.POD, ns, "app=roll"));
      // the new pods serve through the Service
      await().atMost(WAIT).until(() -> {
        List<String> last = last(bodies, 30);
        return last.size() == 30 && after.containsAll(last);
      });
    } finally {
      stop.set(true);
      for (Thread client : threads) {
        client.join(30_000);
      }
    }
    System.out.printf("[docker-svc] rolling update (%s): %d requests, %d failed%n", ns, bodies.size(),
        failures.size());
    assertEquals(List.of(), failures, "failed requests during the rolling update");
    assertTrue(bodies.stream().anyMatch(before::contains) && bodies.stream().anyMatch(after::contains));
  }

  // ---------------------------------------------------------------- helpers

  private static List<ObjectNode> awaitRunningReady(String ns, String selector, int count) {
    await().atMost(WAIT).until(() -> {
      List<ObjectNode> pods = cluster.list(Kind.POD, ns, selector);
      return pods.size() == count && pods.stream().allMatch(SystemCluster::runningReady);
    });
    return cluster.list(Kind.POD, ns, selector);
  }

  private static void awaitReadyAddresses(String ns, String service, int count) {
    await().atMost(WAIT).until(() -> {
      ObjectNode endpoints = cluster.cached(ObjectKey.of(Kind.ENDPOINTS, ns, service));
      int n = 0;
      if (endpoints != null) {
        for (JsonNode subset : endpoints.path("subsets")) {
          n += subset.path("addresses").size();
        }
      }
      return n == count;
    });
  }

  /** The last {@code n} (or fewer) elements of a list the client thread appends to, copied under its lock. */
  private static List<String> last(List<String> list, int n) {
    synchronized (list) {
      return new ArrayList<>(list.subList(Math.max(0, list.size() - n), list.size()));
    }
  }

  private static Set<String> podNames(List<ObjectNode> pods) {
    Set<String> names = new HashSet<>();
    pods.forEach(p -> names.add(Meta.name(p)));
    return names;
  }

  /** Sends GET / until every one of {@code expected} has answered; answers who answered. */
  private static Set<String> answering(String host, int port, Set<String> expected) {
    Set<String> seen = Collections.synchronizedSet(new HashSet<>());
    await().atMost(WAIT).ignoreExceptions().until(() -> {
      seen.add(httpGet(host, port));
      return seen.containsAll(expected);
    });
    return seen;
  }

  private static void send(DatagramSocket socket, InetSocketAddress to, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    socket.send(new DatagramPacket(bytes, bytes.length, to));
  }

  private static String receive(DatagramSocket socket) throws IOException {
    byte[] buffer = new byte[2048];
    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
    socket.receive(packet);
    return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
  }

  /** One datagram out and its answer; "" when none came within the socket's timeout. */
  private static String exchange(DatagramSocket socket, InetSocketAddress to, String text) throws IOException {
    send(socket, to, text);
    try {
      String answer = receive(socket);
      while (!answer.endsWith(":" + text)) {
        answer = receive(socket); // the late answer to an earlier try
      }
      return answer;
    } catch (SocketTimeoutException e) {
      return "";
    }
  }
}
