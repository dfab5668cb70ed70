package io.steuermann.node.docker;

import static org.junit.jupiter.api.Assertions.fail;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import io.steuermann.node.runtime.docker.BusyboxImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * An image for UDP backends: the static busybox of {@link DockerSupport#IMAGE} plus
 * {@code /bin/udpecho PORT NAME} (test resource {@code docker/udpecho.c}, which answers each
 * datagram with {@code NAME:datagram}). Busybox has no UDP server applet (no {@code udpsvd},
 * and its {@code nc} has no {@code -u}), so the test compiles one with {@code gcc -static} and
 * imports the image once per version of the source (the tag is the source's hash).
 *
 * <p>Follows {@link DockerSupport#requireDocker()}'s rule: without a C compiler able to link
 * statically the test fails, saying so (.ci/run installs gcc and libc6-dev).
 */
public final class UdpEchoImage {
  private UdpEchoImage() {}

  /** Makes the image unless it exists and answers its name; fails the test as above. */
  public static String require() {
    String problem;
    try {
      byte[] source = source();
      String image = "steuermann/udpecho:" + HexFormat.of().formatHex(sha256(source)).substring(0, 12);
      DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
      DockerHttpClient http = new ZerodepDockerHttpClient.Builder().dockerHost(config.getDockerHost())
          .sslConfig(config.getSSLConfig()).connectionTimeout(Duration.ofSeconds(5)).build();
      try (DockerClient docker = DockerClientImpl.getInstance(config, http)) {
        if (!BusyboxImage.exists(docker, image)) {
          importImage(http, image, rootfs(compile(source)));
        }
      }
      return image;
    } catch (IOException | RuntimeException e) {
      problem = e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      problem = e.toString();
    }
    return fail("Cannot make the UDP echo image (gcc -static and a Docker engine are needed; .ci/run installs "
        + "gcc and libc6-dev): " + problem);
  }

  private static byte[] source() throws IOException {
    try (InputStream in = UdpEchoImage.class.getResourceAsStream("/docker/udpecho.c")) {
      if (in == null) {
        throw new IOException("test resource docker/udpecho.c is missing");
      }
      return in.readAllBytes();
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] compile(byte[] source) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("udpecho");
    try {
      Files.write(dir.resolve("udpecho.c"), source);
      Process gcc = new ProcessBuilder("gcc", "-static", "-Os", "-o", "udpecho", "udpecho.c")
          .directory(dir.toFile()).redirectErrorStream(true).start();
      String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!gcc.waitFor(120, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
        throw new IOException("gcc -static udpecho.c failed: " + output);
      }
      return Files.readAllBytes(dir.resolve("udpecho"));
    } finally {
      for (String f : List.of("udpecho", "udpecho.c")) {
        Files.deleteIfExists(dir.resolve(f));
      }
      Files.deleteIfExists(dir);
    }
  }

  /** /bin/busybox with its applet links (as the test image), /bin/udpecho, /etc, /tmp. */
  private static byte[] rootfs(byte[] udpecho) throws IOException {
    byte[] busybox = Files.readAllBytes(DockerSupport.BUSYBOX);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(busybox.length + udpecho.length + 64 * 1024);
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      for (String dir : List.of("bin/", "etc/", "tmp/")) {
        TarArchiveEntry entry = new TarArchiveEntry(dir);
        entry.setMode(dir.equals("tmp/") ? 01777 : 0755);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
      }
      file(tar, "bin/busybox", busybox);
      file(tar, "bin/udpecho", udpecho);
      for (String applet : BusyboxImage.APPLETS) {
        TarArchiveEntry link = new TarArchiveEntry("bin/" + applet, TarArchiveEntry.LF_SYMLINK);
        link.setLinkName("busybox");
        link.setMode(0777);
        tar.putArchiveEntry(link);
        tar.closeArchiveEntry();
      }
      tar.finish();
    }
    return bytes.toByteArray();
  }

  private static void file(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
    TarArchiveEntry file = new TarArchiveEntry(name);
    file.setMode(0755);
    file.setSize(content.length);
    tar.putArchiveEntry(file);
    tar.write(content);
    tar.closeArchiveEntry();
  }

  /** {@code docker import} through the API (docker-java's own import command sends a truncated tar). */
  private static void importImage(DockerHttpClient http, String image, byte[] tar) throws IOException {
    int colon = image.lastIndexOf(':');
    DockerHttpClient.Request request = DockerHttpClient.Request.builder()
        .method(DockerHttpClient.Request.Method.POST)
        .path("/images/create?fromSrc=-&repo=" + image.substring(0, colon) + "&tag=" + image.substring(colon + 1))
        .putHeader("Content-Type", "application/x-tar")
        .body(new ByteArrayInputStream(tar))
        .build();
    try (DockerHttpClient.Response response = http.execute(request)) {
      String body = new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8);
      if (response.getStatusCode() != 200 || body.contains("\"error\"")) {
        throw new IOException("docker import of " + image + " failed: " + response.getStatusCode() + " " + body);
      }
    }
  }
}
