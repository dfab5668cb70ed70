package io.steuermann.node.runtime;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * The log of one simulated container instance: a line when it starts and one when it ends,
 * read with kubelet's options, so that clients of logs (kubectl logs -f, --timestamps, --tail,
 * --since, --previous) can be tried on hollow nodes as on Docker. Thread-safe.
 */
final class HollowLog {
  /** kubelet's output format for {@code timestamps=true}: RFC 3339 with nine fraction digits. */
  static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

  private record Line(Instant at, String text) {}

  private final List<Line> lines = new ArrayList<>();
  private final CompletableFuture<Instant> ended = new CompletableFuture<>();

  synchronized void write(Instant at, String text) {
    if (!ended.isDone()) {
      lines.add(new Line(at, text));
    }
  }

  /** The instance ended: its last line, and every follower's stream completes. */
  void end(Instant at, String text) {
    write(at, text);
    ended.complete(at);
  }

  /** The lines as options select them; with {@code follow}, open until the instance ends. */
  Source<ByteString, NotUsed> read(ContainerRuntime.LogOptions options) {
    List<Line> now;
    synchronized (this) {
      now = List.copyOf(lines);
    }
    List<ByteString> selected = render(select(now, options), options.timestamps());
    Source<ByteString, NotUsed> written = Source.from(selected);
    if (!options.follow() || ended.isDone()) {
      return written;
    }
    int seen = now.size();
    // what is written while following: after the end, the lines the snapshot did not have
    Source<ByteString, NotUsed> later = Source.completionStage(ended).mapConcat(done -> {
      synchronized (this) {
        return render(lines.subList(seen, lines.size()), options.timestamps());
      }
    });
    return written.concat(later);
  }

  private static List<Line> select(List<Line> all, ContainerRuntime.LogOptions options) {
    List<Line> selected = new ArrayList<>();
    for (Line line : all) {
      if (options.sinceTime().map(since -> !line.at().isBefore(since)).orElse(true)) {
        selected.add(line);
      }
    }
    if (options.tailLines().isPresent() && selected.size() > options.tailLines().getAsInt()) {
      return selected.subList(selected.size() - options.tailLines().getAsInt(), selected.size());
    }
    return selected;
  }

  private static List<ByteString> render(List<Line> lines, boolean timestamps) {
    List<ByteString> out = new ArrayList<>(lines.size());
    for (Line line : lines) {
      out.add(ByteString.fromString((timestamps ? TIMESTAMP.format(line.at()) + " " : "") + line.text() + "\n"));
    }
    return out;
  }
}
