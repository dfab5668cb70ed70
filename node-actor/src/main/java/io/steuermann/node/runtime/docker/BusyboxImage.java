package io.steuermann.node.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.transport.DockerHttpClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Makes an image without any registry: {@code docker import} of a root filesystem that holds
 * only a static busybox ({@code /bin/busybox}) and links for some of its applets
 * ({@code /bin/sh}, {@code /bin/sleep}, ...). The pod sandboxes run such an image, and the
 * tests use one as their workload.
 */
public final class BusyboxImage {
  /** The applets linked into {@code /bin}: enough for a shell, httpd, wget, nc and the usual tools. */
  public static final List<String> APPLETS = List.of("sh", "sleep", "httpd", "wget", "nc", "cat", "echo", "ls",
      "env", "pwd", "hostname", "kill", "ps", "date", "head", "tail", "grep", "seq", "true", "false", "mkdir",
      "rm", "touch", "id", "printf", "test", "dd", "yes", "wc", "tee",
      // kubectl cp runs tar in the container; the exec tests check what arrived with md5sum
      "tar", "md5sum", "stty");

  private BusyboxImage() {}

  /** Whether {@code image} exists in the engine. */
  public static boolean exists(DockerClient docker, String image) {
    try {
      docker.inspectImageCmd(image).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  /**
   * Imports {@code image} (as {@code repository:tag}) from {@code busybox} unless it exists;
   * answers whether it had to be made. Two importers at once produce the same image.
   */
  public static boolean ensure(DockerClient docker, DockerHttpClient http, String image, Path busybox)
      throws IOException {
    if (exists(docker, image)) {
      return false;
    }
    if (!Files.isRegularFile(busybox)) {
      throw new IOException("cannot make the image " + image + ": no static busybox at " + busybox
          + " (install busybox-static, or set steuermann.node.docker.busybox)");
    }
    int colon = image.lastIndexOf(':');
    boolean tagged = colon > image.lastIndexOf('/');
    String repository = tagged ? image.substring(0, colon) : image;
    String tag = tagged ? image.substring(colon + 1) : "latest";
    // docker-java's createImageCmd sends a body the engine reads as a truncated tar
    // ("unexpected EOF"); the same request made directly works
    DockerHttpClient.Request request = DockerHttpClient.Request.builder()
        .method(DockerHttpClient.Request.Method.POST)
        .path("/images/create?fromSrc=-&repo=" + encode(repository) + "&tag=" + encode(tag))
        .putHeader("Content-Type", "application/x-tar")
        .body(new ByteArrayInputStream(rootfs(busybox)))
        .build();
    try (DockerHttpClient.Response response = http.execute(request)) {
      String body = new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8);
      if (response.getStatusCode() != 200 || body.contains("\"error\"")) {
        throw new IOException("docker import of " + image + " failed: " + response.getStatusCode() + " " + body);
      }
    }
    if (!exists(docker, image)) {
      throw new IOException("docker import of " + image + " reported success, but the image is not there");
    }
    return true;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** The tar of the root filesystem: /bin/busybox, applet symlinks, and empty /etc and /tmp. */
  static byte[] rootfs(Path busybox) throws IOException {
    byte[] binary = Files.readAllBytes(busybox);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(binary.length + 64 * 1024);
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      for (String dir : List.of("bin/", "etc/", "tmp/")) {
        TarArchiveEntry entry = new TarArchiveEntry(dir);
        entry.setMode(dir.equals("tmp/") ? 01777 : 0755);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
      }
      TarArchiveEntry file = new TarArchiveEntry("bin/busybox");
      file.setMode(0755);
      file.setSize(binary.length);
      tar.putArchiveEntry(file);
      tar.write(binary);
      tar.closeArchiveEntry();
      for (String applet : APPLETS) {
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
}
