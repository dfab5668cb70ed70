package io.steuermann.node.volumes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.steuermann.node.volumes.ResolvedVolumes.VolumeFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kubernetes' atomic writer layout on a real file system: ..data swap, old directories removed, modes. */
class AtomicWriterTest {
  @TempDir
  Path dir;


  private static VolumeFile file(String text, int mode) {
    return new VolumeFile(text.getBytes(StandardCharsets.UTF_8), mode);
  }

  private AtomicWriter writer() {
    return new AtomicWriter(dir, Clock.fixed(Instant.parse("2026-12-07T15:04:05Z"), ZoneOffset.UTC));
  }

  private List<String> stamped() throws Exception {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith("..") && !n.equals("..data")).sorted().toList();
    }
  }

  @Test
  void filesAreSymlinksIntoTheDataDirectoryWithTheirModes() throws Exception {
    assertTrue(writer().write(Map.of("a", file("one", 0644), "nested/b", file("two", 0400))));
    assertTrue(Files.isSymbolicLink(dir.resolve("..data")));
    List<String> stamped = stamped();
    assertEquals(1, stamped.size());
    assertTrue(stamped.get(0).startsWith("..2026_12_07_15_04_05."), stamped.get(0));
    assertEquals(Path.of(stamped.get(0)), Files.readSymbolicLink(dir.resolve("..data")));
    assertEquals(Path.of("..data/a"), Files.readSymbolicLink(dir.resolve("a")));
    assertEquals(Path.of("..data/nested"), Files.readSymbolicLink(dir.resolve("nested")));
    assertEquals("one", Files.readString(dir.resolve("a")));
    assertEquals("two", Files.readString(dir.resolve("nested/b")));
    assertEquals("r--------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("nested/b"))));
    assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a"))));
  }

  @Test
  void anUpdateSwapsDataAndRemovesTheOldDirectoryAndGoneKeys() throws Exception {
    writer().write(Map.of("a", file("one", 0644), "gone", file("x", 0644)));
    String first = stamped().get(0);
    assertTrue(writer().write(Map.of("a", file("changed", 0644), "new", file("n", 0600))));
    List<String> now = stamped();
    assertEquals(1, now.size(), now.toString());
    assertFalse(now.contains(first));
    assertEquals("changed", Files.readString(dir.resolve("a")));
    assertEquals("n", Files.readString(dir.resolve("new")));
    assertFalse(Files.exists(dir.resolve("gone"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    assertFalse(Files.exists(dir.resolve("..data_tmp"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void theSameContentWritesNothingButAModeChangeDoes() throws Exception {
    writer().write(Map.of("a", file("one", 0644)));
    String first = stamped().get(0);
    assertFalse(writer().write(Map.of("a", file("one", 0644))));
    assertEquals(List.of(first), stamped());
    assertTrue(writer().write(Map.of("a", file("one", 0400))));
    assertEquals("r--------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a"))));
  }

  @Test
  void anEmptyPayloadLeavesAnEmptyVolume() throws Exception {
    writer().write(Map.of("a", file("one", 0644)));
    assertTrue(writer().write(Map.of()));
    try (Stream<Path> entries = Files.list(dir)) {
      assertEquals(List.of("..data"), entries.map(p -> p.getFileName().toString())
          .filter(n -> !n.startsWith("..2")).toList());
    }
  }
}
