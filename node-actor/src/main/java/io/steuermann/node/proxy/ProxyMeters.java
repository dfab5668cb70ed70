package io.steuermann.node.proxy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The user-space proxy's connections for {@code /metrics}: open now, accepted, and refused (no
 * ready or reachable endpoint). The kernel data path keeps its connections in conntrack, where
 * {@code conntrack -C} counts them; they do not pass through this process.
 */
final class ProxyMeters {
  private final AtomicInteger open = new AtomicInteger();
  private final Counter accepted;
  private final Counter refused;

  ProxyMeters(MeterRegistry registry) {
    Gauge.builder("steuermann.proxy.connections.open", open, AtomicInteger::get)
        .description("TCP connections the user-space Service proxy joins now").register(registry);
    accepted = Counter.builder("steuermann.proxy.connections.accepted")
        .description("TCP connections accepted by the user-space Service proxy").register(registry);
    refused = Counter.builder("steuermann.proxy.connections.refused")
        .description("TCP connections closed at once: no ready or reachable endpoint").register(registry);
  }

  void accepted() {
    accepted.increment();
  }

  void refused() {
    refused.increment();
  }

  void opened() {
    open.incrementAndGet();
  }

  void closed() {
    open.decrementAndGet();
  }
}
