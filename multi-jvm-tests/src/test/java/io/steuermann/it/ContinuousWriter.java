package io.steuermann.it;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A client that writes continuously while members crash, freeze and restart: it creates pods
 * {@code w-1, w-2, ...} (label {@code role=write}, {@code schedulerName: none} so that no
 * scheduler or node touches them), one request at a time, each to the next running member in
 * turn. It records which writes were acknowledged (2xx, with their uid and resourceVersion);
 * a write that failed or timed out may or may not have happened, and is never retried under
 * the same name.
 */
final class ContinuousWriter implements AutoCloseable {
  static final String SELECTOR = "role=write";

  /** An acknowledged create. */
  record Ack(String name, String uid, long resourceVersion, int member) {}

  private final Supplier<List<URI>> targets;
  private final Map<String, Ack> acknowledged = new ConcurrentHashMap<>();
  private final Map<URI, ApiClient> clients = new ConcurrentHashMap<>();
  private final AtomicInteger failed = new AtomicInteger();
  private final List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final AtomicInteger sequence = new AtomicInteger();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;
  private final Duration timeout;
  private final String prefix;
  private final java.util.concurrent.atomic.AtomicLong slowestNanos = new java.util.concurrent.atomic.AtomicLong();

  /** {@code targets}: the API base URIs of the members to write to now (asked before each write). */
  ContinuousWriter(Supplier<List<URI>> targets) {
    // a short timeout: a write stuck on a frozen or dead member must not stop the others
    this(targets, Duration.ofSeconds(10));
  }

  /** As {@link #ContinuousWriter(Supplier)}, each write waiting at most {@code timeout} for its answer. */
  ContinuousWriter(Supplier<List<URI>> targets, Duration timeout) {
    this("w-", targets, timeout);
  }

  /** As {@link #ContinuousWriter(Supplier, Duration)}, its pods named {@code prefix1, prefix2, ...}. */
  ContinuousWriter(String prefix, Supplier<List<URI>> targets, Duration timeout) {
    this.prefix = prefix;
    this.targets = targets;
    this.timeout = timeout;
    this.thread = new Thread(this::run, "continuous-writer-" + prefix);
    thread.setDaemon(true);
    thread.start();
  }

  static ObjectNode writePod(String name) {
    ObjectNode pod = ApiClient.pod(name);
    ((ObjectNode) pod.get("metadata")).putObject("labels").put("role", "write");
    ((ObjectNode) pod.get("spec")).put("schedulerName", "none");
    return pod;
  }

  private void run() {
    int turn = 0;
    while (running.get()) {
      List<URI> now = targets.get();
      if (now.isEmpty()) {
        Thread.onSpinWait();
        continue;
      }
      URI target = now.get(turn++ % now.size());
      String name = prefix + sequence.incrementAndGet();
      ApiClient api = clients.computeIfAbsent(target, t -> new ApiClient(t, timeout));
      long sent = System.nanoTime();
      try {
        ApiClient.Reply reply = api.create(ApiClient.PODS, writePod(name));
        slowestNanos.accumulateAndGet(System.nanoTime() - sent, Math::max);
        if (reply.status() == 201) {
          acknowledged.put(name, new Ack(name, reply.uid(), reply.resourceVersion(), target.getPort()));
        } else {
          failed.incrementAndGet();
          failures.add(name + " to " + target + ": " + reply.status() + " " + reply.raw());
        }
      } catch (RuntimeException e) {
        failed.incrementAndGet();
        failures.add(name + " to " + target + ": " + e + (e.getCause() == null ? "" : " (" + e.getCause() + ")"));
      }
    }
  }

  Map<String, Ack> acknowledged() {
    return Map.copyOf(acknowledged);
  }

  int acknowledgedCount() {
    return acknowledged.size();
  }

  int failedCount() {
    return failed.get();
  }

  /** What each failed write answered, or how it failed. */
  List<String> failures() {
    return List.copyOf(failures);
  }

  /** The longest time a write that was answered waited for its answer. */
  Duration slowest() {
    return Duration.ofNanos(slowestNanos.get());
  }

  /** Writes attempted so far. */
  int attempted() {
    return sequence.get();
  }

  @Override
  public void close() {
    running.set(false);
    try {
      thread.join(Duration.ofSeconds(30).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
