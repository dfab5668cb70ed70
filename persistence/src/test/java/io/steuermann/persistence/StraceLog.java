package io.steuermann.persistence;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an {@code strace -f -y -s <big>} log of write, pwrite64, fsync and fdatasync calls and
 * answers, for every "ACK marker" a process wrote to stdout, whether a sync of the store file
 * completed after the first write of that marker into the store file and before the ACK.
 * Positions are line numbers: strace writes one log in the order the calls happen.
 */
final class StraceLog {

  private static final Pattern LINE = Pattern.compile("^(\\d+) +(.*)$");
  private static final Pattern RESUMED = Pattern.compile("^<\\.\\.\\. (\\w+) resumed>.*= (-?\\d+)");
  private static final Pattern CALL = Pattern.compile("^(\\w+)\\((\\d+)<([^>]*)>");
  private static final Pattern MARKER = Pattern.compile("MARK\\d+x\\d+END");
  private static final Pattern ACK = Pattern.compile("^write\\(1<[^>]*>, \"ACK (MARK\\d+x\\d+END)");

  /** An acknowledged marker that no completed sync separates from its first write. */
  record Violation(String marker, int firstWrite, int ack) {}

  private final Map<String, Integer> firstWrite = new HashMap<>();
  private final Map<String, Integer> acks = new HashMap<>();
  private final TreeSet<Integer> syncs = new TreeSet<>();

  static StraceLog read(Path log, String storeFile) throws IOException {
    StraceLog parsed = new StraceLog();
    Map<String, String> pendingSyncPath = new HashMap<>();
    List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
    for (int n = 0; n < lines.size(); n++) {
      Matcher line = LINE.matcher(lines.get(n));
      if (!line.matches()) {
        continue;
      }
      String pid = line.group(1);
      String call = line.group(2);
      Matcher resumed = RESUMED.matcher(call);
      if (resumed.find()) {
        String path = pendingSyncPath.remove(pid);
        if (path != null && path.endsWith(storeFile) && resumed.group(2).equals("0")) {
          parsed.syncs.add(n);
        }
        continue;
      }
      Matcher ack = ACK.matcher(call);
      if (ack.find()) {
        parsed.acks.putIfAbsent(ack.group(1), n);
        continue;
      }
      Matcher c = CALL.matcher(call);
      if (!c.find() || !c.group(3).endsWith(storeFile)) {
        continue;
      }
      String name = c.group(1);
      if (name.equals("fsync") || name.equals("fdatasync")) {
        if (call.endsWith("<unfinished ...>")) {
          pendingSyncPath.put(pid, c.group(3));
        } else if (call.matches(".*= 0$")) {
          parsed.syncs.add(n);
        }
      } else if (name.startsWith("pwrite") || name.equals("write")) {
        Matcher m = MARKER.matcher(call);
        while (m.find()) {
          parsed.firstWrite.putIfAbsent(m.group(), n);
        }
      }
    }
    return parsed;
  }

  int acknowledged() {
    return acks.size();
  }

  int syncCount() {
    return syncs.size();
  }

  List<Violation> violations() {
    List<Violation> found = new ArrayList<>();
    acks.forEach((marker, ack) -> {
      Integer written = firstWrite.get(marker);
      Integer sync = written == null ? null : syncs.higher(written);
      if (written == null || sync == null || sync > ack) {
        found.add(new Violation(marker, written == null ? -1 : written, ack));
      }
    });
    return found;
  }
}
