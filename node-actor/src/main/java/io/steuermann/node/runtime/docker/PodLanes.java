package io.steuermann.node.runtime.docker;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * One lane per pod: the runtime's changes to a pod (start, restart, stop) run one after the
 * other, in the order they were asked for, on the shared executor; different pods run in
 * parallel. So a stop queued behind a start finds every container that start made, and a
 * listing never sees a pod half-made.
 */
final class PodLanes {
  private final Executor executor;
  private final Map<String, CompletableFuture<?>> tails = new HashMap<>();

  PodLanes(Executor executor) {
    this.executor = executor;
  }

  <T> CompletableFuture<T> submit(String pod, Callable<T> task) {
    CompletableFuture<T> result;
    synchronized (tails) {
      CompletableFuture<?> tail = tails.getOrDefault(pod, CompletableFuture.completedFuture(null));
      result = tail.handle((ignored, error) -> null).thenApplyAsync(ignored -> {
        try {
          return task.call();
        } catch (RuntimeException e) {
          throw e;
        } catch (Exception e) {
          throw new CompletionException(e);
        }
      }, executor);
      tails.put(pod, result);
    }
    CompletableFuture<T> queued = result;
    result.whenComplete((value, error) -> {
      synchronized (tails) {
        tails.remove(pod, queued);
      }
    });
    return result;
  }
}
