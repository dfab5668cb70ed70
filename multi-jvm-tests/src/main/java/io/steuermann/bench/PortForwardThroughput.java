package io.steuermann.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bulk bytes out of a pod through {@code kubectl port-forward} (SPDY in a WebSocket, through the
 * API and the node's connection into the pod's network) against the same bytes read straight from
 * the pod's address, taking turns. The pod answers every connection with {@code bytes} zeros.
 */
final class PortForwardThroughput {
  private static final Pattern FORWARDING = Pattern.compile("Forwarding from 127\\.0\\.0\\.1:(\\d+) -> (\\d+)");

  record Figures(double forwardedMBps, double directMBps) {}

  private PortForwardThroughput() {}

  static Figures measure(String server, String pod, String podIp, int port, long bytes, int rounds, Path work)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile(work, "port-forward", ".out");
    Process kubectl = new ProcessBuilder(List.of("kubectl", "--server", server, "port-forward", "pod/" + pod, "0:" + port))
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      int local = localPort(out, kubectl);
      double forwarded = 0;
      double direct = 0;
      for (int i = 0; i < rounds + 1; i++) {
        double viaKubectl = read("127.0.0.1", local, bytes);
        double straight = read(podIp, port, bytes);
        if (i > 0) { // the first round warms both up
          forwarded += viaKubectl;
          direct += straight;
        }
      }
      return new Figures(bytes * rounds / forwarded / 1e6, bytes * rounds / direct / 1e6);
    } finally {
      kubectl.destroy();
    }
  }

  private static int localPort(Path out, Process kubectl) throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (Instant.now().isBefore(deadline)) {
      Matcher m = FORWARDING.matcher(Files.readString(out));
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
      if (!kubectl.isAlive()) {
        throw new IllegalStateException("kubectl port-forward ended: " + Files.readString(out));
      }
      kubectl.waitFor(100, java.util.concurrent.TimeUnit.MILLISECONDS); // polls kubectl's output, not a sync point
    }
    throw new IllegalStateException("kubectl port-forward did not listen: " + Files.readString(out));
  }

  /** Seconds to read everything the pod sends on one connection; fails if it is not {@code expected} bytes. */
  private static double read(String host, int port, long expected) throws IOException {
    long t0 = System.nanoTime();
    long total = 0;
    try (Socket socket = new Socket(host, port); InputStream in = socket.getInputStream()) {
      socket.setSoTimeout(60_000);
      socket.shutdownOutput();
      byte[] buffer = new byte[256 * 1024];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        total += n;
      }
    }
    if (total != expected) {
      throw new IllegalStateException("read " + total + " of " + expected + " bytes from " + host + ":" + port);
    }
    return (System.nanoTime() - t0) / 1e9;
  }
}
