package io.steuermann.node.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.steuermann.engine.model.Json;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/**
 * HTTPS probes against a server with a self-signed certificate for another host name (made
 * by the JDK's keytool): accepted without checks, as kubelet does.
 */
class HttpsProbeTest {

  @Test
  void httpsProbesSkipCertificateChecks() throws Exception {
    Path dir = Files.createTempDirectory("probe-tls");
    Path keystore = dir.resolve("server.p12");
    Process keytool = new ProcessBuilder(List.of(
        Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
        "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
        "-dname", "CN=somewhere.else.example", "-storetype", "PKCS12",
        "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit"))
        .redirectErrorStream(true).start();
    assertTrue(keytool.waitFor(60, TimeUnit.SECONDS), "keytool did not finish");
    assertEquals(0, keytool.exitValue(), new String(keytool.getInputStream().readAllBytes()));

    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      store.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, "changeit".toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(keys.getKeyManagers(), null, null);

    HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    server.createContext("/", exchange -> {
      exchange.sendResponseHeaders(exchange.getRequestURI().getPath().equals("/ok") ? 200 : 503, -1);
      exchange.close();
    });
    server.start();
    try {
      ProbeRunner runner = new ProbeRunner(null, new ProbeClients(), ForkJoinPool.commonPool());
      ProbeTarget target = new ProbeTarget(null, "web", "id", "127.0.0.1", Json.object(), Instant.now());
      int port = server.getAddress().getPort();
      ProbeResult ok = runner.run(spec("/ok", port), target).toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertTrue(ok.success(), ok.message());
      ProbeResult down = runner.run(spec("/down", port), target).toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertFalse(down.success());
      assertEquals("HTTP probe failed with statuscode: 503", down.message());
    } finally {
      server.stop(0);
    }
  }

  private static ProbeSpec spec(String path, int port) throws Exception {
    return ProbeSpec.of(Json.parse("{\"livenessProbe\": {\"httpGet\": {\"scheme\": \"HTTPS\", \"path\": \"" + path
        + "\", \"port\": " + port + "}, \"timeoutSeconds\": 5}}"), "livenessProbe").orElseThrow();
  }
}
