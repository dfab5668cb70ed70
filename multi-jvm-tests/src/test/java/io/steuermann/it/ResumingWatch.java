package io.steuermann.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A watch as a Kubernetes client (an informer's reflector) keeps it: when the stream ends
 * (its member stops) it watches again from the last resourceVersion it saw, on the next
 * running member. It records every event's resourceVersion in arrival order and every
 * ordering violation (an event not above the previous one: a duplicate or a reordering), so
 * a test can check that the resumed watch had neither gaps nor duplicates.
 */
final class ResumingWatch implements AutoCloseable {
  private final Supplier<List<ApiClient>> members;
  private final String path;
  private final Consumer<JsonNode> onEvent;
  private final List<Long> versions = new CopyOnWriteArrayList<>();
  private final Map<String, Long> addedAt = new ConcurrentHashMap<>();
  private final List<String> violations = new CopyOnWriteArrayList<>();
  private final AtomicInteger resumes = new AtomicInteger();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;
  private volatile long last;

  /**
   * Watches {@code path} (a collection path, may carry a label selector) from {@code from} on the
   * members {@code members} gives (asked again at each resume); {@code onEvent} sees each event
   * in order, on the watch's thread.
   */
  ResumingWatch(Supplier<List<ApiClient>> members, String path, long from, Consumer<JsonNode> onEvent) {
    this.members = members;
    this.path = path;
    this.last = from;
    this.onEvent = onEvent;
    this.thread = new Thread(this::run, "resuming-watch " + path);
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    int turn = 0;
    while (running.get()) {
      List<ApiClient> now = members.get();
      if (now.isEmpty()) {
        Thread.onSpinWait();
        continue;
      }
      ApiClient api = now.get(turn++ % now.size());
      try (ApiClient.Watch watch = api.watch(path, last)) {
        int status;
        try {
          status = watch.status().get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
          continue; // that member is going or gone: the next one
        }
        if (status != 200) {
          if (status == 410) {
            violations.add("410 Gone resuming from " + last + " on " + api.base());
            return;
          }
          continue;
        }
        resumes.incrementAndGet();
        while (running.get()) {
          JsonNode event = watch.poll(Duration.ofMillis(200));
          if (event != null) {
            accept(event);
          } else if (watch.ended().isDone() && watch.events().isEmpty()) {
            break;
          }
        }
      }
    }
  }

  private void accept(JsonNode event) {
    String type = event.path("type").asText();
    if (type.equals("ERROR")) {
      violations.add("ERROR event " + event);
      return;
    }
    JsonNode meta = event.path("object").path("metadata");
    long rv = Long.parseLong(meta.path("resourceVersion").asText("0"));
    if (rv <= last) {
      violations.add(type + " " + meta.path("name").asText() + " at " + rv + " after " + last);
      return;
    }
    last = rv;
    versions.add(rv);
    if (type.equals("ADDED")) {
      addedAt.put(meta.path("name").asText(), rv);
    }
    onEvent.accept(event);
  }

  /** The resourceVersion of the ADDED event of each object seen created. */
  Map<String, Long> added() {
    return Map.copyOf(addedAt);
  }

  List<String> violations() {
    return List.copyOf(violations);
  }

  int events() {
    return versions.size();
  }

  /** How many times a stream was opened (1 + the resumptions). */
  int streams() {
    return resumes.get();
  }

  @Override
  public void close() {
    running.set(false);
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
