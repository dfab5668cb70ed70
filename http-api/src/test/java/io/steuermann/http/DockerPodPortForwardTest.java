package io.steuermann.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.steuermann.node.docker.DockerSupport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code kubectl port-forward} (the real kubectl 1.32: SPDY tunnelled in a WebSocket) into a pod
 * that runs as a real Docker container: bytes both ways unchanged, many connections over one
 * session at once, the client's half-close reaching the pod, and a port nobody listens on reported
 * as kubelet reports it.
 */
class DockerPodPortForwardTest {
  private static final Pattern FORWARDING = Pattern.compile("Forwarding from 127\\.0\\.0\\.1:(\\d+) -> (\\d+)");
  private static DockerApi api;

  @BeforeAll
  static void start() throws Exception {
    api = DockerApi.start("port-forward");
    // an echo server: every connection gets back what it sends, and ends when the client's input ends
    api.create("""
        apiVersion: v1
        kind: Pod
        metadata: {name: echo}
        spec:
          nodeName: %s
          containers:
          - {name: main, image: %s, command: [nc, -ll, -p, "9090", -e, cat]}
        """.formatted(api.node, DockerSupport.IMAGE));
    api.awaitRunningReady("echo");
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
  }

  @Test
  void bytesGoBothWaysUnchangedOverManyConnectionsAtOnce() throws Exception {
    try (Forwarding forwarding = Forwarding.start("pod/echo", "0:9090", "0:9091")) {
      int local = forwarding.localPort(9090);
      List<CompletableFuture<Void>> calls = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        int seed = i;
        calls.add(CompletableFuture.runAsync(() -> {
          byte[] sent = new byte[seed == 0 ? 3_000_000 : 50_000 + seed];
          new Random(seed).nextBytes(sent);
          assertArrayEquals(sent, echo(local, sent));
        }));
      }
      CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
      // the session outlives its connections: one more afterwards
      byte[] later = "after the others\n".getBytes(StandardCharsets.UTF_8);
      assertArrayEquals(later, echo(local, later));
    }
  }

  @Test
  void aPortNobodyListensOnIsReportedAndTheConnectionCloses() throws Exception {
    try (Forwarding forwarding = Forwarding.start("pod/echo", "0:9091")) {
      int local = forwarding.localPort(9091);
      try (Socket socket = new Socket("127.0.0.1", local)) {
        socket.setSoTimeout(30_000);
        assertEquals(-1, socket.getInputStream().read());
      }
      await().atMost(DockerApi.WAIT).until(() -> forwarding.output().contains("error forwarding port 9091 to pod echo"));
      String uid = api.pod("echo").path("metadata").path("uid").asText();
      assertTrue(forwarding.output().contains("uid " + uid), forwarding.output());
    }
  }

  @Test
  void aPodThatDoesNotExistIsRefused() throws Exception {
    DockerApi.Result missing = api.kubectl("port-forward", "pod/ghost", "0:9090");
    assertNotEquals(0, missing.exit(), missing.output());
    assertTrue(missing.output().contains("not found"), missing.output());
  }

  /** Sends {@code bytes}, half-closes, and reads everything back until the pod closes. */
  private static byte[] echo(int port, byte[] bytes) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(60_000);
      CompletableFuture<byte[]> answer = CompletableFuture.supplyAsync(() -> {
        try (InputStream in = socket.getInputStream()) {
          return in.readAllBytes();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      OutputStream out = socket.getOutputStream();
      out.write(bytes);
      out.flush();
      socket.shutdownOutput();
      return answer.get(90, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A running {@code kubectl port-forward}, its local ports read from what it prints. */
  private record Forwarding(Process process, Path outputFile) implements AutoCloseable {
    static Forwarding start(String target, String... ports) throws IOException {
      List<String> args = new ArrayList<>(List.of("port-forward", target));
      args.addAll(List.of(ports));
      Path out = Files.createTempFile(api.work, "port-forward", ".out");
      Process process = new ProcessBuilder(api.kubectlCommand(args.toArray(String[]::new)))
          .redirectErrorStream(true).redirectOutput(out.toFile()).start();
      Forwarding forwarding = new Forwarding(process, out);
      await().atMost(DockerApi.WAIT).until(() -> {
        assertTrue(process.isAlive(), forwarding.output());
        return FORWARDING.matcher(forwarding.output()).results().count() >= ports.length;
      });
      return forwarding;
    }

    int localPort(int remote) {
      Matcher m = FORWARDING.matcher(output());
      while (m.find()) {
        if (Integer.parseInt(m.group(2)) == remote) {
          return Integer.parseInt(m.group(1));
        }
      }
      throw new IllegalStateException("kubectl forwards no local port to " + remote + ": " + output());
    }

    String output() {
      try {
        return Files.readString(outputFile);
      } catch (IOException e) {
        return e.toString();
      }
    }

    @Override
    public void close() {
      process.destroy();
    }
  }
}
