package io.steuermann.engine.controllers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.selector.FieldSelector;
import io.steuermann.engine.selector.LabelSelector;
import io.steuermann.engine.watch.WatchEvent;
import io.steuermann.engine.watch.WatchFilter;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.stream.UniqueKillSwitch;

/**
 * A controller's watch of the objects its owner selects: objects of one kind in the owner's
 * namespace matched by the owner's {@code spec.selector}. It is started once, replaced when
 * the selector changes, and restarted after it ended (then resynchronising from scratch). A
 * new watch hands over the current objects at once, so that the controller never counts a
 * view that is still being filled.
 */
public final class SelectorWatch<M> {
  private final ControllerContext ctx;
  private final Kind kind;
  private final ActorRef<M> target;
  private final Function<WatchEvent, M> wrap;
  private final M ended;
  private UniqueKillSwitch watch;
  private String selector = "";

  public SelectorWatch(ControllerContext ctx, Kind kind, ActorRef<M> target, Function<WatchEvent, M> wrap, M ended) {
    this.ctx = ctx;
    this.kind = kind;
    this.target = target;
    this.wrap = wrap;
    this.ended = ended;
  }

  /**
   * Makes sure the watch follows {@code owner}'s selector. When a new watch started, answers
   * the objects it starts from: everything seen before must then be forgotten for them, and
   * only changes after them follow as events. Empty when the running watch already fits.
   */
  public Optional<List<ObjectNode>> follow(JsonNode owner) {
    String wanted = owner.path("spec").path("selector").toString();
    if (watch != null && wanted.equals(selector)) {
      return Optional.empty();
    }
    stop();
    selector = wanted;
    WatchFilter filter = new WatchFilter(kind, Meta.namespace(owner),
        LabelSelector.ofWorkload(owner), FieldSelector.everything());
    CacheWatch.Listed listed = CacheWatch.subscribeListed(ctx.cache(), ctx.materializer(), filter, target, wrap,
        ended, buffer());
    watch = listed.watch();
    return Optional.of(listed.current());
  }

  /** The watch has ended (its {@code ended} message arrived); the next {@link #follow} restarts it. */
  public void ended() {
    watch = null;
  }

  public void stop() {
    if (watch != null) {
      UniqueKillSwitch w = watch;
      watch = null;
      w.shutdown();
    }
  }

  public boolean active() {
    return watch != null;
  }

  private int buffer() {
    return ctx.settings().hasPath("watch-buffer") ? ctx.settings().getInt("watch-buffer") : 100_000;
  }
}
