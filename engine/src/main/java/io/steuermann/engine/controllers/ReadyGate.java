package io.steuermann.engine.controllers;

import java.time.Duration;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The start of a per-object controller: it acts only once the local watch cache has caught up
 * with the journal, not merely once it is ready, because after a move to another member the
 * cache must show the writes of the controller's previous incarnation (after a recovery also
 * the creates it sent just before it stopped: the caller asks for a quiet period on top). The
 * gate asks once and tells the actor {@code opened} when the cache is there.
 */
public final class ReadyGate<M> {
  private final ActorContext<M> context;
  private final ControllerContext ctx;
  private final M opened;
  private boolean requested;
  private boolean open;

  public ReadyGate(ActorContext<M> context, ControllerContext ctx, M opened) {
    this.context = context;
    this.ctx = ctx;
    this.opened = opened;
  }

  /**
   * Asks the cache, the first time only (answers whether this was it); {@code quiet} is how long
   * nothing new must arrive on top.
   */
  public boolean request(Duration quiet) {
    if (requested) {
      return false;
    }
    requested = true;
    context.pipeToSelf(ctx.caughtUp().apply(quiet), (v, e) -> opened);
    return true;
  }

  /**
   * As {@link #request(Duration)} for a controller that creates objects with a deadline: after a
   * recovery (a move) it lets the creates a predecessor sent land or pass their deadline first,
   * with a second on top for a create accepted just in time and for clock skew.
   */
  public boolean request(boolean recovered, Duration createDeadline) {
    return request(recovered ? createDeadline.plusSeconds(1) : Duration.ZERO);
  }

  /** Called by the actor when {@code opened} arrives. */
  public void open() {
    open = true;
  }

  public boolean isOpen() {
    return open;
  }
}
