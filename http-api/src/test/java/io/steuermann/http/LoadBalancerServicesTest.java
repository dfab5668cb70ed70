package io.steuermann.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.node.docker.DockerSupport;
import io.steuermann.node.proxy.ServiceProxy;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code type: LoadBalancer} end to end, as k3s' ServiceLB: the API server in this process, a
 * real Docker node on 127.0.0.1 running a busybox httpd pod, this machine's service proxy (user
 * space) and the real kubectl. The node's address (its Node's InternalIP) answers each
 * LoadBalancer's port and is its {@code status.loadBalancer.ingress}; a Service with a
 * loadBalancerClass gets neither.
 */
class LoadBalancerServicesTest {
  private static DockerApi api;
  private static ActorRef<ServiceProxy.Command> proxy;
  private static final String NODE_ADDRESS = "127.0.0.1";

  @BeforeAll
  static void start() throws Exception {
    // many test engines share this machine: none programs its iptables
    api = DockerApi.start("load-balancer", "steuermann.proxy.mode = userspace\n");
    proxy = ServiceProxy.start(api.system, api.engine).toCompletableFuture().get(60, TimeUnit.SECONDS).orElseThrow();
    api.create("""
        apiVersion: v1
        kind: Pod
        metadata: {name: web, labels: {app: web}}
        spec:
          nodeName: %s
          containers:
          - name: main
            image: %s
            command: [sh, -c, "busybox mkdir -p /www; echo -n web-pod > /www/index.html; exec httpd -f -p 8080 -h /www"]
        """.formatted(api.node, DockerSupport.IMAGE));
    api.awaitRunningReady("web");
  }

  @AfterAll
  static void stop() {
    if (proxy != null) {
      proxy.tell(ServiceProxy.Stop.INSTANCE);
    }
    if (api != null) {
      api.close();
    }
  }

  private static final Set<Integer> picked = new HashSet<>();

