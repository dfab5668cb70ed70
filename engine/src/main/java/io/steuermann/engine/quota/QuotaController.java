package io.steuermann.engine.quota;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.ControllerContext;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand.Part;
import io.steuermann.engine.objects.ObjectControllers.ObjectChanged;
import io.steuermann.engine.watch.WatchFilter;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Keeps one ResourceQuota's {@code status.hard} (its spec's) and {@code status.used} (recounted
 * from the watch cache) accurate, as kube's resource quota controller; it runs as the child of
 * the quota's entity and recounts on every change of the quota and every {@link #RESYNC}, which
 * also catches deletes. A recount never lowers a use that an admission charged less than
 * {@link #SETTLE} ago: that create may not have reached the cache yet.
 */
public final class QuotaController {
  static final Duration RESYNC = Duration.ofSeconds(1);
  static final Duration SETTLE = Duration.ofSeconds(3);

  /** The kinds whose objects a quota may count by another name than {@code count/...}. */
  private static final Set<Kind> NAMED = EnumSet.of(Kind.POD, Kind.SERVICE, Kind.PERSISTENT_VOLUME_CLAIM,
      Kind.CONFIG_MAP, Kind.SECRET, Kind.REPLICATION_CONTROLLER, Kind.RESOURCE_QUOTA);

  private record Tick() {}

  private record Ready() {}

  private QuotaController() {}

  public static Behavior<ObjectChanged> create(ControllerContext ctx) {
    return Behaviors.<Object>setup(context -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(new Tick(), RESYNC);
      State state = new State();
      // a count from a cache still catching up after a start would be too low
      context.pipeToSelf(ctx.caughtUp().apply(Duration.ZERO), (v, e) -> new Ready());
      return Behaviors.receiveMessage(message -> {
        if (message instanceof ObjectChanged changed) {
          ObjectNode quota = changed.object();
          // a change of the use by someone else (an admission's charge) starts the settling time
          if (quota != null && !Meta.resourceVersion(quota).equals(state.version)
              && !quota.path("status").path("used").equals(state.usedWritten)) {
            state.version = Meta.resourceVersion(quota);
            state.since = ctx.clock().instant();
          }
          state.quota = quota;
        } else if (message instanceof Ready) {
          state.ready = true;
        }
        reconcile(ctx, state);
        return Behaviors.same();
      });
    })).narrow();
  }

  /** What the controller knows; only its own actor touches it. */
  private static final class State {
    ObjectNode quota;
    boolean ready;
    String version = "";
    Instant since = Instant.EPOCH;
    String lastWritten = "";
    JsonNode usedWritten;
  }

  private static void reconcile(ControllerContext ctx, State state) {
    ObjectNode quota = state.quota;
    if (quota == null || !state.ready) {
      return;
    }
    String namespace = Meta.namespace(quota);
    Map<String, BigDecimal> used = count(quota, kind -> ctx.cache().list(WatchFilter.of(kind, namespace)).items());
    Map<String, BigDecimal> recorded = Quotas.quantities(quota.path("status").path("used"));
    boolean settled = Duration.between(state.since, ctx.clock().instant()).compareTo(SETTLE) >= 0;
    if (!settled) {
      // raise only: a charge not yet seen in the cache stays
      used.replaceAll((k, v) -> recorded.containsKey(k) && recorded.get(k).compareTo(v) > 0 ? recorded.get(k) : v);
    }
    ObjectNode status = quota.objectNode();
    status.set("hard", Quotas.toJson(Quotas.hard(quota)));
    status.set("used", Quotas.toJson(used));
    String written = Meta.resourceVersion(quota) + status;
    if (status.equals(quota.path("status")) || written.equals(state.lastWritten)) {
      return;
    }
    state.lastWritten = written;
    state.usedWritten = status.get("used");
    ObjectNode updated = quota.deepCopy();
    updated.set("status", status);
    // with its resourceVersion: a conflict means an admission charged meanwhile; the next tick recounts
    ctx.store().replace(ObjectKey.of(Kind.RESOURCE_QUOTA, Meta.namespace(quota), Meta.name(quota)), updated,
        Part.STATUS);
  }

  /** The use of every resource the quota limits, counted over the namespace's objects. */
  static Map<String, BigDecimal> count(JsonNode quota,
      java.util.function.Function<Kind, ? extends java.util.List<? extends JsonNode>> objects) {
    Map<String, BigDecimal> hard = Quotas.hard(quota);
    Map<String, BigDecimal> used = new TreeMap<>();
    hard.keySet().forEach(k -> used.put(k, BigDecimal.ZERO));
    for (Kind kind : Kind.values()) {
      if (!kind.namespaced() || (!NAMED.contains(kind) && !hard.containsKey(Usage.countName(kind)))) {
        continue;
      }
      for (JsonNode object : objects.apply(kind)) {
        if (!Quotas.counts(quota, kind, object)) {
          continue;
        }
        Usage.of(kind, object).forEach((k, v) -> {
          if (hard.containsKey(k)) {
            used.merge(k, v, BigDecimal::add);
          }
        });
      }
    }
    return used;
  }
}
