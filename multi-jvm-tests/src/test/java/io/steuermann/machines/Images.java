package io.steuermann.machines;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * Root filesystems for {@code docker import} (there is no registry): the static busybox with a
 * link for every applet it has, and the {@linkplain #fetchRootfs fetch image} — busybox plus
 * {@code /bin/fetch}, a static musl client that does an HTTP GET by name, plus CGIs for busybox
 * httpd, so that one image is both a frontend (its {@code /cgi-bin/call} fetches
 * {@code $BACKEND_URL}, default {@code http://backend/cgi-bin/hostname}) and a backend (its
 * {@code /cgi-bin/hostname} answers the pod's host name, so a test sees which backend
 * answered, and {@code /cgi-bin/remote} the client's address as the pod sees it). Run it as {@code httpd -f -p 80 -h /www}.
 */
public final class Images {
  /** Where the static busybox comes from (Debian's busybox-static). */
  public static final Path BUSYBOX = Path.of("/bin/busybox");
  /** Made under the build directory, once per version of fetch.c and of this layout. */
  private static final Path WORK = Path.of("target", "machines-images").toAbsolutePath();

  static final String CALL_CGI = """
      #!/bin/sh
      # GET $BACKEND_URL (or the query string, when one is given) by name with fetch
      url="${QUERY_STRING:-${BACKEND_URL:-http://backend/cgi-bin/hostname}}"
      if body="$(/bin/fetch -t 5 "$url" 2>&1)"; then
        printf 'Content-Type: text/plain\\r\\n\\r\\n%s\\n' "$body"
      else
        printf 'Status: 502 Bad Gateway\\r\\nContent-Type: text/plain\\r\\n\\r\\n%s\\n' "$body"
      fi
      """;
  static final String HOSTNAME_CGI = """
      #!/bin/sh
      printf 'Content-Type: text/plain\\r\\n\\r\\n%s\\n' "$(hostname)"
      """;

  static final String REMOTE_CGI = """
      #!/bin/sh
      # the client's address as this pod sees it: a pod IP when nothing NATs on the way
      # (busybox httpd listens on IPv6 and writes [::ffff:a.b.c.d]; answer a.b.c.d)
      a="${REMOTE_ADDR#[}"; a="${a%]}"; a="${a#::ffff:}"
      printf 'Content-Type: text/plain\\r\\n\\r\\n%s\\n' "$a"
      """;

  private Images() {}

  /** /bin/busybox, a link per applet, /etc, /tmp; made once under the build directory. */
  public static synchronized Path busyboxRootfs() {
    Path dir = WORK.resolve("busybox");
    if (Files.isDirectory(dir.resolve("bin"))) {
      return dir;
    }
    try {
      // laid out aside and moved: a run that dies half-way leaves no half image behind
      Path tmp = WORK.resolve("busybox.tmp");
      Shell.run("rm", "-rf", tmp.toString());
      layBusybox(tmp);
      Files.move(tmp, dir);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * busybox plus {@code /bin/fetch} (compiled here with {@code musl-gcc -static} from the test
   * resource {@code machines/fetch.c}) and {@code /www/cgi-bin/{call,hostname}}. Fails, saying
   * so, without musl-gcc (.ci/run installs musl-tools).
   */
  public static synchronized Path fetchRootfs() {
    try {
      byte[] source = resource("/machines/fetch.c");
      String version = sha256(source, CALL_CGI.getBytes(StandardCharsets.UTF_8),
          HOSTNAME_CGI.getBytes(StandardCharsets.UTF_8), REMOTE_CGI.getBytes(StandardCharsets.UTF_8));
      Path dir = WORK.resolve("fetch-" + version);
      if (Files.isRegularFile(dir.resolve("bin/fetch"))) {
        return dir;
      }
      Path tmp = WORK.resolve("fetch-" + version + ".tmp");
      Shell.run("rm", "-rf", tmp.toString());
      layBusybox(tmp);
      Files.write(tmp.resolve("fetch.c"), source);
      Shell.run(List.of("musl-gcc", "-static", "-Os", "-Wall", "-o", tmp.resolve("bin/fetch").toString(),
          tmp.resolve("fetch.c").toString()), null, Duration.ofSeconds(120)).check();
      Files.delete(tmp.resolve("fetch.c"));
      Path cgi = Files.createDirectories(tmp.resolve("www/cgi-bin"));
      executable(cgi.resolve("call"), CALL_CGI);
      executable(cgi.resolve("hostname"), HOSTNAME_CGI);
      executable(cgi.resolve("remote"), REMOTE_CGI);
      Files.writeString(tmp.resolve("www/index.html"), "steuermann fetch image\n");
      Files.move(tmp, dir);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Shell.CommandFailed e) {
      throw new AssertionError("cannot build fetch (musl-gcc -static is needed; .ci/run installs musl-tools): "
          + e.getMessage(), e);
    }
  }

  /** The image name of {@link #fetchRootfs()}'s content: its tag follows the content. */
  public static String fetchImage() {
    return "steuermann/fetch:" + fetchRootfs().getFileName().toString().substring("fetch-".length());
  }

  private static void layBusybox(Path dir) throws IOException {
    if (!Files.isRegularFile(BUSYBOX)) {
      throw new AssertionError("no static busybox at " + BUSYBOX + " (.ci/run installs busybox-static)");
    }
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Files.createDirectories(dir.resolve("etc"));
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
    Files.copy(BUSYBOX, bin.resolve("busybox"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    for (String applet : Shell.check(BUSYBOX.toString(), "--list").out().split("\\s+")) {
      if (!applet.isBlank() && !applet.equals("busybox")) {
        Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
      }
    }
  }

  private static void executable(Path file, String content) throws IOException {
    Files.writeString(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = Images.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("test resource " + name + " is missing");
      }
      return in.readAllBytes();
    }
  }

  private static String sha256(byte[]... parts) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (byte[] p : parts) {
        digest.update(p);
      }
      return HexFormat.of().formatHex(digest.digest()).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
