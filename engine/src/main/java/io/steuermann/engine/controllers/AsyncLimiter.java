package io.steuermann.engine.controllers;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Bounds how many asynchronous calls (writes to the object store) are in flight at once;
 * further calls wait in order. Thread-safe: calls complete on any thread.
 */
public final class AsyncLimiter {
  private record Waiting<T>(Supplier<CompletionStage<T>> call, CompletableFuture<T> result) {
    void start(AsyncLimiter limiter) {
      CompletionStage<T> stage;
      try {
        stage = call.get();
      } catch (RuntimeException e) {
        stage = CompletableFuture.failedFuture(e);
      }
      stage.whenComplete((value, error) -> {
        limiter.release();
        if (error != null) {
          result.completeExceptionally(error);
        } else {
          result.complete(value);
        }
      });
    }
  }

  private final int permits;
  private final ArrayDeque<Waiting<?>> queue = new ArrayDeque<>();
  private int running;

  public AsyncLimiter(int permits) {
    if (permits < 1) {
      throw new IllegalArgumentException("permits must be positive: " + permits);
    }
    this.permits = permits;
  }

  /** Runs {@code call} as soon as fewer than {@code permits} calls are in flight. */
  public <T> CompletionStage<T> submit(Supplier<CompletionStage<T>> call) {
    Waiting<T> waiting = new Waiting<>(call, new CompletableFuture<>());
    boolean startNow;
    synchronized (this) {
      startNow = running < permits;
      if (startNow) {
        running++;
      } else {
        queue.addLast(waiting);
      }
    }
    if (startNow) {
      waiting.start(this);
    }
    return waiting.result();
  }

  /** Calls waiting for a permit; for logs and tests. */
  public synchronized int waiting() {
    return queue.size();
  }

  private void release() {
    Waiting<?> next;
    synchronized (this) {
      next = queue.pollFirst();
      if (next == null) {
        running--;
        return;
      }
    }
    next.start(this);
  }
}
