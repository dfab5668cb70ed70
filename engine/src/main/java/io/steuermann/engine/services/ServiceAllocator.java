package io.steuermann.engine.services;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.Allocations;
import io.steuermann.engine.services.ClaimEntity.Holder;
import io.steuermann.engine.services.ClaimEntity.Result;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives Services their clusterIP and nodePorts, Kubernetes' service IP and node port
 * allocators rebuilt on {@link ClaimEntity}s: one entity per value, so claims are race-free
 * across concurrent creates and across processes of one cluster, and survive restarts.
 *
 * <p>On a write it first checks what the user asked for (in range; not held by another
 * Service, asked of the claim entities without writing), so a refused request journals
 * nothing; then claims those values, then picks free ones at random for what is missing
 * (random candidates spread concurrent allocations; values the local watch cache shows in use
 * are skipped, so a busy range still allocates on the first try). A value held by a Service
 * that no longer uses it (its release was lost: a crash, a timeout) and claimed longer than
 * {@code orphanGrace} ago is an orphan and is taken over. If a later step fails, what this
 * write claimed is released again.
 */
public final class ServiceAllocator implements Allocations {
  private static final Logger log = LoggerFactory.getLogger(ServiceAllocator.class);
  private static final int RANDOM_TRIES = 32;
  private static final Duration HINT_AGE = Duration.ofMillis(500);

  /** A value: a clusterIP or a nodePort, and its claim entity's id. */
  record Value(boolean ip, long number) {
    String entityId() {
      return ip ? "ip-" + ServiceAddresses.formatIpv4(number) : "port-" + number;
    }

    String text() {
      return ip ? ServiceAddresses.formatIpv4(number) : Long.toString(number);
    }
  }

  /**
   * Where a port goes: a Service port's nodePort or the spec's healthCheckNodePort, with its
   * field path; {@code fill}: picked when unset (not for a LoadBalancer's nodePorts with
   * allocateLoadBalancerNodePorts false, which are claimed only when named).
   */
  private record Slot(ObjectNode node, String field, String path, boolean fill) {}

  /** Why a value asked for by the user cannot be had: the field and its message. */
  private record Problem(String field, Object value, String detail) {}

  private final ClusterSharding sharding;
  private final ServiceRanges ranges;
  private final Function<ObjectKey, ObjectNode> cached;
  private final Supplier<List<ObjectNode>> cachedServices;
  private final Clock clock;
  private final Duration askTimeout;

  public ServiceAllocator(ClusterSharding sharding, ServiceRanges ranges, Function<ObjectKey, ObjectNode> cached,
      Supplier<List<ObjectNode>> cachedServices, Clock clock, Duration askTimeout) {
    this.sharding = sharding;
    this.ranges = ranges;
    this.cached = cached;
    this.cachedServices = cachedServices;
    this.clock = clock;
    this.askTimeout = askTimeout;
  }

  public ServiceRanges ranges() {
    return ranges;
  }

  @Override
  public boolean applies(ObjectKey key) {
    return key.kind() == Kind.SERVICE;
  }

  /** How a write takes a value: really (a claim), or for a dry run (only if free now). */
  private interface Taker {
    CompletionStage<Boolean> take(Value v, Holder holder);
  }

  @Override
  public CompletionStage<Prepared> prepare(ObjectKey key, ObjectNode old, ObjectNode updated) {
    return prepare(key, old, updated, this::claim, true);
  }

  @Override
  public CompletionStage<Prepared> preview(ObjectKey key, ObjectNode old, ObjectNode updated) {
    return prepare(key, old, updated, this::isFree, false);
  }

