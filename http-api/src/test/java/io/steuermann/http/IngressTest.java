package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;
import io.steuermann.http.KubectlRunner.Result;
import io.steuermann.node.ingress.IngressProxy;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingress end to end with real parts: the API server and its controllers in this process on
 * a hollow node, this machine's ingress controller on free ports of 127.0.0.1, two HTTP servers
 * of the test's own on 127.0.0.1 behind Services with hand-written Endpoints, the real kubectl
 * (create ingress, apply, get) and curl as the HTTP client (with --resolve, so the host names
 * and the TLS server names are the Ingress's while every connection goes to 127.0.0.1). The
 * certificates are made by the JDK's keytool.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IngressTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String NS = "ingress";
  private static final String INGRESSES = "/apis/networking.k8s.io/v1/namespaces/" + NS + "/ingresses";
  private static final String CLASSES = "/apis/networking.k8s.io/v1/ingressclasses";

  @TempDir
  static Path dataDir;
  static TestServer server;
  static ActorRef<IngressProxy.Command> proxy;
  static int httpPort;
  static int httpsPort;
  static final List<HttpServer> backends = new ArrayList<>();
  static Path caFile;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.startWithNodes("IngressTest", TestServer.h2(dataDir).withFallback(
        ConfigFactory.parseString("""
            steuermann.controllers.enabled = true
            steuermann.node.hollow-nodes = 1
            steuermann.node.name-prefix = "ing-"
            steuermann.ingress.address = "127.0.0.1"
            steuermann.ingress.http-port = 0
            steuermann.ingress.https-port = 0
            """)));
    proxy = IngressProxy.start(server.system, server.engine).toCompletableFuture().get(60, TimeUnit.SECONDS)
        .orElseThrow();
    IngressProxy.Bindings bound = AskPattern.<IngressProxy.Command, IngressProxy.Bindings>ask(proxy,
        IngressProxy.GetBindings::new, Duration.ofSeconds(30), server.system.scheduler())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    httpPort = bound.http().orElseThrow().getPort();
    httpsPort = bound.https().orElseThrow().getPort();
    server.namespace(NS);
    backend("apple");
    backend("banana");
    service("empty", -1);
    await().atMost(WAIT).until(() -> server.get(CLASSES + "/steuermann").statusCode() == 200);
    caFile = dataDir.resolve("ca.pem");
    Files.writeString(caFile, tlsSecret("b-tls", "b.example.test") + tlsSecret("c-tls", "c.example.test"));
  }

  @AfterAll
  static void stop() {
    if (proxy != null) {
      proxy.tell(IngressProxy.Stop.INSTANCE);
    }
    backends.forEach(b -> b.stop(0));
    if (server != null) {
      server.close();
    }
  }

  /** An HTTP server on 127.0.0.1 answering "name path host", and its Service with an Endpoints to it. */
  private static void backend(String name) throws IOException {
    HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext("/", exchange -> {
      byte[] body = (name + " " + exchange.getRequestURI().getPath() + " "
          + exchange.getRequestHeaders().getFirst("Host") + " "
          + exchange.getRequestHeaders().getFirst("X-Forwarded-Proto")).getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    http.start();
    backends.add(http);
    service(name, http.getAddress().getPort());
  }

  private static void service(String name, int endpointPort) {
    expect(201, server.post("/api/v1/namespaces/" + NS + "/services", """
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"%s"},
         "spec":{"ports":[{"name":"http","port":80,"targetPort":8080}]}}""".formatted(name)));
    if (endpointPort > 0) {
      expect(201, server.post("/api/v1/namespaces/" + NS + "/endpoints", """
          {"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"%s"},
           "subsets":[{"addresses":[{"ip":"127.0.0.1"}],"ports":[{"name":"http","port":%d}]}]}"""
          .formatted(name, endpointPort)));
    }
  }

  /** A kubernetes.io/tls Secret for {@code host} with a self-signed certificate made by keytool; its PEM. */
  private static String tlsSecret(String name, String host) throws Exception {
    Path store = dataDir.resolve(name + ".p12");
    Process keytool = new ProcessBuilder("keytool", "-genkeypair", "-alias", "k", "-keyalg", "RSA", "-keysize",
        "2048", "-dname", "CN=" + host, "-ext", "SAN=dns:" + host, "-validity", "2", "-storetype", "PKCS12",
        "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit")
        .redirectErrorStream(true).start();
    String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, keytool.waitFor(), out);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, "changeit".toCharArray());
    }
    PrivateKey key = (PrivateKey) ks.getKey("k", "changeit".toCharArray());
    Certificate cert = ks.getCertificate("k");
    String certPem = pem("CERTIFICATE", cert.getEncoded());
    String keyPem = pem("PRIVATE KEY", key.getEncoded());
    Base64.Encoder b64 = Base64.getEncoder();
    expect(201, server.post("/api/v1/namespaces/" + NS + "/secrets", """
        {"apiVersion":"v1","kind":"Secret","metadata":{"name":"%s"},"type":"kubernetes.io/tls",
         "data":{"tls.crt":"%s","tls.key":"%s"}}""".formatted(name,
        b64.encodeToString(certPem.getBytes(StandardCharsets.US_ASCII)),
        b64.encodeToString(keyPem.getBytes(StandardCharsets.US_ASCII)))));
    return certPem;
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der) + "\n-----END " + type + "-----\n";
  }

  /** curl's answer: the status code, a space, the body; or "curl exit N: stderr". */
  private static String curl(String url) throws Exception {
    return curl(url, url.startsWith("https") ? httpsPort : httpPort);
  }

  private static String curl(String url, int port) throws Exception {
    boolean tls = url.startsWith("https");
    String host = url.replaceFirst("^https?://", "").replaceFirst("[/:].*$", "");
    String target = url.replaceFirst("^(https?://[^/]+)", "$1:" + port);
    List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10", "-o", "-", "-w",
        " %{http_code}", "--resolve", host + ":" + port + ":127.0.0.1"));
    if (tls) {
      command.addAll(List.of("--cacert", caFile.toString()));
    }
    command.add(target);
    Process curl = new ProcessBuilder(command).redirectError(dataDir.resolve("curl.err").toFile()).start();
    String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = curl.waitFor();
    if (exit != 0) {
      return "curl exit " + exit + ": " + Files.readString(dataDir.resolve("curl.err"));
    }
    int space = out.lastIndexOf(' ');
    return out.substring(space + 1) + " " + out.substring(0, space);
  }

  private static Result kubectl(String... args) throws Exception {
    return KubectlRunner.run(server.base, dataDir, args);
  }

  private static void awaitAnswer(String url, String expected) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> curl(url), expected::equals);
  }

  @Test
  @Order(1)
  void theBuiltInClassIsTheDefault() throws Exception {
    JsonNode ic = expect(200, server.get(CLASSES + "/steuermann"));
    assertEquals("steuermann.io/ingress", ic.path("spec").path("controller").asText());
    assertEquals("true", ic.path("metadata").path("annotations").path("ingressclass.kubernetes.io/is-default-class")
        .asText());
    Result table = kubectl("get", "ingressclass");
    assertEquals(0, table.exit(), table.err());
    String[] lines = table.out().strip().split("\n");
    assertTrue(lines[0].matches("NAME\\s+CONTROLLER\\s+PARAMETERS\\s+AGE"), table.out());
    assertTrue(lines[1].matches("steuermann\\s+steuermann\\.io/ingress\\s+<none>\\s+\\S+"), table.out());
  }

  @Test
  @Order(2)
  void kubectlCreateIngressRoutesByHostAndPath() throws Exception {
    Result created = kubectl("-n", NS, "create", "ingress", "web",
        "--rule=a.example.test/*=apple:80",
        "--rule=a.example.test/banana*=banana:http",
        "--rule=a.example.test/exact=banana:80",
        "--rule=*.wild.test/*=banana:80",
        "--rule=empty.example.test/*=empty:80");
    assertEquals(0, created.exit(), created.err());
    JsonNode web = expect(200, server.get(INGRESSES + "/web"));
    assertEquals("steuermann", web.path("spec").path("ingressClassName").asText(), "the default class, by admission");

    awaitAnswer("http://a.example.test/", "200 apple / a.example.test:" + httpPort + " http");
    assertEquals("200 banana /banana a.example.test:" + httpPort + " http", curl("http://a.example.test/banana"));
    assertEquals("200 banana /banana/split", curl("http://a.example.test/banana/split").replaceAll(" a\\.ex.*", ""));
    assertEquals("200 apple /bananas", curl("http://a.example.test/bananas").replaceAll(" a\\.ex.*", ""),
        "Prefix matches element by element");
    assertEquals("200 banana /exact", curl("http://a.example.test/exact").replaceAll(" a\\.ex.*", ""));
    assertEquals("200 apple /exact/more", curl("http://a.example.test/exact/more").replaceAll(" a\\.ex.*", ""),
        "Exact matches the whole path only");
    assertTrue(curl("http://x.wild.test/w").startsWith("200 banana /w x.wild.test"), "the wildcard host");
    assertTrue(curl("http://y.x.wild.test/").startsWith("404 "), "a wildcard covers one label only");
    assertTrue(curl("http://nowhere.test/").startsWith("404 "), "no rule and no default backend");
    assertTrue(curl("http://empty.example.test/").startsWith("503 "), "a Service without ready endpoints");

    // the status: the node's address, shown by kubectl
    await().atMost(WAIT).until(() -> expect(200, server.get(INGRESSES + "/web")).path("status").path("loadBalancer")
        .path("ingress").path(0).path("ip").asText(), "127.0.0.1"::equals);
    Result table = kubectl("-n", NS, "get", "ingress", "web");
    assertEquals(0, table.exit(), table.err());
    String[] lines = table.out().strip().split("\n");
    assertTrue(lines[0].matches("NAME\\s+CLASS\\s+HOSTS\\s+ADDRESS\\s+PORTS\\s+AGE"), table.out());
    // kubectl create ingress makes one rule per host: a.example.test, *.wild.test, empty.example.test
    assertTrue(lines[1].matches("web\\s+steuermann\\s+a\\.example\\.test,\\*\\.wild\\.test,empty\\.example\\.test"
        + "\\s+127\\.0\\.0\\.1\\s+80\\s+\\S+"), table.out());
    Result described = kubectl("-n", NS, "describe", "ingress", "web");
    assertEquals(0, described.exit(), described.err());
    assertTrue(described.out().contains("Ingress Class:    steuermann") && described.out().contains("a.example.test"),
        described.out());
  }

  @Test
  @Order(3)
  void tlsWithTwoCertificatesChosenBySni() throws Exception {
    Path manifest = dataDir.resolve("tls.yaml");
    Files.writeString(manifest, """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: secure, namespace: %s}
        spec:
          tls:
          - {hosts: [b.example.test], secretName: b-tls}
          - {hosts: [c.example.test], secretName: c-tls}
          rules:
          - host: b.example.test
            http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: apple, port: {number: 80}}}}]}
          - host: c.example.test
            http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: banana, port: {name: http}}}}]}
        """.formatted(NS));
    Result applied = kubectl("apply", "-f", manifest.toString());
    assertEquals(0, applied.exit(), applied.err());
    // curl checks each certificate against its host name: the wrong one would fail the handshake
    awaitAnswer("https://b.example.test/x", "200 apple /x b.example.test:" + httpsPort + " https");
    assertEquals("200 banana /y c.example.test:" + httpsPort + " https", curl("https://c.example.test/y"));
    assertEquals("200 banana /z c.example.test:" + httpPort + " http", curl("http://c.example.test/z"),
        "the same rules over plain HTTP");
    Result table = kubectl("-n", NS, "get", "ingress", "secure", "--no-headers");
    assertTrue(table.out().matches("(?s)secure\\s+steuermann\\s+b\\.example\\.test,c\\.example\\.test\\s+\\S*\\s+"
        + "80, 443\\s+\\S+\\s*"), table.out());
  }

  @Test
  @Order(4)
  void anotherClassIsLeftAloneAndTheDefaultBackendCatchesTheRest() throws Exception {
    expect(201, server.post(CLASSES, """
        {"apiVersion":"networking.k8s.io/v1","kind":"IngressClass","metadata":{"name":"other"},
         "spec":{"controller":"example.com/other"}}"""));
    expect(201, server.post(INGRESSES, """
        {"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"foreign"},
         "spec":{"ingressClassName":"other","defaultBackend":{"service":{"name":"apple","port":{"number":80}}},
          "rules":[{"host":"other.test","http":{"paths":[{"path":"/","pathType":"Prefix",
            "backend":{"service":{"name":"apple","port":{"number":80}}}}]}}]}}"""));
    expect(201, server.post(INGRESSES, """
        {"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"fallback"},
         "spec":{"defaultBackend":{"service":{"name":"banana","port":{"number":80}}}}}"""));
    awaitAnswer("http://nowhere.test/any", "200 banana /any nowhere.test:" + httpPort + " http");
    assertTrue(curl("http://other.test/").startsWith("200 banana /"), "another class's rules are not ours");
    await().atMost(WAIT).until(() -> expect(200, server.get(INGRESSES + "/fallback")).path("status")
        .path("loadBalancer").path("ingress").size() == 1);
    assertTrue(expect(200, server.get(INGRESSES + "/foreign")).path("status").path("loadBalancer").path("ingress")
        .isMissingNode(), "another controller's Ingress gets no status from us");
    expect(200, server.delete(INGRESSES + "/fallback"));
    awaitAnswer("http://nowhere.test/any", "404 404 Not Found: no Ingress rule matches nowhere.test/any and there is "
        + "no default backend\n");
  }

  @Test
  @Order(5)
  void badIngressesAreRefusedNamingTheField() {
    JsonNode status = expect(422, server.post(INGRESSES, """
        {"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"bad"},
         "spec":{"rules":[{"host":"10.0.0.1","http":{"paths":[{"path":"nope","pathType":"Exact",
           "backend":{"service":{"name":"apple"}}}]}}]}}"""));
    String message = status.path("message").asText();
    assertTrue(message.contains("spec.rules[0].host: Invalid value: \"10.0.0.1\": must be a DNS name, not an IP address"),
        message);
    assertTrue(message.contains("spec.rules[0].http.paths[0].path: Invalid value: \"nope\": must be an absolute path"),
        message);
    assertTrue(message.contains("spec.rules[0].http.paths[0].backend: Required value: port name or number is required"),
        message);
    JsonNode noBackend = expect(422, server.post(INGRESSES, """
        {"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"bad"},"spec":{}}"""));
    assertTrue(noBackend.path("message").asText().contains("either `defaultBackend` or `rules` must be specified"),
        noBackend.toString());
    JsonNode badClass = expect(422, server.post(CLASSES, """
        {"apiVersion":"networking.k8s.io/v1","kind":"IngressClass","metadata":{"name":"bad"},
         "spec":{"controller":"no-domain"}}"""));
    assertTrue(badClass.path("message").asText().contains("spec.controller: Invalid value: \"no-domain\": must be a "
        + "domain-prefixed path (such as \"acme.io/foo\")"), badClass.toString());
  }

  @Test
  @Order(6)
  void streamsLargeBodiesAndWebSocketsPassThrough() throws Exception {
    java.util.concurrent.CompletableFuture<org.apache.pekko.util.ByteString> release =
        new java.util.concurrent.CompletableFuture<>();
    org.apache.pekko.http.javadsl.ServerBinding streams = org.apache.pekko.http.javadsl.Http.get(server.system)
        .newServerAt("127.0.0.1", 0)
        .bind((org.apache.pekko.japi.function.Function<org.apache.pekko.http.javadsl.model.HttpRequest,
            java.util.concurrent.CompletionStage<org.apache.pekko.http.javadsl.model.HttpResponse>>) request -> {
          var upgrade = request.getAttribute(org.apache.pekko.http.javadsl.model.AttributeKeys.webSocketUpgrade);
          if (upgrade.isPresent()) {
            return java.util.concurrent.CompletableFuture.completedFuture(upgrade.get().handleMessagesWith(
                org.apache.pekko.stream.javadsl.Flow.<org.apache.pekko.http.javadsl.model.ws.Message>create()
                    .map(m -> (org.apache.pekko.http.javadsl.model.ws.Message)
                        org.apache.pekko.http.javadsl.model.ws.TextMessage.create(
                            "echo:" + m.asTextMessage().getStrictText()))));
          }
          org.apache.pekko.stream.javadsl.Source<org.apache.pekko.util.ByteString, ?> body =
              request.getUri().path().equals("/stream")
                  ? org.apache.pekko.stream.javadsl.Source.single(org.apache.pekko.util.ByteString.fromString("first\n"))
                      .concat(org.apache.pekko.stream.javadsl.Source.completionStage(release))
                  : org.apache.pekko.stream.javadsl.Source.repeat(
                      org.apache.pekko.util.ByteString.fromArray(new byte[64 * 1024])).take(320);
          request.discardEntityBytes(server.system);
          return java.util.concurrent.CompletableFuture.completedFuture(
              org.apache.pekko.http.javadsl.model.HttpResponse.create().withEntity(
                  org.apache.pekko.http.javadsl.model.HttpEntities.createChunked(
                      org.apache.pekko.http.javadsl.model.ContentTypes.APPLICATION_OCTET_STREAM, body)));
        }).toCompletableFuture().get(30, TimeUnit.SECONDS);
    try {
      service("streams", streams.localAddress().getPort());
      expect(201, server.post(INGRESSES, """
          {"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"streams"},
           "spec":{"rules":[{"http":{"paths":[
             {"path":"/ws","pathType":"Prefix","backend":{"service":{"name":"streams","port":{"name":"http"}}}},
             {"path":"/stream","pathType":"Exact","backend":{"service":{"name":"streams","port":{"number":80}}}},
             {"path":"/big","pathType":"Exact","backend":{"service":{"name":"streams","port":{"number":80}}}}]}}]}}"""));
      java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
      java.net.URI base = java.net.URI.create("http://127.0.0.1:" + httpPort);
      await().atMost(WAIT).until(() -> client.send(java.net.http.HttpRequest.newBuilder(base.resolve("/big")).build(),
          java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
      // 20 MiB, beyond Pekko's default 8 MiB entity limit: nothing is collected on the way
      var big = client.send(java.net.http.HttpRequest.newBuilder(base.resolve("/big")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(20 * 1024 * 1024, big.body().length);
      // the first chunk arrives while the backend has not yet sent the last
      var streamed = client.send(java.net.http.HttpRequest.newBuilder(base.resolve("/stream")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofInputStream());
      try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(streamed.body(),
          StandardCharsets.UTF_8))) {
        assertEquals("first", lines.readLine());
        release.complete(org.apache.pekko.util.ByteString.fromString("last\n"));
        assertEquals("last", lines.readLine());
      }
      // a WebSocket through the ingress
      java.util.concurrent.CompletableFuture<String> echoed = new java.util.concurrent.CompletableFuture<>();
      java.net.http.WebSocket ws = client.newWebSocketBuilder().buildAsync(
          java.net.URI.create("ws://127.0.0.1:" + httpPort + "/ws/echo"), new java.net.http.WebSocket.Listener() {
            @Override
            public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket socket, CharSequence data,
                boolean last) {
              echoed.complete(data.toString());
              return null;
            }
          }).get(30, TimeUnit.SECONDS);
      ws.sendText("hello", true);
      assertEquals("echo:hello", echoed.get(30, TimeUnit.SECONDS));
      ws.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "done");
    } finally {
      release.complete(org.apache.pekko.util.ByteString.emptyByteString());
      streams.unbind();
    }
  }

  @Test
  @Order(7)
  void aTakenPortIsBoundOnceItIsFree() throws Exception {
    java.net.ServerSocket taken = new java.net.ServerSocket();
    taken.bind(new InetSocketAddress("127.0.0.1", 0));
    int port = taken.getLocalPort();
    ActorRef<IngressProxy.Command> second = server.system.systemActorOf(IngressProxy.create(
        server.engine.controllers(), new io.steuermann.node.ingress.IngressSettings(true, "127.0.0.1", port, 0,
            Duration.ofSeconds(10), 4)), "ingress-proxy-taken", org.apache.pekko.actor.typed.Props.empty());
    try {
      assertTrue(bindings(second).http().isEmpty(), "the port is taken");
      taken.close();
      await().atMost(WAIT).until(() -> bindings(second).http().map(InetSocketAddress::getPort).orElse(-1) == port);
      String expected = "200 apple /again a.example.test:" + port + " http";
      await().atMost(WAIT).until(() -> curl("http://a.example.test/again", port), expected::equals);
    } finally {
      taken.close();
      second.tell(IngressProxy.Stop.INSTANCE);
    }
  }

  private static IngressProxy.Bindings bindings(ActorRef<IngressProxy.Command> proxy) throws Exception {
    return AskPattern.<IngressProxy.Command, IngressProxy.Bindings>ask(proxy, IngressProxy.GetBindings::new,
        Duration.ofSeconds(30), server.system.scheduler()).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  @Order(8)
  void anEndpointThatDoesNotAnswerIs502() throws Exception {
    int closed;
    try (java.net.ServerSocket gone = new java.net.ServerSocket()) {
      gone.bind(new InetSocketAddress("127.0.0.1", 0));
      closed = gone.getLocalPort();
    }
    service("dead", closed);
    expect(201, server.post(INGRESSES, """
        {"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"dead"},
         "spec":{"rules":[{"host":"dead.test","http":{"paths":[{"path":"/","pathType":"Prefix",
           "backend":{"service":{"name":"dead","port":{"number":80}}}}]}}]}}"""));
    await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> curl("http://dead.test/"),
        answer -> answer.startsWith("502 502 Bad Gateway: 127.0.0.1:" + closed + " of ingress/dead:80"));
  }

  /**
   * Forwarding costs no thread per request: a callback hung on Pekko's converted client future
   * ran on the JDK's async pool, which on 2 cores starts a new thread each time (one per request
   * before; the ingress then answered a twentieth of what its backend did).
   */
  @Test
  @Order(9)
  void forwardingStartsNoThreads() throws Exception {
    awaitAnswer("http://a.example.test/banana", "200 banana /banana a.example.test:" + httpPort + " http");
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    get("a.example.test", "/banana");
    long before = threads.getTotalStartedThreadCount();
    for (int i = 0; i < 200; i++) {
      assertTrue(get("a.example.test", "/banana").startsWith("HTTP/1.1 200 "));
    }
    long started = threads.getTotalStartedThreadCount() - before;
    assertTrue(started < 40, started + " threads started for 200 requests through the ingress");
  }

  /** One GET over a socket of this JVM (curl would be a process, with reaper threads of its own). */
  private static String get(String host, String path) throws IOException {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", httpPort)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
