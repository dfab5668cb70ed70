package io.steuermann.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.Json;
import io.steuermann.node.docker.DockerSupport;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code kubectl exec}, {@code cp} and {@code attach} (the real kubectl 1.32, WebSocket
 * v5.channel.k8s.io) into pods that run as real Docker containers; a terminal's size through a
 * raw WebSocket client.
 */
class DockerPodExecTest {
  private static DockerApi api;

  @BeforeAll
  static void start() throws Exception {
    api = DockerApi.start("exec-docker");
    api.create("""
        apiVersion: v1
        kind: Pod
        metadata: {name: shell}
        spec:
          nodeName: %s
          containers:
          - {name: main, image: %s, command: [sh, -c, "echo hello > /greeting; exec sleep 600"]}
          - {name: side, image: %s, command: [sleep, "600"]}
        """.formatted(api.node, DockerSupport.IMAGE, DockerSupport.IMAGE));
    api.awaitRunningReady("shell");
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
  }

  @Test
  void execRunsACommandWithItsOutputAndExitCode() throws Exception {
    DockerApi.Result ok = api.kubectl("exec", "shell", "-c", "main", "--", "cat", "/greeting");
    assertEquals(new DockerApi.Result(0, "hello\n"), ok);

    DockerApi.Result both = api.kubectl("exec", "shell", "-c", "main", "--", "sh", "-c", "echo out; echo err >&2");
    assertEquals(0, both.exit(), both.output());
    assertTrue(both.output().contains("out\n") && both.output().contains("err\n"), both.output());

    DockerApi.Result failed = api.kubectl("exec", "shell", "-c", "main", "--", "sh", "-c", "exit 3");
    assertEquals(3, failed.exit(), failed.output());
    assertTrue(failed.output().contains("command terminated with exit code 3"), failed.output());

    // the other container of the pod is another process namespace: no /greeting there
    DockerApi.Result side = api.kubectl("exec", "shell", "-c", "side", "--", "cat", "/greeting");
    assertNotEquals(0, side.exit(), side.output());
  }

  @Test
  void execPassesStdinToTheProcessAndItsEndAsEof() throws Exception {
    Path input = Files.createTempFile(api.work, "stdin", ".txt");
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 2000; i++) {
      lines.append("line ").append(i).append('\n');
    }
    Files.writeString(input, lines);
    DockerApi.Result counted = api.kubectlWithInput(input.toFile(), "exec", "-i", "shell", "-c", "main", "--", "wc", "-l");
    assertEquals(0, counted.exit(), counted.output());
    assertEquals("2000", counted.output().trim());
  }

  @Test
  void execRefusesWhatCannotRun() throws Exception {
    DockerApi.Result noContainer = api.kubectl("exec", "shell", "-c", "nobody", "--", "true");
    assertNotEquals(0, noContainer.exit(), noContainer.output());
    assertTrue(noContainer.output().contains("container nobody is not valid for pod shell"), noContainer.output());
    DockerApi.Result noPod = api.kubectl("exec", "ghost", "--", "true");
    assertNotEquals(0, noPod.exit(), noPod.output());
    assertTrue(noPod.output().contains("not found"), noPod.output());
  }

  @Test
  void cpCopiesFilesIntoAndOutOfAContainer() throws Exception {
    Path local = Files.createTempFile(api.work, "upload", ".bin");
    byte[] data = new byte[300_000];
    new java.util.Random(7).nextBytes(data);
    Files.write(local, data);
    DockerApi.Result up = api.kubectl("cp", local.toString(), "default/shell:/tmp/upload.bin", "-c", "main");
    assertEquals(0, up.exit(), up.output());
    DockerApi.Result sum = api.kubectl("exec", "shell", "-c", "main", "--", "md5sum", "/tmp/upload.bin");
    assertEquals(0, sum.exit(), sum.output());
    assertEquals(md5(data), sum.output().split(" ")[0]);

    Path back = api.work.resolve("download.bin");
    DockerApi.Result down = api.kubectl("cp", "default/shell:/tmp/upload.bin", back.toString(), "-c", "main");
    assertEquals(0, down.exit(), down.output());
    assertEquals(md5(data), md5(Files.readAllBytes(back)));
  }

  @Test
  void attachShowsWhatTheContainerWritesFromNowOn() throws Exception {
    api.create("""
        apiVersion: v1
        kind: Pod
        metadata: {name: talker}
        spec:
          nodeName: %s
          containers:
          - {name: main, image: %s, command: [sh, -c, "sleep 2; echo attached-output; exit 0"]}
          restartPolicy: Never
        """.formatted(api.node, DockerSupport.IMAGE));
    await().atMost(DockerApi.WAIT).until(() -> api.pod("talker") != null
        && "Running".equals(api.pod("talker").path("status").path("phase").asText()));
    DockerApi.Result attached = api.kubectl("attach", "talker", "-c", "main");
    assertTrue(attached.output().contains("attached-output"), attached.output());
  }

  /** A terminal: the process sees the size the client sends on the resize channel. */
  @Test
  void aTerminalGetsTheSizeTheClientSends() throws Exception {
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    StringBuilder error = new StringBuilder();
    java.util.concurrent.CompletableFuture<Integer> closed = new java.util.concurrent.CompletableFuture<>();
    WebSocket.Listener listener = new WebSocket.Listener() {
      private final ByteArrayOutputStream message = new ByteArrayOutputStream();

      @Override
      public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        message.writeBytes(bytes);
        if (last) {
          byte[] whole = message.toByteArray();
          message.reset();
          if (whole.length > 0 && whole[0] == 1) {
            synchronized (stdout) {
              stdout.write(whole, 1, whole.length - 1);
            }
          } else if (whole.length > 0 && whole[0] == 3) {
            error.append(new String(whole, 1, whole.length - 1, StandardCharsets.UTF_8));
          }
        }
        socket.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
      }
    };
    URI uri = URI.create("ws://127.0.0.1:" + api.base.getPort() + "/api/v1/namespaces/default/pods/shell/exec"
        + "?container=main&stdin=true&stdout=true&tty=true&command=sh&command=-c"
        + "&command=read%20line%3B%20stty%20size");
    WebSocket socket = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
        .subprotocols("v5.channel.k8s.io", "v4.channel.k8s.io")
        .buildAsync(uri, listener).get(10, TimeUnit.SECONDS);
    assertEquals("v5.channel.k8s.io", socket.getSubprotocol());
    socket.sendBinary(frame(4, "{\"Width\":100,\"Height\":40}"), true).get(10, TimeUnit.SECONDS);
    socket.sendBinary(frame(0, "go\r"), true).get(10, TimeUnit.SECONDS);
    closed.get(30, TimeUnit.SECONDS);
    String out;
    synchronized (stdout) {
      out = stdout.toString(StandardCharsets.UTF_8);
    }
    assertTrue(out.contains("40 100"), out);
    JsonNode status = Json.parse(error.toString());
    assertEquals("Success", status.path("status").asText(), error.toString());
  }

  private static ByteBuffer frame(int channel, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    ByteBuffer buffer = ByteBuffer.allocate(bytes.length + 1);
    buffer.put((byte) channel).put(bytes).flip();
    return buffer;
  }

  private static String md5(byte[] data) throws Exception {
    return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(data));
  }
}
