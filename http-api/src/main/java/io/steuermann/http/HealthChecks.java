package io.steuermann.http;

import io.steuermann.engine.Engine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.Query;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * {@code /livez}, {@code /readyz} and {@code /healthz} as kube-apiserver answers them: a list of
 * named checks, {@code ok} (200) when all pass, else 500 with every check listed and the failed
 * ones marked {@code [-]}; {@code ?verbose} lists them on success too, {@code ?exclude=name}
 * leaves a check out, {@code /readyz/<check>} asks for one. Liveness is the process; readiness
 * (and health, which kube-apiserver ties to its storage) is whether lists can be served: the
 * journal replayed into the watch cache, and not shutting down (load balancers stop sending
 * while the server drains).
 */
final class HealthChecks {
  /** One check: its name and what is wrong, empty when it passes. */
  private record Check(String name, Supplier<Optional<String>> problem) {}

  private final Map<String, List<Check>> endpoints = new LinkedHashMap<>();

  /**
   * The checks of a server: its store is {@code engine}'s, its shutdown the actor system's.
   * On shutdown, /readyz fails {@code steuermann.api.shutdown-delay} before the port stops
   * accepting.
   */
  static HealthChecks of(Engine engine) {
    java.time.Duration shutdownDelay = engine.system().settings().config().getDuration("steuermann.api.shutdown-delay");
    AtomicBoolean stopping = new AtomicBoolean();
    CoordinatedShutdown.get(engine.system()).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(),
        "readyz-shutdown", () -> {
          stopping.set(true);
          return java.util.concurrent.CompletableFuture.supplyAsync(Done::getInstance,
              java.util.concurrent.CompletableFuture.delayedExecutor(shutdownDelay.toMillis(),
                  java.util.concurrent.TimeUnit.MILLISECONDS));
        });
    io.steuermann.persistence.journal.StoreHealth health =
        io.steuermann.persistence.journal.StoreHealth.get(engine.system());
    return new HealthChecks(engine::isReady, () -> health.failure()
        .map(f -> "the journal cannot write since " + f.since() + ": " + f.message()), stopping::get);
  }

  HealthChecks(BooleanSupplier storeReady, BooleanSupplier stopping) {
    this(storeReady, Optional::empty, stopping);
  }

  /** {@code storeFailing}: why the store cannot write now, empty while it can. */
  HealthChecks(BooleanSupplier storeReady, Supplier<Optional<String>> storeFailing, BooleanSupplier stopping) {
    Check ping = new Check("ping", Optional::empty);
    Check store = new Check("store", () -> storeReady.getAsBoolean()
        ? storeFailing.get() : Optional.of("the journal is still being replayed into the watch cache"));
    Check shutdown = new Check("shutdown", () -> stopping.getAsBoolean()
        ? Optional.of("the server is shutting down") : Optional.empty());
    endpoints.put("/livez", List.of(ping));
    endpoints.put("/healthz", List.of(ping, store));
    endpoints.put("/readyz", List.of(ping, store, shutdown));
  }

  /** The answer for a health path, or empty when the path is not one. */
  Optional<HttpResponse> answer(String path, Query query) {
    for (Map.Entry<String, List<Check>> endpoint : endpoints.entrySet()) {
      String root = endpoint.getKey();
      if (path.equals(root)) {
        return Optional.of(all(root.substring(1), endpoint.getValue(), query));
      }
      if (path.startsWith(root + "/")) {
        String name = path.substring(root.length() + 1);
        return Optional.of(endpoint.getValue().stream().filter(c -> c.name().equals(name)).findFirst()
            .map(HealthChecks::one)
            .orElseGet(() -> text(404, "404 page not found")));
      }
    }
    return Optional.empty();
  }

  private static HttpResponse one(Check check) {
    return check.problem().get()
        .map(problem -> text(500, "internal server error: " + problem))
        .orElseGet(() -> text(200, "ok"));
  }

  private static HttpResponse all(String endpoint, List<Check> checks, Query query) {
    List<String> excluded = new ArrayList<>(query.getAll("exclude"));
    StringBuilder body = new StringBuilder();
    boolean failed = false;
    for (Check check : checks) {
      if (excluded.remove(check.name())) {
        body.append("[+]").append(check.name()).append(" excluded: ok\n");
        continue;
      }
      Optional<String> problem = check.problem().get();
      failed |= problem.isPresent();
      // as kube-apiserver: the reason goes to the log, not to whoever asks
      body.append(problem.isPresent() ? "[-]" : "[+]").append(check.name())
          .append(problem.isPresent() ? " failed: reason withheld\n" : " ok\n");
    }
    if (!excluded.isEmpty()) {
      body.append("warn: some health checks cannot be excluded: no matches for ")
          .append(String.join(",", excluded.stream().map(e -> "\"" + e + "\"").toList())).append('\n');
    }
    if (failed) {
      return text(500, body + endpoint + " check failed\n");
    }
    return query.get("verbose").isPresent() ? text(200, body + endpoint + " check passed\n") : text(200, "ok");
  }

  private static HttpResponse text(int code, String body) {
    return HttpResponse.create().withStatus(StatusCodes.get(code))
        .withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, body));
  }
}
