package io.steuermann.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One etcd member for a benchmark: a fresh data directory, client and peer URLs on 127.0.0.1,
 * etcd's defaults otherwise (every commit fsynced). Stopped with SIGTERM, then SIGKILL.
 */
final class EtcdProcess implements AutoCloseable {

  private final Process process;
  private final int clientPort;
  private final String version;

  private EtcdProcess(Process process, int clientPort, String version) {
    this.process = process;
    this.clientPort = clientPort;
    this.version = version;
  }

  static EtcdProcess start(Path dir) throws Exception {
    Files.createDirectories(dir);
    int client = ServerProcess.freePort();
    int peer = ServerProcess.freePort();
    String clientUrl = "http://127.0.0.1:" + client;
    String peerUrl = "http://127.0.0.1:" + peer;
    Process p = new ProcessBuilder(List.of("etcd", "--name", "bench", "--data-dir", dir.resolve("data").toString(),
            "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
            "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
            "--initial-cluster", "bench=" + peerUrl, "--log-level", "warn", "--logger", "zap"))
        .redirectErrorStream(true).redirectOutput(dir.resolve("etcd.log").toFile()).start();
    EtcdProcess etcd = new EtcdProcess(p, client, readVersion());
    try {
      WritePathBench.awaitOk(client, "/health", p::isAlive);
    } catch (Exception e) {
      etcd.close();
      throw new IllegalStateException("etcd did not start; see " + dir.resolve("etcd.log"), e);
    }
    return etcd;
  }

  private static String readVersion() {
    try {
      Process v = new ProcessBuilder("etcd", "--version").redirectErrorStream(true).start();
      String out = new String(v.getInputStream().readAllBytes());
      v.waitFor(5, TimeUnit.SECONDS);
      return out.lines().findFirst().orElse("").replace("etcd Version: ", "").trim();
    } catch (IOException e) {
      return "?";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  int clientPort() {
    return clientPort;
  }

  long pid() {
    return process.pid();
  }

  String version() {
    return version;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
