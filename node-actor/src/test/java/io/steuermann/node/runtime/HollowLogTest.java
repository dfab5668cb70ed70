package io.steuermann.node.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A hollow container's log read with kubelet's options. */
class HollowLogTest {
  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00.5Z");
  private static ActorSystem<Void> system;

  @BeforeAll
  static void start() {
    system = ActorSystem.create(Behaviors.empty(), "hollow-log-test");
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  private static ContainerRuntime.LogOptions options(boolean follow, Integer tail, boolean timestamps, Instant since) {
    return new ContainerRuntime.LogOptions(follow, tail == null ? OptionalInt.empty() : OptionalInt.of(tail),
        timestamps, false, Optional.ofNullable(since));
  }

  private static CompletableFuture<String> read(HollowLog log, ContainerRuntime.LogOptions options) {
    return log.read(options).runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), system)
        .thenApply(ByteString::utf8String).toCompletableFuture();
  }

  private static HollowLog threeLines() {
    HollowLog log = new HollowLog();
    log.write(T0, "one");
    log.write(T0.plusSeconds(10), "two");
    log.write(T0.plusSeconds(20), "three");
    return log;
  }

  @Test
  void tailSinceAndTimestamps() throws Exception {
    HollowLog log = threeLines();
    assertEquals("one\ntwo\nthree\n", read(log, options(false, null, false, null)).get(5, TimeUnit.SECONDS));
    assertEquals("two\nthree\n", read(log, options(false, 2, false, null)).get(5, TimeUnit.SECONDS));
    assertEquals("three\n", read(log, options(false, null, false, T0.plusSeconds(15))).get(5, TimeUnit.SECONDS));
    assertEquals("three\n", read(log, options(false, 1, false, T0.plusSeconds(5))).get(5, TimeUnit.SECONDS));
    assertEquals("2026-12-07T10:00:00.500000000Z one\n2026-12-07T10:00:10.500000000Z two\n"
        + "2026-12-07T10:00:20.500000000Z three\n", read(log, options(false, null, true, null)).get(5, TimeUnit.SECONDS));
  }

  @Test
  void followStaysOpenUntilTheInstanceEndsAndBringsWhatCameMeanwhile() throws Exception {
    HollowLog log = threeLines();
    CompletableFuture<String> followed = read(log, options(true, 1, false, null));
    log.write(T0.plusSeconds(30), "four");
    assertFalse(followed.isDone(), "a follower waits while the instance runs");
    log.end(T0.plusSeconds(40), "exited");
    assertEquals("three\nfour\nexited\n", followed.get(5, TimeUnit.SECONDS));
    // after the end, nothing more is written and a follower gets the log at once
    log.write(T0.plusSeconds(50), "late");
    assertTrue(read(log, options(true, null, false, null)).get(5, TimeUnit.SECONDS).endsWith("exited\n"));
  }
}