  private CompletionStage<Prepared> prepare(ObjectKey key, ObjectNode old, ObjectNode updated, Taker taker,
      boolean releaseOnRefusal) {
    ObjectNode object = updated.deepCopy();
    ObjectNode spec = (ObjectNode) object.get("spec");
    Set<Value> held = old == null ? Set.of() : values(old.path("spec"));
    Holder holder = new Holder(Meta.uid(object), key.namespace(), key.name(), clock.millis());

    // what the user named, by field; checked before anything is claimed
    Map<Value, String> wanted = new LinkedHashMap<>();
    List<Problem> problems = new ArrayList<>();
    boolean needIp = false;
    if (ServiceSpecs.needsClusterIp(spec)) {
      String ip = spec.path("clusterIP").asText("");
      if (ip.isEmpty()) {
        needIp = true;
      } else {
        Value v = new Value(true, ServiceAddresses.parseIpv4(ip));
        if (!held.contains(v)) {
          if (!ranges.containsIp(v.number())) {
            problems.add(new Problem("spec.clusterIPs", List.of(ip), "failed to allocate IP " + ip
                + ": provided IP is not in the valid range. The range of valid IPs is " + ranges.cidr()));
          } else {
            wanted.put(v, "spec.clusterIPs");
          }
        }
      }
    }
    List<Slot> portsToFill = new ArrayList<>();
    List<Slot> slots = new ArrayList<>();
    boolean fillNodePorts = ServiceSpecs.needsNodePorts(spec);
    if (ServiceSpecs.usesNodePorts(spec)) {
      JsonNode ports = spec.path("ports");
      for (int i = 0; i < ports.size(); i++) {
        slots.add(new Slot((ObjectNode) ports.get(i), "nodePort", "spec.ports[" + i + "].nodePort", fillNodePorts));
      }
    }
    if (ServiceSpecs.needsHealthCheckNodePort(spec)) {
      // kube-proxy's health check port, from the same range (nothing serves it here: no cloud asks)
      slots.add(new Slot(spec, "healthCheckNodePort", "spec.healthCheckNodePort", true));
    }
    for (Slot slot : slots) {
      int np = slot.node().path(slot.field()).asInt(0);
      if (np == 0) {
        if (slot.fill()) {
          portsToFill.add(slot);
        }
        continue;
      }
      Value v = new Value(false, np);
      if (held.contains(v) || wanted.containsKey(v)) {
        continue;
      }
      if (!ranges.containsPort(np)) {
        problems.add(new Problem(slot.path(), np, "provided port is not in the valid range. "
            + "The range of valid ports is " + ranges.portRange()));
      } else {
        wanted.put(v, slot.path());
      }
    }
    if (!problems.isEmpty()) {
      return CompletableFuture.completedFuture(refusal(key, problems));
    }
    boolean fillIp = needIp;
    // the steps run one after another, on whichever thread completes the previous one
    List<Value> claimed = Collections.synchronizedList(new ArrayList<>());
    return probe(wanted, holder)
        .thenCompose(taken -> {
          if (!taken.isEmpty()) {
            return CompletableFuture.completedFuture(refusal(key, taken));
          }
          return claimAll(new ArrayList<>(wanted.keySet()), holder, claimed, taker)
              .thenCompose(lost -> {
                if (lost != null) {
                  return CompletableFuture.completedFuture(refusal(key, List.of(
                      new Problem(wanted.get(lost), lost.ip() ? List.of(lost.text()) : lost.number(), alreadyAllocated(lost)))));
                }
                return fill(spec, fillIp, portsToFill, holder, claimed, taker);
              });
        })
        .thenCompose(prepared -> {
          if (prepared.refusal() == null || !releaseOnRefusal) {
            return CompletableFuture.completedFuture(prepared.refusal() == null ? new Prepared(object, null) : prepared);
          }
          // nothing this write claimed stays held
          return releaseAll(claimed, holder.uid()).thenApply(ignored -> prepared);
        });
  }

  @Override
  public CompletionStage<Void> committed(ObjectKey key, ObjectNode old, ObjectNode updated) {
    if (old == null) {
      return CompletableFuture.completedFuture(null);
    }
    Set<Value> gone = new HashSet<>(values(old.path("spec")));
    if (updated != null) {
      gone.removeAll(values(updated.path("spec")));
    }
    return releaseAll(new ArrayList<>(gone), Meta.uid(old));
  }

