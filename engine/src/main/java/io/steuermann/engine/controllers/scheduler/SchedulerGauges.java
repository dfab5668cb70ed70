package io.steuermann.engine.controllers.scheduler;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The scheduler's queues for {@code /metrics}, named as kube-scheduler's
 * {@code scheduler_pending_pods}: the scheduler copies its counters here now and then (reading its
 * maps from a scrape's thread would race with the actor), and removes the gauges when it stops,
 * so only the member that runs the singleton reports them.
 */
final class SchedulerGauges {
  private final MeterRegistry registry;
  private final List<Gauge> gauges;
  private volatile Scheduler.Stats last = new Scheduler.Stats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  SchedulerGauges(MeterRegistry registry) {
    this.registry = registry;
    this.gauges = List.of(
        gauge("scheduler.pending.pods", "Pods waiting: queued, unschedulable, or with a binding in flight",
            Scheduler.Stats::pending),
        gauge("scheduler.unschedulable.pods", "Pods that fit no node and wait for the cluster to change",
            Scheduler.Stats::unschedulable),
        gauge("scheduler.bindings.in.flight", "Bindings sent and not yet answered", Scheduler.Stats::bindsInFlight),
        gauge("scheduler.schedule.attempts", "Placements and fits-nowhere outcomes since the scheduler started here",
            Scheduler.Stats::decisions));
  }

  private Gauge gauge(String name, String help, ToDoubleFunction<Scheduler.Stats> value) {
    return Gauge.builder(name, this, g -> value.applyAsDouble(g.last)).description(help).register(registry);
  }

  void update(Scheduler.Stats stats) {
    last = stats;
  }

  void close() {
    gauges.forEach(registry::remove);
  }
}
