package io.steuermann.node.volumes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.steuermann.node.volumes.ResolvedVolumes.HostPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kubelet's hostPath type checks on the real file system. */
class HostPathCheckTest {
  @TempDir
  Path dir;

  private static Optional<String> check(Path p, String type) {
    return PodVolumes.checkHostPath(new HostPath("v", p.toString(), type));
  }

  @Test
  void typesAreCheckedAndTheOrCreateTypesCreate() throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "x");
    assertEquals(Optional.empty(), check(file, "File"));
    assertEquals(Optional.of("hostPath type check failed: " + dir + " is not a file"), check(dir, "File"));
    assertEquals(Optional.of("hostPath type check failed: " + file + " is not a directory"), check(file, "Directory"));
    assertEquals(Optional.of("hostPath type check failed: " + dir.resolve("none") + " is not a directory"),
        check(dir.resolve("none"), "Directory"));
    assertEquals(Optional.empty(), check(dir.resolve("made/deep"), "DirectoryOrCreate"));
    assertTrue(Files.isDirectory(dir.resolve("made/deep")));
    assertEquals(Optional.empty(), check(dir.resolve("new-file"), "FileOrCreate"));
    assertTrue(Files.isRegularFile(dir.resolve("new-file")));
    assertEquals(Optional.empty(), check(Path.of("/dev/null"), "CharDevice"));
    assertEquals(Optional.of("hostPath type check failed: /dev/null is not a block device"), check(Path.of("/dev/null"), "BlockDevice"));
    assertEquals(Optional.of("hostPath type check failed: " + file + " is not a socket file"), check(file, "Socket"));
    assertEquals(Optional.empty(), check(dir.resolve("anything"), ""));
  }

  @Test
  void aUnixSocketIsASocket() throws Exception {
    Path socket = dir.resolve("s.sock");
    try (var channel = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      channel.bind(java.net.UnixDomainSocketAddress.of(socket));
      assertEquals(Optional.empty(), check(socket, "Socket"));
    }
  }
}