  /** The clusterIP and nodePorts a Service spec holds. */
  static Set<Value> values(JsonNode spec) {
    Set<Value> values = new HashSet<>();
    if (ServiceSpecs.needsClusterIp(spec)) {
      long ip = ServiceAddresses.parseIpv4(spec.path("clusterIP").asText(""));
      if (ip >= 0) {
        values.add(new Value(true, ip));
      }
    }
    if (ServiceSpecs.usesNodePorts(spec)) {
      for (int np : ServiceSpecs.nodePorts(spec)) {
        values.add(new Value(false, np));
      }
    }
    if (ServiceSpecs.needsHealthCheckNodePort(spec)) {
      int hc = spec.path("healthCheckNodePort").asInt(0);
      if (hc > 0) {
        values.add(new Value(false, hc));
      }
    }
    return values;
  }

  /** The values asked for that another live Service holds, as problems; writes nothing. */
  private CompletionStage<List<Problem>> probe(Map<Value, String> wanted, Holder holder) {
    List<CompletableFuture<Problem>> checks = new ArrayList<>();
    for (Map.Entry<Value, String> e : wanted.entrySet()) {
      Value v = e.getKey();
      checks.add(ask(v, reply -> new ClaimEntity.Inspect(reply)).thenApply(result -> {
        Holder current = result.holder();
        if (current == null || current.uid().equals(holder.uid()) || isOrphan(current, v)) {
          return null;
        }
        return new Problem(e.getValue(), v.ip() ? List.of(v.text()) : v.number(), alreadyAllocated(v));
      }).toCompletableFuture());
    }
    return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
      List<Problem> taken = new ArrayList<>();
      for (CompletableFuture<Problem> c : checks) {
        if (c.join() != null) {
          taken.add(c.join());
        }
      }
      return taken;
    });
  }

  /** Claims each value in turn; completes with the first one lost (null: all claimed). */
  private CompletionStage<Value> claimAll(List<Value> values, Holder holder, List<Value> claimed, Taker taker) {
    CompletionStage<Value> chain = CompletableFuture.completedFuture(null);
    for (Value v : values) {
      chain = chain.thenCompose(lost -> lost != null ? CompletableFuture.completedFuture(lost)
          : taker.take(v, holder).thenApply(granted -> {
            if (granted) {
              claimed.add(v);
              return null;
            }
            return v;
          }));
    }
    return chain;
  }

  /**
   * Picks and claims what is missing: the clusterIP, and meanwhile the unset nodePorts one
   * after the other (so two ports of one Service never pick the same value, which the claim
   * entity would grant twice to the same uid). The spec is filled in once both are done.
   */
  private CompletionStage<Prepared> fill(ObjectNode spec, boolean fillIp, List<Slot> portsToFill, Holder holder,
      List<Value> claimed, Taker taker) {
    if (!fillIp && portsToFill.isEmpty()) {
      return CompletableFuture.completedFuture(new Prepared(spec, null));
    }
    CompletableFuture<Value> ip = !fillIp ? CompletableFuture.completedFuture(null)
        : pickAndClaim(true, holder, new Avoid(List.of()), RANDOM_TRIES, taker).toCompletableFuture()
            .thenApply(v -> {
              if (v != null) {
                claimed.add(v);
              }
              return v;
            });
    Avoid portsInUse = new Avoid(claimed);
    CompletionStage<List<Value>> ports = CompletableFuture.completedFuture(new ArrayList<>());
    for (int i = 0; i < portsToFill.size(); i++) {
      ports = ports.thenCompose(got -> got == null ? CompletableFuture.completedFuture(null)
          : pickAndClaim(false, holder, portsInUse, RANDOM_TRIES, taker).thenApply(v -> {
            if (v == null) {
              return null;
            }
            claimed.add(v);
            portsInUse.mine(v);
            got.add(v);
            return got;
          }));
    }
    return ip.thenCombine(ports, (gotIp, gotPorts) -> {
      if (fillIp && gotIp == null) {
        return new Prepared(null, ApiStatus.internal("failed to allocate a serviceIP: range is full"));
      }
      if (gotPorts == null) {
        return new Prepared(null, ApiStatus.internal("failed to allocate a nodePort: range is full"));
      }
      if (gotIp != null) {
        spec.put("clusterIP", gotIp.text());
        spec.putArray("clusterIPs").add(gotIp.text());
      }
      for (int i = 0; i < gotPorts.size(); i++) {
        portsToFill.get(i).node().put(portsToFill.get(i).field(), (int) gotPorts.get(i).number());
      }
      return new Prepared(spec, null);
    });
  }

  /** Tries random free-looking candidates; null when none could be claimed. */
  private CompletionStage<Value> pickAndClaim(boolean ip, Holder holder, Avoid inUse, int triesLeft, Taker taker) {
    if (triesLeft == 0) {
      return CompletableFuture.completedFuture(null);
    }
    // the cache's view is only a hint (it may lag a release): when it leaves nothing, the values
    // not yet found taken by a claim are tried too
    Value picked = candidate(ip, inUse, true);
    Value candidate = picked != null ? picked : candidate(ip, inUse, false);
    if (candidate == null) {
      return CompletableFuture.completedFuture(null);
    }
    return taker.take(candidate, holder).thenCompose(granted -> {
      if (granted) {
        return CompletableFuture.completedFuture(candidate);
      }
      inUse.taken(candidate);
      return pickAndClaim(ip, holder, inUse, triesLeft - 1, taker);
    });
  }

  /** A random value of the range not known to be in use; null when the cache shows all in use. */
  private Value candidate(boolean ip, Avoid inUse, boolean withHint) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    if (ip) {
      for (int i = 0; i < 1000; i++) {
        Value v = new Value(true, ranges.network() + random.nextLong(ranges.size()));
        if (ranges.pickable(v.number()) && !inUse.contains(v, withHint)) {
          return v;
        }
      }
      return null;
    }
    int size = ranges.lastPort() - ranges.firstPort() + 1;
    int start = random.nextInt(size);
    // a random start, then onwards: finds the last free port of a nearly full range too
    for (int i = 0; i < size; i++) {
      Value v = new Value(false, ranges.firstPort() + (start + i) % size);
      if (!inUse.contains(v, withHint)) {
        return v;
      }
    }
    return null;
  }

  /** Claims one value, taking it over from an orphan if that is what holds it. */
  private CompletionStage<Boolean> claim(Value v, Holder holder) {
    return ask(v, reply -> new ClaimEntity.Claim(holder, null, reply)).thenCompose(result -> {
      if (result.granted()) {
        return CompletableFuture.completedFuture(true);
      }
      Holder current = result.holder();
      if (current != null && isOrphan(current, v)) {
        log.info("Taking over {} from {}/{} (uid {}), which no longer uses it", v.text(), current.namespace(),
            current.name(), current.uid());
        return ask(v, reply -> new ClaimEntity.Claim(holder, current.uid(), reply)).thenApply(Result::granted);
      }
      return CompletableFuture.completedFuture(false);
    });
  }

  /** Whether a claim of {@code v} would be granted now; asks without writing. */
  private CompletionStage<Boolean> isFree(Value v, Holder holder) {
    return ask(v, reply -> new ClaimEntity.Inspect(reply)).thenApply(result -> result.holder() == null
        || result.holder().uid().equals(holder.uid()) || isOrphan(result.holder(), v));
  }

  /**
   * Held long enough ago that its Service must have been written by now, and the Service of
   * that uid (as this process's watch cache shows it) does not use the value.
   */
  private boolean isOrphan(Holder holder, Value v) {
    if (clock.millis() - holder.claimedAtMillis() < ranges.orphanGrace().toMillis()) {
      return false;
    }
    ObjectNode service = cached.apply(ObjectKey.of(Kind.SERVICE, holder.namespace(), holder.name()));
    return service == null || !Meta.uid(service).equals(holder.uid()) || !values(service.path("spec")).contains(v);
  }

  private CompletionStage<Void> releaseAll(List<Value> values, String uid) {
    List<CompletableFuture<Result>> releases = new ArrayList<>();
    for (Value v : values) {
      releases.add(ask(v, reply -> new ClaimEntity.Release(uid, reply)).toCompletableFuture()
          .exceptionally(e -> {
            log.warn("Could not release {} of uid {} ({}); it stays claimed until reclaimed as an orphan",
                v.text(), uid, e.toString());
            return null;
          }));
    }
    return CompletableFuture.allOf(releases.toArray(CompletableFuture[]::new));
  }

  /** The values in use as the watch cache showed them, and when (System.nanoTime). */
  private record InUse(long atNanos, Set<Value> values) {}

  private final AtomicReference<InUse> inUse = new AtomicReference<>(new InUse(Long.MIN_VALUE, Set.of()));

  /**
   * The values the local watch cache shows in use, at most {@link #HINT_AGE} old: a hint for
   * picking (the claim entities decide), so concurrent creates in a busy range share one pass
   * over all Services instead of making one each.
   */
  private Set<Value> inUseHint() {
    InUse last = inUse.get();
    long now = System.nanoTime();
    if (now - last.atNanos() < HINT_AGE.toNanos()) {
      return last.values();
    }
    Set<Value> values = new HashSet<>();
    for (ObjectNode service : cachedServices.get()) {
      values.addAll(values(service.path("spec")));
    }
    Set<Value> fresh = Set.copyOf(values);
    inUse.set(new InUse(now, fresh));
    return fresh;
  }

  /**
   * The values a pick should avoid: those this write holds or found taken and, once a random
   * pick has hit a taken value (the range is getting busy), all the local watch cache shows in
   * use (a hint, at most half a second old: {@link #inUseHint}). Reading the cache is a pass
   * over every Service, so the common case of a first pick that is free does without it.
   */
  private final class Avoid {
    private final Set<Value> known = new HashSet<>();
    private Set<Value> cached;

    Avoid(List<Value> claimed) {
      known.addAll(List.copyOf(claimed));
    }

    /** Claimed by this write: not for its next port. */
    void mine(Value v) {
      known.add(v);
    }

    /** Found held by another Service. */
    void taken(Value v) {
      known.add(v);
      if (cached == null) {
        cached = inUseHint();
      }
    }

    /** Whether to pass over {@code v}: known taken, or (with the hint) shown in use by the cache. */
    boolean contains(Value v, boolean withHint) {
      return known.contains(v) || (withHint && cached != null && cached.contains(v));
    }
  }

  private CompletionStage<Result> ask(Value v, Function<ActorRef<Result>, ClaimEntity.Command> command) {
    return sharding.entityRefFor(ClaimEntity.TYPE, v.entityId()).ask(command::apply, askTimeout);
  }

  private static String alreadyAllocated(Value v) {
    return v.ip() ? "failed to allocate IP " + v.text() + ": provided IP is already allocated"
        : "provided port is already allocated";
  }

  private static Prepared refusal(ObjectKey key, List<Problem> problems) {
    List<ApiStatus.Cause> causes = new ArrayList<>();
    for (Problem p : problems) {
      causes.add(new ApiStatus.Cause("FieldValueInvalid", "Invalid value: " + render(p.value()) + ": " + p.detail(),
          p.field()));
    }
    return new Prepared(null, ApiStatus.invalid(key.kind(), key.name(), causes));
  }

  /** As Kubernetes prints them: {@code []string{"10.96.0.5"}} for the IP list, plain numbers for ports. */
  private static String render(Object value) {
    if (value instanceof List<?> list) {
      StringBuilder sb = new StringBuilder("[]string{");
      for (int i = 0; i < list.size(); i++) {
        sb.append(i > 0 ? ", " : "").append('"').append(list.get(i)).append('"');
      }
      return sb.append('}').toString();
    }
    return String.valueOf(value);
  }
}
