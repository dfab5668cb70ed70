package io.steuermann.engine.controllers;

import java.time.Duration;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * Coalesces a controller's requests to reconcile into one pending reconcile message, sent no
 * sooner than {@code interval} after the last reconcile ran: a burst of watch events costs one
 * reconcile, and a large object (many pods) is not reconciled back to back.
 */
public final class ReconcilePacer<M> {
  private final ActorContext<M> context;
  private final M reconcile;
  private boolean scheduled;
  private long lastRunNanos;

  public ReconcilePacer(ActorContext<M> context, M reconcile) {
    this.context = context;
    this.reconcile = reconcile;
  }

  /** Sends the reconcile message now or after the rest of {@code interval}, unless one is pending. */
  public void request(Duration interval) {
    if (scheduled) {
      return;
    }
    scheduled = true;
    long since = System.nanoTime() - lastRunNanos;
    if (since >= interval.toNanos()) {
      context.getSelf().tell(reconcile);
    } else {
      context.scheduleOnce(interval.minusNanos(since), context.getSelf(), reconcile);
    }
  }

  /** The reconcile message arrived: the next request schedules another. */
  public void arrived() {
    scheduled = false;
  }

  /** A reconcile did its work now: the interval counts from here. */
  public void ran() {
    lastRunNanos = System.nanoTime();
  }
}
