package io.steuermann.node;

import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Bounds how many asynchronous writes of many agents are in flight at once, without blocking
 * anyone: calls beyond the bound wait in a queue and start as earlier ones finish. A thousand
 * nodes registering together thus reach the store at the rate it can take instead of all at
 * once (which ends in ask timeouts).
 */
final class WriteGate {
  private final int limit;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();

  WriteGate(int limit) {
    this.limit = limit;
  }

  <T> CompletionStage<T> submit(Supplier<CompletionStage<T>> call) {
    CompletableFuture<T> result = new CompletableFuture<>();
    waiting.add(() -> {
      CompletionStage<T> stage;
      try {
        stage = call.get();
      } catch (RuntimeException e) {
        stage = CompletableFuture.failedFuture(e);
      }
      stage.whenComplete((value, error) -> {
        inFlight.decrementAndGet();
        drain();
        if (error != null) {
          result.completeExceptionally(error);
        } else {
          result.complete(value);
        }
      });
    });
    drain();
    return result;
  }

  private void drain() {
    while (true) {
      int n = inFlight.get();
      if (n >= limit || waiting.isEmpty()) {
        return;
      }
      if (inFlight.compareAndSet(n, n + 1)) {
        Runnable next = waiting.poll();
        if (next == null) {
          inFlight.decrementAndGet();
          continue;
        }
        next.run();
      }
    }
  }
}
