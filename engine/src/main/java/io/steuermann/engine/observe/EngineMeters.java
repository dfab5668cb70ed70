package io.steuermann.engine.observe;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.steuermann.engine.model.Kind;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the engine and the node agents of one process measure, with Micrometer. The registry is a
 * composite without a backend of its own: the API server adds its Prometheus registry for
 * {@code /metrics}; in a process without one, recording costs next to nothing.
 */
public final class EngineMeters {
  private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
  private final Map<Kind, Timer> journalWrites = new EnumMap<>(Kind.class);

  public EngineMeters() {
    for (Kind kind : Kind.values()) {
      journalWrites.put(kind, Timer.builder("steuermann.journal.write.duration")
          .description("From an object's write command to its event on the journal, by kind")
          .tag("resource", kind.plural())
          .publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
          .register(registry));
    }
  }

  /** Where to register more meters (gauges of queues, say), and where a backend is added. */
  public MeterRegistry registry() {
    return registry;
  }

  /** Adds a backend that sees every meter, made before or after. */
  public void publishTo(MeterRegistry backend) {
    registry.add(backend);
  }

  public void journalWrite(Kind kind, long nanos) {
    journalWrites.get(kind).record(nanos, TimeUnit.NANOSECONDS);
  }
}
