package io.steuermann.http.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The server's own metrics, for {@code GET /metrics} in Prometheus' text format, with
 * Micrometer: requests by verb, resource and code with their latency (named as kube-apiserver's
 * {@code apiserver_request_total} and {@code apiserver_request_duration_seconds}), open watches,
 * writes in flight, the engine's meters (journal write latency, scheduler queues, proxy
 * connections) and the JVM. One registry per server, made at its start.
 */
public final class ServerMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  public ServerMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /** Publishes {@code meters} (the engine's and the nodes' of this process) on this server's scrape. */
  public void publish(io.steuermann.engine.observe.EngineMeters meters) {
    meters.publishTo(registry);
  }

  /** A value read at each scrape. */
  public void gauge(String name, String help, Supplier<Number> value) {
    Gauge.builder(name, value).description(help).register(registry);
  }

  /**
   * One request answered: {@code verb} as kube-apiserver names them (get, list, watch, create,
   * update, patch, delete, connect for logs and exec), {@code resource} the plural (with
   * {@code /subresource}), or empty for a path that is no resource.
   */
  public void request(String verb, String resource, int code, Duration took) {
    String status = Integer.toString(code);
    Counter.builder("apiserver.request").description("Requests answered, by verb, resource and code")
        .tags("verb", verb, "resource", resource, "code", status).register(registry).increment();
    Timer.builder("apiserver.request.duration").description("Time until the answer's head, by verb and resource")
        .tags("verb", verb, "resource", resource)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60))
        .register(registry).record(took);
  }

  /** Everything, in the Prometheus text format. */
  public String scrape() {
    return registry.scrape();
  }
}