  /** A port nothing on this machine listens on now (the Services' ports must not meet another test's). */
  private static int freePort() throws IOException {
    while (true) {
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(NODE_ADDRESS, 0));
        if (picked.add(s.getLocalPort())) {
          return s.getLocalPort();
        }
      }
    }
  }

  private static void service(String name, int port, String extra) throws IOException {
    api.create("""
        apiVersion: v1
        kind: Service
        metadata: {name: %s}
        spec:
          type: LoadBalancer
          selector: {app: web}
          ports: [{port: %d, targetPort: 8080}]
        %s""".formatted(name, port, extra));
  }

  private static ObjectNode cached(String name) {
    return api.engine.cache().get(ObjectKey.of(Kind.SERVICE, "default", name));
  }

  private static String ingress(String name) {
    ObjectNode svc = cached(name);
    return svc == null ? "" : svc.path("status").path("loadBalancer").path("ingress").toString();
  }

  /** GET / from {@code source} (a loopback address) to the node address. */
  private static String get(String source, int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(source, 0));
      socket.connect(new InetSocketAddress(NODE_ADDRESS, port), 5000);
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write("GET / HTTP/1.0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int split = response.indexOf("\r\n\r\n");
      if (!response.startsWith("HTTP/1.") || !response.contains(" 200 ") || split < 0) {
        throw new IOException("not a 200 response: [" + response + "]");
      }
      return response.substring(split + 4);
    }
  }

  private static String getOrError(String source, int port) {
    try {
      return get(source, port);
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** The row of {@code name} in {@code kubectl get svc}, its columns split. */
  private static String[] row(String name) throws IOException {
    DockerApi.Result table = api.kubectl("get", "svc", name);
    assertEquals(0, table.exit(), table.output());
    String[] lines = table.output().strip().split("\n");
    assertTrue(lines[0].matches("NAME\\s+TYPE\\s+CLUSTER-IP\\s+EXTERNAL-IP\\s+PORT\\(S\\)\\s+AGE"), table.output());
    return lines[1].trim().split("\\s+");
  }

  @Test
  void aLoadBalancerAnswersOnTheNodeAddressAndShowsItAsItsExternalIp() throws Exception {
    int port = freePort();
    int classedPort = freePort();
    service("lb-classed", classedPort, "  loadBalancerClass: example.com/other\n");
    long created = System.nanoTime();
    service("lb-web", port, "");
    String expected = "[{\"ip\":\"" + NODE_ADDRESS + "\",\"ipMode\":\"VIP\"}]";
    await().atMost(DockerApi.WAIT).pollInterval(java.time.Duration.ofMillis(10))
        .until(() -> ingress("lb-web").equals(expected));
    long status = System.nanoTime();
    await().atMost(DockerApi.WAIT).pollInterval(java.time.Duration.ofMillis(10))
        .until(() -> getOrError("127.0.0.1", port).equals("web-pod"));
    System.out.printf("[load-balancer] from kubectl create: ingress in %d ms, first answer on %s:%d in %d ms%n",
        (status - created) / 1_000_000, NODE_ADDRESS, port, (System.nanoTime() - created) / 1_000_000);

    String[] web = row("lb-web");
    assertEquals("LoadBalancer", web[1]);
    assertEquals(NODE_ADDRESS, web[3]);
    int nodePort = cached("lb-web").path("spec").path("ports").get(0).path("nodePort").asInt();
    assertEquals(port + ":" + nodePort + "/TCP", web[4]);
    // the nodePort answers as well
    assertEquals("web-pod", get("127.0.0.1", nodePort));

    // another implementation's Service: no status (it was looked at before lb-web) and nothing on its port
    assertEquals("<pending>", row("lb-classed")[3]);
    assertEquals("", ingress("lb-classed"), "no ingress at all");
    assertThrows(ConnectException.class, () -> get("127.0.0.1", classedPort));

    // back to ClusterIP: the status, the nodePort and the node address's port go
    DockerApi.Result patched = api.kubectl("patch", "svc", "lb-web", "-p", "{\"spec\":{\"type\":\"ClusterIP\"}}");
    assertEquals(0, patched.exit(), patched.output());
    String[] clusterIp = row("lb-web");
    assertEquals("ClusterIP", clusterIp[1]);
    assertEquals("<none>", clusterIp[3]);
    assertEquals(port + "/TCP", clusterIp[4]);
    JsonNode spec = cached("lb-web").path("spec");
    assertEquals(false, spec.path("ports").get(0).has("nodePort"), spec::toString);
    await().atMost(DockerApi.WAIT).until(() -> getOrError("127.0.0.1", port).contains("ConnectException"));
  }

  @Test
  void sourceRangesAdmitOnlyTheirClientsAndALocalPolicyServesFromThisNode() throws Exception {
    int ranged = freePort();
    int local = freePort();
    service("lb-ranged", ranged, "  loadBalancerSourceRanges: [127.0.0.2/32]\n");
    service("lb-local", local, "  externalTrafficPolicy: Local\n");
    await().atMost(DockerApi.WAIT).until(() -> getOrError("127.0.0.2", ranged).equals("web-pod"));
    // a client outside the ranges: accepted and closed at once, never forwarded
    IOException refused = assertThrows(IOException.class, () -> get("127.0.0.3", ranged));
    assertTrue(refused.getMessage().contains("not a 200 response: []"), refused.toString());

    // the pod runs on this machine's node: a Local policy still finds it
    await().atMost(DockerApi.WAIT).until(() -> getOrError("127.0.0.1", local).equals("web-pod"));
    int healthCheck = cached("lb-local").path("spec").path("healthCheckNodePort").asInt();
    assertTrue(healthCheck >= 30000 && healthCheck <= 32767, cached("lb-local")::toString);

    // Endpoints of its own (no selector): the same pod, said to run on another node, is not
    // used by a Local policy here, and is once it is said to be on this machine's node
    int manual = freePort();
    String podIp = api.pod("web").path("status").path("podIP").asText();
    api.create("""
        apiVersion: v1
        kind: Service
        metadata: {name: lb-manual}
        spec:
          type: LoadBalancer
          externalTrafficPolicy: Local
          ports: [{port: %d, targetPort: 8080}]
        ---
        apiVersion: v1
        kind: Endpoints
        metadata: {name: lb-manual}
        subsets: [{addresses: [{ip: %s, nodeName: elsewhere}], ports: [{port: 8080}]}]
        """.formatted(manual, podIp));
    // listening, and closing every connection: no endpoint on this machine
    await().atMost(DockerApi.WAIT).until(() -> getOrError("127.0.0.1", manual).contains("not a 200 response: []"));
    DockerApi.Result moved = api.kubectl("patch", "endpoints", "lb-manual", "--type", "json", "-p",
        "[{\"op\":\"replace\",\"path\":\"/subsets/0/addresses/0/nodeName\",\"value\":\"" + api.node + "\"}]");
    assertEquals(0, moved.exit(), moved.output());
    await().atMost(DockerApi.WAIT).until(() -> getOrError("127.0.0.1", manual).equals("web-pod"));
  }

  @Test
  void anExternalNameShowsItsNameAsExternalIp() throws Exception {
    api.create("""
        apiVersion: v1
        kind: Service
        metadata: {name: ext-db}
        spec: {type: ExternalName, externalName: db.example.org}
        """);
    String[] row = row("ext-db");
    assertEquals("ExternalName", row[1]);
    assertEquals("<none>", row[2]);
    assertEquals("db.example.org", row[3]);
    java.nio.file.Path manifest = java.nio.file.Files.createTempFile(api.work, "bad", ".yaml");
    java.nio.file.Files.writeString(manifest, """
        apiVersion: v1
        kind: Service
        metadata: {name: ext-bad}
        spec: {type: ExternalName, externalName: Not_A_Name}
        """);
    DockerApi.Result bad = api.kubectl("create", "-f", manifest.toString());
    assertEquals(1, bad.exit(), bad.output());
    assertTrue(bad.output().contains("spec.externalName: Invalid value: \"Not_A_Name\""), bad.output());
    DockerApi.Result missing = api.kubectl("get", "svc", "ext-bad");
    assertTrue(missing.output().contains("NotFound") || missing.output().contains("not found"), missing.output());
  }
}
